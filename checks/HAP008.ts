// HAP008: back_cluster works in http mode: its own `mode http`, or one inherited from its defaults section.
import { CONFIG_SKIP_MESSAGES, PROXY_SKIP_MESSAGES, REFUSED_MESSAGES, judgeMode } from '../src/facts/haproxy.js';
import { haproxyExample } from '../src/facts/haproxy-examples.js';
import { defineCheck } from '../src/model/check.js';

const check = defineCheck({
  id: 'HAP008',
  title: { en: 'back_cluster works in http mode', ru: 'back_cluster работает в режиме http' },
  area: 'haproxy',
  mode: 'static',
  points: 2,
  severity: 'major',
  spec: 'Requirements 3 (Backend): works in http mode',
  asserts: {
    en: "The backend's effective mode is http, set in the backend or inherited from its defaults section.",
    ru: 'Действующий режим бэкенда — http, заданный в самом бэкенде или унаследованный из его секции defaults.',
  },
  messages: {
    ...CONFIG_SKIP_MESSAGES,
    ...PROXY_SKIP_MESSAGES,
    ...REFUSED_MESSAGES,
    wrongMode: {
      en: 'backend {name} works in {mode} mode (set in {section}, line {line}), not {expected}',
      ru: 'бэкенд {name} работает в режиме {mode} (задан в {section}, строка {line}), а не {expected}',
    },
    defaultMode: {
      en: "nothing sets the mode of backend {name}, so it is tcp (HAProxy's default), not {expected}",
      ru: 'режим бэкенда {name} нигде не задан, поэтому он tcp (по умолчанию в HAProxy), а не {expected}',
    },
    inherited: {
      en: 'mode {mode} is inherited from {section}, line {line}',
      ru: 'режим {mode} унаследован из {section}, строка {line}',
    },
  },
  hint: {
    en: 'Add mode http to backend back_cluster (or to the defaults section it uses).',
    ru: 'Добавьте mode http в backend back_cluster (или в секцию defaults, которую он использует).',
  },
  doc: {
    rationale: {
      en: 'An http frontend cannot use a tcp backend (HAProxy refuses it), and without a `mode` line anywhere a proxy works in tcp mode; HAProxy then ignores every HTTP feature (`option forwardfor`, http-request rules) with a mere warning. `mode http` in the defaults section a proxy inherits from counts just as well as one in the proxy itself.',
      ru: 'HTTP-фронтенд не может использовать tcp-бэкенд (HAProxy это не принимает), а если `mode` нигде не задан, прокси работает в режиме tcp: HAProxy тогда лишь с предупреждением игнорирует все HTTP-возможности (`option forwardfor`, правила http-request). `mode http` в секции defaults, от которой наследуется прокси, действует так же, как в самом прокси.',
    },
    failing: {
      file: 'haproxy.cfg',
      text: haproxyExample({
        defaults: ['log global', 'timeout connect 5s', 'timeout client 30s', 'timeout server 30s'],
        frontend: ['bind *:443 ssl crt /etc/haproxy/rebrain.pem', 'mode tcp', 'default_backend back_cluster'],
        backend: [
          'mode tcp',
          'balance roundrobin',
          'server rebrain_01 127.0.0.1:81 maxconn 20000',
          'server rebrain_02 127.0.0.1:81 maxconn 20000',
          'server rebrain_03 127.0.0.1:81 maxconn 20000',
        ],
      }),
    },
    passing: {
      file: 'haproxy.cfg',
      text: haproxyExample({
        backend: [
          'balance roundrobin',
          'server rebrain_01 127.0.0.1:81 maxconn 20000',
          'server rebrain_02 127.0.0.1:81 maxconn 20000',
          'server rebrain_03 127.0.0.1:81 maxconn 20000',
        ],
      }),
    },
    fix: {
      en: 'Put mode http in backend back_cluster (or in defaults).',
      ru: 'Укажите mode http в backend back_cluster (или в defaults).',
    },
  },
  run: (ctx) => judgeMode(ctx, 'backend'),
});

export default check;
