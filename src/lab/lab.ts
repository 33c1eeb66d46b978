// The lab: pairs of master/backup hosts on this machine, each host a network + PID + mount + UTS
// namespace running real sshd, haproxy, keepalived and a web server, reachable from the root namespace.
// Used by `hagrade lab`, the end-to-end tests and the demo.
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '../types.js';
import { ROLES } from '../types.js';
import {
  AUTHORIZED_KEYS,
  HOST_KEY,
  INIT_SCRIPT,
  READY_MARKER,
  SSHD_CONFIG,
  WEB_SERVER,
  hostsFile,
  systemctlShim,
} from './hostfiles.js';
import type { HostSetup, Scenario } from './scenarios.js';
import { SCENARIOS, SCENARIO_FILES, findScenario } from './scenarios.js';
import { LabError, ensureLabPrerequisites, isRoot, mustRun, notRootError, tool } from './system.js';
import type { HostPlan, PairPlan } from './topology.js';
import { BRIDGE, BRIDGE_ADDRESS, INTERNAL_PREFIX, NAMESPACE_PREFIX, VETH_NAME, planLab, planPair } from './topology.js';

export { LabError, ensureLabPrerequisites } from './system.js';

/** Not under world-writable /tmp: it holds the private key and the hosts' /etc layers. */
export const LAB_DIR = '/var/lib/hagrade-lab';
const KEY_PATH = join(LAB_DIR, 'id_ed25519');
const KNOWN_HOSTS_PATH = join(LAB_DIR, 'known_hosts');
const INVENTORY_PATH = join(LAB_DIR, 'inventory.yaml');
const ROSTER_PATH = join(LAB_DIR, 'roster.yaml');
const STATE_PATH = join(LAB_DIR, 'lab.json');
const INIT_PATH = join(LAB_DIR, 'init.sh');
const WEB_PATH = join(LAB_DIR, 'web.mjs');
const KEEPALIVED_ENABLED_LINK = '/etc/systemd/system/multi-user.target.wants/keepalived.service';
const SCRIPT_USER = 'keepalived_script';
/** Outside LAB_DIR, which `lab down` deletes. Holds the pid of the process that owns the lab. */
const LOCK_PATH = '/run/hagrade-lab.lock';

const POLL_MS = 200;
/** keepalived needs ~3 advert intervals (3 s here) to elect; leave room for a loaded machine. */
const CONVERGE_TIMEOUT_MS = 30_000;

export interface LabHostInfo {
  ns: string;
  address: string;
  port: 22;
  user: 'root';
  /** The host's service logs, `<unit>.log` (keepalived's decisions are in keepalived.log). */
  logDir: string;
}

export interface LabPairInfo {
  id: number;
  student: string;
  vip: string;
  vrid: number;
  scenario: string;
  master: LabHostInfo;
  backup: LabHostInfo;
}

export interface LabInfo {
  stateDir: string;
  /** The private key that logs in as root on every host. */
  keyPath: string;
  knownHostsPath: string;
  /** Inventory of pair 1, for `hagrade check --inventory`. */
  inventoryPath: string;
  /** All pairs as a roster (written when there is more than one pair). */
  rosterPath?: string;
  pairs: LabPairInfo[];
}

export type ServiceState = 'active' | 'inactive' | 'failed' | 'unknown';

export interface LabHostStatus {
  role: Role;
  ns: string;
  address: string;
  /** The host's PID 1 is alive. */
  running: boolean;
  services: { ssh: ServiceState; haproxy: ServiceState; keepalived: ServiceState };
  /** The VIP as `ip -o -4 addr` shows it (e.g. `inet 203.0.113.10/24 brd 203.0.113.255 scope global eth0:10`), when this host holds it. */
  vipLine?: string;
}

export interface LabStatus {
  up: boolean;
  stateDir: string;
  /** Lab namespaces that no recorded pair owns (left by a crash): `lab down` removes them. */
  strayNamespaces: string[];
  pairs: Array<{ id: number; student: string; vip: string; scenario: string; hosts: LabHostStatus[] }>;
}

/** What `lab.json` remembers between commands. */
interface LabState {
  pairs: Array<{ id: number; scenario: string }>;
}

