// Grading a class: every student's pair through the injected GradeFn, several at a time, never
// one host in two gradings at once, each result stored as soon as it is known (so a batch can be
// resumed), then the class files.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LabProfile } from '../model/target.js';
import type { Lang, Text } from '../model/basics.js';
import type { RunResult } from '../model/check.js';
import {
  recordFromStored,
  readStored,
  storeError,
  storeResult,
  studentPaths,
  statusOf,
  writeClassFiles,
  type OutputOptions,
  type ShardSpec,
  type StudentRecord,
} from './outputs.js';
import { VERSION } from '../self/version.js';
import { studentDirName } from './roster.js';
import { BATCH_TEXT, say } from './text.js';
import type { GradeFn, RosterEntry } from './types.js';

/** The output directory already holds a batch and neither --resume nor --retry-errors was given (exit 2). */
export class BatchError extends Error {
  override name = 'BatchError';
}

export const MAX_DEFAULT_CONCURRENCY = 16;
/** A pair graded for longer than this is stopped (it restores) and becomes an ERROR row. */
export const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/**
 * The shard (1..count) of a student: a stable hash of the id (first 32 bits of its SHA-256) modulo
 * count. A student stays in the same shard when others are added to or removed from the roster.
 */
export function shardOf(student: string, count: number): number {
  return (createHash('sha256').update(student, 'utf8').digest().readUInt32BE(0) % count) + 1;
}

/** `i/n` with 1 <= i <= n, as CI matrices count (GitLab's CI_NODE_INDEX/CI_NODE_TOTAL). */
export function parseShard(text: string): ShardSpec | undefined {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) return undefined;
  const shard = { index: Number(match[1]), count: Number(match[2]) };
  return shard.count >= 1 && shard.index >= 1 && shard.index <= shard.count ? shard : undefined;
}

export type BatchEvent =
  | { type: 'planned'; total: number; toGrade: number; stored: number; concurrency: number; shard?: ShardSpec }
  | { type: 'warning'; text: Text; data: Record<string, string | number> }
  | { type: 'start'; student: string }
  | { type: 'phase'; student: string; phase: string }
  | { type: 'done'; record: StudentRecord }
  | { type: 'stopping' };

export interface RunBatchOptions {
  entries: RosterEntry[];
  grade: GradeFn;
  outDir: string;
  /** At most this many students at once; default min(16, students to grade). */
  concurrency?: number;
  /** Skip students whose result is already stored in outDir. */
  resume?: boolean;
  /** Like resume, but students whose stored result is an ERROR are graded again. */
  retryErrors?: boolean;
  shard?: ShardSpec;
  /** Aborted: start no new student; the running ones finish and are stored. */
  signal?: AbortSignal;
  /** Aborted: the running gradings stop now (their probes restore); they stay ungraded. */
  stopRunning?: AbortSignal;
  /** Per student; default DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number;
  onProgress?: (event: BatchEvent) => void;
  failover: boolean;
  /**
   * The reboot probe: at most `concurrency` masters rebooting at once; waiting for a turn does not count against
   * timeoutMs.
   */
  reboot?: { concurrency: number; timeoutMs: number };
  profile: LabProfile;
  output: OutputOptions;
}

/** A counting semaphore: acquire() resolves with its release when a slot is free. */
export function semaphore(size: number): () => Promise<() => void> {
  let inUse = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    inUse--;
    waiting.shift()?.();
  };
  return async () => {
    if (inUse >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    inUse++;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        release();
      }
    };
  };
}

export interface BatchOutcome {
  records: StudentRecord[];
  interrupted: boolean;
  /** Students graded in this run (not taken from a previous one). */
  graded: string[];
}

function hostKeys(entry: RosterEntry): string[] {
  return [entry.master, entry.backup].map((h) => `${h.host.toLowerCase()}:${h.port ?? 22}`);
}

/** Students that share a host, one warning per host. */
function sharedHosts(entries: RosterEntry[]): { host: string; students: string[] }[] {
  const byHost = new Map<string, string[]>();
  for (const entry of entries) {
    for (const key of new Set(hostKeys(entry))) byHost.set(key, [...(byHost.get(key) ?? []), entry.student]);
  }
  return [...byHost].filter(([, students]) => students.length > 1).map(([host, students]) => ({ host, students }));
}

