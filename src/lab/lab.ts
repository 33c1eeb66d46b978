// The lab: pairs of master/backup machines on this machine, each a Debian system booted with systemd
// (systemd-nspawn) in its own network namespace, plugged into one bridge, reachable over SSH like a
// student's VMs. Used by `hagrade lab`, the end-to-end tests and the demo.
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { join } from 'node:path';
import type { Role } from '../model/basics.js';
import { ROLES } from '../model/basics.js';
import { STUDENT, hostsFile, machineId, networkFile } from './hostfiles.js';
import {
  DEFAULT_RELEASE,
  type ImageInfo,
  type Release,
  ensureImage,
  findMirror,
  isRelease,
  RELEASES,
  removeImages,
} from './image.js';
import { withLabLock } from './lock.js';
import type { MachineSpec } from './machine.js';
import {
  SUPERVISOR_SCRIPT,
  bootMachine,
  execIn,
  killAll,
  killMachines,
  removeMachine,
  removeMachineCgroups,
  leaderPid,
  mountDisk,
  mountedLabDisks,
  rebootMachine,
  rootDir,
} from './machine.js';
import { configurePair, journal, vipLine } from './configure.js';
import type { Scenario } from './scenarios.js';
import { SCENARIOS, findScenario } from './scenarios.js';
import { LabError, ensureLabPrerequisites, mustRun, tool } from './system.js';
import type { HostPlan, PairPlan } from './topology.js';
import type { NetworkMode } from './topology.js';
import {
  BRIDGE,
  BRIDGE_ADDRESS,
  INTERNAL_PREFIX,
  NAMESPACE_PREFIX,
  VETH_NAME,
  planLab,
  planPair,
  vipRoute,
} from './topology.js';

export { LabError, ensureLabPrerequisites } from './system.js';
export { holdLab, releaseLab } from './lock.js';
export { RELEASES, DEFAULT_RELEASE, type Release } from './image.js';

/** Not under world-writable /tmp: it holds the private key and the machines' disks. */
export const LAB_DIR = '/var/lib/hagrade-lab';
const HOSTS_DIR = join(LAB_DIR, 'hosts');
const KEY_PATH = join(LAB_DIR, 'id_ed25519');
const KNOWN_HOSTS_PATH = join(LAB_DIR, 'known_hosts');
const INVENTORY_PATH = join(LAB_DIR, 'inventory.yaml');
const STUDENT_INVENTORY_PATH = join(LAB_DIR, 'inventory-student.yaml');
const ROSTER_PATH = join(LAB_DIR, 'roster.yaml');
const STATE_PATH = join(LAB_DIR, 'lab.json');
const SUPERVISOR_PATH = join(LAB_DIR, 'machine.sh');

/** A cold boot takes ~3 s here; leave room for 24 machines booting on 2 cores. */
const BOOT_TIMEOUT_MS = 180_000;
/** Machines booted at once: each boot is a burst of CPU, and the machine has 2 cores. */
const BOOT_CONCURRENCY = 4;

export interface LabHostInfo {
  /** Machine name, which is also its network namespace (`ip -n NS`). */
  ns: string;
  address: string;
  port: 22;
  user: 'root';
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
  release: Release;
  /** How the network delivers the VIPs (see NetworkMode). */
  network: NetworkMode;
  /** Debian package versions of the daemons on every machine. */
  versions: ImageInfo['versions'];
  /** The private key that logs in as root and as `student` on every machine. */
  keyPath: string;
  knownHostsPath: string;
  /** Inventory of pair 1 (as root), for `hagrade check --inventory`. */
  inventoryPath: string;
  /** The same as the `student` user, who reaches root through sudo. */
  studentInventoryPath: string;
  /** All pairs as a roster (written when there is more than one pair). */
  rosterPath?: string;
  pairs: LabPairInfo[];
}

export type ServiceState = 'active' | 'inactive' | 'failed' | 'activating' | 'deactivating' | 'unknown';

