// RBT001: while master reboots, backup takes the VIP (with its label).
import { rebootProbe } from '../src/probe/reboot.js';
import { REBOOT_MESSAGES, reportRebootLogs, reportRebootPrecheck } from '../src/probe/reboot-report.js';
import { defineCheck } from '../src/model/check.js';

const check = defineCheck({
  id: 'RBT001',
  title: { en: 'master down for a reboot → VIP on backup', ru: 'master перезагружается → виртуальный IP на backup' },
  area: 'failover',
  mode: 'disruptive',
  reboot: true,
  points: 2,
  severity: 'major',
  spec: 'Requirement 5 (a cluster of 2 machines: backup holds the VIP when master cannot) and 7 (keepalived as a service, through a reboot)',
  asserts: {
    en: 'While master reboots (hagrade check --reboot), the VIP appears on backup with its label before master answers SSH again.',
    ru: 'Пока master перезагружается (hagrade check --reboot), виртуальный IP появляется на backup с нужной меткой раньше, чем master снова отвечает по SSH.',
  },
  messages: {
    ...REBOOT_MESSAGES,
    tookOver: {
      en: 'backup held the VIP {seconds} s after the reboot was asked for',
      ru: 'backup получил виртуальный IP через {seconds} с после команды перезагрузки',
    },
    noTakeover: {
      en: 'master was down, but backup never held the VIP with its label (last seen: {state})',
      ru: 'master был выключен, но на backup так и не появился виртуальный IP с нужной меткой (последнее состояние: {state})',
    },
  },
  hint: {
    en: "keepalived on backup must run and hear master's adverts stop: compare virtual_router_id and authentication, and the label in backup's virtual_ipaddress; its log (quoted above) shows whether it entered MASTER state.",
    ru: 'keepalived на backup должен работать и заметить, что объявления master прекратились: сравните virtual_router_id и authentication, а также метку в virtual_ipaddress на backup; его лог (выше) показывает, переходил ли он в состояние MASTER.',
  },
  doc: {
    rationale: {
      en: 'A high-availability pair exists for the moment master is gone. A reboot is the gentlest way to make it gone for real: keepalived on master stops (it sends a priority-0 advert) and backup must take the VIP, in the required form, until master is back.',
      ru: 'Отказоустойчивая пара нужна ровно на тот случай, когда master недоступен. Перезагрузка — самый мягкий способ сделать его недоступным по-настоящему: keepalived на master останавливается (отправляет объявление с приоритетом 0), и backup должен забрать виртуальный IP в нужном виде, пока master не вернётся.',
    },
    failing: {
      file: 'keepalived.conf',
      text: 'vrrp_instance VI_1 {\n    state BACKUP\n    virtual_ipaddress {\n        203.0.113.10/24 brd 203.0.113.255 dev eth0    # no label: shows as eth0\n    }\n}\n',
    },
    passing: {
      file: 'keepalived.conf',
      text: 'vrrp_instance VI_1 {\n    state BACKUP\n    virtual_ipaddress {\n        203.0.113.10/24 brd 203.0.113.255 dev eth0 label eth0:10\n    }\n}\n',
    },
    fix: {
      en: 'Give backup the same instance as master (virtual_router_id, authentication, the VIP with `label eth0:10`), keep keepalived running on it, then reboot master and watch `ip -4 addr` on backup.',
      ru: 'Настройте на backup тот же экземпляр, что и на master (virtual_router_id, authentication, виртуальный IP с `label eth0:10`), держите на нём keepalived запущенным, затем перезагрузите master и смотрите `ip -4 addr` на backup.',
    },
  },
  async run(ctx) {
    const outcome = await rebootProbe(ctx);
    if (reportRebootPrecheck(ctx, outcome)) return;
    const back = outcome.back;
    if (back && !back.ok && back.messageId !== 'notBack') {
      ctx.report(
        back.messageId === 'interrupted'
          ? { kind: 'skip', messageId: 'interrupted' }
          : { kind: 'error', host: 'master', messageId: back.messageId, data: back.data },
      );
      return;
    }
    const t = outcome.takeover;
    if (t.status === 'pass')
      ctx.report({ kind: 'note', host: 'backup', messageId: 'tookOver', data: { seconds: (t.ms / 1000).toFixed(1) } });
    else if (t.status === 'fail') ctx.report({ host: 'backup', messageId: 'noTakeover', data: { state: t.state } });
    else if (t.status === 'skip') ctx.report({ kind: 'skip', messageId: t.messageId });
    reportRebootLogs(ctx, outcome, { evidence: true, quote: t.status === 'fail' });
  },
});

export default check;