type Progress = (msg: string) => void;
const quiet: Progress = () => {};

// ---------------------------------------------------------------------------------------------
// Public API

export interface LabUpOptions {
  /** A scenario name, or several separated by commas, dealt out to the pairs in turn. */
  scenario?: string;
  pairs?: number;
  onProgress?: Progress;
}

/** Build the lab from scratch (a previous lab is torn down first) and wait until every pair has converged. */
export function labUp(options: LabUpOptions = {}): Promise<LabInfo> {
  return withLabLock(() => bringUpLab(options));
}

async function bringUpLab(options: LabUpOptions): Promise<LabInfo> {
  const progress = options.onProgress ?? quiet;
  // Several names are dealt out to the pairs in turn: a class of mixed mistakes in one go.
  const names = (options.scenario ?? 'correct').split(',').map((n) => n.trim()).filter(Boolean);
  const scenarios = names.map(scenarioNamed);
  const plan = planLab(options.pairs ?? 1);
  const scenarioOf = (id: number): Scenario => scenarios[(id - 1) % scenarios.length]!;
  await ensureLabPrerequisites(progress);
  if (existsSync(LAB_DIR) || (await labNamespaces()).length) {
    progress('removing the previous lab');
    await tearDown();
  }
  try {
    mkdirSync(join(LAB_DIR, 'hosts'), { recursive: true, mode: 0o700 });
    chmodSync(LAB_DIR, 0o700);
    writeFileSync(INIT_PATH, INIT_SCRIPT, { mode: 0o755 });
    writeFileSync(WEB_PATH, WEB_SERVER, { mode: 0o644 });
    await mustRun('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hagrade-lab', '-f', KEY_PATH], 'creating the lab key');
    progress(`creating bridge ${BRIDGE} (${BRIDGE_ADDRESS}/${INTERNAL_PREFIX}) and routes to the VIPs`);
    await createBridge(plan.map((p) => p.vip));
    const knownHosts = await Promise.all(plan.map((pair) => bringUpPair(pair, scenarioOf(pair.id), progress)));
    writeFileSync(KNOWN_HOSTS_PATH, knownHosts.flat().join(''), { mode: 0o644 });
    writeState({ pairs: plan.map((p) => ({ id: p.id, scenario: scenarioOf(p.id).name })) });
    const info = labInfo(plan, (id) => scenarioOf(id).name);
    writeInventories(info);
    progress(`lab up: ${plan.length} pair(s), scenario ${names.map((n) => `'${n}'`).join(', ')}`);
    return info;
  } catch (error) {
    progress('lab up failed; removing what was created');
    await tearDown();
    throw error;
  }
}

/** Switch a running lab (all pairs, or one) to a scenario: rewrite files, restart services, wait for keepalived. */
export function labApply(scenarioName: string, pair?: number, onProgress: Progress = quiet): Promise<void> {
  return withLabLock(() => applyScenario(scenarioName, pair, onProgress));
}

async function applyScenario(scenarioName: string, pair: number | undefined, onProgress: Progress): Promise<void> {
  const scenario = scenarioNamed(scenarioName);
  const state = readState();
  const targets = pair === undefined ? state.pairs : state.pairs.filter((p) => p.id === pair);
  if (!targets.length) throw new LabError(`the lab has no pair ${pair} (pairs: ${state.pairs.map((p) => p.id).join(', ')})`);
  await Promise.all(
    targets.map(async (entry) => {
      const plan = planPair(entry.id);
      const pids = { master: await requireInitPid(plan.master), backup: await requireInitPid(plan.backup) };
      await configurePair(plan, pids, scenario, onProgress);
      entry.scenario = scenario.name;
    }),
  );
  writeState(state);
}

export async function labStatus(): Promise<LabStatus> {
  const state = existsSync(STATE_PATH) ? readState() : { pairs: [] };
  const pairs = await Promise.all(
    state.pairs.map(async (entry) => {
      const plan = planPair(entry.id);
      const hosts = await Promise.all(ROLES.map((role) => hostStatus(plan[role], plan.vip)));
      return { id: plan.id, student: plan.student, vip: plan.vip, scenario: entry.scenario, hosts };
    }),
  );
  const known = new Set(state.pairs.flatMap((p) => ROLES.map((role) => planPair(p.id)[role].ns)));
  const strayNamespaces = (await labNamespaces()).filter((ns) => !known.has(ns));
  const up = pairs.length > 0 && pairs.every((p) => p.hosts.every((h) => h.running));
  return { up, stateDir: LAB_DIR, strayNamespaces, pairs };
}

