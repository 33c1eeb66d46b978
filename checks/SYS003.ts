// SYS003: haproxy is active on both hosts (the VIP is useless where nothing serves port 443).
import { ACTIVE_STATES, LIVE_HINTS, LIVE_MESSAGES, serviceStateOrReport } from '../src/facts/live.js';
import { ROLES } from '../src/model/basics.js';
import { defineCheck } from '../src/model/check.js';

const check = defineCheck({
  id: 'SYS003',
  title: { en: 'haproxy is running', ru: 'haproxy запущен' },
  area: 'system',
  mode: 'live',
  points: 2,
  severity: 'critical',
  spec: 'Requirements 5 (both servers track the haproxy process; the VIP moves only when haproxy stops)',
  asserts: {
    en: 'systemctl is-active haproxy answers "active" on master and on backup.',
    ru: 'systemctl is-active haproxy отвечает "active" и на master, и на backup.',
  },
  messages: {
    ...LIVE_MESSAGES,
    notActive: {
      en: 'the {service} service is {state}, not active',
      ru: 'сервис {service} в состоянии {state}, а не active',
    },
  },
  hints: {
    ...LIVE_HINTS,
    notActive: {
      en: 'Start it with systemctl start {service}; if it does not start, haproxy -c -f {config} and journalctl -u {service} say why.',
      ru: 'Запустите: systemctl start {service}; если не запускается, причину покажут haproxy -c -f {config} и journalctl -u {service}.',
    },
  },
  hint: {
    en: 'Run systemctl status haproxy on both machines.',
    ru: 'Выполните systemctl status haproxy на обеих машинах.',
  },
  doc: {
    rationale: {
      en: 'keepalived moves the VIP according to whether haproxy runs: with haproxy stopped on master the VIP goes to backup, and a backup without haproxy then serves nothing. The grader asks systemd, the way the service is managed on the lab VMs.',
      ru: 'keepalived переносит виртуальный IP в зависимости от того, работает ли haproxy: если haproxy остановлен на master, IP уходит на backup, и backup без haproxy ничего не отдаёт. Грейдер спрашивает systemd, через который сервисом управляют на машинах стенда.',
    },
    failing: { file: 'command:systemctl-is-active-haproxy', text: 'inactive\n' },
    passing: { file: 'command:systemctl-is-active-haproxy', text: 'active\n' },
    fix: {
      en: 'systemctl start haproxy on the host where it is not active (and systemctl enable haproxy so it survives a reboot).',
      ru: 'Выполните systemctl start haproxy на машине, где он не активен (и systemctl enable haproxy, чтобы он пережил перезагрузку).',
    },
  },
  async run(ctx) {
    const service = ctx.profile.haproxyService;
    for (const role of ROLES) {
      const state = await serviceStateOrReport(ctx, role, 'systemctl-is-active-haproxy', ACTIVE_STATES);
      if (state !== undefined && state !== 'active')
        ctx.report({
          host: role,
          messageId: 'notActive',
          data: { service, state, config: ctx.profile.haproxyCfgPath },
        });
    }
  },
});

export default check;
