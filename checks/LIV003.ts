// LIV003: the VIP is on master exactly as the assignment shows it in `ip a`
// (`inet VIP/24 brd B scope global eth0:10`, the word `secondary` allowed), and not on backup.
import { broadcastOf, parseIpAddr, vipEntries, type IpAddrEntry } from '../src/facts/ip-addr.js';
import { commandOrReport, LIVE_HINTS, LIVE_MESSAGES, requireVip } from '../src/facts/live.js';
import { defineCheck, type CheckContext, type FindingInput, type MessageIdOf } from '../src/model/check.js';

/** The context of this check: helpers below report only its own ids. */
type Ctx = CheckContext<MessageIdOf<typeof check>>;
import type { LabProfile } from '../src/model/target.js';
import type { Role } from '../src/model/basics.js';

// Real `ip -o -4 addr show` outputs (iproute2 6.1) of a cloud-like pair, for the doc.
const MASTER_NO_BRD = `1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
3: eth0    inet 192.0.2.15/24 metric 100 brd 192.0.2.255 scope global dynamic eth0\\       valid_lft 86400sec preferred_lft 86400sec
3: eth0    inet 203.0.113.10/24 scope global eth0:10\\       valid_lft forever preferred_lft forever
`;
const MASTER_GOOD = `1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
3: eth0    inet 192.0.2.15/24 metric 100 brd 192.0.2.255 scope global dynamic eth0\\       valid_lft 86400sec preferred_lft 86400sec
3: eth0    inet 203.0.113.10/24 brd 203.0.113.255 scope global eth0:10\\       valid_lft forever preferred_lft forever
`;
const BACKUP_GOOD = `1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
3: eth0    inet 192.0.2.16/24 metric 100 brd 192.0.2.255 scope global dynamic eth0\\       valid_lft 86400sec preferred_lft 86400sec
`;

/** The findings about the form of master's VIP line, and what fixes all of them. */
const FORM_MESSAGES = [
  'noLabel',
  'wrongLabel',
  'wrongPrefix',
  'noBroadcast',
  'wrongBroadcast',
  'wrongScope',
  'wrongInterface',
];
const FORM_HINT = {
  en: 'Write the VIP in virtual_ipaddress as `{expected_conf}` and restart keepalived.',
  ru: 'Запишите виртуальный IP в virtual_ipaddress как `{expected_conf}` и перезапустите keepalived.',
};

