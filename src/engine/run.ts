// The engine: runs checks in catalogue order, isolates their failures, folds findings into
// results and computes the score and exit code. It never imports ssh2, fs or a reporter.
import { isIP } from 'node:net';
import { ENGINE_MESSAGES } from '../i18n/engine-messages.js';
import { fill, pick, renderHint, renderMessage } from '../i18n/messages.js';
import { redact } from './redact.js';
import { VERSION } from '../self/version.js';
import type {
  Check,
  CheckContext,
  EngineEvent,
  CheckResult,
  Evidence,
  FailoverTimeline,
  Finding,
  FindingInput,
  RunOptions,
  RunResult,
  RunSummary,
} from '../model/check.js';
import type { Host } from '../hosts/host.js';
import type { LabProfile, Target } from '../model/target.js';
import type { Lang, Role, Status, Text } from '../model/basics.js';
import type { ServiceClient } from '../model/service.js';

export interface RunInput {
  checks: Check[];
  hosts: Record<Role, Host>;
  target: Target;
  profile: LabProfile;
  options: RunOptions;
  onEvent?: (event: EngineEvent) => void;
  signal?: AbortSignal;
  /** Values that must never appear in output (passwords given on the command line or in env). */
  secrets?: string[];
  snapshotDir?: string;
  /** Hosts that could not be reached, with the reason: every check is an ERROR, never a FAIL. */
  unreachable?: Partial<Record<Role, string>>;
  /** Fill the run's memo in parallel before the checks (live hosts: saves a round trip per read). */
  warmUp?: (ctx: CheckContext) => Promise<void>;
  /** HTTPS from this machine to the VIP for the client probe (live runs over SSH only). */
  serviceClient?: ServiceClient;
}

/** The VIP: as given, else master's address when that is an IPv4 address. */
export function resolveVip(target: Target): string | undefined {
  if (target.vip) return target.vip;
  return isIP(target.master.address) === 4 ? target.master.address : undefined;
}

export async function runChecks(input: RunInput): Promise<RunResult> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const memo = new Map<string, Promise<unknown>>();
  const signal = input.signal ?? new AbortController().signal;
  const vip = resolveVip(input.target);
  const results: CheckResult[] = [];
  const byId = new Map<string, CheckResult>();
  const modeMs = { static: 0, live: 0, disruptive: 0 };
  let failover: FailoverTimeline | undefined;

  const memoize = <T>(key: string, compute: () => Promise<T>): Promise<T> => {
    let p = memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = compute();
      memo.set(key, p);
    }
    return p;
  };
  const contextFor = (
    check: Check | undefined,
    collected: FindingInput[],
    evidence: Evidence[],
  ): CheckContext<string> => ({
    profile: input.profile,
    target: input.target,
    options: input.options,
    vip,
    signal,
    host: (role) => input.hosts[role],
    memo: memoize,
    report: (f) => collected.push(f),
    evidence: (e) => evidence.push(e),
    progress: (message) => {
      if (check) input.onEvent?.({ type: 'check-progress', check, message });
    },
    resultOf: (id) => byId.get(id),
    setFailover: (t) => {
      failover = t;
    },
    ...(input.serviceClient ? { serviceClient: input.serviceClient } : {}),
  });

  // Read what the checks will need from every host at once, instead of one round trip at a time.
  // Failures stay in the memo, so the check that needs the value reports them as it would have.
  if (input.warmUp && !input.unreachable?.master && !input.unreachable?.backup) {
    await input.warmUp(contextFor(undefined, [], [])).catch(() => undefined);
  }

  // Opt-in checks (the reboot probe) are part of a run only when asked for: not even a skip otherwise,
  // so everyday reports (and a class's) carry no column that nobody ran.
  const checks = input.checks.filter((c) => !c.reboot || input.options.reboot);
  for (const check of checks) {
    const t0 = Date.now();
    input.onEvent?.({ type: 'check-start', check });
    const collected: FindingInput[] = [];
    const evidence: Evidence[] = [];
    const notRun = whyNotRun(check, input, signal);
    if (notRun) {
      collected.push(...notRun);
    } else {
      try {
        await check.run(contextFor(check, collected, evidence));
      } catch (e) {
        collected.push({ kind: 'error', messageId: 'crashed', data: { error: errorText(e) } });
      }
    }
    const points = check.pointsFromProfile ? check.pointsFromProfile(input.profile) : check.points;
    const result = foldResult(
      check,
      points,
      collected,
      evidence,
      input.options.lang,
      Date.now() - t0,
      input.secrets ?? [],
    );
    modeMs[check.mode] += result.durationMs;
    results.push(result);
    byId.set(check.id, result);
    input.onEvent?.({ type: 'check-end', check, result });
  }

  const summary = summarize(results);
  return {
    schemaVersion: 1,
    tool: { name: 'hagrade', version: VERSION },
    target: {
      ...input.target,
      vip,
      kind: input.hosts.master.kind,
      ...(input.snapshotDir ? { snapshot: input.snapshotDir } : {}),
    },
    lang: input.options.lang,
    startedAt,
    results,
    summary,
    ...(failover ? { failover } : {}),
    timings: {
      totalMs: Date.now() - started,
      staticMs: modeMs.static,
      liveMs: modeMs.live,
      disruptiveMs: modeMs.disruptive,
    },
    exitCode: exitCodeFor(summary),
  };
}

