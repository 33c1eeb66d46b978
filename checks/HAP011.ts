// HAP011: each server of back_cluster has maxconn 20000, on its own line or via a default-server declared before it.
import {
  CONFIG_SKIP_MESSAGES,
  PROXY_SKIP_MESSAGES,
  REFUSED_MESSAGES,
  reportRefused,
  forEachProxy,
} from '../src/facts/haproxy.js';
import { haproxyExample } from '../src/facts/haproxy-examples.js';
import { sectionLabel, type HaproxyConfig } from '../src/parsers/haproxy.js';
import { defineCheck } from '../src/model/check.js';

/** A proxy-level `maxconn <value>` (a frontend limit) a student may have meant as the per-server one. */
function proxyMaxconn(config: HaproxyConfig, value: number): { section: string; line: number } | undefined {
  for (const s of config.sections) {
    if (s.kind === 'global' || s.kind === 'backend') continue;
    const d = s.directives.find((x) => x.keyword === 'maxconn' && x.args[0] === String(value));
    if (d) return { section: sectionLabel(s), line: d.line };
  }
  return undefined;
}

/** C's atol(): leading white space, a sign, the leading decimal digits; anything else is 0. */
function atol(text: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

const check = defineCheck({
  id: 'HAP011',
  title: { en: 'Servers limited to maxconn 20000', ru: 'Максимальное количество подключений каждого сервера — 20000' },
  area: 'haproxy',
  mode: 'static',
  points: 2,
  severity: 'major',
  spec: 'Requirements 3 (Backend): at most 20000 connections per server (maxconn 20000)',
  asserts: {
    en: 'Each expected server has the expected maxconn (20000), on its own server line or from a default-server in force when it is declared.',
    ru: 'У каждого нужного сервера задан нужный maxconn (20000) в его строке server или через default-server, действующий на момент объявления сервера.',
  },
  messages: {
    ...CONFIG_SKIP_MESSAGES,
    ...PROXY_SKIP_MESSAGES,
    ...REFUSED_MESSAGES,
    missing: {
      en: 'server {name} has no maxconn: it accepts unlimited connections',
      ru: 'у сервера {name} нет maxconn: число подключений не ограничено',
    },
    proxyLimitOnly: {
      en: 'server {name} has no maxconn; the maxconn {expected} in {section} (line {line}) limits the frontend, not each server',
      ru: 'у сервера {name} нет maxconn; maxconn {expected} в {section} (строка {line}) ограничивает фронтенд, а не каждый сервер',
    },
    wrongValue: {
      en: 'server {name} has maxconn {actual}, not {expected}',
      ru: 'у сервера {name} maxconn {actual}, а не {expected}',
    },
    readAs: {
      en: 'server {name} has maxconn {actual}: HAProxy reads the leading digits only (atol), so the limit is {read}, not {expected}',
      ru: 'у сервера {name} maxconn {actual}: HAProxy читает только начальные цифры (atol), поэтому ограничение равно {read}, а не {expected}',
    },
    writtenOddly: {
      en: 'server {name} has maxconn {actual}, which HAProxy reads as {read}',
      ru: 'у сервера {name} maxconn {actual}, что HAProxy читает как {read}',
    },
    viaDefaultServer: {
      en: 'server {name} gets maxconn {actual} from default-server in {section}, line {line}',
      ru: 'сервер {name} получает maxconn {actual} из default-server в {section}, строка {line}',
    },
  },
  hints: {
    wrongValue: { en: 'Set maxconn 20000 on the line shown.', ru: 'Укажите maxconn 20000 в показанной строке.' },
    proxyLimitOnly: {
      en: 'Keep that line if you like, and add maxconn 20000 to each server line.',
      ru: 'Эту строку можно оставить, но добавьте maxconn 20000 в каждую строку server.',
    },
  },
  hint: {
    en: 'Add maxconn 20000 to each server line (or a default-server maxconn 20000 line before them).',
    ru: 'Добавьте maxconn 20000 в каждую строку server (или строку default-server maxconn 20000 перед ними).',
  },
  doc: {
    rationale: {
      en: 'The per-server limit is a server parameter: `server ... maxconn N`, or `default-server maxconn N`, which HAProxy copies into each server declared after it (in the backend or its defaults). A `maxconn` line in defaults or a frontend is something else: the frontend connection limit.',
      ru: 'Ограничение на сервер — параметр сервера: `server ... maxconn N` или `default-server maxconn N`, который HAProxy копирует в каждый сервер, объявленный после него (в бэкенде или его defaults). Строка `maxconn` в defaults или во фронтенде — другое: ограничение подключений к фронтенду.',
    },
    failing: {
      file: 'haproxy.cfg',
      text: haproxyExample({
        defaults: [
          'log global',
          'mode http',
          'maxconn 20000',
          'timeout connect 5s',
          'timeout client 30s',
          'timeout server 30s',
        ],
        backend: [
          'mode http',
          'balance roundrobin',
          'server rebrain_01 127.0.0.1:81',
          'server rebrain_02 127.0.0.1:81',
          'server rebrain_03 127.0.0.1:81',
        ],
      }),
    },
    passing: {
      file: 'haproxy.cfg',
      text: haproxyExample({
        backend: [
          'mode http',
          'balance roundrobin',
          'default-server maxconn 20000',
          'server rebrain_01 127.0.0.1:81',
          'server rebrain_02 127.0.0.1:81',
          'server rebrain_03 127.0.0.1:81',
        ],
      }),
    },
    fix: {
      en: 'Append maxconn 20000 to each server line in backend back_cluster.',
      ru: 'Допишите maxconn 20000 в каждую строку server в backend back_cluster.',
    },
  },
  async run(ctx) {
    const expected = ctx.profile.serverMaxconn;
    await forEachProxy(ctx, 'backend', (backend, file) => {
      if (reportRefused(ctx, file.role, backend, ['server', 'default-server'])) return;
      const host = file.role;
      // Servers missing altogether are HAP010's finding.
      for (const server of backend.servers.filter((s) => ctx.profile.servers.some((e) => e.name === s.name))) {
        const base = { host, file: server.origin.file, line: server.origin.line, excerpt: server.origin.text.trim() };
        const param = server.params.get('maxconn');
        if (!param) {
          const limit = proxyMaxconn(file.config!, expected);
          if (limit)
            ctx.report({ ...base, messageId: 'proxyLimitOnly', data: { name: server.name, expected, ...limit } });
          else ctx.report({ ...base, messageId: 'missing', data: { name: server.name } });
          continue;
        }
        const data = {
          name: server.name,
          actual: String(param.value),
          expected,
          section: param.origin.section,
          line: param.origin.line,
        };
        const fromDefaultServer = param.origin.line !== server.origin.line || param.origin.file !== server.origin.file;
        const at = fromDefaultServer ? { ...base, line: param.origin.line, excerpt: param.origin.text.trim() } : base;
        // srv_parse_maxconn(): newsrv->maxconn = atol(arg) (src/server.c, v2.4 to 3.x): `20k` is 20, `020000` is 20000.
        const read = atol(String(param.value));
        const asWritten = param.value === String(read);
        if (read !== expected)
          ctx.report({ ...at, messageId: asWritten ? 'wrongValue' : 'readAs', data: { ...data, read } });
        else if (!asWritten) ctx.report({ ...at, kind: 'note', messageId: 'writtenOddly', data: { ...data, read } });
        else if (fromDefaultServer) ctx.report({ ...base, kind: 'note', messageId: 'viaDefaultServer', data });
      }
    });
  },
});

export default check;
