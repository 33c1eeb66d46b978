// Names and addresses of the lab: which namespace, link and address each host of each pair gets.
// Pure functions, so the numbering rules are tested without root.
import type { Role } from '../model/basics.js';
import { LabError } from './system.js';

/** Every namespace the lab creates starts with this, so `lab down` finds them even without its state file. */
export const NAMESPACE_PREFIX = 'hagrade-';
export const BRIDGE = 'hgbr0';
/** How the root-namespace end of a host's veth is named (see planPair). */
export const VETH_NAME = /^hg\d{2,3}[mb]$/;
/** The grader's address on the lab network (the bridge in the root namespace). */
export const BRIDGE_ADDRESS = '198.51.100.1';
export const INTERNAL_PREFIX = 24;
export const VIP_BROADCAST = '203.0.113.255';
/** Internal addresses end at .253 (2 per pair from .11), VRIDs at 255 (from 51): 100 pairs fit comfortably. */
export const MAX_PAIRS = 100;

/**
 * How the lab network delivers a VIP to the hosts.
 * - `l2`: like VirtualBox or an on-premises LAN: the grader reaches the VIP on-link, so whichever host
 *   answers ARP for it (keepalived's gratuitous ARP after a move) gets the traffic.
 * - `cloud`: like a cloud's SDN: the route to the VIP is pinned to master's internal address whatever
 *   ARP says, so after the VIP moves to backup, clients' packets still go to master.
 */
export type NetworkMode = 'l2' | 'cloud';
export const NETWORK_MODES: readonly NetworkMode[] = ['l2', 'cloud'];

export interface HostPlan {
  role: Role;
  /** Network namespace name (`ip netns exec NAME`). */
  ns: string;
  /** Internal address on the host's eth0, reachable from the root namespace. */
  address: string;
  hostname: Role;
  /** The root-namespace end of the host's veth pair (its other end is the host's eth0). */
  veth: string;
}

export interface PairPlan {
  id: number;
  student: string;
  vip: string;
  vrid: number;
  master: HostPlan;
  backup: HostPlan;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * VIP octets the lab never takes: a /32 route to one would send this machine's own traffic for that
 * address into the lab (203.0.113.80 is this workplace's package mirror). lab.ts also refuses any
 * VIP the configured mirror resolves to, wherever the lab runs.
 */
const RESERVED_VIP_OCTETS = [80];

/** Pair i's VIP: 203.0.113.(9+i), stepping over the reserved octets. */
function vipOctet(id: number): number {
  let octet = 9 + id;
  for (const reserved of RESERVED_VIP_OCTETS) if (octet >= reserved) octet++;
  return octet;
}

export function planPair(id: number): PairPlan {
  if (!Number.isInteger(id) || id < 1 || id > MAX_PAIRS)
    throw new LabError(`pair number must be 1..${MAX_PAIRS}, got ${id}`);
  const host = (role: Role, lastOctet: number): HostPlan => ({
    role,
    ns: `${NAMESPACE_PREFIX}p${pad2(id)}-${role}`,
    address: `198.51.100.${lastOctet}`,
    hostname: role,
    veth: `hg${pad2(id)}${role === 'master' ? 'm' : 'b'}`,
  });
  return {
    id,
    student: `pair-${pad2(id)}`,
    vip: `203.0.113.${vipOctet(id)}`,
    vrid: 50 + id,
    master: host('master', 9 + 2 * id),
    backup: host('backup', 10 + 2 * id),
  };
}

export function planLab(pairs: number): PairPlan[] {
  if (!Number.isInteger(pairs) || pairs < 1 || pairs > MAX_PAIRS)
    throw new LabError(`--pairs must be 1..${MAX_PAIRS}, got ${pairs}`);
  return Array.from({ length: pairs }, (_, i) => planPair(i + 1));
}

/**
 * `ip route add` arguments for the root namespace's route to a pair's VIP: always one /32 (never the
 * whole 203.0.113.0/24), on-link through the bridge (l2) or via master's internal address (cloud).
 */
export function vipRoute(pair: PairPlan, mode: NetworkMode): string[] {
  const via = mode === 'cloud' ? ['via', pair.master.address] : [];
  return [`${pair.vip}/32`, ...via, 'dev', BRIDGE];
}
