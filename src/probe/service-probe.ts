// The failover probe's client side: before anything is stopped, can this machine reach VIP:port at
// all, and how will answers be told apart; then the bounded client run and its summary.
import { certFingerprint } from '../facts/cert.js';
import type { CheckContext } from '../model/check.js';
import type { Role } from '../model/basics.js';
import type { ServiceAnswer, ServiceMoments, ServiceTimeline } from '../model/service.js';
import { ClientProbe, makeIdentifier, type Identifier } from './client-probe.js';
import { serviceNotRun, summarizeService } from './service.js';

/** Per request. A request still waiting after this is "timed out", as a person at a browser would judge. */
export const REQUEST_TIMEOUT_MS = 1000;
/** The reachability check before the probe waits longer: a slow first handshake is not a dead VIP. */
const REACH_TIMEOUT_MS = 3000;
const REACH_TRIES = 2;
/** After the VIP is back on master: at most this long for the service to answer again. */
export const SETTLE_MS = 3000;

export type ClientPlan =
  | { run: true; identifier: Identifier; target: string; origin: string }
  | { run: false; timeline: ServiceTimeline };

const PRIVATE = [/^10\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./];

/** A private (RFC 1918 / carrier-grade NAT) address: clients outside its network cannot reach it. */
export function isPrivateAddress(address: string): boolean {
  return PRIVATE.some((re) => re.test(address));
}

async function hostname(ctx: CheckContext, role: Role): Promise<string | undefined> {
  const r = await ctx
    .host(role)
    .run({ key: 'probe-hostname', argv: ['hostname'], timeoutMs: 10_000 })
    .catch(() => undefined);
  const name = r?.exitCode === 0 ? r.stdout.trim() : '';
  return name && !/\s/.test(name) ? name : undefined;
}

/**
 * Decide, before anything is stopped, whether the client probe runs: the profile may turn it off, a run
 * without a network client has none, and a VIP this machine cannot reach is a note, not a failure.
 */
export async function planClient(ctx: CheckContext, vip: string): Promise<ClientPlan> {
  const port = ctx.profile.frontendPort;
  const target = `${vip}:${port}`;
  const rate = ctx.profile.clientRate;
  const client = ctx.serviceClient;
  const origin = client?.origin ?? 'none';
  if (!(rate > 0)) return { run: false, timeline: serviceNotRun(target, origin, 0, { reason: 'disabled' }) };
  if (!client) return { run: false, timeline: serviceNotRun(target, origin, rate, { reason: 'no-client' }) };

  const reach = async (): Promise<ServiceAnswer> => {
    let last: ServiceAnswer | undefined;
    for (let i = 0; i < REACH_TRIES && !ctx.signal.aborted; i++) {
      last = await client.request({ host: vip, port, timeoutMs: REACH_TIMEOUT_MS, signal: ctx.signal });
      if (last.outcome === 'answered') return last;
    }
    return last ?? { outcome: 'error', latencyMs: 0, detail: 'cancelled' };
  };
  const [answer, fm, fb, hm, hb] = await Promise.all([
    reach(),
    certFingerprint(ctx, 'master').catch(() => undefined),
    certFingerprint(ctx, 'backup').catch(() => undefined),
    hostname(ctx, 'master'),
    hostname(ctx, 'backup'),
  ]);
  if (answer.outcome !== 'answered') {
    const why = answer.detail ? `${answer.outcome}: ${answer.detail}` : answer.outcome;
    const detail = isPrivateAddress(vip) ? `${why}; ${vip} is a private address` : why;
    return { run: false, timeline: serviceNotRun(target, origin, rate, { reason: 'unreachable', detail }) };
  }
  const identifier = makeIdentifier({
    fingerprints: { ...(fm ? { master: fm } : {}), ...(fb ? { backup: fb } : {}) },
    hostnames: { ...(hm ? { master: hm } : {}), ...(hb ? { backup: hb } : {}) },
  });
  return { run: true, identifier, target, origin };
}

/** Start the client probe, bounded by the probe's own deadlines. */
export function startClient(
  ctx: CheckContext,
  vip: string,
  plan: Extract<ClientPlan, { run: true }>,
  now: () => number,
  boundMs: number,
): ClientProbe {
  const rate = ctx.profile.clientRate;
  return ClientProbe.start({
    client: ctx.serviceClient!,
    host: vip,
    port: ctx.profile.frontendPort,
    ratePerSecond: rate,
    maxRequests: Math.ceil((rate * boundMs) / 1000),
    maxDurationMs: boundMs,
    timeoutMs: REQUEST_TIMEOUT_MS,
    now,
    identifier: plan.identifier,
    signal: ctx.signal,
  });
}

/** Stop the client and put its record together. */
export function finishClient(
  ctx: CheckContext,
  probe: ClientProbe,
  plan: Extract<ClientPlan, { run: true }>,
  boundMs: number,
  moments: Omit<ServiceMoments, 'endAtMs'>,
  endAtMs: number,
): ServiceTimeline {
  const { samples, cancelled } = probe.stop();
  const full: ServiceMoments = { ...moments, endAtMs };
  const rate = ctx.profile.clientRate;
  return {
    target: plan.target,
    origin: plan.origin,
    ratePerSecond: rate,
    maxRequests: Math.ceil((rate * boundMs) / 1000),
    identifiedBy: plan.identifier.by,
    ...(plan.identifier.reason && plan.identifier.by !== 'certificate'
      ? { unidentifiedReason: plan.identifier.reason }
      : {}),
    samples,
    cancelled,
    ...summarizeService(samples, full),
    moments: full,
  };
}