export interface LabHostStatus {
  role: Role;
  ns: string;
  address: string;
  /** The machine is booted (its PID 1 is alive). */
  running: boolean;
  /** What `systemctl is-system-running` says (running, degraded, starting, ...), or `stopped`. */
  system: string;
  services: { ssh: ServiceState; haproxy: ServiceState; keepalived: ServiceState };
  /**
   * The VIP as `ip -o -4 addr` shows it (e.g. `inet 203.0.113.10/24 brd 203.0.113.255 scope global eth0:10`), when this
   * host holds it.
   */
  vipLine?: string;
}

export interface LabStatus {
  up: boolean;
  stateDir: string;
  release?: Release;
  network?: NetworkMode;
  /** Lab namespaces that no recorded pair owns (left by a crash): `lab down` removes them. */
  strayNamespaces: string[];
  pairs: Array<{ id: number; student: string; vip: string; scenario: string; hosts: LabHostStatus[] }>;
}

/** What `lab.json` remembers between commands. */
interface LabState {
  release: Release;
  versions: ImageInfo['versions'];
  pairs: Array<{ id: number; scenario: string }>;
  /** Absent in a lab made before network modes: l2. */
  network?: NetworkMode;
}

type Progress = (msg: string) => void;
const quiet: Progress = () => {};

// ---------------------------------------------------------------------------------------------
// Public API

export interface LabUpOptions {
  /** A scenario name, or several separated by commas, dealt out to the pairs in turn. */
  scenario?: string;
  pairs?: number;
  release?: Release;
  /** l2 (default) or cloud: see NetworkMode. */
  network?: NetworkMode;
  onProgress?: Progress;
}

/** Build the lab from scratch (a previous lab is torn down first) and wait until every pair has converged. */
export function labUp(options: LabUpOptions = {}): Promise<LabInfo> {
  return withLabLock(() => bringUpLab(options));
}

async function bringUpLab(options: LabUpOptions): Promise<LabInfo> {
  const progress = options.onProgress ?? quiet;
  const release = options.release ?? DEFAULT_RELEASE;
  if (!isRelease(release)) throw new LabError(`unknown release '${String(release)}'; known: ${RELEASES.join(', ')}`);
  // Several names are dealt out to the pairs in turn: a class of mixed mistakes in one go.
  const names = (options.scenario ?? 'correct')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const scenarios = names.map(scenarioNamed);
  const plan = planLab(options.pairs ?? 1);
  const network = options.network ?? 'l2';
  const scenarioOf = (id: number): Scenario => scenarios[(id - 1) % scenarios.length]!;
  await ensureLabPrerequisites(progress);
  const image = await ensureImage(release, progress);
  if (existsSync(LAB_DIR) || (await labNamespaces()).length) {
    progress('removing the previous lab');
    await tearDown();
  }
  try {
    mkdirSync(HOSTS_DIR, { recursive: true, mode: 0o700 });
    chmodSync(LAB_DIR, 0o700);
    writeFileSync(SUPERVISOR_PATH, SUPERVISOR_SCRIPT, { mode: 0o755 });
    await mustRun(
      'ssh-keygen',
      ['-q', '-t', 'ed25519', '-N', '', '-C', 'hagrade-lab', '-f', KEY_PATH],
      'creating the lab key',
    );
    await refuseMirrorVips(plan.map((p) => p.vip));
    progress(
      `creating bridge ${BRIDGE} (${BRIDGE_ADDRESS}/${INTERNAL_PREFIX}) and routes to the VIPs (${network} network)`,
    );
    await createBridge(plan, network);
    const hosts = plan.flatMap((pair) => ROLES.map((role) => pair[role]));
    progress(
      `booting ${hosts.length} ${release} machine(s) (haproxy ${image.versions.haproxy}, keepalived ${image.versions.keepalived})`,
    );
    await inBatches(hosts, BOOT_CONCURRENCY, (host) => createMachine(host, image.dir));
    writeFileSync(KNOWN_HOSTS_PATH, hosts.map(knownHostsLines).join(''), { mode: 0o644 });
    await Promise.all(plan.map((pair) => configurePair(pair, pidsOf(pair), scenarioOf(pair.id), progress)));
    writeState({
      release,
      versions: image.versions,
      pairs: plan.map((p) => ({ id: p.id, scenario: scenarioOf(p.id).name })),
      network,
    });
    const info = labInfo(plan, readState());
    writeInventories(info);
    progress(
      `lab up: ${plan.length} pair(s) on ${release}, scenario ${names.map((n) => `'${n}'`).join(', ')}, ${network} network`,
    );
    return info;
  } catch (error) {
    progress('lab up failed; removing what was created');
    await tearDown();
    throw error;
  }
}

