// How long the probe may wait: derived from the student's own keepalived timing, never a fixed sleep.
import { haproxyTrackersOnHost } from '../facts/haproxy-trackers.js';
import { loadKeepalived } from '../facts/keepalived.js';
import { vipInstance } from '../facts/vrrp-instances.js';
import type { VrrpScript } from '../parsers/keepalived-model.js';
import type { CheckContext } from '../model/check.js';
import type { Role } from '../model/basics.js';

export interface NodeTiming {
  /** vrrp_script interval, fall, rise (seconds / counts) of the script that tracks haproxy. */
  interval: number;
  fall: number;
  rise: number;
  /** Script timeout (defaults to the interval). */
  timeout: number;
  advertInt: number;
  priority: number;
  preemptDelay: number;
}

export interface ProbeDeadlines {
  /** Bound keepalived needs to move the VIP to backup, plus the margin. */
  failoverMs: number;
  failbackMs: number;
  /** When the dead-man switch starts haproxy by itself if the grader has not. */
  deadmanMs: number;
  /** The convergence bound alone (no margin): what keepalived itself needs, both ways. */
  convergenceMs: number;
  source: 'config' | 'defaults';
}

/** keepalived's own defaults (GRAMMAR.md B3, B6). */
export const DEFAULT_TIMING: NodeTiming = {
  interval: 1,
  fall: 1,
  rise: 1,
  timeout: 1,
  advertInt: 1,
  priority: 100,
  preemptDelay: 0,
};

/** Slack for SSH round trips, haproxy start-up and scheduling. */
const MARGIN_MS = 3000;
const DEADMAN_EXTRA_MS = 10_000;

/** Master-down timer of a backup: 3 × advert_int + skew, skew = (256 − priority)/256 × advert_int. */
function masterDownMs(node: NodeTiming): number {
  return (3 * node.advertInt + ((256 - node.priority) / 256) * node.advertInt) * 1000;
}

/**
 * Failover: master's script fails `fall` times (one run may start just before the stop and take up to
 * `timeout`), the next advert carries the lower priority, and backup's master-down timer fires.
 * Failback: master's script succeeds `rise` times, then master's own master-down timer fires.
 */
export function computeDeadlines(
  master: NodeTiming,
  backup: NodeTiming,
  source: ProbeDeadlines['source'],
): ProbeDeadlines {
  const advert = Math.max(master.advertInt, backup.advertInt) * 1000;
  const failover =
    (master.interval * master.fall + master.timeout) * 1000 +
    advert +
    masterDownMs(backup) +
    backup.preemptDelay * 1000;
  const failback =
    (master.interval * master.rise + master.timeout) * 1000 +
    advert +
    masterDownMs(master) +
    master.preemptDelay * 1000;
  return {
    failoverMs: Math.ceil(failover + MARGIN_MS),
    failbackMs: Math.ceil(failback + MARGIN_MS),
    deadmanMs: Math.ceil(failover + MARGIN_MS + DEADMAN_EXTRA_MS),
    convergenceMs: Math.ceil(failover + failback),
    source,
  };
}

/** A node's timing from its parsed keepalived.conf: the VIP's instance and the script tracking haproxy. */
async function nodeTiming(ctx: CheckContext, role: Role): Promise<NodeTiming | undefined> {
  const file = await loadKeepalived(ctx, role);
  const instance = file.config ? vipInstance(file.config, ctx.vip) : undefined;
  if (!instance) return undefined;
  const trackers = await haproxyTrackersOnHost(ctx.host(role), instance, ctx.profile.haproxyService);
  const script = trackers.find((t) => t.kind === 'script')?.tracked.target as VrrpScript | undefined;
  const timing: NodeTiming = {
    ...DEFAULT_TIMING,
    advertInt: instance.advertInt,
    priority: instance.priority,
    preemptDelay: instance.preemptDelay,
  };
  if (script) {
    timing.interval = script.interval;
    timing.fall = script.fall;
    timing.rise = script.rise;
    timing.timeout = script.timeout ?? script.interval;
  }
  return timing;
}

export async function probeDeadlines(ctx: CheckContext): Promise<ProbeDeadlines> {
  const [master, backup] = await Promise.all([nodeTiming(ctx, 'master'), nodeTiming(ctx, 'backup')]).catch(() => [
    undefined,
    undefined,
  ]);
  if (!master || !backup) return computeDeadlines(DEFAULT_TIMING, DEFAULT_TIMING, 'defaults');
  return computeDeadlines(master, backup, 'config');
}