const check = defineCheck({
  id: 'LIV003',
  title: { en: 'The VIP is on master, in the required form', ru: 'Виртуальный IP на master в нужном формате' },
  area: 'live',
  mode: 'live',
  points: 3,
  severity: 'critical',
  spec: "Requirements 5 (the VIP is master's external address and appears as `inet VIP/24 brd B scope global eth0:10`)",
  asserts: {
    en: 'ip -4 addr on master shows the VIP as `inet VIP/24 brd <broadcast of the /24> scope global eth0:10` on eth0, and backup does not hold it.',
    ru: 'ip -4 addr на master показывает виртуальный IP как `inet VIP/24 brd <broadcast этой /24> scope global eth0:10` на eth0, а на backup его нет.',
  },
  messages: {
    ...LIVE_MESSAGES,
    unreadable: {
      en: 'the grader found no IPv4 address in the output of `{command}`',
      ru: 'грейдер не нашёл ни одного IPv4-адреса в выводе `{command}`',
    },
    vipMissing: {
      en: 'the VIP {vip} is not on master; expected `{expected}`',
      ru: 'виртуального IP {vip} нет на master; ожидается `{expected}`',
    },
    noLabel: {
      en: 'the VIP has no label of its own (ip shows the interface name, {shown}); expected the label {label}',
      ru: 'у виртуального IP нет своей метки (ip показывает имя интерфейса, {shown}); ожидается метка {label}',
    },
    wrongLabel: {
      en: 'the VIP has the label {shown}; expected {label}',
      ru: 'у виртуального IP метка {shown}; ожидается {label}',
    },
    wrongPrefix: {
      en: 'the VIP is {vip}/{shown}; expected /{prefix}',
      ru: 'виртуальный IP задан как {vip}/{shown}; ожидается /{prefix}',
    },
    noBroadcast: {
      en: 'the VIP has no broadcast address (no brd); expected brd {brd}',
      ru: 'у виртуального IP нет широковещательного адреса (нет brd); ожидается brd {brd}',
    },
    wrongBroadcast: {
      en: 'the VIP has brd {shown}; expected brd {brd}',
      ru: 'у виртуального IP brd {shown}; ожидается brd {brd}',
    },
    wrongScope: {
      en: 'the VIP has scope {shown}; expected scope global',
      ru: 'у виртуального IP scope {shown}; ожидается scope global',
    },
    wrongInterface: {
      en: 'the VIP is on {shown}; expected {interface}',
      ru: 'виртуальный IP назначен на {shown}; ожидается {interface}',
    },
    splitBrain: {
      en: 'split brain: the VIP {vip} is on backup too, while master holds it (both act as MASTER)',
      ru: 'split brain: виртуальный IP {vip} есть и на backup, хотя он уже на master (оба ведут себя как MASTER)',
    },
    vipOnBackup: {
      en: 'the VIP {vip} is on backup instead of master',
      ru: 'виртуальный IP {vip} назначен на backup вместо master',
    },
  },
  hints: {
    ...LIVE_HINTS,
    vipMissing: {
      en: 'Is keepalived running on master (systemctl status keepalived) and in MASTER state (journalctl -u keepalived)? Its virtual_ipaddress must hold {vip}.',
      ru: 'Запущен ли keepalived на master (systemctl status keepalived) и в состоянии ли он MASTER (journalctl -u keepalived)? В virtual_ipaddress должен быть {vip}.',
    },
    ...Object.fromEntries(FORM_MESSAGES.map((id) => [id, FORM_HINT])),
    splitBrain: {
      en: 'The nodes do not hear each other: compare virtual_router_id, authentication and advert_int on both, and check that VRRP (IP protocol 112) passes between them.',
      ru: 'Узлы не слышат друг друга: сравните virtual_router_id, authentication и advert_int на обоих и проверьте, что VRRP (IP-протокол 112) проходит между ними.',
    },
    vipOnBackup: {
      en: "Master lost the election: is haproxy running on master (its track script fails otherwise), and is master's priority higher?",
      ru: 'master проиграл выборы: запущен ли haproxy на master (иначе его track_script падает) и выше ли приоритет master?',
    },
  },
  hint: {
    en: 'Compare ip -4 addr on both hosts with the form the assignment requires: inet VIP/24 brd <broadcast> scope global eth0:10, on master only.',
    ru: 'Сравните ip -4 addr на обеих машинах с форматом из задания: inet VIP/24 brd <broadcast> scope global eth0:10, только на master.',
  },
  doc: {
    rationale: {
      en: "The assignment fixes how the VIP must look in `ip a`: `inet 51.250.86.11/24 brd 51.250.86.255 scope global eth0:10`. keepalived adds exactly what virtual_ipaddress says: without `brd` no broadcast is shown, without `label eth0:10` the address carries the interface name. The word `secondary` appears when the VIP is in the same subnet as the interface's first address, and is fine. A VIP on both hosts at once is a split brain. (In a cloud, the SDN ignores VRRP: the grader checks who holds the VIP, as the task asks.)",
      ru: 'Задание задаёт, как виртуальный IP должен выглядеть в `ip a`: `inet 51.250.86.11/24 brd 51.250.86.255 scope global eth0:10`. keepalived добавляет ровно то, что написано в virtual_ipaddress: без `brd` широковещательный адрес не показывается, без `label eth0:10` у адреса будет имя интерфейса. Слово `secondary` появляется, когда виртуальный IP в той же подсети, что и первый адрес интерфейса, — это допустимо. Виртуальный IP на обеих машинах сразу — это split brain. (В облаке SDN не учитывает VRRP: грейдер проверяет, у кого виртуальный IP, как и требует задание.)',
    },
    failing: { file: 'command:ip-addr', text: MASTER_NO_BRD, backup: BACKUP_GOOD },
    passing: { file: 'command:ip-addr', text: MASTER_GOOD, backup: BACKUP_GOOD },
    fix: {
      en: 'In virtual_ipaddress on both hosts: `203.0.113.10/24 brd 203.0.113.255 dev eth0 label eth0:10` (your VIP and its /24 broadcast), then systemctl restart keepalived.',
      ru: 'В virtual_ipaddress на обеих машинах: `203.0.113.10/24 brd 203.0.113.255 dev eth0 label eth0:10` (ваш виртуальный IP и broadcast его /24), затем systemctl restart keepalived.',
    },
  },
  async run(ctx) {
    if (!requireVip(ctx)) return;
    const expected = expectedForm(ctx.profile, ctx.vip);
    const held: Partial<Record<Role, IpAddrEntry[]>> = {};
    for (const role of ['master', 'backup'] as const) {
      const result = await commandOrReport(ctx, role, 'ip-addr', { zeroExit: true });
      if (!result) continue;
      const entries = parseIpAddr(result.stdout);
      if (entries.length === 0)
        ctx.report({ kind: 'error', host: role, messageId: 'unreadable', data: { command: result.command } });
      else held[role] = vipEntries(entries, ctx.vip);
    }
    const onMaster = held.master;
    if (onMaster?.length === 0) ctx.report({ host: 'master', messageId: 'vipMissing', data: expected.data });
    else if (onMaster) reportForm(ctx, onMaster, expected);
    const onBackup = held.backup ?? [];
    if (onBackup.length > 0) {
      const messageId = onMaster?.length ? 'splitBrain' : 'vipOnBackup';
      ctx.report({ host: 'backup', messageId, excerpt: onBackup[0]!.text, data: expected.data });
    }
  },
});

