// HAP004: front_cluster works in http mode: its own `mode http`, or one inherited from its defaults section.
import { CONFIG_SKIP_MESSAGES, PROXY_SKIP_MESSAGES, REFUSED_MESSAGES, judgeMode } from '../src/facts/haproxy.js';
import { haproxyExample } from '../src/facts/haproxy-examples.js';
import { defineCheck } from '../src/model/check.js';

const check = defineCheck({
  id: 'HAP004',
  title: { en: 'front_cluster works in http mode', ru: 'front_cluster работает в режиме http' },
  area: 'haproxy',
  mode: 'static',
  points: 2,
  severity: 'major',
  spec: 'Requirements 2 (Frontend): works in http mode',
  asserts: {
    en: "The frontend's effective mode is http, set in the frontend or inherited from its defaults section.",
    ru: 'Действующий режим фронтенда — http, заданный в самом фронтенде или унаследованный из его секции defaults.',
  },
  messages: {
    ...CONFIG_SKIP_MESSAGES,
    ...PROXY_SKIP_MESSAGES,
    ...REFUSED_MESSAGES,
    wrongMode: {
      en: 'frontend {name} works in {mode} mode (set in {section}, line {line}), not {expected}',
      ru: 'фронтенд {name} работает в режиме {mode} (задан в {section}, строка {line}), а не {expected}',
    },
    defaultMode: {
      en: "nothing sets the mode of frontend {name}, so it is tcp (HAProxy's default), not {expected}",
      ru: 'режим фронтенда {name} нигде не задан, поэтому он tcp (по умолчанию в HAProxy), а не {expected}',
    },
    inherited: {
      en: 'mode {mode} is inherited from {section}, line {line}',
      ru: 'режим {mode} унаследован из {section}, строка {line}',
    },
  },
  hint: {
    en: 'Add mode http to frontend front_cluster (or to the defaults section it uses).',
    ru: 'Добавьте mode http во frontend front_cluster (или в секцию defaults, которую он использует).',
  },
  doc: {
    rationale: {
      en: 'Without a `mode` line anywhere, a proxy works in tcp mode: HAProxy then ignores every HTTP feature (`option forwardfor`, http-request rules) with a mere warning. `mode http` in the defaults section a proxy inherits from counts just as well as one in the proxy itself.',
      ru: 'Если `mode` нигде не задан, прокси работает в режиме tcp: HAProxy тогда лишь с предупреждением игнорирует все HTTP-возможности (`option forwardfor`, правила http-request). `mode http` в секции defaults, от которой наследуется прокси, действует так же, как в самом прокси.',
    },
    failing: {
      file: 'haproxy.cfg',
      text: haproxyExample({
        defaults: ['log global', 'timeout connect 5s', 'timeout client 30s', 'timeout server 30s'],
        frontend: ['bind *:443 ssl crt /etc/haproxy/rebrain.pem', 'option forwardfor', 'default_backend back_cluster'],
      }),
    },
    passing: {
      file: 'haproxy.cfg',
      text: haproxyExample({
        frontend: ['bind *:443 ssl crt /etc/haproxy/rebrain.pem', 'option forwardfor', 'default_backend back_cluster'],
      }),
    },
    fix: {
      en: 'Put mode http in frontend front_cluster (or in defaults).',
      ru: 'Укажите mode http во frontend front_cluster (или в defaults).',
    },
  },
  run: (ctx) => judgeMode(ctx, 'frontend'),
});

export default check;