/**
 * Remove everything the lab made: processes (killing each host's PID 1 ends its PID namespace and
 * unmounts its mount namespace), namespaces, the bridge (its veths and route go with it), the state dir.
 * Idempotent and safe after a crash: it finds the lab by names, not by its state file.
 */
export function labDown(): Promise<void> {
  return withLabLock(tearDown);
}

async function tearDown(): Promise<void> {
  const namespaces = await labNamespaces();
  await Promise.all(namespaces.map((ns) => killNamespaceProcesses(ns)));
  // Deleting a namespace frees its veths later, in the kernel's own time; deleting them first is
  // immediate, so a `lab up` right after never meets a link of the old lab.
  for (const veth of await labVeths()) await tool('ip', ['link', 'delete', veth]);
  for (const ns of namespaces) {
    await mustRun('ip', ['netns', 'delete', ns], `deleting namespace ${ns}`);
  }
  if ((await tool('ip', ['link', 'show', BRIDGE])).code === 0) {
    await mustRun('ip', ['link', 'delete', BRIDGE], `deleting bridge ${BRIDGE}`);
  }
  rmSync(LAB_DIR, { recursive: true, force: true });
}

export function listScenarios(): readonly Scenario[] {
  return SCENARIOS;
}

// ---------------------------------------------------------------------------------------------
// One owner at a time: the lab is a machine-wide singleton, and two test runs (or a test run and a
// person) switching scenarios under each other's feet produce failures that look like bugs.

let lockHeld = false;

/**
 * Make this process the lab's owner until `releaseLab()` or exit: other processes' lab commands
 * fail with a LabError naming this process. Lab operations in this process go on as usual.
 */
export function holdLab(): void {
  if (lockHeld) return;
  if (!isRoot()) throw notRootError();
  for (;;) {
    try {
      writeFileSync(LOCK_PATH, `${process.pid}\n`, { flag: 'wx' });
      lockHeld = true;
      process.once('exit', releaseLab);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new LabError(`cannot take the lab lock ${LOCK_PATH} (${(error as Error).message}); the lab must run as root`);
      }
    }
    const owner = Number(readFileSync(LOCK_PATH, 'utf8').trim());
    if (owner === process.pid) {
      lockHeld = true;
      return;
    }
    if (isAlive(owner)) {
      const command = readProcessCommand(owner);
      throw new LabError(`the lab is in use by process ${owner}${command ? ` (${command})` : ''}; wait for it to finish, then try again`);
    }
    unlinkSync(LOCK_PATH); // its owner died without releasing it
  }
}

export function releaseLab(): void {
  if (!lockHeld) return;
  lockHeld = false;
  process.off('exit', releaseLab);
  rmSync(LOCK_PATH, { force: true });
}

