// RBT002: after a reboot keepalived and haproxy run on master without anyone starting them.
import { rebootProbe, type ServiceName } from '../src/probe/reboot.js';
import { REBOOT_MESSAGES, reportNotBack, reportRebootPrecheck } from '../src/probe/reboot-report.js';
import { defineCheck } from '../src/model/check.js';

const check = defineCheck({
  id: 'RBT002',
  title: {
    en: 'keepalived and haproxy start by themselves after a reboot',
    ru: 'keepalived и haproxy сами запускаются после перезагрузки',
  },
  area: 'failover',
  mode: 'disruptive',
  reboot: true,
  points: 3,
  severity: 'critical',
  spec: 'Requirements 7 (keepalived is enabled as a service) and 5 (both servers track the haproxy process)',
  asserts: {
    en: 'After master rebooted and its boot finished, systemctl is-active answers "active" for keepalived and haproxy, with nobody having started them.',
    ru: 'После перезагрузки master и окончания загрузки systemctl is-active отвечает "active" для keepalived и haproxy, хотя их никто не запускал.',
  },
  messages: {
    ...REBOOT_MESSAGES,
    startedByBoot: {
      en: '{service} was running after the reboot ({boot})',
      ru: '{service} работал после перезагрузки ({boot})',
    },
    notEnabled: {
      en: 'after the reboot {service} is {active}: it is {enabled}, not enabled, so the boot does not start it',
      ru: 'после перезагрузки {service} в состоянии {active}: он {enabled}, а не enabled, поэтому при загрузке он не запускается',
    },
    notStarted: {
      en: 'after the reboot {service} is {active} although it is enabled: the boot tried to start it and it did not stay up ({boot})',
      ru: 'после перезагрузки {service} в состоянии {active}, хотя он enabled: при загрузке его запускали, но он не остался работать ({boot})',
    },
  },
  hints: {
    notEnabled: {
      en: 'systemctl enable {service} (the task: "activate it as a service"), then reboot and look again.',
      ru: 'Выполните systemctl enable {service} (в задании: «активировать его как сервис»), затем перезагрузите и проверьте снова.',
    },
    notStarted: {
      en: 'journalctl -b -u {service} on master shows why it stopped during boot.',
      ru: 'journalctl -b -u {service} на master покажет, почему он остановился при загрузке.',
    },
  },
  hint: {
    en: 'systemctl enable --now keepalived haproxy on both machines.',
    ru: 'Выполните systemctl enable --now keepalived haproxy на обеих машинах.',
  },
  doc: {
    rationale: {
      en: 'The task asks for keepalived "activated as a service": enabled, it starts at boot. A keepalived started by hand passes every check until the first reboot, after which master has no VIP and no failover. hagrade reboots master for real and looks at what systemd started by itself.',
      ru: 'Задание требует «активировать keepalived как сервис»: enabled — он запускается при загрузке. keepalived, запущенный вручную, проходит все проверки до первой перезагрузки, после которой у master нет ни виртуального IP, ни переключения. hagrade действительно перезагружает master и смотрит, что systemd запустил сам.',
    },
    failing: { file: 'command:systemctl-is-enabled-keepalived', text: 'disabled\n' },
    passing: { file: 'command:systemctl-is-enabled-keepalived', text: 'enabled\n' },
    fix: {
      en: 'systemctl enable keepalived haproxy on master and on backup.',
      ru: 'Выполните systemctl enable keepalived haproxy на master и на backup.',
    },
  },
  async run(ctx) {
    const outcome = await rebootProbe(ctx);
    if (reportRebootPrecheck(ctx, outcome) || reportNotBack(ctx, outcome)) return;
    const boot = `boot: ${outcome.bootState ?? 'unknown'}`;
    for (const name of ['keepalived', 'haproxy'] as ServiceName[]) {
      const s = outcome.services?.[name];
      if (!s) continue;
      const data = { service: s.service, active: s.active, enabled: s.enabled, boot };
      if (s.active === 'active') ctx.report({ kind: 'note', host: 'master', messageId: 'startedByBoot', data });
      else ctx.report({ host: 'master', messageId: s.enabled === 'enabled' ? 'notStarted' : 'notEnabled', data });
    }
  },
});

export default check;
