// The failover probe (DESIGN.md §5): precheck, arm the dead-man switch, stop haproxy on master,
// watch the VIP move to backup, start haproxy, watch it come back, and restore on every path.
import type { CheckContext, FailoverEvent, FailoverTimeline } from '../model/check.js';
import type { Host } from '../hosts/host.js';
import type { Role } from '../model/basics.js';
import type { ServiceMoments } from '../model/service.js';
import { ACTIVE_STATES, serviceState } from '../facts/live.js';
import { armDeadman, disarmDeadman } from './deadman.js';
import { VipEvents, vipHolders, type VipHolder } from './vip-watch.js';
import { probeDeadlines, type ProbeDeadlines } from './timing.js';
import type { ClientProbe } from './client-probe.js';
import { finishClient, planClient, SETTLE_MS, startClient } from './service-probe.js';
import { type KeepalivedLog, readWindow, runLog } from '../facts/keepalived-log.js';
import { type LogMark, markLog } from '../facts/keepalived-log-commands.js';

export type PhaseOutcome =
  | { status: 'pass'; ms: number }
  | { status: 'fail'; ms: number; reason: 'deadline'; state: string }
  | { status: 'error'; reason: string }
  | { status: 'skip'; reason: string };

/** Why the probe did not run: ids of PRECHECK_MESSAGES (probe/report.ts). */
export type PrecheckRefusal =
  | 'interrupted'
  | 'noVip'
  | 'cannotObserve'
  | 'serviceUnknown'
  | 'haproxyNotActive'
  | 'vipNotOnMasterOnly';

export interface ProbeOutcome {
  precheck: { ok: true } | { ok: false; messageId: PrecheckRefusal; data: Record<string, string | number> };
  failover: PhaseOutcome;
  failback: PhaseOutcome;
  /** FOV003: did both hosts end as they began? */
  restore: { ok: true } | { ok: false; reason: string; command: string };
  deadlines?: ProbeDeadlines;
  timeline: FailoverTimeline;
  interrupted: boolean;
  /** keepalived's own lines: before the probe (since it started), while the VIP should move, and the whole probe. */
  logs?: Record<Role, ProbeLogs>;
}

export interface ProbeLogs {
  before: KeepalivedLog;
  failover?: KeepalivedLog;
  whole?: KeepalivedLog;
}

/** Polling pace without address events, and the fallback pace with them (events wake it sooner). */
const POLL_MS = 200;
const EVENT_FALLBACK_POLL_MS = 1000;

function describeHolders(h: Record<Role, VipHolder>): string {
  const part = (role: Role) => (h[role].present ? `${role} (${h[role].label ?? 'no label'})` : undefined);
  const holders = [part('master'), part('backup')].filter(Boolean);
  return holders.length ? holders.join(' and ') : 'nobody';
}

/** undefined when systemctl gave no state word (not installed, not runnable, no answer). */
async function isActive(host: Host, service: string): Promise<boolean | undefined> {
  const r = await host.run({
    key: `systemctl-is-active-${service}`,
    argv: ['systemctl', 'is-active', service],
    timeoutMs: 10_000,
  });
  if (r.unavailable || r.timedOut || r.exitCode === null) return undefined;
  const state = serviceState(r, ACTIVE_STATES);
  return state.known ? state.state === 'active' : undefined;
}

/** Run the whole probe once per run; FOV001–FOV003 each report one aspect of it. */
export function failoverProbe(ctx: CheckContext): Promise<ProbeOutcome> {
  return ctx.memo('failover-probe', () => runProbe(ctx));
}

