// Putting a scenario on a running pair of lab machines, the way a student would on their VMs (edit
// files, add a user, sysctl -p, systemctl), then waiting until keepalived has settled.
import type { Role } from '../model/basics.js';
import { ROLES } from '../model/basics.js';
import { STUDENT_SUDOERS, STUDENT_SUDOERS_LINE } from './hostfiles.js';
import { execIn } from './machine.js';
import type { HostSetup, Scenario } from './scenarios.js';
import { SCENARIO_FILES } from './scenarios.js';
import { LabError, tool } from './system.js';
import type { HostPlan, PairPlan } from './topology.js';

const SCRIPT_USER = 'keepalived_script';
const POLL_MS = 200;
/** keepalived needs ~3 advert intervals (3 s here) to elect; leave room for a loaded machine. */
const CONVERGE_TIMEOUT_MS = 45_000;

type Progress = (msg: string) => void;

/**
 * Give a pair the scenario's files and users, apply sysctl, restart haproxy, then start keepalived on
 * master first and on backup once master holds the VIP, so every scenario starts from the same
 * state (VIP on master) even when master may not preempt.
 */
export async function configurePair(
  pair: PairPlan,
  pids: Record<Role, number>,
  scenario: Scenario,
  progress: Progress,
): Promise<void> {
  progress(`pair ${pair.id}: applying scenario '${scenario.name}'`);
  const setup = scenario.setup(pair);
  const run = async (role: Role, argv: string[], what: string): Promise<string> => {
    const r = await execIn(pids[role], argv, { timeoutMs: 60_000 });
    if (r.code !== 0)
      throw new LabError(
        `${what} on ${pair[role].ns} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n')}`,
      );
    return r.stdout;
  };
  await Promise.all(ROLES.map((role) => execIn(pids[role], ['systemctl', 'stop', 'keepalived'])));
  for (const role of ROLES) {
    await writeHostSetup(pids[role], setup[role], (argv, what) => run(role, argv, what));
    await run(role, ['sysctl', '-q', '-p'], 'sysctl -p');
    const written = Object.entries(setup[role].sysctlWritten).map(([key, value]) => `${key}=${value}`);
    if (written.length) await run(role, ['sysctl', '-q', '-w', ...written], 'sysctl -w');
    const haproxy = await execIn(pids[role], ['systemctl', 'restart', 'haproxy'], { timeoutMs: 60_000 });
    if ((haproxy.code === 0) !== setup[role].haproxyRuns) {
      const log = await journal(pids[role], 'haproxy', undefined, 15);
      throw new LabError(
        `haproxy ${haproxy.code === 0 ? 'started' : 'did not start'} on ${pair[role].ns}, unlike what scenario '${scenario.name}' expects\n${log}`,
      );
    }
    if (!setup[role].haproxyRuns) progress(`pair ${pair.id}: haproxy cannot start on ${role}, as the scenario intends`);
  }
  const cursors = { master: await journalCursor(pids.master), backup: await journalCursor(pids.backup) };
  await run('master', ['systemctl', 'start', 'keepalived'], 'starting keepalived');
  await waitForVipOn(pair, pids, 'master');
  await run('backup', ['systemctl', 'start', 'keepalived'], 'starting keepalived');
  await waitFor(
    `backup of pair ${pair.id} to enter BACKUP state`,
    async () =>
      (await journal(pids.backup, 'keepalived', cursors.backup)).includes('Entering BACKUP STATE') || undefined,
  );
  await waitForSettledScripts(pair, pids, cursors);
  await waitForVipOn(pair, pids, 'master');
  progress(`pair ${pair.id}: scenario '${scenario.name}' running, VIP ${pair.vip} on master`);
}

type Run = (argv: string[], what: string) => Promise<string>;

