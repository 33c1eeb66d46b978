// KAD005: the VIP is master's external address, written so that `ip a` shows it exactly as the task
// asks: `inet VIP/24 brd <broadcast of the /24> scope global eth0:10` on eth0.
import { CONFIG_SKIP_MESSAGES, configOrSkip, loadKeepalived } from '../src/facts/keepalived.js';
import { keepalivedExample } from '../src/facts/keepalived-examples.js';
import { broadcastOf } from '../src/parsers/keepalived-model-vip.js';
import { ROLES } from '../src/model/basics.js';
import { defineCheck, type ReportId } from '../src/model/check.js';

const check = defineCheck({
  id: 'KAD005',
  title: { en: 'the VIP is written as the task asks', ru: 'виртуальный ip задан в требуемом виде' },
  area: 'keepalived',
  mode: 'static',
  points: 3,
  severity: 'critical',
  spec: 'Requirements 5 (keepalived): the VIP is the external address of master, shown as inet VIP/24 brd … scope global eth0:10',
  asserts: {
    en: "On both hosts a virtual_ipaddress entry holds the VIP (master's external address) with the profile's prefix (/24), the broadcast of that network, the label eth0:10 and the interface eth0 (its dev, or the instance's interface).",
    ru: 'На обеих машинах в virtual_ipaddress есть виртуальный ip (внешний адрес master) с префиксом из профиля (/24), широковещательным адресом этой сети, меткой eth0:10 и интерфейсом eth0 (через dev или interface экземпляра).',
  },
  messages: {
    ...CONFIG_SKIP_MESSAGES,
    noTargetVip: {
      en: 'cannot judge: the VIP is unknown (give vip: in hosts.yaml or master as an IP address)',
      ru: 'невозможно проверить: виртуальный ip неизвестен (укажите vip: в hosts.yaml или адрес master в виде IP)',
    },
    vipMissing: {
      en: 'no virtual_ipaddress holds {vip}; found: {found}',
      ru: 'ни один virtual_ipaddress не содержит {vip}; найдено: {found}',
    },
    vipInvalid: {
      en: 'keepalived skips the entry for {vip} (see the KAD001 notes for its reason)',
      ru: 'keepalived пропускает запись для {vip} (причина — в замечаниях KAD001)',
    },
    wrongPrefix: {
      en: '{vip} has prefix /{prefix}, not /{expected}',
      ru: 'у {vip} префикс /{prefix}, а не /{expected}',
    },
    noBrd: {
      en: '{vip} has no brd: ip a will show no broadcast; expected brd {expected}',
      ru: 'у {vip} нет brd: ip a не покажет широковещательный адрес; ожидается brd {expected}',
    },
    wrongBrd: { en: '{vip} has brd {brd}, not {expected}', ru: 'у {vip} brd {brd}, а не {expected}' },
    noLabel: {
      en: '{vip} has no label: ip a will show it on {dev}, not {expected}',
      ru: 'у {vip} нет label: ip a покажет его на {dev}, а не на {expected}',
    },
    wrongLabel: { en: '{vip} has label {label}, not {expected}', ru: 'у {vip} метка {label}, а не {expected}' },
    wrongDev: {
      en: '{vip} goes on interface {dev}, not {expected}',
      ru: '{vip} назначается на интерфейс {dev}, а не {expected}',
    },
    noDev: {
      en: '{vip} has no dev and its vrrp_instance no interface',
      ru: 'у {vip} нет dev, а у его vrrp_instance нет interface',
    },
    wrongScope: {
      en: '{vip} has scope {scope}: ip a will not show scope global',
      ru: 'у {vip} scope {scope}: ip a не покажет scope global',
    },
  },
  hint: {
    en: 'Write the VIP as: VIP/24 brd <network>.255 dev eth0 label eth0:10 (inside virtual_ipaddress, on both hosts).',
    ru: 'Запишите виртуальный ip так: VIP/24 brd <сеть>.255 dev eth0 label eth0:10 (внутри virtual_ipaddress, на обеих машинах).',
  },
  doc: {
    rationale: {
      en: "The task wants the VIP to appear in `ip a` exactly as `inet 51.250.86.11/24 brd 51.250.86.255 scope global eth0:10`. keepalived adds the address as written: without /24 it is a /32; without `brd` no broadcast is shown (keepalived does not compute one unless given `brd +`); without `label` the line ends in `eth0`, not `eth0:10`. The address goes on its `dev`, or else on the instance's `interface`.",
      ru: 'По заданию виртуальный ip должен быть виден в `ip a` именно как `inet 51.250.86.11/24 brd 51.250.86.255 scope global eth0:10`. keepalived добавляет адрес так, как он записан: без /24 это /32; без `brd` широковещательный адрес не показывается (keepalived вычисляет его только при `brd +`); без `label` строка заканчивается на `eth0`, а не на `eth0:10`. Адрес назначается на свой `dev`, а если его нет — на `interface` экземпляра.',
    },
    failing: { file: 'keepalived.conf', text: keepalivedExample({ vip: ['203.0.113.10/24 dev eth0 label eth0:10'] }) },
    passing: { file: 'keepalived.conf', text: keepalivedExample({ vip: ['203.0.113.10/24 brd + label eth0:10'] }) },
    fix: {
      en: 'In virtual_ipaddress on both hosts write: <VIP>/24 brd <broadcast of that /24> dev eth0 label eth0:10; then systemctl restart keepalived.',
      ru: 'В virtual_ipaddress на обеих машинах запишите: <VIP>/24 brd <широковещательный адрес этой /24> dev eth0 label eth0:10; затем выполните systemctl restart keepalived.',
    },
  },
  async run(ctx) {
    const vip = ctx.vip;
    if (vip === undefined) {
      ctx.report({ kind: 'skip', messageId: 'noTargetVip' });
      return;
    }
    const { vipPrefix, vipLabel, interface: expectedDev } = ctx.profile;
    const expectedBrd = broadcastOf(vip, vipPrefix);
    for (const role of ROLES) {
      const file = await loadKeepalived(ctx, role);
      const config = configOrSkip(ctx, file);
      if (!config) continue;
      const holders = config.instances.flatMap((instance) =>
        instance.vips.filter((v) => v.address === vip).map((entry) => ({ instance, entry })),
      );
      if (holders.length === 0) {
        const found = config.instances.flatMap((i) => i.vips.map((v) => `${v.address}/${v.prefix}`)).join(', ') || '-';
        ctx.report({ host: role, file: file.path, messageId: 'vipMissing', data: { vip, found } });
        continue;
      }
      const { instance, entry } = holders[0];
      const base = { host: role, file: entry.at.file, line: entry.at.line, excerpt: entry.at.text.trim() };
      const dev = entry.dev ?? instance.interface;
      const report = (messageId: ReportId<typeof ctx>, data: Record<string, string | number> = {}) =>
        ctx.report({ ...base, messageId, data: { vip, ...data } });
      if (!entry.valid) report('vipInvalid');
      if (entry.prefix !== vipPrefix) report('wrongPrefix', { prefix: entry.prefix, expected: vipPrefix });
      if (entry.broadcast === undefined) report('noBrd', { expected: expectedBrd });
      else if (entry.broadcast !== expectedBrd) report('wrongBrd', { brd: entry.broadcast, expected: expectedBrd });
      if (entry.label === undefined) report('noLabel', { dev: dev ?? '?', expected: vipLabel });
      else if (entry.label !== vipLabel) report('wrongLabel', { label: entry.label, expected: vipLabel });
      if (dev === undefined) report('noDev');
      else if (dev !== expectedDev) report('wrongDev', { dev, expected: expectedDev });
      if (entry.scope !== undefined && entry.scope !== 'global') report('wrongScope', { scope: entry.scope });
    }
  },
});

export default check;
