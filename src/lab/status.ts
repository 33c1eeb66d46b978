// `hagrade lab status`: each machine's state (booted, systemd, ssh/haproxy/keepalived, who holds
// the VIP) and the namespaces a crashed lab left behind; read-only, without the lab lock.
import { existsSync } from 'node:fs';
import type { Role } from '../model/basics.js';
import { ROLES } from '../model/basics.js';
import { vipLine } from './configure.js';
import type { Release } from './image.js';
import { execIn, leaderPid } from './machine.js';
import { labNamespaces } from './network.js';
import { hostDir, LAB_DIR, readState, STATE_PATH } from './state.js';
import { type HostPlan, type NetworkMode, planPair } from './topology.js';

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
