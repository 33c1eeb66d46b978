// HAP002: exactly one frontend named front_cluster (other frontends and listen sections are reported as notes).
import { CONFIG_SKIP_MESSAGES, REFUSED_MESSAGES, judgeUniqueProxy } from '../src/facts/haproxy.js';
import { haproxyExample } from '../src/facts/haproxy-examples.js';
import { defineCheck } from '../src/model/check.js';

const check = defineCheck({
  id: 'HAP002',
  title: { en: 'One frontend front_cluster', ru: 'Один фронтенд front_cluster' },
  area: 'haproxy',
  mode: 'static',
  points: 2,
  severity: 'critical',
  spec: 'Requirements 2 (Frontend): one frontend named front_cluster',
  asserts: {
    en: 'haproxy.cfg has exactly one frontend with the expected name (front_cluster) on both hosts.',
    ru: 'В haproxy.cfg на обеих машинах ровно один фронтенд с нужным именем (front_cluster).',
  },
  messages: {
    ...CONFIG_SKIP_MESSAGES,
    notRead: REFUSED_MESSAGES.notRead,
    missing: { en: 'there is no frontend named {name}', ru: 'нет фронтенда с именем {name}' },
    wrongKind: {
      en: '{name} is declared as a {kind}, not as a frontend',
      ru: '{name} объявлен как {kind}, а не как frontend',
    },
    duplicate: {
      en: 'a second frontend {name} (the first is at line {line}): HAProxy refuses duplicate names',
      ru: 'второй фронтенд {name} (первый в строке {line}): HAProxy не допускает одинаковых имён',
    },
    listen: {
      en: '{name} is a listen section (frontend and backend in one): it works as the frontend, but the task asks for a frontend section',
      ru: '{name} объявлен секцией listen (фронтенд и бэкенд сразу): работает как фронтенд, но в задании требуется секция frontend',
    },
    others: { en: 'another {kind} is configured: {name}', ru: 'есть ещё {kind}: {name}' },
  },
  hint: {
    en: 'Declare it as: frontend front_cluster (names are case-sensitive).',
    ru: 'Объявите его так: frontend front_cluster (имена чувствительны к регистру).',
  },
  doc: {
    rationale: {
      en: 'The task names the frontend, and graders and colleagues find it by that name (e.g. in the stats page and logs). HAProxy names are case-sensitive, and two proxies with the same name and capability are a fatal error.',
      ru: 'Имя фронтенда задано в задании, по нему его находят (например, на странице статистики и в логах). Имена в HAProxy чувствительны к регистру, а два прокси с одинаковым именем и ролью — фатальная ошибка.',
    },
    failing: {
      file: 'haproxy.cfg',
      text: haproxyExample().replace('frontend front_cluster', 'frontend front-cluster'),
    },
    passing: { file: 'haproxy.cfg', text: haproxyExample() },
    fix: {
      en: 'Rename the frontend to front_cluster, and keep a single section with that name.',
      ru: 'Переименуйте фронтенд в front_cluster и оставьте одну секцию с этим именем.',
    },
  },
  run: (ctx) => judgeUniqueProxy(ctx, 'frontend'),
});

export default check;
