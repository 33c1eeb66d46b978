import { failoverProbe } from '../src/probe/failover.js';
import { KEEPALIVED_LOG_MESSAGES } from '../src/facts/keepalived-log.js';
import { PRECHECK_MESSAGES, phaseEvidence, reportPhase, reportPrecheck } from '../src/probe/report.js';
import { defineCheck } from '../src/model/check.js';

const check = defineCheck({
  id: 'FOV002',
  title: { en: 'haproxy started on master → VIP comes back', ru: 'MASTER сервер вернул ip после запуска haproxy' },
  area: 'failover',
  mode: 'disruptive',
  points: 5,
  severity: 'critical',
  spec: 'Requirement 5: "when haproxy starts again on master the VIP must move back to master"',
  asserts: {
    en: 'After `systemctl start haproxy` on master, the VIP returns to master with its label and leaves backup, in time.',
    ru: 'После `systemctl start haproxy` на master виртуальный IP возвращается на master с нужной меткой и пропадает с backup вовремя.',
  },
  messages: {
    ...PRECHECK_MESSAGES,
    ...KEEPALIVED_LOG_MESSAGES,
    returned: {
      en: 'the VIP came back to master in {seconds} s',
      ru: 'виртуальный IP вернулся на master за {seconds} с',
    },
    notReturned: {
      en: 'haproxy was started on master, but after {seconds} s the VIP is held by {state}, not by master alone',
      ru: 'haproxy на master запущен, но через {seconds} с виртуальный IP на: {state}, а не только на master',
    },
    notReturnedWithCause: {
      en: 'haproxy was started on master, but after {seconds} s the VIP is held by {state}, not by master alone. Likely cause — {cause}',
      ru: 'haproxy на master запущен, но через {seconds} с виртуальный IP на: {state}, а не только на master. Вероятная причина — {cause}',
    },
  },
  hint: {
    en: "A returning master takes the VIP back only if it may preempt: remove `nopreempt`, keep master's priority above backup's once its script succeeds again.",
    ru: 'Вернувшийся master забирает IP, только если ему разрешено вытеснение: уберите `nopreempt`, приоритет master после восстановления скрипта должен быть выше backup.',
  },
  doc: {
    rationale: {
      en: 'The assignment wants the VIP back on master when haproxy is running again. `nopreempt` (with `state BACKUP` on both) lets the VIP leave master but never return.',
      ru: 'По заданию IP должен вернуться на master после запуска haproxy. `nopreempt` (при `state BACKUP` на обоих) позволяет IP уйти с master, но не вернуться.',
    },
    failing: {
      file: 'keepalived.conf',
      text: 'vrrp_instance VI_1 {\n    state BACKUP\n    nopreempt\n    priority 110\n}\n',
    },
    passing: { file: 'keepalived.conf', text: 'vrrp_instance VI_1 {\n    state MASTER\n    priority 110\n}\n' },
    fix: {
      en: "Remove `nopreempt` from master (and use `state MASTER`), or make sure master's effective priority is higher than backup's.",
      ru: 'Уберите `nopreempt` на master (и укажите `state MASTER`), либо обеспечьте, чтобы эффективный приоритет master был выше, чем у backup.',
    },
  },
  async run(ctx) {
    const outcome = await failoverProbe(ctx);
    if (reportPrecheck(ctx, outcome)) return;
    phaseEvidence(ctx, outcome, 'whole');
    reportPhase(ctx, outcome.failback, 'returned', 'notReturned', { outcome, which: 'whole' });
  },
});

export default check;
