import { failoverProbe } from '../src/probe/failover.js';
import { PRECHECK_MESSAGES, reportPrecheck } from '../src/probe/report.js';
import { defineCheck } from '../src/model/check.js';

const check = defineCheck({
  id: 'FOV003',
  title: { en: 'the probe left both hosts as it found them', ru: 'после проверки машины в исходном состоянии' },
  area: 'failover',
  mode: 'disruptive',
  points: 0,
  severity: 'critical',
  spec: 'Ground rule: a disruptive probe always restores what it stopped (DESIGN.md §5)',
  asserts: {
    en: 'After the probe haproxy is running on master again and the dead-man switch is disarmed.',
    ru: 'После проверки haproxy на master снова запущен, а «страховка» снята.',
  },
  messages: {
    ...PRECHECK_MESSAGES,
    restored: { en: 'haproxy is running on master again', ru: 'haproxy на master снова запущен' },
    notRestored: {
      en: 'could not restore master: {reason}. Run now: {command}',
      ru: 'не удалось восстановить master: {reason}. Выполните: {command}',
    },
  },
  hint: {
    en: 'Start haproxy on master by hand with the command above; the dead-man switch also starts it by itself shortly.',
    ru: 'Запустите haproxy на master вручную командой выше; «страховка» тоже запустит его сама через короткое время.',
  },
  doc: {
    rationale: {
      en: 'Students grade their own VMs: hagrade must never leave haproxy stopped, whatever happens (failure, timeout, Ctrl-C, a dropped connection).',
      ru: 'Студенты проверяют свои же машины: hagrade не должен оставлять haproxy остановленным ни при каком исходе (ошибка, таймаут, Ctrl-C, обрыв связи).',
    },
    failing: { file: 'command:systemctl-is-active-haproxy', text: 'inactive\n' },
    passing: { file: 'command:systemctl-is-active-haproxy', text: 'active\n' },
    fix: {
      en: 'Run `sudo systemctl start haproxy` on master and check `systemctl is-active haproxy`.',
      ru: 'Выполните `sudo systemctl start haproxy` на master и проверьте `systemctl is-active haproxy`.',
    },
  },
  async run(ctx) {
    const outcome = await failoverProbe(ctx);
    if (reportPrecheck(ctx, outcome)) return;
    if (outcome.restore.ok) ctx.report({ kind: 'note', messageId: 'restored' });
    else
      ctx.report({
        kind: 'error',
        host: 'master',
        messageId: 'notRestored',
        data: { reason: outcome.restore.reason, command: outcome.restore.command },
      });
  },
});

export default check;
