// Where the lab lives on this machine and what it remembers: the paths under LAB_DIR, `lab.json`
// between commands, each machine's directory and, while it runs, its PID 1 (the way into it).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '../model/basics.js';
import { type ImageInfo, type Release, isRelease } from './image.js';
import { leaderPid, type MachineSpec } from './machine.js';
import { LabError } from './system.js';
import { BRIDGE, type HostPlan, type NetworkMode, type PairPlan } from './topology.js';

/** Not under world-writable /tmp: it holds the private key and the machines' disks. */
export const LAB_DIR = '/var/lib/hagrade-lab';
export const HOSTS_DIR = join(LAB_DIR, 'hosts');
export const KEY_PATH = join(LAB_DIR, 'id_ed25519');
export const KNOWN_HOSTS_PATH = join(LAB_DIR, 'known_hosts');
export const INVENTORY_PATH = join(LAB_DIR, 'inventory.yaml');
export const STUDENT_INVENTORY_PATH = join(LAB_DIR, 'inventory-student.yaml');
export const ROSTER_PATH = join(LAB_DIR, 'roster.yaml');
export const STATE_PATH = join(LAB_DIR, 'lab.json');
export const SUPERVISOR_PATH = join(LAB_DIR, 'machine.sh');

/** What `lab.json` remembers between commands. */
export interface LabState {
  release: Release;
  versions: ImageInfo['versions'];
  pairs: Array<{ id: number; scenario: string }>;
  /** Absent in a lab made before network modes: l2. */
  network?: NetworkMode;
}

export function readState(): LabState {
  try {
    const state = JSON.parse(readFileSync(STATE_PATH, 'utf8')) as LabState;
    if (!isRelease(state.release)) throw new Error('no release');
    return state;
  } catch {
    throw new LabError(`no lab is running (no state in ${LAB_DIR}); start one with \`hagrade lab up\``);
  }
}

export function writeState(state: LabState): void {
  writeFileSync(STATE_PATH, `${JSON.stringify(state, null, 2)}\n`);
}

export function hostDir(host: HostPlan): string {
  return join(HOSTS_DIR, host.ns);
}

export function machineSpec(host: HostPlan, image: string): MachineSpec {
  return { name: host.ns, dir: hostDir(host), image, veth: host.veth, bridge: BRIDGE };
}

/** A lab machine's PID 1, the way into it; a machine that is down is the user's to bring back. */
export function runningLeader(ns: string): number {
  const pid = leaderPid(join(HOSTS_DIR, ns));
  if (pid === undefined) throw new LabError(`lab machine ${ns} is not running; run \`hagrade lab up\` again`);
  return pid;
}

export function pidsOf(pair: PairPlan): Record<Role, number> {
  return { master: runningLeader(pair.master.ns), backup: runningLeader(pair.backup.ns) };
}