export async function runBatch(opts: RunBatchOptions): Promise<BatchOutcome> {
  const lang: Lang = opts.output.lang;
  const emit = (event: BatchEvent) => opts.onProgress?.(event);
  const resume = Boolean(opts.resume || opts.retryErrors);
  if (!resume && existsSync(join(opts.outDir, 'batch.json'))) {
    throw new BatchError(
      `${opts.outDir} already holds a batch: add --resume to finish it, --retry-errors to grade its errors again, or choose another --out`,
    );
  }
  mkdirSync(opts.outDir, { recursive: true });

  const mine = opts.entries.filter((e) => !opts.shard || shardOf(e.student, opts.shard.count) === opts.shard.index);
  const records = new Map<string, StudentRecord>();
  const toGrade: RosterEntry[] = [];
  const otherVersions = new Map<string, string>();
  for (const entry of mine) {
    const dir = studentDirName(entry.student);
    const stored = resume ? readStored(opts.outDir, dir) : undefined;
    if (stored && 'unreadable' in stored) {
      emit({ type: 'warning', text: BATCH_TEXT.unreadable, data: { file: stored.file, reason: stored.unreadable } });
    }
    const record = {
      ...recordFromStored(entry.student, dir, stored, lang),
      ...(entry.group !== undefined ? { group: entry.group } : {}),
    };
    const keep = record.status !== 'pending' && !(opts.retryErrors && record.status === 'error');
    records.set(entry.student, keep ? { ...record, resumed: true } : record);
    if (!keep) toGrade.push(entry);
    else if (record.result && record.result.tool.version !== VERSION)
      otherVersions.set(entry.student, record.result.tool.version);
  }
  if (otherVersions.size) {
    emit({
      type: 'warning',
      text: BATCH_TEXT.otherVersion,
      data: {
        students: [...otherVersions.keys()].join(', '),
        versions: [...new Set(otherVersions.values())].join(', '),
        version: VERSION,
      },
    });
  }

  const concurrency = Math.max(1, opts.concurrency ?? Math.min(MAX_DEFAULT_CONCURRENCY, toGrade.length));
  emit({
    type: 'planned',
    total: mine.length,
    toGrade: toGrade.length,
    stored: mine.length - toGrade.length,
    concurrency,
    ...(opts.shard ? { shard: opts.shard } : {}),
  });
  for (const { host, students } of sharedHosts(toGrade)) {
    emit({ type: 'warning', text: BATCH_TEXT.sharedHost, data: { host, students: students.join(', ') } });
  }

  const stopRunning = opts.stopRunning ?? new AbortController().signal;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const rebootSlots = opts.reboot ? semaphore(Math.max(1, opts.reboot.concurrency)) : undefined;
  const graded: string[] = [];
  /** One controller per running grading: stopRunning or its time limit aborts it. */
  const running = new Set<AbortController>();
  stopRunning.addEventListener(
    'abort',
    () => {
      for (const c of running) c.abort();
    },
    { once: true },
  );
  const gradeOne = async (entry: RosterEntry): Promise<void> => {
    const dir = studentDirName(entry.student);
    const paths = studentPaths(opts.outDir, dir);
    rmSync(paths.snapshot, { recursive: true, force: true });
    mkdirSync(paths.snapshot, { recursive: true });
    const started = Date.now();
    const startedAt = new Date(started).toISOString();
    emit({ type: 'start', student: entry.student });
    // The grader is stopped by stopRunning or by the time limit; either way it restores and returns.
    const stop = new AbortController();
    running.add(stop);
    let timedOut = false;
    const expire = () => {
      timedOut = true;
      stop.abort();
    };
    let timer = setTimeout(expire, timeoutMs);
    let deadline = Date.now() + timeoutMs;
    // A turn at the reboot gate: the clock stops while waiting, and the reboot gets its own time on top.
    const rebootGate = rebootSlots
      ? async () => {
          clearTimeout(timer);
          const left = Math.max(0, deadline - Date.now());
          const release = await rebootSlots();
          deadline = Date.now() + left + opts.reboot!.timeoutMs;
          timer = setTimeout(expire, deadline - Date.now());
          return release;
        }
      : undefined;
    let outcome: { result: RunResult } | { error: string };
    try {
      outcome = {
        result: await opts.grade(entry, {
          signal: stop.signal,
          onPhase: (phase) => emit({ type: 'phase', student: entry.student, phase }),
          snapshotDir: paths.snapshot,
          failover: opts.failover,
          ...(rebootGate ? { reboot: { gate: rebootGate, timeoutMs: opts.reboot!.timeoutMs } } : {}),
          lang,
          profile: opts.profile,
        }),
      };
    } catch (e) {
      outcome = { error: e instanceof Error ? e.message : String(e) };
    } finally {
      clearTimeout(timer);
      running.delete(stop);
    }
    const durationMs = Date.now() - started;
    const base = {
      student: entry.student,
      dir,
      ...(entry.group !== undefined ? { group: entry.group } : {}),
      startedAt,
      durationMs,
    };
    let record: StudentRecord;
    if (stopRunning.aborted && !timedOut) {
      // A grading cut short is not a result: leave the student to --resume.
      record = {
        ...recordFromStored(entry.student, dir, undefined, lang),
        ...(entry.group !== undefined ? { group: entry.group } : {}),
      };
    } else if ('result' in outcome && !timedOut) {
      storeResult(opts.outDir, dir, outcome.result);
      record = { ...base, status: statusOf(outcome.result), result: outcome.result };
    } else {
      // After a timeout, whatever the grader returned is partial.
      const error =
        'error' in outcome && !timedOut
          ? outcome.error
          : say('timedOut', lang, { seconds: Math.round(timeoutMs / 1000) });
      storeError(opts.outDir, dir, { student: entry.student, error, startedAt, durationMs });
      record = { ...base, status: 'error', error };
    }
    if (record.status !== 'pending') graded.push(entry.student);
    records.set(entry.student, record);
    emit({ type: 'done', record });
  };

  // Class files at once: the directory is marked as a batch even if this process is killed.
  const info = { ...(opts.shard ? { shard: opts.shard } : {}), concurrency, startedAt: new Date().toISOString() };
  writeClassFiles(opts.outDir, [...records.values()], { ...info, finished: false }, opts.output);
  const stopStarting = AbortSignal.any([opts.signal ?? new AbortController().signal, stopRunning]);
  const interrupted = await schedule(toGrade, concurrency, gradeOne, stopStarting, () => emit({ type: 'stopping' }));
  const all = [...records.values()];
  writeClassFiles(opts.outDir, all, { ...info, finished: !interrupted }, opts.output);
  return { records: all, interrupted, graded };
}