async function runProbe(ctx: CheckContext): Promise<ProbeOutcome> {
  const master = ctx.host('master');
  const backup = ctx.host('backup');
  const service = ctx.profile.haproxyService;
  const label = ctx.profile.vipLabel;
  const events: FailoverEvent[] = [];
  const timeline: FailoverTimeline = { events };
  const skipped = (reason: string): PhaseOutcome => ({ status: 'skip', reason });
  const outcome: ProbeOutcome = {
    precheck: { ok: true },
    failover: skipped('not reached'),
    failback: skipped('not reached'),
    restore: { ok: true },
    timeline,
    interrupted: false,
  };
  const vip = ctx.vip;
  if (ctx.signal.aborted) {
    outcome.precheck = { ok: false, messageId: 'interrupted', data: {} };
    return outcome;
  }
  if (!vip) {
    outcome.precheck = { ok: false, messageId: 'noVip', data: {} };
    return outcome;
  }

  // Precheck: touch nothing unless the pair is healthy to begin with.
  ctx.progress('precheck: VIP on master only, haproxy active on both');
  const [before, masterActive, backupActive] = await Promise.all([
    vipHolders(ctx, vip),
    isActive(master, service),
    isActive(backup, service),
  ]);
  if (!before) {
    outcome.precheck = { ok: false, messageId: 'cannotObserve', data: {} };
    return outcome;
  }
  if (masterActive === undefined || backupActive === undefined) {
    const unknown = [masterActive === undefined ? 'master' : '', backupActive === undefined ? 'backup' : '']
      .filter(Boolean)
      .join(', ');
    outcome.precheck = { ok: false, messageId: 'serviceUnknown', data: { hosts: unknown, service } };
    return outcome;
  }
  if (masterActive !== true || backupActive !== true) {
    const down = [masterActive !== true ? 'master' : '', backupActive !== true ? 'backup' : '']
      .filter(Boolean)
      .join(', ');
    outcome.precheck = { ok: false, messageId: 'haproxyNotActive', data: { hosts: down } };
    return outcome;
  }
  if (!before.master.present || before.backup.present) {
    outcome.precheck = { ok: false, messageId: 'vipNotOnMasterOnly', data: { holders: describeHolders(before) } };
    return outcome;
  }

  if (ctx.signal.aborted) {
    outcome.precheck = { ok: false, messageId: 'interrupted', data: {} };
    return outcome;
  }

  // Only a healthy pair's VIP is worth a request: can this machine reach the service through it at
  // all (else a note, not a failure), and how will the two hosts' answers be told apart?
  const [deadlines, clientPlan] = await Promise.all([probeDeadlines(ctx), planClient(ctx, vip)]);
  if (!clientPlan.run) timeline.service = clientPlan.timeline;
  outcome.deadlines = deadlines;
  timeline.deadlineMs = deadlines.failoverMs;
  timeline.convergenceMs = deadlines.convergenceMs;
  // keepalived's words: what it said since it started, and where its log stands now on each host.
  const [beforeLogs, marks] = await Promise.all([
    Promise.all([runLog(ctx, 'master'), runLog(ctx, 'backup')]),
    Promise.all([markLog(master), markLog(backup)]),
  ]);
  const markedAt = Date.now();
  let failoverEndedAt: number | undefined;
  const started = Date.now();
  const at = () => Date.now() - started;
  let haproxyStopped = false;
  let vipEvents: VipEvents | undefined;
  // The client probe may not outlast the probe's own bounds: both waits, the settling, the commands.
  const clientBoundMs = deadlines.failoverMs + deadlines.failbackMs + SETTLE_MS + 30_000;
  let client: ClientProbe | undefined;
  const moments: Omit<ServiceMoments, 'endAtMs'> = { stopAtMs: 0 };

  try {
    ctx.progress(
      `arming the dead-man switch on master (starts ${service} by itself after ${Math.ceil(deadlines.deadmanMs / 1000)} s)`,
    );
    const armed = await armDeadman(master, deadlines.deadmanMs / 1000, service);
    if (!armed.ok) {
      outcome.failover = {
        status: 'error',
        reason: `could not arm the dead-man switch on master: ${armed.detail || 'unknown error'}`,
      };
      return outcome;
    }
    if (ctx.signal.aborted) return outcome;

    vipEvents = await VipEvents.start(ctx, vip);
    if (clientPlan.run) {
      ctx.progress(
        `client probe: HTTPS to ${clientPlan.target} from ${clientPlan.origin}, ${ctx.profile.clientRate} per second`,
      );
      client = startClient(ctx, vip, clientPlan, at, clientBoundMs);
    }
    ctx.progress(`stopping ${service} on master`);
    moments.stopAtMs = at();
    const stop = await master.run({
      key: 'probe-stop-haproxy',
      argv: ['systemctl', 'stop', service],
      root: true,
      timeoutMs: 30_000,
    });
    ctx.evidence({
      host: 'master',
      command: stop.command,
      exitCode: stop.exitCode,
      output: (stop.stdout + stop.stderr).slice(0, 2000),
    });
    haproxyStopped = true;
    const stoppedAt = Date.now();
    events.push({ atMs: at(), host: 'master', event: 'haproxy-stopped' });
    if (stop.exitCode !== 0) {
      outcome.failover = {
        status: 'error',
        reason: `'systemctl stop ${service}' on master failed: ${stop.error ?? stop.stderr.trim()}`,
      };
      return outcome;
    }

    outcome.failover = await watchUntil(
      ctx,
      vip,
      label,
      'backup',
      stoppedAt,
      deadlines.failoverMs,
      events,
      started,
      vipEvents,
    );
    failoverEndedAt = Date.now();
    if (outcome.failover.status === 'pass') {
      timeline.failoverMs = outcome.failover.ms;
      moments.vipOnBackupAtMs = stoppedAt - started + outcome.failover.ms;
    }
    if (ctx.signal.aborted) {
      outcome.interrupted = true;
      return outcome;
    }

    if (outcome.failover.status !== 'pass') {
      // The VIP never reached backup: there is no failback to judge. haproxy is restarted below.
      outcome.failback = { status: 'skip', reason: 'vipNeverMoved' };
      return outcome;
    }

    ctx.progress(`starting ${service} on master`);
    moments.startAtMs = at();
    const start = await master.run({
      key: 'probe-start-haproxy',
      argv: ['systemctl', 'start', service],
      root: true,
      timeoutMs: 30_000,
    });
    ctx.evidence({
      host: 'master',
      command: start.command,
      exitCode: start.exitCode,
      output: (start.stdout + start.stderr).slice(0, 2000),
    });
    const startedAgainAt = Date.now();
    events.push({ atMs: at(), host: 'master', event: 'haproxy-started' });
    if (start.exitCode !== 0) {
      outcome.failback = {
        status: 'error',
        reason: `'systemctl start ${service}' on master failed: ${start.error ?? start.stderr.trim()}`,
      };
      return outcome;
    }
    haproxyStopped = false;
    outcome.failback = await watchUntil(
      ctx,
      vip,
      label,
      'master',
      startedAgainAt,
      deadlines.failbackMs,
      events,
      started,
      vipEvents,
    );
    if (outcome.failback.status === 'pass') {
      timeline.failbackMs = outcome.failback.ms;
      moments.vipBackAtMs = startedAgainAt - started + outcome.failback.ms;
      // The VIP is home: give clients a moment to be answered again, not longer.
      if (client) await client.settle(SETTLE_MS);
    }
    if (ctx.signal.aborted) outcome.interrupted = true;
    return outcome;
  } catch (e) {
    const reason = (e as Error).message;
    if (outcome.failover.status === 'skip') outcome.failover = { status: 'error', reason };
    else if (outcome.failback.status === 'skip') outcome.failback = { status: 'error', reason };
    return outcome;
  } finally {
    if (client && clientPlan.run)
      timeline.service = finishClient(ctx, client, clientPlan, clientBoundMs, moments, at());
    await vipEvents?.stop();
    outcome.restore = await restore(ctx, master, service, haproxyStopped);
    if (ctx.signal.aborted) outcome.interrupted = true;
    ctx.setFailover(timeline);
    ctx.progress("reading keepalived's log of those seconds");
    outcome.logs = await probeLogs(
      ctx,
      { master: beforeLogs[0], backup: beforeLogs[1] },
      { master: marks[0], backup: marks[1] },
      markedAt,
      failoverEndedAt ?? Date.now(),
    );
  }
}