/** Switch a running lab (all pairs, or one) to a scenario: rewrite files, restart services, wait for keepalived. */
export function labApply(scenarioName: string, pair?: number, onProgress: Progress = quiet): Promise<void> {
  return withLabLock(async () => {
    const scenario = scenarioNamed(scenarioName);
    const state = readState();
    const targets = pair === undefined ? state.pairs : state.pairs.filter((p) => p.id === pair);
    if (!targets.length)
      throw new LabError(`the lab has no pair ${pair} (pairs: ${state.pairs.map((p) => p.id).join(', ')})`);
    await Promise.all(
      targets.map(async (entry) => {
        const plan = planPair(entry.id);
        await configurePair(plan, pidsOf(plan), scenario, onProgress);
        entry.scenario = scenario.name;
      }),
    );
    writeState(state);
  });
}

/** Reboot one machine for real (systemd shutdown and boot, disk kept); resolves once it has booted again. */
export function labReboot(role: Role, pair = 1, onProgress: Progress = quiet): Promise<void> {
  return withLabLock(async () => {
    const state = readState();
    if (!state.pairs.some((p) => p.id === pair)) throw new LabError(`the lab has no pair ${pair}`);
    const host = planPair(pair)[role];
    onProgress(`rebooting ${host.ns} (${host.address})`);
    await rebootMachine(machineSpec(host, ''), BOOT_TIMEOUT_MS);
    onProgress(`${host.ns} booted again`);
  });
}

export async function labStatus(): Promise<LabStatus> {
  const state = existsSync(STATE_PATH) ? readState() : undefined;
  const pairs = await Promise.all(
    (state?.pairs ?? []).map(async (entry) => {
      const plan = planPair(entry.id);
      const hosts = await Promise.all(ROLES.map((role) => hostStatus(plan[role], plan.vip)));
      return { id: plan.id, student: plan.student, vip: plan.vip, scenario: entry.scenario, hosts };
    }),
  );
  const known = new Set((state?.pairs ?? []).flatMap((p) => ROLES.map((role) => planPair(p.id)[role].ns)));
  const strayNamespaces = (await labNamespaces()).filter((ns) => !known.has(ns));
  const up = pairs.length > 0 && pairs.every((p) => p.hosts.every((h) => h.running));
  return {
    up,
    stateDir: LAB_DIR,
    ...(state ? { release: state.release, network: state.network ?? 'l2' } : {}),
    strayNamespaces,
    pairs,
  };
}

/**
 * Remove everything the lab made: machines (power cut), disks, namespaces, the bridge (its veths and
 * routes go with it), the state dir; with `images`, the cached release images too.
 * Idempotent and safe after a crash: it finds the lab by names and processes, not by its state file.
 */
export function labDown(options: { images?: boolean } = {}): Promise<void> {
  return withLabLock(async () => {
    await tearDown();
    if (options.images) removeImages();
  });
}

export function listScenarios(): readonly Scenario[] {
  return SCENARIOS;
}

