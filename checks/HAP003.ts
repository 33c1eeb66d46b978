// HAP003: front_cluster listens on port 443 with TLS, using /etc/haproxy/rebrain.pem (`bind *:443 ssl crt ...` or
// equivalent).
import { posix } from 'node:path';
import {
  CONFIG_SKIP_MESSAGES,
  CRT_DIRECTORY_MESSAGES,
  PROXY_SKIP_MESSAGES,
  REFUSED_MESSAGES,
  crtDirectoryProblems,
  reportRefused,
  forEachProxy,
  resolveCrt as resolveCrtPath,
} from '../src/facts/haproxy.js';
import { haproxyExample } from '../src/facts/haproxy-examples.js';
import type { Bind, BindAddress } from '../src/parsers/haproxy-resolve.js';
import { defineCheck } from '../src/model/check.js';

const coversPort = (a: BindAddress, port: number) =>
  (a.family === 'ipv4' || a.family === 'ipv6') && a.ports !== undefined && a.ports.from <= port && port <= a.ports.to;

const check = defineCheck({
  id: 'HAP003',
  title: {
    en: 'front_cluster listens on 443 with the certificate',
    ru: 'front_cluster слушает порт 443 с привязкой к сертификату',
  },
  area: 'haproxy',
  mode: 'static',
  points: 3,
  severity: 'critical',
  spec: 'Requirements 2 (Frontend): listen on port 443 bound to the certificate of item 1',
  asserts: {
    en: 'The frontend has a `bind` on port 443 (any address form) with `ssl` and `crt` naming the certificate file.',
    ru: 'У фронтенда есть `bind` на порт 443 (в любой форме адреса) с `ssl` и `crt`, указывающим на файл сертификата.',
  },
  messages: {
    ...CONFIG_SKIP_MESSAGES,
    ...PROXY_SKIP_MESSAGES,
    ...REFUSED_MESSAGES,
    ...CRT_DIRECTORY_MESSAGES,
    noPort: { en: 'frontend {name} does not listen on port {port}', ru: 'фронтенд {name} не слушает порт {port}' },
    noSsl: {
      en: 'the bind on port {port} has no `ssl` keyword: the listener is plain TCP, not TLS',
      ru: 'у bind на порт {port} нет ключевого слова `ssl`: порт работает без TLS',
    },
    noCrt: {
      en: 'the bind on port {port} has `ssl` but no `crt`: HAProxy refuses it ("no SSL certificate specified")',
      ru: 'у bind на порт {port} есть `ssl`, но нет `crt`: HAProxy это не принимает ("no SSL certificate specified")',
    },
    wrongCrt: {
      en: 'the bind on port {port} uses the certificate {crt}, not {expected}',
      ru: 'bind на порт {port} использует сертификат {crt}, а не {expected}',
    },
    crtList: {
      en: 'the bind on port {port} takes its certificates from the crt-list {list}: the grader does not read crt-lists',
      ru: 'bind на порт {port} берёт сертификаты из crt-list {list}: грейдер не читает crt-list',
    },
    viaCrtBase: {
      en: 'the certificate is named relative to crt-base ({crt} resolves to {expected})',
      ru: 'сертификат указан относительно crt-base ({crt} означает {expected})',
    },
    viaDirectory: {
      en: 'crt names the directory {crt}: HAProxy loads every certificate in it, including {expected}',
      ru: 'crt указывает на каталог {crt}: HAProxy загрузит все сертификаты из него, включая {expected}',
    },
    specificAddress: {
      en: 'it listens on {address} only, not on all addresses as `bind *:{port}` would',
      ru: 'порт слушается только на адресе {address}, а не на всех адресах, как при `bind *:{port}`',
    },
  },
  hints: {
    noSsl: {
      en: 'Add ssl before crt: bind *:443 ssl crt /etc/haproxy/rebrain.pem',
      ru: 'Добавьте ssl перед crt: bind *:443 ssl crt /etc/haproxy/rebrain.pem',
    },
  },
  hint: {
    en: 'In the frontend: bind *:443 ssl crt /etc/haproxy/rebrain.pem',
    ru: 'Во фронтенде: bind *:443 ssl crt /etc/haproxy/rebrain.pem',
  },
  doc: {
    rationale: {
      en: '`bind :443`, `bind *:443` and `bind 0.0.0.0:443` all listen on port 443 of every IPv4 address. TLS needs the `ssl` keyword: with `crt` alone HAProxy only warns and serves plain TCP on 443, so browsers fail the handshake. A relative `crt` path is resolved against the global `crt-base`, and a directory loads every certificate in it.',
      ru: '`bind :443`, `bind *:443` и `bind 0.0.0.0:443` одинаково слушают порт 443 на всех IPv4-адресах. Для TLS нужно ключевое слово `ssl`: с одним `crt` HAProxy лишь предупреждает и отдаёт на 443 обычный TCP, и браузер не сможет установить TLS-соединение. Относительный путь в `crt` отсчитывается от глобального `crt-base`, а каталог загружает все сертификаты из него.',
    },
    failing: {
      file: 'haproxy.cfg',
      text: haproxyExample({
        frontend: [
          'bind *:443 crt /etc/haproxy/rebrain.pem',
          'mode http',
          'option forwardfor',
          'default_backend back_cluster',
        ],
      }),
    },
    passing: {
      file: 'haproxy.cfg',
      text: haproxyExample({
        frontend: [
          'bind :443 ssl crt /etc/haproxy/rebrain.pem',
          'mode http',
          'option forwardfor',
          'default_backend back_cluster',
        ],
      }),
    },
    fix: {
      en: 'Write the bind line as bind *:443 ssl crt /etc/haproxy/rebrain.pem in frontend front_cluster.',
      ru: 'Запишите во frontend front_cluster строку bind *:443 ssl crt /etc/haproxy/rebrain.pem.',
    },
  },
  async run(ctx) {
    const port = ctx.profile.frontendPort;
    const expected = ctx.profile.certPath;
    const problems = {
      master: await crtDirectoryProblems(ctx, 'master'),
      backup: await crtDirectoryProblems(ctx, 'backup'),
    };
    await forEachProxy(ctx, 'frontend', (proxy, file) => {
      if (reportRefused(ctx, file.role, proxy, ['bind'])) return;
      const host = file.role;
      // `crt` paths not starting with `/` or `@` are relative to the global `crt-base` (cfgparse-ssl.c).
      const resolveCrt = (crt: string) => resolveCrtPath(file.config!, crt);
      const onPort = proxy.binds.filter((b) => b.addresses.some((a) => coversPort(a, port)));
      const point = (b: Bind) => ({ host, file: b.origin.file, line: b.origin.line, excerpt: b.origin.text.trim() });
      if (onPort.length === 0) {
        const header = proxy.section.header;
        ctx.report({
          host,
          file: header.file,
          line: header.line,
          excerpt: header.text.trim(),
          messageId: 'noPort',
          data: { name: proxy.name, port },
        });
        return;
      }
      // The crt that loads the expected certificate, and how it is named.
      const match = (b: Bind) => {
        for (const crt of b.crts) {
          const full = resolveCrt(crt);
          if (full === expected) return { crt, how: crt === full ? ('direct' as const) : ('viaCrtBase' as const) };
          if (posix.normalize(`${full}/`) === `${posix.dirname(expected)}/`)
            return { crt, how: 'viaDirectory' as const };
        }
        return undefined;
      };
      const good = onPort.find((b) => b.ssl && match(b));
      if (good) {
        const { crt, how } = match(good)!;
        const bad = problems[host].find((p) => p.crt === crt);
        if (bad)
          return void ctx.report({ ...point(good), messageId: 'crtDirectoryFile', data: { crt, file: bad.file } });
        if (how !== 'direct') ctx.report({ ...point(good), kind: 'note', messageId: how, data: { crt, expected } });
        const address = good.addresses.find((a) => coversPort(a, port))!;
        if (!address.anyAddress)
          ctx.report({
            ...point(good),
            kind: 'note',
            messageId: 'specificAddress',
            data: { address: address.host, port },
          });
        return;
      }
      const bind = onPort[0];
      if (!bind.ssl) ctx.report({ ...point(bind), messageId: 'noSsl', data: { port } });
      else if (bind.crts.length === 0 && bind.crtLists.length > 0) {
        ctx.report({ ...point(bind), kind: 'skip', messageId: 'crtList', data: { port, list: bind.crtLists[0] } });
      } else if (bind.crts.length === 0) ctx.report({ ...point(bind), messageId: 'noCrt', data: { port } });
      else
        ctx.report({ ...point(bind), messageId: 'wrongCrt', data: { port, crt: resolveCrt(bind.crts[0]), expected } });
    });
  },
});

export default check;
