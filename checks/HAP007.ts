// HAP007: exactly one backend named back_cluster (other backends and listen sections are reported as notes).
import { CONFIG_SKIP_MESSAGES, REFUSED_MESSAGES, judgeUniqueProxy } from '../src/facts/haproxy.js';
import { haproxyExample } from '../src/facts/haproxy-examples.js';
import { defineCheck } from '../src/model/check.js';

const check = defineCheck({
  id: 'HAP007',
  title: { en: 'One backend back_cluster', ru: 'Один бэкенд back_cluster' },
  area: 'haproxy',
  mode: 'static',
  points: 2,
  severity: 'critical',
  spec: 'Requirements 3 (Backend): one backend named back_cluster',
  asserts: {
    en: 'haproxy.cfg has exactly one backend with the expected name (back_cluster) on both hosts.',
    ru: 'В haproxy.cfg на обеих машинах ровно один бэкенд с нужным именем (back_cluster).',
  },
  messages: {
    ...CONFIG_SKIP_MESSAGES,
    notRead: REFUSED_MESSAGES.notRead,
    missing: { en: 'there is no backend named {name}', ru: 'нет бэкенда с именем {name}' },
    wrongKind: {
      en: '{name} is declared as a {kind}, not as a backend',
      ru: '{name} объявлен как {kind}, а не как backend',
    },
    duplicate: {
      en: 'a second backend {name} (the first is at line {line}): HAProxy refuses duplicate names',
      ru: 'второй бэкенд {name} (первый в строке {line}): HAProxy не допускает одинаковых имён',
    },
    listen: {
      en: '{name} is a listen section (frontend and backend in one): it works as the backend, but the task asks for a backend section',
      ru: '{name} объявлен секцией listen (фронтенд и бэкенд сразу): работает как бэкенд, но в задании требуется секция backend',
    },
    others: { en: 'another {kind} is configured: {name}', ru: 'есть ещё {kind}: {name}' },
  },
  hint: {
    en: 'Declare it as: backend back_cluster (names are case-sensitive).',
    ru: 'Объявите его так: backend back_cluster (имена чувствительны к регистру).',
  },
  doc: {
    rationale: {
      en: 'The task names the backend (default_backend refers to it by name), and graders and colleagues find it by that name (e.g. in the stats page and logs). HAProxy names are case-sensitive, and two proxies with the same name and capability are a fatal error.',
      ru: 'Имя бэкенда задано в задании, на него ссылается default_backend фронтенда, по нему его находят (например, на странице статистики и в логах). Имена в HAProxy чувствительны к регистру, а два прокси с одинаковым именем и ролью — фатальная ошибка.',
    },
    failing: {
      file: 'haproxy.cfg',
      text: haproxyExample().replace('\nbackend back_cluster', '\nbackend Back_cluster'),
    },
    passing: { file: 'haproxy.cfg', text: haproxyExample() },
    fix: {
      en: 'Rename the backend to back_cluster, and keep a single section with that name.',
      ru: 'Переименуйте бэкенд в back_cluster и оставьте одну секцию с этим именем.',
    },
  },
  run: (ctx) => judgeUniqueProxy(ctx, 'backend'),
});

export default check;