/**
 * Run `work` over the entries, at most `limit` at once and never two that share a host; an entry
 * whose host is busy waits while later ones go ahead. Returns whether `signal` stopped it early.
 */
async function schedule(
  entries: RosterEntry[],
  limit: number,
  work: (entry: RosterEntry) => Promise<void>,
  signal: AbortSignal | undefined,
  onStop: () => void,
): Promise<boolean> {
  const waiting = [...entries];
  const running = new Set<Promise<void>>();
  const busy = new Set<string>();
  const stopped = new Promise<void>((resolve) => {
    if (signal?.aborted) resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  while (waiting.length > 0 && !signal?.aborted) {
    for (let i = 0; i < waiting.length && running.size < limit; ) {
      const entry = waiting[i]!;
      const keys = hostKeys(entry);
      if (keys.some((k) => busy.has(k))) {
        i++;
        continue;
      }
      waiting.splice(i, 1);
      for (const k of keys) busy.add(k);
      const job: Promise<void> = work(entry).finally(() => {
        for (const k of keys) busy.delete(k);
        running.delete(job);
      });
      running.add(job);
    }
    await Promise.race([...running, stopped]);
  }
  if (signal?.aborted && waiting.length > 0) onStop();
  await Promise.all(running);
  return Boolean(signal?.aborted) && waiting.length > 0;
}
