// SYS002: keepalived is enabled as a service (starts at boot) and active, on both hosts.
import { ACTIVE_STATES, ENABLED_STATES, LIVE_HINTS, LIVE_MESSAGES, serviceStateOrReport } from '../src/facts/live.js';
import { ROLES } from '../src/model/basics.js';
import { defineCheck } from '../src/model/check.js';

const check = defineCheck({
  id: 'SYS002',
  title: { en: 'keepalived is enabled and running', ru: 'keepalived активирован как сервис и запущен' },
  area: 'system',
  mode: 'live',
  points: 2,
  severity: 'critical',
  spec: 'Requirements 7 (keepalived is enabled as a service and running)',
  asserts: {
    en: 'systemctl is-enabled keepalived answers "enabled" and systemctl is-active keepalived answers "active", on master and on backup.',
    ru: 'systemctl is-enabled keepalived отвечает "enabled", а systemctl is-active keepalived — "active", и на master, и на backup.',
  },
  messages: {
    ...LIVE_MESSAGES,
    notEnabled: {
      en: 'the {service} service is {state}, not enabled: it will not start after a reboot',
      ru: 'сервис {service} в состоянии {state}, а не enabled: после перезагрузки он не запустится',
    },
    notInstalled: {
      en: 'there is no {service} service on this host',
      ru: 'на этой машине нет сервиса {service}',
    },
    notActive: {
      en: 'the {service} service is {state}, not active',
      ru: 'сервис {service} в состоянии {state}, а не active',
    },
  },
  hints: {
    ...LIVE_HINTS,
    notEnabled: {
      en: 'systemctl enable {service} (the assignment asks to "activate it as a service").',
      ru: 'Выполните systemctl enable {service} (в задании: «активировать его как сервис»).',
    },
    notInstalled: {
      en: 'Install keepalived (apt-get install keepalived), then systemctl enable --now {service}.',
      ru: 'Установите keepalived (apt-get install keepalived), затем выполните systemctl enable --now {service}.',
    },
    notActive: {
      en: 'systemctl start {service}; if it stops again, keepalived -t -f {config} and journalctl -u {service} say why.',
      ru: 'Выполните systemctl start {service}; если он снова останавливается, причину покажут keepalived -t -f {config} и journalctl -u {service}.',
    },
  },
  hint: {
    en: 'systemctl enable --now keepalived on both machines.',
    ru: 'Выполните systemctl enable --now keepalived на обеих машинах.',
  },
  doc: {
    rationale: {
      en: 'The assignment asks to activate keepalived as a service: enabled, it starts at boot; active, it runs now. A keepalived started by hand, or enabled but stopped, leaves the VIP unmanaged after the next reboot or right away.',
      ru: 'Задание требует активировать keepalived как сервис: enabled — запускается при загрузке, active — работает сейчас. keepalived, запущенный вручную, или включённый, но остановленный, не управляет виртуальным IP — сразу или после перезагрузки.',
    },
    failing: { file: 'command:systemctl-is-enabled-keepalived', text: 'disabled\n' },
    passing: { file: 'command:systemctl-is-enabled-keepalived', text: 'enabled\n' },
    fix: {
      en: 'systemctl enable --now keepalived on master and on backup.',
      ru: 'Выполните systemctl enable --now keepalived на master и на backup.',
    },
  },
  async run(ctx) {
    const service = ctx.profile.keepalivedService;
    const data = { service, config: ctx.profile.keepalivedConfPath };
    for (const role of ROLES) {
      const enabled = await serviceStateOrReport(ctx, role, 'systemctl-is-enabled-keepalived', ENABLED_STATES);
      if (enabled === 'not-found') {
        ctx.report({ host: role, messageId: 'notInstalled', data });
        continue;
      }
      if (enabled !== undefined && enabled !== 'enabled')
        ctx.report({ host: role, messageId: 'notEnabled', data: { ...data, state: enabled } });
      const active = await serviceStateOrReport(ctx, role, 'systemctl-is-active-keepalived', ACTIVE_STATES);
      if (active !== undefined && active !== 'active')
        ctx.report({ host: role, messageId: 'notActive', data: { ...data, state: active } });
    }
  },
});

export default check;
