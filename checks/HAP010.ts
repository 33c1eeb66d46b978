// HAP010: back_cluster sends traffic to rebrain_01..03, each at 127.0.0.1:81, and to no other server.
import {
  CONFIG_SKIP_MESSAGES,
  PROXY_SKIP_MESSAGES,
  REFUSED_MESSAGES,
  reportRefused,
  forEachProxy,
} from '../src/facts/haproxy.js';
import { haproxyExample } from '../src/facts/haproxy-examples.js';
import type { Server } from '../src/parsers/haproxy-resolve.js';
import { defineCheck } from '../src/model/check.js';

/** Names that resolve to the loopback address on any Linux host (/etc/hosts). */
const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost']);

/** Whether a server flag is in force: set, and not cleared by its opposite on a later (or the same) line. */
function flagSet(server: Server, flag: string, opposite: string): boolean {
  const on = server.params.get(flag);
  const off = server.params.get(opposite);
  if (!on) return false;
  if (!off) return true;
  return off.origin.line < on.origin.line || (off.origin.inherited && !on.origin.inherited);
}

const check = defineCheck({
  id: 'HAP010',
  title: { en: 'back_cluster servers', ru: 'Серверы back_cluster' },
  area: 'haproxy',
  mode: 'static',
  points: 3,
  severity: 'critical',
  spec: 'Requirements 3 (Backend): 3 servers rebrain_01, rebrain_02, rebrain_03, each at 127.0.0.1:81',
  asserts: {
    en: 'The backend has exactly the expected servers (rebrain_01..03), each at the expected address and port (127.0.0.1:81), none disabled.',
    ru: 'В бэкенде ровно нужные серверы (rebrain_01..03), каждый по нужному адресу и порту (127.0.0.1:81), ни один не отключён.',
  },
  messages: {
    ...CONFIG_SKIP_MESSAGES,
    ...PROXY_SKIP_MESSAGES,
    ...REFUSED_MESSAGES,
    missingServer: { en: 'backend {backend} has no server {name}', ru: 'в бэкенде {backend} нет сервера {name}' },
    wrongAddress: {
      en: 'server {name} points at {actual}, not {expected}',
      ru: 'сервер {name} указывает на {actual}, а не на {expected}',
    },
    noPort: {
      en: 'server {name} has no port: HAProxy would connect to the port the client used (443), not {port}',
      ru: 'у сервера {name} не указан порт: HAProxy будет подключаться к порту, на который пришёл клиент (443), а не к {port}',
    },
    extraServer: {
      en: 'backend {backend} has a server that is not in the task: {name}',
      ru: 'в бэкенде {backend} есть сервер, которого нет в задании: {name}',
    },
    disabled: {
      en: 'server {name} is disabled: it gets no traffic',
      ru: 'сервер {name} отключён (disabled): трафик на него не идёт',
    },
    backupServer: {
      en: 'server {name} is flagged backup: it takes traffic only when every other server is down, so it is not one of the servers that share the load',
      ru: 'сервер {name} помечен как backup: трафик на него идёт, только когда все остальные серверы недоступны, поэтому он не участвует в балансировке',
    },
    loopbackName: {
      en: 'server {name} uses the host name {host}, which resolves to {expected} on the host',
      ru: 'сервер {name} указан по имени {host}, которое на машине разрешается в {expected}',
    },
  },
  hint: {
    en: 'In backend back_cluster: server rebrain_01 127.0.0.1:81 maxconn 20000 (and the same for rebrain_02 and rebrain_03).',
    ru: 'В backend back_cluster: server rebrain_01 127.0.0.1:81 maxconn 20000 (и так же rebrain_02 и rebrain_03).',
  },
  doc: {
    rationale: {
      en: 'Each server line is `server <name> <address>:<port> [params]`. Without a port HAProxy connects to the port the client used (443 here), where the web server does not listen. Names are matched exactly, as HAProxy reports them in logs and on the stats page.',
      ru: 'Строка сервера — `server <имя> <адрес>:<порт> [параметры]`. Без порта HAProxy подключается к порту, на который пришёл клиент (здесь 443), а веб-сервер там не слушает. Имена сравниваются точно: под ними сервер виден в логах и на странице статистики.',
    },
    failing: {
      file: 'haproxy.cfg',
      text: haproxyExample().replace('server rebrain_03 127.0.0.1:81', 'server rebrain_03 127.0.0.1'),
    },
    passing: { file: 'haproxy.cfg', text: haproxyExample() },
    fix: {
      en: 'Declare the three servers exactly as server rebrain_0N 127.0.0.1:81 in backend back_cluster, and remove any other server line.',
      ru: 'Объявите три сервера точно как server rebrain_0N 127.0.0.1:81 в backend back_cluster и удалите остальные строки server.',
    },
  },
  async run(ctx) {
    const expected = ctx.profile.servers;
    await forEachProxy(ctx, 'backend', (backend, file) => {
      if (reportRefused(ctx, file.role, backend, ['server'])) return;
      const host = file.role;
      const point = (s: Server) => ({ host, file: s.origin.file, line: s.origin.line, excerpt: s.origin.text.trim() });
      for (const spec of expected) {
        const server = backend.servers.find((s) => s.name === spec.name);
        const want = `${spec.address}:${spec.port}`;
        if (!server) {
          const h = backend.section.header;
          ctx.report({
            host,
            file: h.file,
            line: h.line,
            excerpt: h.text.trim(),
            messageId: 'missingServer',
            data: { backend: backend.name, name: spec.name },
          });
          continue;
        }
        const data = {
          name: spec.name,
          expected: want,
          port: spec.port,
          host: server.address,
          actual: `${server.address}${server.port !== undefined ? `:${server.port}` : ''}`,
        };
        const loopbackName = spec.address === '127.0.0.1' && LOOPBACK_NAMES.has(server.address.toLowerCase());
        if (server.address !== spec.address && !loopbackName)
          ctx.report({ ...point(server), messageId: 'wrongAddress', data });
        else if (server.port === undefined) ctx.report({ ...point(server), messageId: 'noPort', data });
        else if (server.port !== String(spec.port)) ctx.report({ ...point(server), messageId: 'wrongAddress', data });
        else if (loopbackName)
          ctx.report({
            ...point(server),
            kind: 'note',
            messageId: 'loopbackName',
            data: { ...data, expected: spec.address },
          });
        // The flag set last wins (`default-server backup` then `no-backup` on the server line, srv_parse_*).
        if (flagSet(server, 'disabled', 'enabled')) ctx.report({ ...point(server), messageId: 'disabled', data });
        if (flagSet(server, 'backup', 'no-backup')) ctx.report({ ...point(server), messageId: 'backupServer', data });
      }
      for (const server of backend.servers.filter((s) => !expected.some((e) => e.name === s.name))) {
        ctx.report({ ...point(server), messageId: 'extraServer', data: { backend: backend.name, name: server.name } });
      }
    });
  },
});

export default check;