/** Run a program inside a lab machine without SSH (the way in when its sshd is gone). */
export async function labExec(ns: string, argv: readonly string[], timeoutMs = 30_000) {
  return execIn(runningLeader(ns), argv, { timeoutMs });
}

/** The last lines of a unit's journal on a lab machine (message text only), e.g. keepalived's decisions. */
export async function labJournal(ns: string, unit: string, lines = 200): Promise<string> {
  return journal(runningLeader(ns), unit, undefined, lines);
}

async function tearDown(): Promise<void> {
  await killMachines(HOSTS_DIR, SUPERVISOR_PATH);
  // Anything else still in a lab namespace (a process a test started there, a lab made by an older hagrade).
  for (const ns of await labNamespaces()) {
    killAll((await tool('ip', ['netns', 'pids', ns])).stdout.split('\n').filter(Boolean).map(Number));
  }
  const dirs = existsSync(HOSTS_DIR) ? readdirSync(HOSTS_DIR) : [];
  await Promise.all(dirs.map((name) => removeMachine(join(HOSTS_DIR, name), name)));
  await removeMachineCgroups();
  for (const mountPoint of mountedLabDisks(LAB_DIR)) await tool('umount', ['--lazy', mountPoint]);
  // Deleting a namespace frees its veths later, in the kernel's own time; deleting them first is
  // immediate, so a `lab up` right after never meets a link of the old lab.
  for (const veth of await labVeths()) await tool('ip', ['link', 'delete', veth]);
  for (const ns of await labNamespaces()) await mustRun('ip', ['netns', 'delete', ns], `deleting namespace ${ns}`);
  if ((await tool('ip', ['link', 'show', BRIDGE])).code === 0) {
    await mustRun('ip', ['link', 'delete', BRIDGE], `deleting bridge ${BRIDGE}`);
  }
  rmSync(LAB_DIR, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Building

/** A VIP's /32 route must never capture this machine's package mirror: refuse a plan that would. */
async function refuseMirrorVips(vips: string[]): Promise<void> {
  let host: string;
  try {
    host = new URL(findMirror()).hostname;
  } catch {
    return; // no mirror configured: nothing to capture
  }
  const addresses = await lookup(host, { all: true }).catch(() => []);
  const captured = vips.filter((vip) => addresses.some((a) => a.address === vip));
  if (captured.length) {
    throw new LabError(
      `the lab's VIP ${captured.join(', ')} is this machine's package mirror (${host}); use fewer pairs`,
    );
  }
}

function scenarioNamed(name: string): Scenario {
  const scenario = findScenario(name);
  if (!scenario) throw new LabError(`unknown scenario '${name}'; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return scenario;
}

async function createBridge(plan: PairPlan[], network: NetworkMode): Promise<void> {
  // Multicast snooping would keep VRRP adverts (224.0.0.18) from reaching the other host.
  await mustRun('ip', ['link', 'add', BRIDGE, 'type', 'bridge', 'mcast_snooping', '0'], 'creating the lab bridge');
  await mustRun(
    'ip',
    ['addr', 'add', `${BRIDGE_ADDRESS}/${INTERNAL_PREFIX}`, 'dev', BRIDGE],
    'addressing the lab bridge',
  );
  await mustRun('ip', ['link', 'set', BRIDGE, 'up'], 'starting the lab bridge');
  // The VIPs stand for external addresses: reach each through the bridge, nothing routes out. On an
  // l2 network on-link (ARP decides who gets it); on a cloud one via master, whatever ARP says.
  // One /32 per VIP, never the whole 203.0.113.0/24: this machine's package mirrors may live in it.
  for (const pair of plan)
    await mustRun('ip', ['route', 'add', ...vipRoute(pair, network)], `adding the route to the VIP ${pair.vip}`);
}

function hostDir(host: HostPlan): string {
  return join(HOSTS_DIR, host.ns);
}

function machineSpec(host: HostPlan, image: string): MachineSpec {
  return { name: host.ns, dir: hostDir(host), image, veth: host.veth, bridge: BRIDGE };
}

/** A machine's own layer (identity, address, logins), written before its first boot; then boot it. */
async function createMachine(host: HostPlan, image: string): Promise<void> {
  const spec = machineSpec(host, image);
  await mountDisk(spec);
  const root = rootDir(spec.dir);
  const at = (path: string): string => join(root, path);
  writeFileSync(at('/etc/hostname'), `${host.hostname}\n`);
  writeFileSync(at('/etc/hosts'), hostsFile(host.hostname));
  writeFileSync(at('/etc/machine-id'), machineId());
  mkdirSync(at('/etc/systemd/network'), { recursive: true });
  writeFileSync(at('/etc/systemd/network/10-eth0.network'), networkFile(host.address, INTERNAL_PREFIX));
  // Every key type a Debian install generates, each machine its own (kept across reboots: its disk).
  await mustRun('ssh-keygen', ['-A', '-f', root], `creating the SSH host keys of ${host.ns}`);
  const publicKey = readFileSync(`${KEY_PATH}.pub`);
  const [uid, gid] = userIds(at('/etc/passwd'), STUDENT);
  for (const [home, owner] of [
    ['/root', [0, 0]],
    [`/home/${STUDENT}`, [uid, gid]],
  ] as const) {
    mkdirSync(at(`${home}/.ssh`), { recursive: true, mode: 0o700 });
    writeFileSync(at(`${home}/.ssh/authorized_keys`), publicKey, { mode: 0o600 });
    chownTree(at(`${home}/.ssh`), owner[0], owner[1]);
  }
  await bootMachine(spec, SUPERVISOR_PATH, BOOT_TIMEOUT_MS);
}

function userIds(passwdFile: string, user: string): [number, number] {
  const line = readFileSync(passwdFile, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined)
    throw new LabError(`the lab image has no user ${user}; rebuild it with \`hagrade lab down --images\``);
  return [Number(uid), Number(gid)];
}

function chownTree(dir: string, uid: number, gid: number): void {
  for (const path of [dir, ...readdirSync(dir).map((f) => join(dir, f))]) chownSync(path, uid, gid);
}

function knownHostsLines(host: HostPlan): string {
  const keys = readdirSync(join(rootDir(hostDir(host)), 'etc/ssh')).filter((f) => /^ssh_host_\w+_key\.pub$/.test(f));
  return keys
    .map((f) =>
      readFileSync(join(rootDir(hostDir(host)), 'etc/ssh', f), 'utf8')
        .trim()
        .split(/\s+/),
    )
    .map(([type, key]) => `${host.address} ${type} ${key}\n`)
    .join('');
}

/** A lab machine's PID 1, the way into it; a machine that is down is the user's to bring back. */
function runningLeader(ns: string): number {
  const pid = leaderPid(join(HOSTS_DIR, ns));
  if (pid === undefined) throw new LabError(`lab machine ${ns} is not running; run \`hagrade lab up\` again`);
  return pid;
}

function pidsOf(pair: PairPlan): Record<Role, number> {
  return { master: runningLeader(pair.master.ns), backup: runningLeader(pair.backup.ns) };
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

// ---------------------------------------------------------------------------------------------
// Watching

async function hostStatus(host: HostPlan, vip: string): Promise<LabHostStatus> {
  const pid = leaderPid(hostDir(host));
  const stopped = { ssh: 'unknown', haproxy: 'unknown', keepalived: 'unknown' } as const;
  if (pid === undefined)
    return {
      role: host.role,
      ns: host.ns,
      address: host.address,
      running: false,
      system: 'stopped',
      services: stopped,
    };
  const [system, active, line] = await Promise.all([
    execIn(pid, ['systemctl', 'is-system-running']),
    execIn(pid, ['systemctl', 'is-active', 'ssh', 'haproxy', 'keepalived']),
    vipLine(host, vip),
  ]);
  const [ssh, haproxy, keepalived] = active.stdout.trim().split('\n').map(serviceState);
  return {
    role: host.role,
    ns: host.ns,
    address: host.address,
    running: true,
    system: system.stdout.trim() || 'unknown',
    services: { ssh: ssh ?? 'unknown', haproxy: haproxy ?? 'unknown', keepalived: keepalived ?? 'unknown' },
    ...(line ? { vipLine: line } : {}),
  };
}

function serviceState(word: string): ServiceState {
  const known: ServiceState[] = ['active', 'inactive', 'failed', 'activating', 'deactivating'];
  return (known as string[]).includes(word) ? (word as ServiceState) : 'unknown';
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

// ---------------------------------------------------------------------------------------------
// State and inventories

function readState(): LabState {
  try {
    const state = JSON.parse(readFileSync(STATE_PATH, 'utf8')) as LabState;
    if (!isRelease(state.release)) throw new Error('no release');
    return state;
  } catch {
    throw new LabError(`no lab is running (no state in ${LAB_DIR}); start one with \`hagrade lab up\``);
  }
}

function writeState(state: LabState): void {
  writeFileSync(STATE_PATH, `${JSON.stringify(state, null, 2)}\n`);
}

function labInfo(plan: PairPlan[], state: LabState): LabInfo {
  const hostInfo = (host: HostPlan): LabHostInfo => ({ ns: host.ns, address: host.address, port: 22, user: 'root' });
  const scenarioOf = (id: number): string => state.pairs.find((p) => p.id === id)?.scenario ?? 'correct';
  return {
    stateDir: LAB_DIR,
    release: state.release,
    network: state.network ?? 'l2',
    versions: state.versions,
    keyPath: KEY_PATH,
    knownHostsPath: KNOWN_HOSTS_PATH,
    inventoryPath: INVENTORY_PATH,
    studentInventoryPath: STUDENT_INVENTORY_PATH,
    ...(plan.length > 1 ? { rosterPath: ROSTER_PATH } : {}),
    pairs: plan.map((p) => ({
      id: p.id,
      student: p.student,
      vip: p.vip,
      vrid: p.vrid,
      scenario: scenarioOf(p.id),
      master: hostInfo(p.master),
      backup: hostInfo(p.backup),
    })),
  };
}

function hostEntry(host: LabHostInfo, keyPath: string, user: string): string {
  return `{ host: ${host.address}, port: ${host.port}, user: ${user}, key: ${keyPath} }`;
}

function writeInventories(info: LabInfo): void {
  const first = info.pairs[0]!;
  for (const [path, user] of [
    [info.inventoryPath, 'root'],
    [info.studentInventoryPath, STUDENT],
  ] as const) {
    writeFileSync(
      path,
      [
        `# hagrade inventory written by \`hagrade lab up\` (${user === 'root' ? 'as root' : `as ${user}, root through sudo`})`,
        `master: ${hostEntry(first.master, info.keyPath, user)}`,
        `backup: ${hostEntry(first.backup, info.keyPath, user)}`,
        `vip: ${first.vip}`,
        `knownHosts: ${info.knownHostsPath}`,
        '',
      ].join('\n'),
    );
  }
  if (!info.rosterPath) return;
  const students = info.pairs.flatMap((p) => [
    `  - student: ${p.student}`,
    `    master: ${hostEntry(p.master, info.keyPath, 'root')}`,
    `    backup: ${hostEntry(p.backup, info.keyPath, 'root')}`,
    `    vip: ${p.vip}`,
  ]);
  writeFileSync(
    info.rosterPath,
    [
      '# hagrade roster written by `hagrade lab up --pairs N`',
      `knownHosts: ${info.knownHostsPath}`,
      'students:',
      ...students,
      '',
    ].join('\n'),
  );
}
