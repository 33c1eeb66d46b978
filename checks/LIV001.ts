// LIV001: `haproxy -c -f /etc/haproxy/haproxy.cfg` passes on both hosts: HAProxy itself accepts the
// configuration, including what only it can judge (the certificate loads, every keyword exists in this version).
import { commandOrReport, haproxyMessages, LIVE_HINTS, LIVE_MESSAGES, sourceLine } from '../src/facts/live.js';
import { ROLES } from '../src/model/basics.js';
import { defineCheck } from '../src/model/check.js';

/** Enough ALERT lines to see the problem; the rest are usually consequences. */
const MAX_REPORTED = 5;

const check = defineCheck({
  id: 'LIV001',
  title: { en: 'HAProxy accepts its configuration', ru: 'HAProxy принимает свою конфигурацию' },
  area: 'live',
  mode: 'live',
  points: 2,
  severity: 'critical',
  spec: 'Requirements 2-4 (the HAProxy configuration, identical on both machines)',
  asserts: {
    en: 'haproxy -c -f /etc/haproxy/haproxy.cfg exits with 0 on master and on backup.',
    ru: 'haproxy -c -f /etc/haproxy/haproxy.cfg завершается с кодом 0 и на master, и на backup.',
  },
  messages: {
    ...LIVE_MESSAGES,
    alert: { en: 'haproxy -c says: {message}', ru: 'haproxy -c сообщает об ошибке: {message}' },
    invalid: {
      en: 'haproxy -c rejects {file} (exit code {exitCode}): {message}',
      ru: 'haproxy -c отвергает {file} (код {exitCode}): {message}',
    },
    warnings: {
      en: 'the configuration is valid, with {count} warning(s); the first: {message}',
      ru: 'конфигурация корректна, но есть предупреждения ({count}); первое: {message}',
    },
  },
  hints: {
    ...LIVE_HINTS,
    alert: {
      en: 'Fix the line HAProxy names, then run haproxy -c -f {file} again before systemctl restart haproxy.',
      ru: 'Исправьте строку, которую называет HAProxy, и снова выполните haproxy -c -f {file} перед systemctl restart haproxy.',
    },
  },
  hint: {
    en: 'Run haproxy -c -f /etc/haproxy/haproxy.cfg on the host and read its [ALERT] lines.',
    ru: 'Выполните haproxy -c -f /etc/haproxy/haproxy.cfg на машине и прочитайте строки [ALERT].',
  },
  doc: {
    rationale: {
      en: 'Only HAProxy knows everything it accepts: keywords of its version, whether the certificate file loads (it is read while parsing: a missing rebrain.pem is a fatal error). A configuration that fails `haproxy -c` cannot be (re)started, whatever the static checks say.',
      ru: 'Только сам HAProxy знает всё, что он принимает: ключевые слова своей версии, загружается ли сертификат (он читается при разборе: отсутствие rebrain.pem — фатальная ошибка). Конфигурацию, которая не проходит `haproxy -c`, нельзя (пере)запустить, что бы ни говорили статические проверки.',
    },
    failing: {
      file: 'command:haproxy-check',
      text: "[ALERT]    (16862) : config : parsing [/etc/haproxy/haproxy.cfg:24] : balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options.\n[ALERT]    (16862) : config : Error(s) found in configuration file : /etc/haproxy/haproxy.cfg\n[ALERT]    (16862) : config : Fatal errors found in configuration.\n",
    },
    passing: { file: 'command:haproxy-check', text: 'Configuration file is valid\n' },
    fix: {
      en: 'Correct the lines named in the [ALERT] messages until haproxy -c -f /etc/haproxy/haproxy.cfg prints "Configuration file is valid", then systemctl restart haproxy.',
      ru: 'Исправьте строки из сообщений [ALERT], пока haproxy -c -f /etc/haproxy/haproxy.cfg не напишет "Configuration file is valid", затем выполните systemctl restart haproxy.',
    },
  },
  async run(ctx) {
    const file = ctx.profile.haproxyCfgPath;
    for (const role of ROLES) {
      const result = await commandOrReport(ctx, role, 'haproxy-check');
      if (!result) continue;
      // The doc examples and some hosts put everything on one stream: read both.
      const output = `${result.stderr}\n${result.stdout}`;
      if (result.exitCode === 0 && !/\[ALERT\]/.test(output)) {
        const warnings = haproxyMessages(output, 'WARNING');
        if (warnings.length) {
          const first = warnings[0]!;
          ctx.report({
            kind: 'note',
            host: role,
            messageId: 'warnings',
            file: first.file ?? file,
            line: first.line,
            data: { count: warnings.length, message: first.text },
          });
        }
        continue;
      }
      const alerts = haproxyMessages(output, 'ALERT');
      for (const alert of alerts.slice(0, MAX_REPORTED)) {
        const where = alert.file ?? file;
        const excerpt = await sourceLine(ctx, role, where, alert.line);
        ctx.report({
          host: role,
          messageId: 'alert',
          file: where,
          line: alert.line,
          excerpt,
          data: { message: alert.text, file },
        });
      }
      if (alerts.length === 0) {
        const message = output.trim().split('\n').slice(0, 3).join(' / ') || 'no message';
        ctx.report({
          host: role,
          messageId: 'invalid',
          file,
          data: { file, exitCode: String(result.exitCode), message },
        });
      }
    }
  },
});

export default check;
