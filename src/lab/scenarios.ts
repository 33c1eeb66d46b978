// Lab scenarios: the reference solution with the lab's addresses, and the mistakes students really make.
// Each says which checks it must make fail; no check outside that list may fail on it (some may skip).
import { join } from 'node:path';
import { readSnapshotFile } from '../hosts/snapshot.js';
import { FIXTURES_DIR } from '../self/paths.js';
import type { Role, Text } from '../model/basics.js';
import type { Release } from './image.js';
import type { PairPlan } from './topology.js';
import { VIP_BROADCAST } from './topology.js';

export const HAPROXY_CFG = '/etc/haproxy/haproxy.cfg';
export const CERT_PEM = '/etc/haproxy/rebrain.pem';
export const KEEPALIVED_CONF = '/etc/keepalived/keepalived.conf';
export const SYSCTL_CONF = '/etc/sysctl.conf';
/** The files a scenario owns on every host; `lab apply` rewrites all of them (null: the file must not exist). */
export const SCENARIO_FILES = [HAPROXY_CFG, CERT_PEM, KEEPALIVED_CONF, SYSCTL_CONF] as const;
export type ScenarioFile = (typeof SCENARIO_FILES)[number];

export interface HostSetup {
  files: Record<ScenarioFile, string | null>;
  /** The host has a `keepalived_script` user (in its own /etc/passwd and /etc/group). */
  keepalivedScriptUser: boolean;
  /** `systemctl enable keepalived` was run. */
  keepalivedEnabled: boolean;
  /** haproxy starts with these files (false: the scenario's files keep it from starting). */
  haproxyRuns: boolean;
  /** The `student` login's sudo asks for a password (the course's VMs give it passwordless sudo). */
  studentSudoNeedsPassword: boolean;
  /** Kernel settings applied with `sysctl -w` after `sysctl -p` (in effect until the next reboot only). */
  sysctlWritten: Record<string, string>;
}

export interface Scenario {
  name: string;
  description: Text;
  /** Check ids that must fail on this scenario (with the failover probe); every other check passes or skips. */
  expectFail: string[];
  /** What fails besides expectFail when graded with the reboot probe (`--reboot`). */
  expectFailWithReboot?: string[];
  /** Where a release's daemons behave differently, what fails there instead (found on the real daemons). */
  expectFailOn?: Partial<Record<Release, string[]>>;
  setup(pair: PairPlan): Record<Role, HostSetup>;
}

function fixtureFile(role: Role, path: string): string {
  return readSnapshotFile(join(FIXTURES_DIR, 'correct'), `${role}/${path}`).toString('utf8');
}

interface KeepalivedShape {
  scriptUser: string | null;
  /** Everything after the `script` keyword, as the student wrote it. */
  script: string;
  weight: number;
  state: 'MASTER' | 'BACKUP';
  /** null: no `priority` line at all. */
  priority: number | null;
  nopreempt: boolean;
  /** The VIP's options after `ADDRESS/24`. */
  vipOptions: string;
}

