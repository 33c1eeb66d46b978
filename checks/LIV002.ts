// LIV002: `keepalived -t -f /etc/keepalived/keepalived.conf` passes on both hosts (where keepalived
// has -t; an older one without it makes the check skip with the reason).
import {
  commandOrReport,
  firstLine,
  KEEPALIVED_CONFIG_MISSING,
  KEEPALIVED_NO_TEST_OPTION,
  keepalivedMessages,
  LIVE_HINTS,
  LIVE_MESSAGES,
  sourceLine,
} from '../src/facts/live.js';
import { runCached } from '../src/facts/commands.js';
import { ROLES, type Role } from '../src/model/basics.js';
import { defineCheck, type CheckContext, type MessageIdOf } from '../src/model/check.js';

/** The context of this check: helpers below report only its own ids. */
type Ctx = CheckContext<MessageIdOf<typeof check>>;

/** Enough lines to see the problem; an unclosed brace makes keepalived repeat itself for pages. */
const MAX_REPORTED = 5;

const check = defineCheck({
  id: 'LIV002',
  title: { en: 'keepalived accepts its configuration', ru: 'keepalived принимает свою конфигурацию' },
  area: 'live',
  mode: 'live',
  points: 2,
  severity: 'major',
  spec: 'Requirements 5 (keepalived configured as in the lecture)',
  asserts: {
    en: 'keepalived -t -f /etc/keepalived/keepalived.conf reports no problem on master and on backup (where keepalived has -t).',
    ru: 'keepalived -t -f /etc/keepalived/keepalived.conf не сообщает о проблемах ни на master, ни на backup (если у keepalived есть -t).',
  },
  messages: {
    ...LIVE_MESSAGES,
    problem: { en: 'keepalived -t says: {message}', ru: 'keepalived -t сообщает: {message}' },
    killedSilently: {
      en: 'keepalived -t was killed by a signal before it printed anything (keepalived 2.2.7 does this when track scripts run as keepalived_script), so it cannot judge this config; KAD001 reads it instead',
      ru: 'keepalived -t был завершён сигналом, ничего не выведя (keepalived 2.2.7 так делает, когда скрипты отслеживания запускаются от keepalived_script), поэтому он не может оценить конфиг; его читает KAD001',
    },
    configMissing: {
      en: 'keepalived -t finds no configuration: {message}',
      ru: 'keepalived -t не находит конфигурацию: {message}',
    },
    failedSilently: {
      en: 'keepalived -t exited with code {exitCode} without saying why',
      ru: 'keepalived -t завершился с кодом {exitCode}, не объяснив причину',
    },
    unsupported: {
      en: 'cannot judge: this keepalived ({version}) has no -t (config test) option',
      ru: 'невозможно проверить: у этого keepalived ({version}) нет опции -t (проверка конфигурации)',
    },
  },
  hints: {
    ...LIVE_HINTS,
    problem: {
      en: 'keepalived ignores what it does not understand and goes on, so the VRRP instance may not be what you wrote: fix the line it names.',
      ru: 'keepalived пропускает то, чего не понимает, и продолжает работу, поэтому VRRP-инстанс может отличаться от написанного: исправьте названную строку.',
    },
    configMissing: {
      en: 'keepalived reads {file} by default; put the configuration there.',
      ru: 'keepalived по умолчанию читает {file}; поместите конфигурацию туда.',
    },
  },
  hint: {
    en: 'Run keepalived -t -f /etc/keepalived/keepalived.conf on the host and read what it prints.',
    ru: 'Выполните keepalived -t -f /etc/keepalived/keepalived.conf на машине и прочитайте, что он выводит.',
  },
  doc: {
    rationale: {
      en: 'keepalived does not refuse a configuration it only partly understands: it logs "Unknown keyword" and runs without the ignored lines (e.g. `user root` in global_defs, a misspelt state). `keepalived -t` prints exactly these complaints, with line numbers.',
      ru: 'keepalived не отвергает конфигурацию, которую понимает лишь частично: он пишет в журнал "Unknown keyword" и работает без пропущенных строк (например, `user root` в global_defs или опечатка в state). `keepalived -t` выводит именно эти замечания с номерами строк.',
    },
    failing: { file: 'command:keepalived-check', text: "(Line 3) Unknown keyword 'user'\n" },
    // A clean configuration makes keepalived -t print nothing; examples need some text: a bare newline.
    passing: { file: 'command:keepalived-check', text: '\n' },
    fix: {
      en: 'Fix or remove the lines keepalived -t names until it prints nothing, then systemctl restart keepalived.',
      ru: 'Исправьте или удалите строки, названные keepalived -t, пока он ничего не выводит, затем выполните systemctl restart keepalived.',
    },
  },
  async run(ctx) {
    const file = ctx.profile.keepalivedConfPath;
    for (const role of ROLES) {
      const raw = await runCached(ctx, role, 'keepalived-check');
      if (raw.exitCode === null && !raw.timedOut && !raw.unavailable && !`${raw.stdout}${raw.stderr}`.trim()) {
        ctx.report({ kind: 'skip', host: role, messageId: 'killedSilently' });
        continue;
      }
      const result = await commandOrReport(ctx, role, 'keepalived-check');
      if (!result) continue;
      // keepalived writes to stderr; read stdout too (consoles and captures may merge them).
      const output = `${result.stderr}\n${result.stdout}`;
      if (KEEPALIVED_NO_TEST_OPTION.test(output)) {
        ctx.report({
          kind: 'skip',
          host: role,
          messageId: 'unsupported',
          data: { version: await versionOf(ctx, role) },
        });
        continue;
      }
      if (KEEPALIVED_CONFIG_MISSING.test(output)) {
        ctx.report({ host: role, messageId: 'configMissing', file, data: { file, message: firstLine(output) } });
        continue;
      }
      const problems = keepalivedMessages(output, file);
      for (const problem of problems.slice(0, MAX_REPORTED)) {
        const excerpt = problem.file ? await sourceLine(ctx, role, problem.file, problem.line) : undefined;
        ctx.report({
          host: role,
          messageId: 'problem',
          file: problem.file ?? file,
          line: problem.line,
          excerpt,
          data: { message: problem.text },
        });
      }
      if (problems.length === 0 && result.exitCode !== 0) {
        ctx.report({ host: role, messageId: 'failedSilently', file, data: { exitCode: String(result.exitCode) } });
      }
    }
  },
});

/** "Keepalived v1.3.9 (10/21,2017)" from `keepalived --version` (printed on stderr), for the skip reason. */
async function versionOf(ctx: Ctx, role: Role): Promise<string> {
  const result = await runCached(ctx, role, 'keepalived-version');
  return firstLine(`${result.stderr}\n${result.stdout}`) || 'version unknown';
}

export default check;