/** The scenario's files, users, sudo rule and unit state, each changed as a student would change it. */
async function writeHostSetup(pid: number, setup: HostSetup, run: Run): Promise<void> {
  for (const path of SCENARIO_FILES) {
    const content = setup.files[path];
    if (content === null) await run(['rm', '-f', path], `removing ${path}`);
    else await writeFileIn(pid, path, content);
  }
  const hasUser = (await execIn(pid, ['id', '-u', SCRIPT_USER])).code === 0;
  if (setup.keepalivedScriptUser && !hasUser) {
    await run(
      ['useradd', '--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SCRIPT_USER],
      `adding user ${SCRIPT_USER}`,
    );
  }
  if (!setup.keepalivedScriptUser && hasUser) await run(['userdel', SCRIPT_USER], `removing user ${SCRIPT_USER}`);
  if (setup.studentSudoNeedsPassword) await run(['rm', '-f', STUDENT_SUDOERS], 'taking away passwordless sudo');
  else await writeFileIn(pid, STUDENT_SUDOERS, STUDENT_SUDOERS_LINE, '0440');
  await run(
    ['systemctl', setup.keepalivedEnabled ? 'enable' : 'disable', '--quiet', 'keepalived'],
    'systemctl enable/disable keepalived',
  );
}

async function writeFileIn(pid: number, path: string, content: string, mode = '0644'): Promise<void> {
  // Written from inside the machine, so a path there is resolved as the machine sees it.
  const r = await execIn(pid, ['sh', '-c', 'cat > "$1" && chmod "$2" "$1"', 'write', path, mode], { input: content });
  if (r.code !== 0) throw new LabError(`cannot write ${path} in a lab machine: ${r.stderr.trim()}`);
}

/** Where the journal ends now: lines after it are what happens next. */
async function journalCursor(pid: number): Promise<string | undefined> {
  const r = await execIn(pid, ['journalctl', '-n', '1', '--show-cursor', '-o', 'cat', '--no-pager', '-q']);
  return /^-- cursor: (.+)$/m.exec(r.stdout)?.[1]?.trim();
}

/** A unit's journal lines (after a cursor, or the last `lines`), message text only. */
export async function journal(pid: number, unit: string, afterCursor?: string, lines?: number): Promise<string> {
  const args = ['journalctl', '-u', unit, '-o', 'cat', '--no-pager', '-q'];
  if (afterCursor) args.push(`--after-cursor=${afterCursor}`);
  if (lines) args.push('-n', String(lines));
  return (await execIn(pid, args)).stdout;
}

async function waitForVipOn(pair: PairPlan, pids: Record<Role, number>, holder: Role): Promise<void> {
  const other: Role = holder === 'master' ? 'backup' : 'master';
  await waitFor(
    `VIP ${pair.vip} on ${holder} of pair ${pair.id} only`,
    async () => ((await vipLine(pair[holder], pair.vip)) && !(await vipLine(pair[other], pair.vip)) ? true : undefined),
    async () => `keepalived log of ${holder}:\n${await journal(pids[holder], 'keepalived', undefined, 15)}`,
  );
}

/**
 * Track scripts need `fall`/`rise` runs before keepalived acts on them; until then a scenario has not
 * reached the state it is about (e.g. a script that always fails has not yet lowered both priorities).
 * Settled: each node logged its script's verdict, or why it will not use the script (address owner,
 * script disabled, unknown or without a user to run as).
 */
async function waitForSettledScripts(
  pair: PairPlan,
  pids: Record<Role, number>,
  cursors: Record<Role, string | undefined>,
): Promise<void> {
  const settled =
    /VRRP_Script\(\S+\) (succeeded|failed)|address_owner|disabling|not found, ignoring|Unable to set default user/;
  await waitFor(`track scripts of pair ${pair.id} to settle`, async () => {
    const logs = await Promise.all(ROLES.map((role) => journal(pids[role], 'keepalived', cursors[role])));
    return logs.every((log) => settled.test(log)) || undefined;
  });
}

/** The VIP's entry as `ip -o -4 addr` prints it inside the host, from `inet` to the label; undefined when absent. */
export async function vipLine(host: HostPlan, vip: string): Promise<string | undefined> {
  const result = await tool('ip', ['-n', host.ns, '-o', '-4', 'addr', 'show']);
  for (const line of result.stdout.split('\n')) {
    const match = /\binet (\S+)\/\d+.*?(?=\\|$)/.exec(line);
    if (match && match[1] === vip) return match[0].trim();
  }
  return undefined;
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  explain?: () => Promise<string>,
): Promise<T> {
  const deadline = Date.now() + CONVERGE_TIMEOUT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const detail = await explain?.();
      throw new LabError(
        `timed out after ${CONVERGE_TIMEOUT_MS / 1000} s waiting for ${what}${detail ? `\n${detail}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