/** keepalived.conf in the layout of fixtures/correct, with the pair's VRID and VIP. */
function keepalivedConf(pair: PairPlan, role: Role, shape: KeepalivedShape): string {
  const lines = [
    'global_defs {',
    `    router_id ${role}`,
    ...(shape.scriptUser ? [`    script_user ${shape.scriptUser}`] : []),
    '    enable_script_security',
    '}',
    '',
    'vrrp_script check_haproxy {',
    `    script ${shape.script}`,
    '    interval 1',
    '    fall 2',
    '    rise 2',
    `    weight ${shape.weight}`,
    '}',
    '',
    'vrrp_instance VI_1 {',
    `    state ${shape.state}`,
    '    interface eth0',
    `    virtual_router_id ${pair.vrid}`,
    ...(shape.priority === null ? [] : [`    priority ${shape.priority}`]),
    ...(shape.nopreempt ? ['    nopreempt'] : []),
    '    advert_int 1',
    '    authentication {',
    '        auth_type PASS',
    '        auth_pass s3cret12',
    '    }',
    '    virtual_ipaddress {',
    `        ${pair.vip}/24 ${shape.vipOptions}`,
    '    }',
    '    track_script {',
    '        check_haproxy',
    '    }',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

const CORRECT_SHAPE: Record<Role, KeepalivedShape> = {
  master: {
    scriptUser: 'root',
    script: '"/usr/bin/killall -0 haproxy"',
    weight: -20,
    state: 'MASTER',
    priority: 110,
    nopreempt: false,
    vipOptions: `brd ${VIP_BROADCAST} dev eth0 label eth0:10`,
  },
  backup: {
    scriptUser: 'root',
    script: '"/usr/bin/killall -0 haproxy"',
    weight: -20,
    state: 'BACKUP',
    priority: 100,
    nopreempt: false,
    vipOptions: `brd ${VIP_BROADCAST} dev eth0 label eth0:10`,
  },
};

interface Variation {
  keepalived?: Partial<KeepalivedShape>;
  files?: Partial<Record<ScenarioFile, string | null>>;
  keepalivedScriptUser?: boolean;
  keepalivedEnabled?: boolean;
  haproxyRuns?: boolean;
  studentSudoNeedsPassword?: boolean;
  sysctlWritten?: Record<string, string>;
}

/** The correct setup of one host, changed as a scenario says. */
function hostSetup(pair: PairPlan, role: Role, change: Variation = {}): HostSetup {
  return {
    files: {
      [HAPROXY_CFG]: fixtureFile(role, 'etc/haproxy/haproxy.cfg'),
      [CERT_PEM]: fixtureFile(role, 'etc/haproxy/rebrain.pem'),
      [KEEPALIVED_CONF]: keepalivedConf(pair, role, { ...CORRECT_SHAPE[role], ...change.keepalived }),
      [SYSCTL_CONF]: fixtureFile(role, 'etc/sysctl.conf'),
      ...change.files,
    },
    keepalivedScriptUser: change.keepalivedScriptUser ?? false,
    keepalivedEnabled: change.keepalivedEnabled ?? true,
    haproxyRuns: change.haproxyRuns ?? true,
    studentSudoNeedsPassword: change.studentSudoNeedsPassword ?? false,
    sysctlWritten: change.sysctlWritten ?? {},
  };
}

/** The task's kernel settings as the correct fixture writes them (`key = value` lines). */
export function taskSysctl(): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const line of fixtureFile('master', 'etc/sysctl.conf').split('\n')) {
    const m = /^\s*([\w.]+)\s*=\s*(\S+)\s*$/.exec(line);
    if (m) settings[m[1]!] = m[2]!;
  }
  return settings;
}

/** Debian's /etc/sysctl.conf as shipped: every line a comment. */
const STOCK_SYSCTL_CONF =
  '#\n# /etc/sysctl.conf - Configuration file for setting system variables\n# See /etc/sysctl.d/ for additional system variables.\n# See sysctl.conf (5) for information.\n#\n\n#kernel.domainname = example.com\n';

/** A scenario that changes both hosts the same way. */
function onBoth(change: Variation): (pair: PairPlan) => Record<Role, HostSetup> {
  return (pair) => ({ master: hostSetup(pair, 'master', change), backup: hostSetup(pair, 'backup', change) });
}

