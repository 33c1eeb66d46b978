// RBT004: after the reboot the VIP is back on master in the required form, and gone from backup.
import { rebootProbe } from '../src/probe/reboot.js';
import { REBOOT_MESSAGES, reportNotBack, reportRebootLogs, reportRebootPrecheck } from '../src/probe/reboot-report.js';
import { defineCheck } from '../src/model/check.js';

const check = defineCheck({
  id: 'RBT004',
  title: { en: 'after a reboot the VIP is back on master', ru: 'после перезагрузки виртуальный IP снова на master' },
  area: 'failover',
  mode: 'disruptive',
  reboot: true,
  points: 3,
  severity: 'critical',
  spec: 'Requirements 5 (master holds the VIP as `inet VIP/24 brd B scope global eth0:10`) and 7 (keepalived as a service)',
  asserts: {
    en: 'After master rebooted and its boot finished, the VIP returns to master as `inet VIP/24 brd <broadcast> scope global eth0:10` on eth0 and leaves backup, within the time keepalived needs by its own timers.',
    ru: 'После перезагрузки master и окончания загрузки виртуальный IP возвращается на master в виде `inet VIP/24 brd <broadcast> scope global eth0:10` на eth0 и пропадает с backup за время, которое нужно keepalived по его же таймерам.',
  },
  messages: {
    ...REBOOT_MESSAGES,
    back: {
      en: 'the VIP was back on master {seconds} s after the reboot was asked for',
      ru: 'виртуальный IP вернулся на master через {seconds} с после команды перезагрузки',
    },
    notBack: {
      en: 'after the reboot, {seconds} s after the boot finished, the VIP is held by {state}, not by master alone in the required form',
      ru: 'после перезагрузки, через {seconds} с после окончания загрузки, виртуальный IP на: {state}, а не только на master в нужном виде',
    },
    notBackWithCause: {
      en: 'after the reboot, {seconds} s after the boot finished, the VIP is held by {state}, not by master alone in the required form. Likely cause — {cause}',
      ru: 'после перезагрузки, через {seconds} с после окончания загрузки, виртуальный IP на: {state}, а не только на master в нужном виде. Вероятная причина — {cause}',
    },
    probeError: {
      en: 'the reboot probe could not finish: {reason}',
      ru: 'проверка перезагрузкой не смогла завершиться: {reason}',
    },
  },
  hint: {
    en: 'keepalived must start at boot on master (RBT002) with haproxy running, and its virtual_ipaddress must give the VIP its brd and label (LIV003); its log (quoted above) shows the states it went through.',
    ru: 'keepalived должен запускаться на master при загрузке (RBT002) при работающем haproxy, а его virtual_ipaddress должен задавать виртуальному IP brd и метку (LIV003); его лог (выше) показывает, через какие состояния он прошёл.',
  },
  doc: {
    rationale: {
      en: "A pair that works only until master's next reboot is not done: after the boot master must take the VIP back, as the task writes it, and backup must let it go.",
      ru: 'Пара, которая работает только до следующей перезагрузки master, не готова: после загрузки master должен забрать виртуальный IP обратно в том виде, как в задании, а backup — отдать его.',
    },
    failing: {
      file: 'command:ip-addr',
      text: '2: eth0    inet 198.51.100.11/24 brd 198.51.100.255 scope global eth0\\       valid_lft forever preferred_lft forever\n',
    },
    passing: {
      file: 'command:ip-addr',
      text: '2: eth0    inet 198.51.100.11/24 brd 198.51.100.255 scope global eth0\\       valid_lft forever preferred_lft forever\n2: eth0    inet 203.0.113.10/24 brd 203.0.113.255 scope global eth0:10\\       valid_lft forever preferred_lft forever\n',
    },
    fix: {
      en: 'systemctl enable keepalived haproxy on master, keep the VIP line as the task writes it, reboot and look at `ip -4 addr` on both.',
      ru: 'Выполните systemctl enable keepalived haproxy на master, оставьте строку виртуального IP как в задании, перезагрузите и посмотрите `ip -4 addr` на обеих машинах.',
    },
  },
  async run(ctx) {
    const outcome = await rebootProbe(ctx);
    if (reportRebootPrecheck(ctx, outcome) || reportNotBack(ctx, outcome)) return;
    const v = outcome.vipBack;
    if (v.status === 'pass')
      ctx.report({ kind: 'note', host: 'master', messageId: 'back', data: { seconds: (v.ms / 1000).toFixed(1) } });
    else if (v.status === 'error')
      ctx.report({ kind: 'error', messageId: 'probeError', data: { reason: v.reason[ctx.options.lang] } });
    else if (v.status === 'skip') ctx.report({ kind: 'skip', messageId: v.messageId });
    else {
      // What the boot did not start explains the VIP staying away.
      const rbt002 = ctx.resultOf('RBT002');
      const f = rbt002?.status === 'fail' ? rbt002.findings.find((x) => x.kind === 'fail') : undefined;
      const cause = f ? `RBT002: ${f.message}` : undefined;
      ctx.report({
        host: 'master',
        messageId: cause ? 'notBackWithCause' : 'notBack',
        data: { seconds: ((v.ms ?? 0) / 1000).toFixed(1), state: v.state, cause: cause ?? '' },
      });
    }
    reportRebootLogs(ctx, outcome, { evidence: v.status === 'fail', quote: v.status === 'fail' });
  },
});

export default check;
