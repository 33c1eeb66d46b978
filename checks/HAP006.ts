// HAP006: front_cluster's default backend is back_cluster (its own default_backend, or one inherited from defaults).
import {
  CONFIG_SKIP_MESSAGES,
  PROXY_SKIP_MESSAGES,
  REFUSED_MESSAGES,
  reportRefused,
  at,
  forEachProxy,
} from '../src/facts/haproxy.js';
import { haproxyExample } from '../src/facts/haproxy-examples.js';
import { defineCheck } from '../src/model/check.js';

const check = defineCheck({
  id: 'HAP006',
  title: { en: 'Default backend is back_cluster', ru: 'Бэкенд по умолчанию — back_cluster' },
  area: 'haproxy',
  mode: 'static',
  points: 2,
  severity: 'major',
  spec: 'Requirements 2 (Frontend): has back_cluster as its default backend',
  asserts: {
    en: "The frontend's effective default_backend is the expected backend (back_cluster).",
    ru: 'Действующий default_backend фронтенда — нужный бэкенд (back_cluster).',
  },
  messages: {
    ...CONFIG_SKIP_MESSAGES,
    ...PROXY_SKIP_MESSAGES,
    ...REFUSED_MESSAGES,
    missing: {
      en: 'frontend {name} has no default_backend: requests that match no use_backend get a 503',
      ru: 'у фронтенда {name} нет default_backend: запросы, не попавшие ни в один use_backend, получат 503',
    },
    wrongBackend: {
      en: 'the default backend of {name} is {actual}, not {expected}',
      ru: 'бэкенд по умолчанию у {name} — {actual}, а не {expected}',
    },
    inherited: {
      en: 'default_backend is inherited from {section}, line {line}',
      ru: 'default_backend унаследован из {section}, строка {line}',
    },
  },
  hint: {
    en: 'Add default_backend back_cluster to frontend front_cluster.',
    ru: 'Добавьте default_backend back_cluster во frontend front_cluster.',
  },
  doc: {
    rationale: {
      en: 'default_backend names the backend a frontend sends every request that no use_backend rule catches; without it HAProxy answers 503. A default_backend in the defaults section is inherited by frontends that do not set their own.',
      ru: 'default_backend задаёт бэкенд, куда фронтенд отправляет все запросы, не попавшие под правила use_backend; без него HAProxy отвечает 503. default_backend из секции defaults наследуется фронтендами, где он не задан.',
    },
    failing: {
      file: 'haproxy.cfg',
      text: haproxyExample({
        frontend: [
          'bind *:443 ssl crt /etc/haproxy/rebrain.pem',
          'mode http',
          'option forwardfor',
          'use_backend back_cluster if { path_beg / }',
        ],
      }),
    },
    passing: { file: 'haproxy.cfg', text: haproxyExample() },
    fix: {
      en: 'Write default_backend back_cluster in frontend front_cluster.',
      ru: 'Укажите default_backend back_cluster во frontend front_cluster.',
    },
  },
  async run(ctx) {
    const expected = ctx.profile.backendName;
    await forEachProxy(ctx, 'frontend', (proxy, file) => {
      if (reportRefused(ctx, file.role, proxy, ['default_backend'])) return;
      const { value, origin } = proxy.defaultBackend;
      const w = at(origin, proxy);
      const base = { host: file.role, file: w.file, line: w.line, excerpt: w.excerpt };
      const data = { ...w.data, name: proxy.name, actual: value ?? '', expected };
      if (value === null) ctx.report({ ...base, messageId: 'missing', data });
      else if (value !== expected) ctx.report({ ...base, messageId: 'wrongBackend', data });
      else if (origin?.inherited) ctx.report({ ...base, kind: 'note', messageId: 'inherited', data });
    });
  },
});

export default check;
