// The service timeline's arithmetic: outages, downtime per phase, and whether the network follows
// VRRP. Pure functions over the client probe's samples, so every rule is unit-tested.
import type {
  ServedBy,
  ServiceDiagnosis,
  ServiceMoments,
  ServiceOutage,
  ServiceSample,
  ServiceTimeline,
} from '../model/service.js';

/**
 * After the VIP is seen on backup, clients on a real L2 network follow at once (keepalived's gratuitous
 * ARP); this much time is left to caches and to the grader seeing the move late before the diagnosis
 * counts a request against the network.
 */
export const FOLLOW_GRACE_MS = 1000;
/**
 * The grader sees the VIP come back a little after it did (events over SSH, or polling): the window ends this much
 * earlier.
 */
export const OBSERVE_LAG_MS = 500;
/** Fewer requests than this while backup held the VIP are too few to say the network ignores VRRP. */
export const MIN_DIAGNOSIS_REQUESTS = 3;

export const isFailure = (s: ServiceSample): boolean => s.outcome !== 'answered';

/**
 * Outages in the order requests were sent: each from the first failed request to the first answered
 * one sent after it (open when none was). An outage belongs to the phase it began in: before haproxy
 * was started again on master (failover) or after (failback).
 */
export function findOutages(samples: readonly ServiceSample[], startAtMs?: number): ServiceOutage[] {
  const sorted = [...samples].sort((a, b) => a.atMs - b.atMs);
  const outages: ServiceOutage[] = [];
  let open: ServiceOutage | undefined;
  for (const s of sorted) {
    if (isFailure(s)) {
      if (open) open.failed += 1;
      else {
        open = {
          fromMs: s.atMs,
          phase: startAtMs !== undefined && s.atMs >= startAtMs ? 'failback' : 'failover',
          failed: 1,
        };
        outages.push(open);
      }
    } else if (open) {
      open.toMs = s.atMs;
      open = undefined;
    }
  }
  return outages;
}

/** Total downtime of the outages that began in a phase; an open outage counts up to `endAtMs`. */
export function downtimeMs(outages: readonly ServiceOutage[], phase: ServiceOutage['phase'], endAtMs: number): number {
  return outages.filter((o) => o.phase === phase).reduce((sum, o) => sum + ((o.toMs ?? endAtMs) - o.fromMs), 0);
}

/**
 * Does the network follow the VIP? Look at the requests sent while backup held it (after a grace for
 * the move to reach clients, and before the grader may have seen it come back late): on a network that follows VRRP
 * some are answered by backup. When none
 * is — all failed, or the answered ones all came from master — the network routes the address, not
 * the MAC (a cloud's SDN). Undefined when the VIP never moved, too few requests fell in the window, or
 * answers could not be told apart.
 */
export function diagnose(samples: readonly ServiceSample[], moments: ServiceMoments): ServiceDiagnosis | undefined {
  if (moments.vipOnBackupAtMs === undefined) return undefined;
  const from = moments.vipOnBackupAtMs + FOLLOW_GRACE_MS;
  const to = moments.vipBackAtMs !== undefined ? moments.vipBackAtMs - OBSERVE_LAG_MS : moments.endAtMs;
  const inWindow = samples.filter((s) => s.atMs >= from && s.atMs < to);
  if (inWindow.length < MIN_DIAGNOSIS_REQUESTS) return undefined;
  const answered = inWindow.filter((s) => !isFailure(s));
  if (answered.some((s) => s.servedBy === 'backup')) return undefined;
  if (answered.length === 0) return 'vrrp-ignored-failing';
  if (answered.every((s) => s.servedBy === 'master')) return 'vrrp-ignored-master';
  return undefined;
}

export type ServiceFigures = Pick<
  ServiceTimeline,
  'sent' | 'failed' | 'servedBy' | 'outages' | 'failoverDowntimeMs' | 'failbackDowntimeMs' | 'recovered' | 'diagnosis'
>;

/** Everything the reports show, from the samples and the probe's moments. */
export function summarizeService(samples: readonly ServiceSample[], moments: ServiceMoments): ServiceFigures {
  const outages = findOutages(samples, moments.startAtMs);
  const servedBy: Record<ServedBy, number> = { master: 0, backup: 0, unknown: 0 };
  for (const s of samples) if (!isFailure(s)) servedBy[s.servedBy ?? 'unknown'] += 1;
  const diagnosis = diagnose(samples, moments);
  return {
    sent: samples.length,
    failed: samples.filter(isFailure).length,
    servedBy,
    outages,
    failoverDowntimeMs: downtimeMs(outages, 'failover', moments.endAtMs),
    ...(moments.startAtMs !== undefined
      ? { failbackDowntimeMs: downtimeMs(outages, 'failback', moments.endAtMs) }
      : {}),
    recovered: outages.every((o) => o.toMs !== undefined),
    ...(diagnosis ? { diagnosis } : {}),
  };
}

/** The service timeline with no client run: why, and nothing measured. */
export function serviceNotRun(
  target: string,
  origin: string,
  ratePerSecond: number,
  notRun: NonNullable<ServiceTimeline['notRun']>,
): ServiceTimeline {
  return {
    target,
    origin,
    ratePerSecond,
    maxRequests: 0,
    notRun,
    samples: [],
    sent: 0,
    failed: 0,
    cancelled: 0,
    servedBy: { master: 0, backup: 0, unknown: 0 },
    outages: [],
    recovered: true,
  };
}
