// KAD002: master runs the VIP's vrrp_instance as MASTER, backup as BACKUP, as keepalived reads `state`.
import { CONFIG_SKIP_MESSAGES, configOrSkip, loadKeepalived } from '../src/facts/keepalived.js';
import { keepalivedExample } from '../src/facts/keepalived-examples.js';
import { vipInstance } from '../src/facts/vrrp-instances.js';
import { ROLES } from '../src/model/basics.js';
import { defineCheck } from '../src/model/check.js';

const check = defineCheck({
  id: 'KAD002',
  title: { en: 'master is MASTER, backup is BACKUP', ru: 'master работает как MASTER, backup — как BACKUP' },
  area: 'keepalived',
  mode: 'static',
  points: 2,
  severity: 'critical',
  spec: 'Requirements 5 (keepalived): master runs the instance as MASTER, backup as BACKUP',
  asserts: {
    en: 'The vrrp_instance that carries the VIP starts as MASTER on master and as BACKUP on backup, as keepalived reads its `state` line (case-sensitive; without one, MASTER exactly at priority 255).',
    ru: 'vrrp_instance с виртуальным ip стартует как MASTER на master и как BACKUP на backup — так, как keepalived читает строку `state` (с учётом регистра; без неё MASTER только при priority 255).',
  },
  messages: {
    ...CONFIG_SKIP_MESSAGES,
    noInstance: { en: '{file} has no vrrp_instance', ru: 'в {file} нет ни одного vrrp_instance' },
    wrongState: {
      en: 'vrrp_instance {name} starts as {state}, not {expected}',
      ru: 'vrrp_instance {name} стартует как {state}, а не {expected}',
    },
    unknownState: {
      en: "vrrp_instance {name}: keepalived does not know the state '{written}' and starts it as BACKUP, not {expected}",
      ru: "vrrp_instance {name}: keepalived не знает состояния '{written}' и запускает его как BACKUP, а не {expected}",
    },
    unknownStateBackup: {
      en: "vrrp_instance {name}: keepalived does not know the state '{written}'; it starts as BACKUP only by default",
      ru: "vrrp_instance {name}: keepalived не знает состояния '{written}'; BACKUP получается только по умолчанию",
    },
    noState: {
      en: 'vrrp_instance {name} has no state line: keepalived starts it as {state} (priority {priority}), not {expected}',
      ru: 'у vrrp_instance {name} нет строки state: keepalived запускает его как {state} (priority {priority}), а не {expected}',
    },
    stateImplicit: {
      en: 'vrrp_instance {name} has no state line; keepalived starts it as {state} because of priority {priority}',
      ru: 'у vrrp_instance {name} нет строки state; keepalived запускает его как {state} из-за priority {priority}',
    },
  },
  hints: {
    unknownState: {
      en: 'Write state MASTER in capitals: keepalived compares it case-sensitively.',
      ru: 'Пишите state MASTER заглавными буквами: keepalived сравнивает с учётом регистра.',
    },
    unknownStateBackup: { en: 'Write state BACKUP in capitals.', ru: 'Пишите state BACKUP заглавными буквами.' },
  },
  hint: {
    en: 'Put state MASTER in the vrrp_instance on master and state BACKUP on backup.',
    ru: 'Укажите state MASTER в vrrp_instance на master и state BACKUP на backup.',
  },
  doc: {
    rationale: {
      en: 'The task names the roles: the machine master is the MASTER server, backup the BACKUP one. keepalived reads `state` case-sensitively: any word but MASTER or BACKUP is taken as BACKUP, and after `state MASTER` a later `state BACKUP` is ignored. Without a state line an instance starts as MASTER only at priority 255. The instance judged is the one whose virtual_ipaddress holds the VIP.',
      ru: 'Задание называет роли: машина master — MASTER сервер, backup — BACKUP. keepalived читает `state` с учётом регистра: любое слово, кроме MASTER и BACKUP, считается BACKUP, а `state BACKUP` после `state MASTER` игнорируется. Без строки state экземпляр стартует как MASTER только при priority 255. Проверяется тот экземпляр, в virtual_ipaddress которого есть виртуальный ip.',
    },
    failing: { file: 'keepalived.conf', text: keepalivedExample({ state: 'state master' }) },
    passing: { file: 'keepalived.conf', text: keepalivedExample() },
    fix: {
      en: 'Set state MASTER on master and state BACKUP on backup, then systemctl restart keepalived on both.',
      ru: 'Укажите state MASTER на master и state BACKUP на backup, затем выполните systemctl restart keepalived на обеих машинах.',
    },
  },
  async run(ctx) {
    for (const role of ROLES) {
      const file = await loadKeepalived(ctx, role);
      const config = configOrSkip(ctx, file);
      if (!config) continue;
      if (config.instances.length === 0) {
        ctx.report({ host: role, messageId: 'noInstance', file: file.path, data: { file: file.path } });
        continue;
      }
      const instance = vipInstance(config, ctx.vip);
      if (!instance) {
        ctx.report({
          kind: 'skip',
          host: role,
          messageId: 'noVipInstance',
          file: file.path,
          data: { count: config.instances.length, vip: ctx.vip ?? '' },
        });
        continue;
      }
      const expected = role === 'master' ? 'MASTER' : 'BACKUP';
      const at = instance.stateAt ?? instance.at;
      const base = { host: role, file: at.file, line: at.line, excerpt: at.text.trim() };
      const data = {
        name: instance.name,
        state: instance.initialState,
        expected,
        priority: instance.priority,
        written: instance.stateWritten ?? '',
      };
      const unknownWord = instance.stateWritten !== undefined && instance.stateWritten !== instance.state;
      if (instance.initialState !== expected) {
        const messageId = unknownWord ? 'unknownState' : instance.state === undefined ? 'noState' : 'wrongState';
        ctx.report({ ...base, messageId, data });
      } else if (unknownWord) {
        ctx.report({ ...base, kind: 'note', messageId: 'unknownStateBackup', data });
      } else if (instance.state === undefined) {
        ctx.report({ ...base, kind: 'note', messageId: 'stateImplicit', data });
      }
    }
  },
});

export default check;
