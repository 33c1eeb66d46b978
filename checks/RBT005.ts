// RBT005: the reboot probe left the pair as it found it (what the boot did not start, hagrade started).
import { rebootProbe } from '../src/probe/reboot.js';
import { REBOOT_MESSAGES, reportNotBack, reportRebootPrecheck } from '../src/probe/reboot-report.js';
import { defineCheck } from '../src/model/check.js';

const check = defineCheck({
  id: 'RBT005',
  title: {
    en: 'the reboot probe left the pair as it found it',
    ru: 'после проверки перезагрузкой машины в исходном состоянии',
  },
  area: 'failover',
  mode: 'disruptive',
  reboot: true,
  points: 0,
  severity: 'critical',
  spec: 'Ground rule: a disruptive probe always restores what it stopped (DESIGN.md §5)',
  asserts: {
    en: 'After the reboot probe master is up, and haproxy and keepalived run on it again (started by hagrade when the boot did not start them).',
    ru: 'После проверки перезагрузкой master работает, а haproxy и keepalived на нём снова запущены (их запускает hagrade, если загрузка этого не сделала).',
  },
  messages: {
    ...REBOOT_MESSAGES,
    asFound: {
      en: 'master is back with haproxy and keepalived running',
      ru: 'master снова работает, haproxy и keepalived запущены',
    },
    restarted: {
      en: 'the boot did not start {services}; hagrade started it again so the pair runs as before the probe (it will not survive the next reboot until fixed)',
      ru: 'загрузка не запустила {services}; hagrade запустил это снова, чтобы пара работала как до проверки (до исправления следующая перезагрузка снова это остановит)',
    },
    notRestored: {
      en: 'could not start {service} on master again: {reason}. Run now: {command}',
      ru: 'не удалось снова запустить {service} на master: {reason}. Выполните: {command}',
    },
  },
  hint: {
    en: 'Run the command above on master, then `systemctl status` the service to see why it does not start.',
    ru: 'Выполните команду выше на master, затем посмотрите `systemctl status` этой службы, чтобы понять, почему она не запускается.',
  },
  doc: {
    rationale: {
      en: 'Students grade their own VMs: after the reboot probe the pair must run as it did before, even when the boot itself does not start what it should (that is what RBT002 reports).',
      ru: 'Студенты проверяют свои же машины: после проверки перезагрузкой пара должна работать как раньше, даже если сама загрузка не запускает то, что должна (об этом говорит RBT002).',
    },
    failing: { file: 'command:systemctl-is-active-haproxy', text: 'failed\n' },
    passing: { file: 'command:systemctl-is-active-haproxy', text: 'active\n' },
    fix: {
      en: 'Run `sudo systemctl start haproxy keepalived` on master and check `systemctl is-active haproxy keepalived`.',
      ru: 'Выполните `sudo systemctl start haproxy keepalived` на master и проверьте `systemctl is-active haproxy keepalived`.',
    },
  },
  async run(ctx) {
    const outcome = await rebootProbe(ctx);
    if (reportRebootPrecheck(ctx, outcome) || reportNotBack(ctx, outcome)) return;
    if (outcome.restoreFailed)
      ctx.report({ kind: 'error', host: 'master', messageId: 'notRestored', data: { ...outcome.restoreFailed } });
    if (outcome.restarted.length)
      ctx.report({
        kind: 'note',
        host: 'master',
        messageId: 'restarted',
        data: { services: outcome.restarted.join(', ') },
      });
    if (!outcome.restoreFailed && !outcome.restarted.length)
      ctx.report({ kind: 'note', host: 'master', messageId: 'asFound' });
  },
});

export default check;