function certificateOnly(pem: string): string {
  const end = '-----END CERTIFICATE-----';
  return `${pem.slice(0, pem.indexOf(end) + end.length)}\n`;
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'correct',
    description: {
      en: 'The reference solution (fixtures/correct with the lab addresses): every check passes, failover included.',
      ru: 'Эталонное решение (fixtures/correct с адресами стенда): проходят все проверки, включая переключение.',
    },
    expectFail: [],
    setup: onBoth({}),
  },
  {
    name: 'eperm',
    description: {
      en: 'A keepalived_script user exists and no script_user is set: `killall -0 haproxy` runs unprivileged, gets EPERM and always fails on both nodes, so the VIP never moves.',
      ru: 'Есть пользователь keepalived_script, script_user не задан: `killall -0 haproxy` выполняется без прав, получает EPERM и всегда завершается ошибкой на обоих серверах — виртуальный ip никогда не переезжает.',
    },
    // KAD007 too: a script that fails on both nodes lowers both priorities alike, so no failover.
    expectFail: ['KAD007', 'KAD008', 'FOV001'],
    setup: onBoth({ keepalived: { scriptUser: null }, keepalivedScriptUser: true }),
  },
  {
    name: 'pidof',
    description: {
      en: 'The track script is "/usr/bin/pidof haproxy": keepalived 2.1 and 2.2 (bullseye, bookworm) run it as /sbin/killall5, which always fails, so the VIP never moves; keepalived 2.3 (trixie) runs pidof itself and the VIP moves.',
      ru: 'Скрипт проверки "/usr/bin/pidof haproxy": keepalived 2.1 и 2.2 (bullseye, bookworm) запускают его как /sbin/killall5, который всегда завершается ошибкой — виртуальный ip никогда не переезжает; keepalived 2.3 (trixie) запускает сам pidof, и ip переезжает.',
    },
    expectFail: ['KAD007', 'KAD008', 'FOV001'],
    // Found on the real daemons: keepalived 2.3.3 execs the symlink pidof, not its target killall5.
    expectFailOn: { trixie: [] },
    setup: onBoth({ keepalived: { script: '"/usr/bin/pidof haproxy"' } }),
  },
  {
    name: 'weak-weight',
    description: {
      en: 'weight -5 with priorities 110/100: master drops to 105, still above backup, so the VIP stays on master when haproxy stops.',
      ru: 'weight -5 при приоритетах 110/100: приоритет master падает до 105, это всё ещё выше backup — при остановке haproxy виртуальный ip остаётся на master.',
    },
    expectFail: ['KAD007', 'FOV001'],
    setup: onBoth({ keepalived: { weight: -5 } }),
  },
  {
    name: 'nopreempt',
    description: {
      en: 'master runs as state BACKUP with nopreempt: the VIP moves to backup when haproxy stops but never comes back.',
      ru: 'master запущен как state BACKUP с nopreempt: при остановке haproxy виртуальный ip переезжает на backup, но обратно не возвращается.',
    },
    expectFail: ['KAD002', 'KAD007', 'FOV002'],
    setup: (pair) => ({
      master: hostSetup(pair, 'master', { keepalived: { state: 'BACKUP', nopreempt: true } }),
      backup: hostSetup(pair, 'backup'),
    }),
  },
  {
    name: 'no-brd',
    description: {
      en: 'The VIP is declared without brd: `ip a` shows it without a broadcast address, not in the required form.',
      ru: 'Виртуальный ip задан без brd: `ip a` показывает его без широковещательного адреса, не в требуемом формате.',
    },
    expectFail: ['KAD005', 'LIV003'],
    setup: onBoth({ keepalived: { vipOptions: 'dev eth0 label eth0:10' } }),
  },
  {
    name: 'wrong-label',
    description: {
      en: 'The VIP has label eth0:1 instead of eth0:10.',
      ru: 'У виртуального ip метка eth0:1 вместо eth0:10.',
    },
    // The probe wants the VIP on backup as eth0:10 too, so FOV001 fails as well (no-brd's VIP still has the label).
    expectFail: ['KAD005', 'LIV003', 'FOV001'],
    setup: onBoth({ keepalived: { vipOptions: `brd ${VIP_BROADCAST} dev eth0 label eth0:1` } }),
  },
  {
    name: 'haproxy-differ',
    description: {
      en: 'haproxy.cfg on backup differs from master (timeout client 60s instead of 30s); everything else is correct.',
      ru: 'haproxy.cfg на backup отличается от master (timeout client 60s вместо 30s); остальное настроено верно.',
    },
    expectFail: ['HAP012'],
    setup: (pair) => ({
      master: hostSetup(pair, 'master'),
      backup: hostSetup(pair, 'backup', {
        files: {
          [HAPROXY_CFG]: fixtureFile('backup', 'etc/haproxy/haproxy.cfg').replace(
            'timeout client  30s',
            'timeout client  60s',
          ),
        },
      }),
    }),
  },
  {
    name: 'cert-no-key',
    description: {
      en: 'rebrain.pem holds the certificate without its private key on both hosts: haproxy cannot start (the lab leaves it stopped), the track scripts fail on both nodes and the VIP stays on master; nothing answers on VIP:443 and the failover probe skips.',
      ru: 'rebrain.pem на обоих серверах содержит сертификат без приватного ключа: haproxy не запускается (стенд оставляет его остановленным), скрипты проверки не проходят на обоих серверах, виртуальный ip остаётся на master; на VIP:443 никто не отвечает, проверка переключения пропускается.',
    },
    expectFail: ['CRT002', 'CRT005', 'LIV001', 'LIV004', 'SYS003'],
    setup: (pair) => ({
      master: hostSetup(pair, 'master', {
        files: { [CERT_PEM]: certificateOnly(fixtureFile('master', 'etc/haproxy/rebrain.pem')) },
        haproxyRuns: false,
      }),
      backup: hostSetup(pair, 'backup', {
        files: { [CERT_PEM]: certificateOnly(fixtureFile('backup', 'etc/haproxy/rebrain.pem')) },
        haproxyRuns: false,
      }),
    }),
  },
  {
    name: 'unquoted-script',
    description: {
      en: 'script killall -0 haproxy without quotes: keepalived runs `killall` with no arguments, which always fails, so the VIP never moves.',
      ru: 'script killall -0 haproxy без кавычек: keepalived запускает `killall` без аргументов, он всегда завершается ошибкой — виртуальный ip никогда не переезжает.',
    },
    expectFail: ['KAD006', 'KAD007', 'FOV001'],
    setup: onBoth({ keepalived: { script: 'killall -0 haproxy' } }),
  },
  {
    name: 'address-owner',
    description: {
      en: 'master has state MASTER and no priority line: it becomes the address owner (255), keepalived ignores the track script weight and the VIP never moves.',
      ru: 'На master state MASTER без строки priority: он становится владельцем адреса (255), keepalived игнорирует вес скрипта проверки — виртуальный ip никогда не переезжает.',
    },
    // `keepalived -t` exits 5 on it: "(VI_1) ignoring tracked script check_haproxy with weights due to address_owner".
    expectFail: ['KAD007', 'LIV002', 'FOV001'],
    setup: (pair) => ({
      master: hostSetup(pair, 'master', { keepalived: { priority: null } }),
      backup: hostSetup(pair, 'backup'),
    }),
  },
  {
    name: 'keepalived-disabled',
    description: {
      en: 'keepalived runs but was never enabled as a service (`systemctl enable keepalived` missing) on either host.',
      ru: 'keepalived запущен, но не активирован как сервис (не выполнен `systemctl enable keepalived`) ни на одном сервере.',
    },
    expectFail: ['SYS002'],
    // After master's reboot keepalived stays down there: the VIP stays on backup.
    expectFailWithReboot: ['RBT002', 'RBT004'],
    setup: onBoth({ keepalivedEnabled: false }),
  },
  {
    name: 'sysctl-not-persisted',
    description: {
      en: 'The kernel settings were applied with `sysctl -w` and never written to /etc/sysctl.conf: in effect now, gone after a reboot.',
      ru: 'Параметры ядра применены командой `sysctl -w` и не записаны в /etc/sysctl.conf: сейчас действуют, после перезагрузки пропадают.',
    },
    expectFail: ['SYS001'],
    expectFailWithReboot: ['RBT003'],
    // taskSysctl reads the fixture when the scenario is set up, not when any `hagrade` command starts.
    setup: (pair) => onBoth({ files: { [SYSCTL_CONF]: STOCK_SYSCTL_CONF }, sysctlWritten: taskSysctl() })(pair),
  },
  {
    name: 'sudo-password',
    description: {
      en: "Everything is correct, but the student user's sudo asks for a password: graded as root every check passes; graded as student, what needs root is an ERROR that says so and the probe stops nothing.",
      ru: 'Всё настроено верно, но sudo пользователя student спрашивает пароль: при проверке от root проходят все проверки; от student всё, что требует root, — ошибка с этой причиной, и проверка переключения ничего не останавливает.',
    },
    expectFail: [],
    setup: onBoth({ studentSudoNeedsPassword: true }),
  },
];

/** The checks a scenario must fail on a release. */
export function expectedFailures(scenario: Scenario, release: Release): string[] {
  return scenario.expectFailOn?.[release] ?? scenario.expectFail;
}

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
