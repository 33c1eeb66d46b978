// The lab's network on this machine: the bridge and the routes to the VIPs, the check that no VIP
// hides the package mirror, and finding the lab's namespaces and veths by name (after a crash too).
import { lookup } from 'node:dns/promises';
import { findMirror } from './image.js';
import { LabError, mustRun, tool } from './system.js';
import {
  BRIDGE,
  BRIDGE_ADDRESS,
  INTERNAL_PREFIX,
  NAMESPACE_PREFIX,
  type NetworkMode,
  type PairPlan,
  VETH_NAME,
  vipRoute,
} from './topology.js';

/** A VIP's /32 route must never capture this machine's package mirror: refuse a plan that would. */
export async function refuseMirrorVips(vips: string[]): Promise<void> {
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

export async function createBridge(plan: PairPlan[], network: NetworkMode): Promise<void> {
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

/** The root-namespace ends of lab hosts' veth pairs (`hgNNm`, `hgNNb`). */
export async function labVeths(): Promise<string[]> {
  const out = await tool('ip', ['-o', 'link', 'show', 'type', 'veth']);
  return out.stdout
    .split('\n')
    .map((line) => /^\d+:\s+([^@:\s]+)/.exec(line)?.[1] ?? '')
    .filter((name) => VETH_NAME.test(name));
}

export async function labNamespaces(): Promise<string[]> {
  const out = await tool('ip', ['netns', 'list']);
  return out.stdout
    .split('\n')
    .map((line) => line.split(/\s+/)[0] ?? '')
    .filter((name) => name.startsWith(NAMESPACE_PREFIX));
}