/** Findings standing in for a check that is not run, or undefined to run it. */
function whyNotRun(check: Check, input: RunInput, signal: AbortSignal): FindingInput[] | undefined {
  const unreachable = Object.entries(input.unreachable ?? {}) as Array<[Role, string]>;
  if (unreachable.length) {
    return unreachable.map(([host, reason]) => ({
      kind: 'error',
      host,
      messageId: 'hostUnreachable',
      data: { host, reason },
    }));
  }
  const skip = (messageId: string): FindingInput[] => [{ kind: 'skip', messageId }];
  // Disruptive checks still run after an interrupt: they report how the probe restored the hosts.
  if (signal.aborted && check.mode !== 'disruptive') return skip('interrupted');
  if (check.reboot) {
    if (input.hosts.master.kind === 'snapshot') return skip('noSnapshotProbe');
  } else if (check.mode === 'disruptive') {
    if (!input.options.failover) return skip('notRequested');
    if (input.hosts.master.kind === 'snapshot') return skip('noSnapshotProbe');
  }
  if (check.mode !== 'static' && !input.options.live) return skip('noLiveAccess');
  return undefined;
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? e.name;
  return String(e);
}

export function foldStatus(findings: readonly { kind: string }[]): Status {
  if (findings.some((f) => f.kind === 'error')) return 'error';
  if (findings.some((f) => f.kind === 'fail')) return 'fail';
  if (findings.length > 0 && findings.every((f) => f.kind === 'skip')) return 'skip';
  return 'pass';
}

function foldResult(
  check: Check,
  checkPoints: number,
  inputs: FindingInput[],
  evidence: Evidence[],
  lang: Lang,
  durationMs: number,
  secrets: string[],
): CheckResult {
  const findings: Finding[] = inputs.map((f) => {
    const kind = f.kind ?? 'fail';
    const engineText = (ENGINE_MESSAGES as Record<string, Text | undefined>)[f.messageId];
    const fromEngine = engineText !== undefined && !check.messages[f.messageId];
    const message = fromEngine
      ? fill(pick(engineText, lang)!, f.data)
      : renderMessage(check, f.messageId, f.data, lang);
    const hint = fromEngine
      ? undefined
      : kind === 'fail' || kind === 'error'
        ? renderHint(check, f.messageId, f.data, lang)
        : undefined;
    const finding: Finding = { kind, messageId: f.messageId, message: redact(message, secrets) };
    if (f.host) finding.host = f.host;
    if (hint) finding.hint = redact(hint, secrets);
    if (f.file) finding.file = f.file;
    if (f.line !== undefined) finding.line = f.line;
    if (f.excerpt !== undefined) finding.excerpt = redact(f.excerpt, secrets);
    if (f.data) {
      finding.data = Object.fromEntries(
        Object.entries(f.data).map(([k, v]) => [k, typeof v === 'string' ? redact(v, secrets) : v]),
      );
    }
    return finding;
  });
  const status = foldStatus(findings);
  const maxPoints = status === 'skip' ? 0 : checkPoints;
  const result: CheckResult = {
    id: check.id,
    title: pick(check.title, lang)!,
    area: check.area,
    mode: check.mode,
    severity: check.severity,
    status,
    points: status === 'pass' ? checkPoints : 0,
    maxPoints,
    findings,
    durationMs,
  };
  if (evidence.length) {
    result.evidence = evidence.map((e) => ({
      ...e,
      command: redact(e.command, secrets),
      output: redact(e.output, secrets),
    }));
  }
  return result;
}

function summarize(results: readonly CheckResult[]): RunSummary {
  const summary: RunSummary = { pass: 0, fail: 0, error: 0, skip: 0, score: 0, maxScore: 0 };
  for (const r of results) {
    summary[r.status] += 1;
    summary.score += r.points;
    summary.maxScore += r.maxPoints;
  }
  return summary;
}

/** 0 all passed, 1 something failed, 3 errors and no failure (2, usage errors, is the CLI's). */
export function exitCodeFor(summary: RunSummary): 0 | 1 | 3 {
  if (summary.fail > 0) return 1;
  if (summary.error > 0) return 3;
  return 0;
}