interface ExpectedForm {
  prefix: number;
  brd: string;
  data: Record<string, string | number>;
}

function expectedForm(profile: LabProfile, vip: string): ExpectedForm {
  const { vipPrefix: prefix, vipLabel: label, interface: iface } = profile;
  const brd = broadcastOf(vip, prefix) ?? '?';
  return {
    prefix,
    brd,
    data: {
      vip,
      prefix,
      brd,
      label,
      interface: iface,
      expected: `inet ${vip}/${prefix} brd ${brd} scope global ${label}`,
      expected_conf: `${vip}/${prefix} brd ${brd} dev ${iface} label ${label}`,
    },
  };
}

/** How an entry differs from the required form, one finding per difference. */
function formProblems(
  entry: IpAddrEntry,
  expected: ExpectedForm,
  profile: LabProfile,
): FindingInput<MessageIdOf<typeof check>>[] {
  const problems: FindingInput<MessageIdOf<typeof check>>[] = [];
  const add = (messageId: MessageIdOf<typeof check>, shown: string | number) =>
    problems.push({ host: 'master', messageId, excerpt: entry.text, data: { ...expected.data, shown } });
  if (entry.ifname !== profile.interface) add('wrongInterface', entry.ifname);
  if (entry.prefix !== expected.prefix) add('wrongPrefix', entry.prefix);
  if (entry.brd === undefined) add('noBroadcast', '');
  else if (entry.brd !== expected.brd) add('wrongBroadcast', entry.brd);
  if (entry.scope !== 'global') add('wrongScope', entry.scope ?? '');
  if (entry.label !== profile.vipLabel) add(entry.label === entry.ifname ? 'noLabel' : 'wrongLabel', entry.label ?? '');
  return problems;
}

/** Pass when one of master's VIP entries has the exact form; else report the differences of the closest. */
function reportForm(ctx: Ctx, entries: IpAddrEntry[], expected: ExpectedForm): void {
  const judged = entries.map((entry) => formProblems(entry, expected, ctx.profile));
  if (judged.some((problems) => problems.length === 0)) return;
  const closest = judged.reduce((best, problems) => (problems.length < best.length ? problems : best));
  for (const problem of closest) ctx.report(problem);
}

export default check;
