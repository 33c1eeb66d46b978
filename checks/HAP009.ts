// HAP009: back_cluster balances roundrobin: explicit, inherited from defaults, or HAProxy's default (up to 3.2).
import {
  CONFIG_SKIP_MESSAGES,
  PROXY_SKIP_MESSAGES,
  REFUSED_MESSAGES,
  reportRefused,
  at,
  forEachProxy,
} from '../src/facts/haproxy.js';
import { haproxyExample } from '../src/facts/haproxy-examples.js';
import { describeVersion } from '../src/facts/versions.js';
import { defineCheck } from '../src/model/check.js';

const check = defineCheck({
  id: 'HAP009',
  title: { en: 'back_cluster balances roundrobin', ru: 'Балансировка back_cluster — roundrobin' },
  area: 'haproxy',
  mode: 'static',
  points: 1,
  severity: 'minor',
  spec: 'Requirements 3 (Backend): balances roundrobin',
  asserts: {
    en: "The backend's effective balance algorithm is roundrobin: its own, inherited from defaults, or HAProxy's default for the version.",
    ru: 'Действующий алгоритм балансировки бэкенда — roundrobin: заданный в нём, унаследованный из defaults или выбранный HAProxy по умолчанию для этой версии.',
  },
  messages: {
    ...CONFIG_SKIP_MESSAGES,
    ...PROXY_SKIP_MESSAGES,
    ...REFUSED_MESSAGES,
    wrongAlgorithm: {
      en: 'backend {name} balances {algorithm} (set in {section}, line {line}), not {expected}',
      ru: 'бэкенд {name} балансирует {algorithm} (задано в {section}, строка {line}), а не {expected}',
    },
    defaultNotExpected: {
      en: 'backend {name} sets no balance, so HAProxy {version} uses its default, {algorithm}, not {expected}',
      ru: 'в бэкенде {name} балансировка не задана, и HAProxy {version} использует алгоритм по умолчанию {algorithm}, а не {expected}',
    },
    inherited: {
      en: 'balance {algorithm} is inherited from {section}, line {line}',
      ru: 'balance {algorithm} унаследован из {section}, строка {line}',
    },
    defaultAlgorithm: {
      en: 'no balance line: HAProxy {version} uses {algorithm} by default (from 3.3 the default is random, so write it explicitly)',
      ru: 'строки balance нет: HAProxy {version} по умолчанию использует {algorithm} (начиная с 3.3 по умолчанию random, поэтому лучше указать явно)',
    },
  },
  hint: {
    en: 'Add balance roundrobin to backend back_cluster.',
    ru: 'Добавьте balance roundrobin в backend back_cluster.',
  },
  doc: {
    rationale: {
      en: 'Without a balance line HAProxy uses roundrobin up to 3.2 and random since 3.3, so an absent line passes here (with a note) only for versions that default to roundrobin. balance in a defaults section is inherited by backends.',
      ru: 'Если строки balance нет, HAProxy до версии 3.2 использует roundrobin, а с 3.3 — random, поэтому её отсутствие засчитывается (с замечанием) только для версий, где по умолчанию roundrobin. balance из секции defaults наследуется бэкендами.',
    },
    failing: { file: 'haproxy.cfg', text: haproxyExample().replace('balance roundrobin', 'balance leastconn') },
    passing: { file: 'haproxy.cfg', text: haproxyExample() },
    fix: {
      en: 'Write balance roundrobin in backend back_cluster.',
      ru: 'Укажите balance roundrobin в backend back_cluster.',
    },
  },
  async run(ctx) {
    const expected = ctx.profile.balance;
    await forEachProxy(ctx, 'backend', (proxy, file) => {
      if (reportRefused(ctx, file.role, proxy, ['balance'])) return;
      const { value, origin } = proxy.balance;
      const w = at(origin, proxy);
      const base = { host: file.role, file: w.file, line: w.line, excerpt: w.excerpt };
      const data = {
        ...w.data,
        name: proxy.name,
        algorithm: value.algorithm,
        expected,
        version: describeVersion(file.daemon, ctx.options.lang),
      };
      if (value.algorithm !== expected)
        ctx.report({ ...base, messageId: origin ? 'wrongAlgorithm' : 'defaultNotExpected', data });
      else if (!origin) ctx.report({ ...base, kind: 'note', messageId: 'defaultAlgorithm', data });
      else if (origin.inherited) ctx.report({ ...base, kind: 'note', messageId: 'inherited', data });
    });
  },
});

export default check;
