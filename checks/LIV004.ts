// LIV004: HTTPS through the VIP reaches a backend (2xx/3xx), and the backend sees X-Forwarded-For
// when its answer shows the request headers (the lab's web server echoes it; others may not).
import {
  commandOrReport,
  echoedForwardedFor,
  firstLine,
  LIVE_HINTS,
  LIVE_MESSAGES,
  parseCurlResponse,
  requireVip,
} from '../src/facts/live.js';
import { defineCheck } from '../src/model/check.js';

// Real `curl -sSk --max-time 5 -D - https://VIP:443/` outputs through HAProxy 2.6 to the lab's web server.
const ANSWER_HEADERS =
  'HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\nx-lab-host: master\r\ndate: Mon, 23 Nov 2026 06:41:17 GMT\r\nkeep-alive: timeout=5\r\ntransfer-encoding: chunked\r\n\r\n';
const WITHOUT_XFF = `${ANSWER_HEADERS}host: master\nx-forwarded-for: \n`;
const WITH_XFF = `${ANSWER_HEADERS}host: master\nx-forwarded-for: 203.0.113.10\n`;

const check = defineCheck({
  id: 'LIV004',
  title: { en: 'HTTPS through the VIP reaches a backend', ru: 'HTTPS через виртуальный IP доходит до бэкенда' },
  area: 'live',
  mode: 'live',
  points: 2,
  severity: 'major',
  spec: 'Requirements 2 (port 443 with the certificate, client IP in X-Forwarded-For) and 3 (servers at 127.0.0.1:81)',
  asserts: {
    en: 'On master, curl https://VIP:443/ gets a 2xx or 3xx answer from a backend, and a backend that echoes request headers has received X-Forwarded-For.',
    ru: 'На master curl https://VIP:443/ получает ответ 2xx или 3xx от бэкенда, а бэкенд, который показывает заголовки запроса, получил X-Forwarded-For.',
  },
  messages: {
    ...LIVE_MESSAGES,
    noAnswer: { en: '{url} does not answer: {reason}', ru: '{url} не отвечает: {reason}' },
    notHttp: { en: '{url} answered something that is not HTTP', ru: '{url} ответил не по HTTP' },
    badStatus: { en: '{url} answered `{status}`', ru: '{url} ответил `{status}`' },
    noForwardedFor: {
      en: 'the backend received no X-Forwarded-For header (its answer shows it empty)',
      ru: 'бэкенд не получил заголовок X-Forwarded-For (в его ответе он пуст)',
    },
    forwardedForUnseen: {
      en: '{url} answers `{status}`; the backend does not show request headers, so X-Forwarded-For could not be observed (HAP005 judges the configuration)',
      ru: '{url} отвечает `{status}`; бэкенд не показывает заголовки запроса, поэтому X-Forwarded-For проверить не удалось (конфигурацию проверяет HAP005)',
    },
  },
  hints: {
    ...LIVE_HINTS,
    noAnswer: {
      en: 'Does master hold the VIP (LIV003), is haproxy running (SYS003) and listening on *:443 (ss -ltnp)?',
      ru: 'Есть ли виртуальный IP на master (LIV003), запущен ли haproxy (SYS003) и слушает ли он *:443 (ss -ltnp)?',
    },
    badStatus: {
      en: 'A 503 means HAProxy found no server up: is the web server on 127.0.0.1:81 running, and do the server lines point at it?',
      ru: '503 означает, что HAProxy не нашёл ни одного работающего сервера: запущен ли веб-сервер на 127.0.0.1:81 и указывают ли на него строки server?',
    },
    noForwardedFor: {
      en: 'Add option forwardfor to front_cluster (or to defaults) and reload haproxy.',
      ru: 'Добавьте option forwardfor во front_cluster (или в defaults) и перезагрузите haproxy.',
    },
  },
  hint: {
    en: 'On master, run curl -vk https://VIP:443/ and read what it says.',
    ru: 'На master выполните curl -vk https://VIP:443/ и прочитайте вывод.',
  },
  doc: {
    rationale: {
      en: "The configuration files can be right and the service still broken (haproxy not reloaded, the web server down, 443 taken by something else). The grader asks for the page through the VIP from master, which holds it, and reads the answer; the lab's web server prints the X-Forwarded-For it received, so the header can be seen arriving.",
      ru: 'Файлы конфигурации могут быть верны, а сервис — нет (haproxy не перезагружен, веб-сервер не работает, порт 443 занят другим). Грейдер запрашивает страницу через виртуальный IP с master, который его держит, и читает ответ; веб-сервер стенда выводит полученный X-Forwarded-For, так что видно, доходит ли заголовок.',
    },
    failing: { file: 'command:https-vip', text: WITHOUT_XFF },
    passing: { file: 'command:https-vip', text: WITH_XFF },
    fix: {
      en: 'Start haproxy with a configuration whose front_cluster listens on 443 with the certificate, has option forwardfor, and sends to back_cluster; keep the web server on 127.0.0.1:81 running.',
      ru: 'Запустите haproxy с конфигурацией, где front_cluster слушает 443 с сертификатом, содержит option forwardfor и отправляет запросы в back_cluster; веб-сервер на 127.0.0.1:81 должен работать.',
    },
  },
  async run(ctx) {
    if (!requireVip(ctx)) return;
    const url = `https://${ctx.vip}:${ctx.profile.frontendPort}/`;
    const result = await commandOrReport(ctx, 'master', 'https-vip');
    if (!result) return;
    if (result.exitCode !== 0) {
      const reason = firstLine(result.stderr) || `curl exit code ${result.exitCode}`;
      ctx.report({ host: 'master', messageId: 'noAnswer', data: { url, reason } });
      return;
    }
    const response = parseCurlResponse(result.stdout);
    if (!response) {
      ctx.report({ host: 'master', messageId: 'notHttp', excerpt: firstLine(result.stdout), data: { url } });
      return;
    }
    if (response.status < 200 || response.status >= 400) {
      ctx.report({ host: 'master', messageId: 'badStatus', data: { url, status: response.statusLine } });
      return;
    }
    const forwardedFor = echoedForwardedFor(response.body);
    if (forwardedFor === undefined) {
      ctx.report({
        kind: 'note',
        host: 'master',
        messageId: 'forwardedForUnseen',
        data: { url, status: response.statusLine },
      });
    } else if (forwardedFor === '') {
      ctx.report({
        host: 'master',
        messageId: 'noForwardedFor',
        excerpt: response.body.split('\n').slice(0, 5).join('\n').trimEnd(),
        data: { url },
      });
    }
  },
});

export default check;