async function withLabLock<T>(operation: () => Promise<T>): Promise<T> {
  if (lockHeld) return operation();
  holdLab();
  try {
    return await operation();
  } finally {
    releaseLab();
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readProcessCommand(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 120);
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Building

function scenarioNamed(name: string): Scenario {
  const scenario = findScenario(name);
  if (!scenario) throw new LabError(`unknown scenario '${name}'; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return scenario;
}

async function createBridge(vips: string[]): Promise<void> {
  // Multicast snooping would keep VRRP adverts (224.0.0.18) from reaching the other host.
  await mustRun('ip', ['link', 'add', BRIDGE, 'type', 'bridge', 'mcast_snooping', '0'], 'creating the lab bridge');
  await mustRun('ip', ['addr', 'add', `${BRIDGE_ADDRESS}/${INTERNAL_PREFIX}`, 'dev', BRIDGE], 'addressing the lab bridge');
  await mustRun('ip', ['link', 'set', BRIDGE, 'up'], 'starting the lab bridge');
  // The VIPs stand for external addresses: reach each on-link through the bridge, nothing routes out.
  // One /32 per VIP, never the whole 203.0.113.0/24: this machine's package mirrors may live in it.
  for (const vip of vips) await mustRun('ip', ['route', 'add', `${vip}/32`, 'dev', BRIDGE], `adding the route to the VIP ${vip}`);
}

/** Create a pair's two hosts, configure them as the scenario says; returns their known_hosts lines. */
async function bringUpPair(pair: PairPlan, scenario: Scenario, progress: Progress): Promise<string[]> {
  progress(`pair ${pair.id}: creating hosts ${pair.master.ns} (${pair.master.address}) and ${pair.backup.ns} (${pair.backup.address})`);
  const [master, backup] = await Promise.all([createHost(pair.master), createHost(pair.backup)]);
  const pids = { master, backup };
  const knownHosts: string[] = [];
  for (const role of ROLES) {
    knownHosts.push(await prepareHost(pair[role], pids[role]));
  }
  await configurePair(pair, pids, scenario, progress);
  return knownHosts;
}

function hostDir(host: HostPlan): string {
  return join(LAB_DIR, 'hosts', host.ns);
}

/** The network namespace, its eth0, and PID 1 with its own mounts. Returns PID 1's pid (as the root namespace sees it). */
async function createHost(host: HostPlan): Promise<number> {
  const dir = hostDir(host);
  for (const sub of ['etc', 'work-etc', 'usr-bin', 'work-usr-bin']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'usr-bin', 'systemctl'), systemctlShim(dir, process.execPath, WEB_PATH), { mode: 0o755 });

  await mustRun('ip', ['netns', 'add', host.ns], `creating namespace ${host.ns}`);
  await mustRun('ip', ['link', 'add', host.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.ns], `creating the link of ${host.ns}`);
  await mustRun('ip', ['link', 'set', host.veth, 'master', BRIDGE, 'up'], `plugging ${host.ns} into the bridge`);
  await mustRun('ip', ['-n', host.ns, 'addr', 'add', `${host.address}/${INTERNAL_PREFIX}`, 'brd', '+', 'dev', 'eth0'], `addressing ${host.ns}`);
  await mustRun('ip', ['-n', host.ns, 'link', 'set', 'eth0', 'up'], `starting eth0 in ${host.ns}`);
  await mustRun('ip', ['-n', host.ns, 'link', 'set', 'lo', 'up'], `starting lo in ${host.ns}`);

  const log = openSync(join(dir, 'init.log'), 'a');
  const child = spawn(
    'ip',
    ['netns', 'exec', host.ns, 'unshare', '--pid', '--fork', '--mount', '--mount-proc', '--uts', '--propagation', 'private', 'bash', INIT_PATH, dir, host.hostname],
    { detached: true, stdio: ['ignore', log, log] },
  );
  child.unref();
  closeSync(log);

  const pid = await waitFor(`PID 1 of ${host.ns}`, 10_000, async () => {
    const initPid = await initPidOf(host.ns);
    return initPid !== undefined && existsSync(hostPath(initPid, READY_MARKER)) ? initPid : undefined;
  }, () => tail(join(dir, 'init.log')));
  return pid;
}

/** sshd's keys and config, hostname files, the web server; starts sshd and the web server. Returns the known_hosts line. */
async function prepareHost(host: HostPlan, pid: number): Promise<string> {
  const at = (path: string): string => hostPath(pid, path);
  writeFileSync(at('/etc/ssh/sshd_config'), SSHD_CONFIG);
  writeFileSync(at(AUTHORIZED_KEYS), readFileSync(`${KEY_PATH}.pub`), { mode: 0o644 });
  rmSync(at(HOST_KEY), { force: true });
  rmSync(at(`${HOST_KEY}.pub`), { force: true });
  await mustRun('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `root@${host.ns}`, '-f', at(HOST_KEY)], `creating the host key of ${host.ns}`);
  writeFileSync(at('/etc/hostname'), `${host.hostname}\n`);
  writeFileSync(at('/etc/hosts'), hostsFile(host.hostname));
  for (const unit of ['ssh', 'lab-web']) {
    await mustRun('nsenter', [...enter(pid), 'systemctl', 'start', unit], `starting ${unit} on ${host.ns}`);
  }
  const [type, key] = readFileSync(at(`${HOST_KEY}.pub`), 'utf8').trim().split(/\s+/);
  return `${host.address} ${type} ${key}\n`;
}

/**
 * Give a pair the scenario's files and users, apply sysctl, restart haproxy, then start keepalived on
 * master first and on backup once master holds the VIP, so every scenario starts from the same
 * state (VIP on master) even when master may not preempt.
 */
async function configurePair(pair: PairPlan, pids: Record<Role, number>, scenario: Scenario, progress: Progress): Promise<void> {
  progress(`pair ${pair.id}: applying scenario '${scenario.name}'`);
  const setup = scenario.setup(pair);
  await Promise.all(ROLES.map((role) => inHost(pids[role], ['systemctl', 'stop', 'keepalived'])));
  for (const role of ROLES) {
    writeHostSetup(pids[role], setup[role]);
    await mustRun('nsenter', [...enter(pids[role]), 'sysctl', '-q', '-p'], `applying /etc/sysctl.conf on ${pair[role].ns}`);
    const haproxy = await inHost(pids[role], ['systemctl', 'restart', 'haproxy']);
    if ((haproxy.code === 0) !== setup[role].haproxyRuns) {
      throw new LabError(
        `haproxy ${haproxy.code === 0 ? 'started' : 'did not start'} on ${pair[role].ns}, unlike what scenario '${scenario.name}' expects\n` +
          tail(join(hostDir(pair[role]), 'haproxy.log')),
      );
    }
    if (!setup[role].haproxyRuns) progress(`pair ${pair.id}: haproxy cannot start on ${role}, as the scenario intends`);
  }
  const logStart = { master: logSize(pair.master), backup: logSize(pair.backup) };
  await mustRun('nsenter', [...enter(pids.master), 'systemctl', 'start', 'keepalived'], `starting keepalived on ${pair.master.ns}`);
  await waitForVipOn(pair, 'master', CONVERGE_TIMEOUT_MS);
  await mustRun('nsenter', [...enter(pids.backup), 'systemctl', 'start', 'keepalived'], `starting keepalived on ${pair.backup.ns}`);
  await waitFor(`backup of pair ${pair.id} to enter BACKUP state`, CONVERGE_TIMEOUT_MS, async () =>
    keepalivedLogSince(pair.backup, logStart.backup).includes('Entering BACKUP STATE') || undefined,
  );
  await waitForSettledScripts(pair, logStart);
  await waitForVipOn(pair, 'master', CONVERGE_TIMEOUT_MS);
  progress(`pair ${pair.id}: scenario '${scenario.name}' running, VIP ${pair.vip} on master`);
}

function writeHostSetup(pid: number, setup: HostSetup): void {
  const at = (path: string): string => hostPath(pid, path);
  for (const path of SCENARIO_FILES) {
    const content = setup.files[path];
    if (content === null) rmSync(at(path), { force: true });
    else writeFileSync(at(path), content);
  }
  // The machine's own users, plus keepalived_script where the scenario wants it.
  const passwd = readFileSync('/etc/passwd', 'utf8');
  const group = readFileSync('/etc/group', 'utf8');
  const id = freeSystemId(passwd, group);
  writeFileSync(at('/etc/passwd'), setup.keepalivedScriptUser ? `${passwd}${SCRIPT_USER}:x:${id}:${id}::/nonexistent:/usr/sbin/nologin\n` : passwd);
  writeFileSync(at('/etc/group'), setup.keepalivedScriptUser ? `${group}${SCRIPT_USER}:x:${id}:\n` : group);
  rmSync(at(KEEPALIVED_ENABLED_LINK), { force: true });
  if (setup.keepalivedEnabled) {
    mkdirSync(at('/etc/systemd/system/multi-user.target.wants'), { recursive: true });
    symlinkSync('/lib/systemd/system/keepalived.service', at(KEEPALIVED_ENABLED_LINK));
  }
}

/** A uid/gid below 1000 that neither file uses, for keepalived_script. */
function freeSystemId(passwd: string, group: string): number {
  const used = new Set([...passwd.split('\n'), ...group.split('\n')].map((line) => Number(line.split(':')[2])));
  let id = 999;
  while (used.has(id)) id--;
  return id;
}

// ---------------------------------------------------------------------------------------------
// Watching

async function waitForVipOn(pair: PairPlan, holder: Role, timeoutMs: number): Promise<void> {
  const other: Role = holder === 'master' ? 'backup' : 'master';
  await waitFor(
    `VIP ${pair.vip} on ${holder} of pair ${pair.id} only`,
    timeoutMs,
    async () => ((await vipLine(pair[holder], pair.vip)) && !(await vipLine(pair[other], pair.vip)) ? true : undefined),
    () => `keepalived log of ${holder}:\n${tail(join(hostDir(pair[holder]), 'keepalived.log'))}`,
  );
}

/**
 * Track scripts need `fall`/`rise` runs before keepalived acts on them; until then a scenario has not
 * reached the state it is about (e.g. a script that always fails has not yet lowered both priorities).
 * Settled: each node logged its script's verdict, or why it will not use the script (address owner,
 * script disabled, unknown or without a user to run as).
 */
async function waitForSettledScripts(pair: PairPlan, logStart: Record<Role, number>): Promise<void> {
  const settled = /VRRP_Script\(\S+\) (succeeded|failed)|address_owner|disabling|not found, ignoring|Unable to set default user/;
  await waitFor(`track scripts of pair ${pair.id} to settle`, CONVERGE_TIMEOUT_MS, async () =>
    ROLES.every((role) => settled.test(keepalivedLogSince(pair[role], logStart[role]))) || undefined,
  );
}

function logSize(host: HostPlan): number {
  try {
    return readFileSync(join(hostDir(host), 'keepalived.log')).length;
  } catch {
    return 0;
  }
}

function keepalivedLogSince(host: HostPlan, offset: number): string {
  try {
    return readFileSync(join(hostDir(host), 'keepalived.log')).subarray(offset).toString('utf8');
  } catch {
    return '';
  }
}

/** The VIP's entry as `ip -o -4 addr` prints it inside the host, from `inet` to the label; undefined when absent. */
async function vipLine(host: HostPlan, vip: string): Promise<string | undefined> {
  const result = await tool('ip', ['-n', host.ns, '-o', '-4', 'addr', 'show']);
  for (const line of result.stdout.split('\n')) {
    const match = /\binet (\S+)\/\d+.*?(?=\\|$)/.exec(line);
    if (match && match[1] === vip) return match[0].trim();
  }
  return undefined;
}

async function hostStatus(host: HostPlan, vip: string): Promise<LabHostStatus> {
  const pid = await initPidOf(host.ns);
  const service = async (unit: string): Promise<ServiceState> => {
    if (pid === undefined) return 'unknown';
    const out = (await inHost(pid, ['systemctl', 'is-active', unit])).stdout.trim();
    return out === 'active' || out === 'inactive' || out === 'failed' ? out : 'unknown';
  };
  const [ssh, haproxy, keepalived, line] = await Promise.all([service('ssh'), service('haproxy'), service('keepalived'), pid ? vipLine(host, vip) : undefined]);
  return { role: host.role, ns: host.ns, address: host.address, running: pid !== undefined, services: { ssh, haproxy, keepalived }, ...(line ? { vipLine: line } : {}) };
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, explain?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const detail = explain?.();
      throw new LabError(`timed out after ${timeoutMs / 1000} s waiting for ${what}${detail ? `\n${detail}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}

// ---------------------------------------------------------------------------------------------
// Hosts and namespaces

/** nsenter arguments that run a command inside a host: its PID, mount, network and UTS namespaces. */
function enter(pid: number): string[] {
  return ['-t', String(pid), '-p', '-m', '-n', '-u', '--'];
}

function inHost(pid: number, argv: string[]) {
  return tool('nsenter', [...enter(pid), ...argv]);
}

/** A path inside the host's mount namespace, reachable from here through its PID 1's root. */
function hostPath(pid: number, path: string): string {
  return `/proc/${pid}/root${path}`;
}

/** The root-namespace ends of lab hosts' veth pairs (`hgNNm`, `hgNNb`). */
async function labVeths(): Promise<string[]> {
  const out = await tool('ip', ['-o', 'link', 'show', 'type', 'veth']);
  return out.stdout
    .split('\n')
    .map((line) => /^\d+:\s+([^@:\s]+)/.exec(line)?.[1] ?? '')
    .filter((name) => VETH_NAME.test(name));
}

async function labNamespaces(): Promise<string[]> {
  const out = await tool('ip', ['netns', 'list']);
  return out.stdout
    .split('\n')
    .map((line) => line.split(/\s+/)[0] ?? '')
    .filter((name) => name.startsWith(NAMESPACE_PREFIX));
}

/** The host's PID 1: the process of the namespace whose pid in its own PID namespace is 1. */
async function initPidOf(ns: string): Promise<number | undefined> {
  const pids = (await tool('ip', ['netns', 'pids', ns])).stdout.split('\n').filter(Boolean).map(Number);
  for (const pid of pids) {
    try {
      const nspid = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]?.split(/\s+/);
      if (nspid && nspid.length === 2 && nspid[1] === '1') return pid;
    } catch {
      // the process ended meanwhile
    }
  }
  return undefined;
}

async function requireInitPid(host: HostPlan): Promise<number> {
  const pid = await initPidOf(host.ns);
  if (pid === undefined) throw new LabError(`lab host ${host.ns} is not running; run \`hagrade lab up\` again`);
  return pid;
}

async function killNamespaceProcesses(ns: string): Promise<void> {
  const list = async () => (await tool('ip', ['netns', 'pids', ns])).stdout.split('\n').filter(Boolean).map(Number);
  await waitFor(`the processes of ${ns} to end`, 10_000, async () => {
    const pids = await list();
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    return pids.length === 0 || undefined;
  });
}

// ---------------------------------------------------------------------------------------------
// State and inventories

function readState(): LabState {
  try {
    return JSON.parse(readFileSync(STATE_PATH, 'utf8')) as LabState;
  } catch {
    throw new LabError('no lab is running (no state in ' + LAB_DIR + '); start one with `hagrade lab up`');
  }
}

function writeState(state: LabState): void {
  writeFileSync(STATE_PATH, JSON.stringify(state, null, 2) + '\n');
}

function labInfo(plan: PairPlan[], scenarioOf: (id: number) => string): LabInfo {
  const hostInfo = (host: HostPlan): LabHostInfo => ({ ns: host.ns, address: host.address, port: 22, user: 'root', logDir: hostDir(host) });
  return {
    stateDir: LAB_DIR,
    keyPath: KEY_PATH,
    knownHostsPath: KNOWN_HOSTS_PATH,
    inventoryPath: INVENTORY_PATH,
    ...(plan.length > 1 ? { rosterPath: ROSTER_PATH } : {}),
    pairs: plan.map((p) => ({ id: p.id, student: p.student, vip: p.vip, vrid: p.vrid, scenario: scenarioOf(p.id), master: hostInfo(p.master), backup: hostInfo(p.backup) })),
  };
}

function hostEntry(host: LabHostInfo, keyPath: string): string {
  return `{ host: ${host.address}, port: ${host.port}, user: ${host.user}, key: ${keyPath} }`;
}

function writeInventories(info: LabInfo): void {
  const first = info.pairs[0]!;
  writeFileSync(
    info.inventoryPath,
    [
      '# hagrade inventory written by `hagrade lab up`',
      `master: ${hostEntry(first.master, info.keyPath)}`,
      `backup: ${hostEntry(first.backup, info.keyPath)}`,
      `vip: ${first.vip}`,
      `knownHosts: ${info.knownHostsPath}`,
      '',
    ].join('\n'),
  );
  if (!info.rosterPath) return;
  const students = info.pairs.flatMap((p) => [
    `  - student: ${p.student}`,
    `    master: ${hostEntry(p.master, info.keyPath)}`,
    `    backup: ${hostEntry(p.backup, info.keyPath)}`,
    `    vip: ${p.vip}`,
  ]);
  writeFileSync(
    info.rosterPath,
    ['# hagrade roster written by `hagrade lab up --pairs N`', `knownHosts: ${info.knownHostsPath}`, 'students:', ...students, ''].join('\n'),
  );
}
