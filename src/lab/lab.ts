// The lab: pairs of master/backup machines on this machine, each a Debian system booted with systemd
// (systemd-nspawn) in its own network namespace, plugged into one bridge, reachable over SSH like a
// student's VMs. Used by `hagrade lab`, the end-to-end tests and the demo.
// This module is the lab's public face and its lifecycle (up, apply, reboot, down); the parts are
// beside it: state (paths, lab.json), provision (making machines), network (bridge, routes),
// inventories (LabInfo and the files for `check`/`batch`), status.
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '../model/basics.js';
import { ROLES } from '../model/basics.js';
import { DEFAULT_RELEASE, ensureImage, isRelease, RELEASES, removeImages, type Release } from './image.js';
import { withLabLock } from './lock.js';
import {
  SUPERVISOR_SCRIPT,
  execIn,
  killAll,
  killMachines,
  removeMachine,
  removeMachineCgroups,
  mountedLabDisks,
  rebootMachine,
} from './machine.js';
import { configurePair, journal } from './configure.js';
import { labInfo, type LabInfo, writeInventories } from './inventories.js';
import { createBridge, labNamespaces, labVeths, refuseMirrorVips } from './network.js';
import { BOOT_CONCURRENCY, BOOT_TIMEOUT_MS, createMachine, inBatches, knownHostsLines } from './provision.js';
import type { Scenario } from './scenarios.js';
import { SCENARIOS, findScenario } from './scenarios.js';
import {
  HOSTS_DIR,
  KEY_PATH,
  KNOWN_HOSTS_PATH,
  LAB_DIR,
  machineSpec,
  pidsOf,
  readState,
  runningLeader,
  SUPERVISOR_PATH,
  writeState,
} from './state.js';
import { LabError, ensureLabPrerequisites, mustRun, tool } from './system.js';
import type { NetworkMode } from './topology.js';
import { BRIDGE, BRIDGE_ADDRESS, INTERNAL_PREFIX, planLab, planPair } from './topology.js';

export { LabError, ensureLabPrerequisites } from './system.js';
export { holdLab, releaseLab } from './lock.js';
export { RELEASES, DEFAULT_RELEASE, type Release } from './image.js';
export { LAB_DIR } from './state.js';
export type { LabHostInfo, LabInfo, LabPairInfo } from './inventories.js';
export { labStatus, type LabHostStatus, type LabStatus, type ServiceState } from './status.js';

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

function scenarioNamed(name: string): Scenario {
  const scenario = findScenario(name);
  if (!scenario) throw new LabError(`unknown scenario '${name}'; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return scenario;
}