/** keepalived's lines of the probe on both hosts: the failover phase alone, and the whole probe. */
async function probeLogs(
  ctx: CheckContext,
  before: Record<Role, KeepalivedLog>,
  marks: Record<Role, LogMark | undefined>,
  markedAt: number,
  failoverEndedAt: number,
): Promise<Record<Role, ProbeLogs>> {
  const service = ctx.profile.keepalivedService;
  const read = async (role: Role): Promise<ProbeLogs> => {
    const mark = marks[role];
    if (!mark) return { before: before[role] };
    // The host's own clock: the mark's time plus what elapsed here (a second's slack for rounding).
    const failoverUntil = mark.hostTime + Math.ceil((failoverEndedAt - markedAt) / 1000) + 1;
    const [failover, whole] = await Promise.all([
      readWindow(ctx.host(role), service, mark, failoverUntil),
      readWindow(ctx.host(role), service, mark),
    ]);
    return { before: before[role], failover, whole };
  };
  const [m, b] = await Promise.all([read('master'), read('backup')]);
  return { master: m, backup: b };
}

/**
 * Read both hosts until the VIP is on `want` with its label and gone from the other: on every address event, else by
 * polling.
 */
async function watchUntil(
  ctx: CheckContext,
  vip: string,
  label: string,
  want: Role,
  since: number,
  deadlineMs: number,
  events: FailoverEvent[],
  probeStart: number,
  vipEvents: VipEvents,
): Promise<PhaseOutcome> {
  const other: Role = want === 'master' ? 'backup' : 'master';
  let last: Record<Role, VipHolder> | undefined;
  ctx.progress(`waiting for the VIP on ${want} (deadline ${(deadlineMs / 1000).toFixed(0)} s)`);
  while (!ctx.signal.aborted) {
    const now = await vipHolders(ctx, vip, false);
    const elapsed = Date.now() - since;
    if (now) {
      for (const role of ['master', 'backup'] as const) {
        if (last && last[role].present !== now[role].present) {
          events.push({
            atMs: Date.now() - probeStart,
            host: role,
            event: now[role].present ? 'vip-added' : 'vip-removed',
            ...(now[role].label ? { detail: now[role].label } : {}),
          });
        }
      }
      last = now;
      if (now[want].present && now[want].label === label && !now[other].present) return { status: 'pass', ms: elapsed };
    }
    if (elapsed > deadlineMs) {
      // A host that does not answer at the deadline leaves who holds the VIP unknown: undecided, not failed.
      if (!now)
        return {
          status: 'error',
          reason: `a host did not answer 'ip -o -4 addr show' at the ${(deadlineMs / 1000).toFixed(0)}-second deadline, so who holds the VIP is unknown`,
        };
      return { status: 'fail', ms: elapsed, reason: 'deadline', state: describeHolders(now) };
    }
    ctx.progress(
      `waiting for the VIP on ${want}: ${(elapsed / 1000).toFixed(1)} s, held by ${last ? describeHolders(last) : '?'}`,
    );
    await vipEvents.next(vipEvents.streaming ? EVENT_FALLBACK_POLL_MS : POLL_MS, ctx.signal);
  }
  return { status: 'skip', reason: 'interrupted' };
}

/** Start haproxy on master if it is not running, then disarm the dead-man switch. */
async function restore(
  ctx: CheckContext,
  master: Host,
  service: string,
  mayBeStopped: boolean,
): Promise<ProbeOutcome['restore']> {
  const manual = `ssh ${master.label} sudo systemctl start ${service}`;
  try {
    if (mayBeStopped || (await isActive(master, service)) !== true) {
      ctx.progress(`restoring: starting ${service} on master`);
      await master.run({
        key: 'probe-restore-haproxy',
        argv: ['systemctl', 'start', service],
        root: true,
        timeoutMs: 30_000,
      });
    }
    const active = await isActive(master, service);
    await disarmDeadman(master);
    if (active !== true)
      return { ok: false, reason: `${service} is not active on master after the probe`, command: manual };
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: (e as Error).message, command: manual };
  }
}
