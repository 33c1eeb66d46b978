// What a batch leaves in its output directory: a report per student, and the class files built
// from them (summary.csv, gradebook.csv, class-report.html, batch.json). Per-student files are
// written atomically, so a report that exists is a finished one: --resume and merge rely on it.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderClassReport } from '../report/html-class.js';
import { renderJson } from '../report/json.js';
import { safeCsvCell, safeJsonText } from '../report/safe-text.js';
import { byAreaThenId } from '../report/ui-text.js';
import { VERSION } from '../self/version.js';
import type { Area, Lang } from '../model/basics.js';
import type { RunResult } from '../model/check.js';
import { say } from './text.js';

export type StudentStatus = 'pass' | 'fail' | 'error' | 'pending';

/** One student of a batch and what is known about them. */
export interface StudentRecord {
  /** As written in the roster. */
  student: string;
  /** Directory under students/ (studentDirName). */
  dir: string;
  status: StudentStatus;
  result?: RunResult;
  /** Why the student has no grade (the grader threw, or the batch stopped first). */
  error?: string;
  group?: string;
  startedAt?: string;
  durationMs?: number;
  /** The result was already in the output directory (--resume). */
  resumed?: boolean;
}

export interface ShardSpec {
  /** 1-based, as CI matrices count. */
  index: number;
  count: number;
}

export interface OutputOptions {
  lang: Lang;
  /** Gradebook column for the student id, mapped by the instructor on import (e.g. `Email address`). */
  gradebookIdColumn: string;
  /** The gradebook's `Grade` is the score scaled to this. */
  maxGrade: number;
  title?: string;
}

export const DEFAULT_OUTPUT_OPTIONS: Omit<OutputOptions, 'lang'> = { gradebookIdColumn: 'ID number', maxGrade: 100 };

// ---------------------------------------------------------------------------------------------
// Files of one student

/** Write to a temporary name and rename: readers see the old file or the whole new one, never half. */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, path);
}

export function studentPaths(outDir: string, dir: string) {
  const root = join(outDir, 'students', dir);
  return { root, report: join(root, 'report.json'), error: join(root, 'error.json'), snapshot: join(root, 'snapshot') };
}

interface StoredError {
  student: string;
  error: string;
  startedAt?: string;
  durationMs?: number;
}

export function statusOf(result: RunResult): StudentStatus {
  return result.exitCode === 0 ? 'pass' : result.exitCode === 1 ? 'fail' : 'error';
}

export function storeResult(outDir: string, dir: string, result: RunResult): void {
  const paths = studentPaths(outDir, dir);
  writeFileAtomic(paths.report, renderJson(result));
  rmSync(paths.error, { force: true });
}

export function storeError(outDir: string, dir: string, stored: StoredError): void {
  const paths = studentPaths(outDir, dir);
  writeFileAtomic(paths.error, `${safeJsonText(JSON.stringify(stored, null, 2))}\n`);
  rmSync(paths.report, { force: true });
}

export type Stored = { result: RunResult } | { error: StoredError } | { unreadable: string; file: string };

/** The stored outcome of a student, if any. A report wins over an error file left by a crash in between. */
export function readStored(outDir: string, dir: string): Stored | undefined {
  const paths = studentPaths(outDir, dir);
  for (const file of [paths.report, paths.error]) {
    if (!existsSync(file)) continue;
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (file === paths.report && isRunResult(parsed)) return { result: parsed };
      if (file === paths.error && typeof (parsed as StoredError).error === 'string')
        return { error: parsed as StoredError };
      return { unreadable: 'unexpected content', file };
    } catch (e) {
      return { unreadable: (e as Error).message, file };
    }
  }
  return undefined;
}

function isRunResult(value: unknown): value is RunResult {
  const r = value as RunResult | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    r.schemaVersion === 1 &&
    Array.isArray(r.results) &&
    typeof r.summary === 'object' &&
    typeof r.exitCode === 'number'
  );
}

/** A record from what is stored; `pending` when nothing usable is. */
export function recordFromStored(student: string, dir: string, stored: Stored | undefined, lang: Lang): StudentRecord {
  if (stored && 'result' in stored) {
    return {
      student,
      dir,
      status: statusOf(stored.result),
      result: stored.result,
      startedAt: stored.result.startedAt,
      durationMs: stored.result.timings.totalMs,
    };
  }
  if (stored && 'error' in stored) {
    const { error, startedAt, durationMs } = stored.error;
    return {
      student,
      dir,
      status: 'error',
      error,
      ...(startedAt ? { startedAt } : {}),
      ...(durationMs !== undefined ? { durationMs } : {}),
    };
  }
  return { student, dir, status: 'pending', error: say('pending', lang) };
}

// ---------------------------------------------------------------------------------------------
// Class files

/** Code-point order: the same on every machine, whatever its locale. */
export function byStudent(a: StudentRecord, b: StudentRecord): number {
  return a.student < b.student ? -1 : a.student > b.student ? 1 : 0;
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. Text is made safe
 * for spreadsheets first (safeCsvCell: a leading `=`, `+`, `-`, `@`, tab or CR gets an apostrophe,
 * control and bidi characters are shown visibly). That holds for student ids too: an id that
 * begins with one of those characters does not match on a gradebook import until it is renamed,
 * which is visible; a formula run in the instructor's spreadsheet would not be.
 */
export function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  const text = typeof value === 'number' ? String(value) : safeCsvCell(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csv(rows: (string | number | undefined)[][]): string {
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

/** The checks with this status, grouped by area as the class report's columns are. */
function idsWith(result: RunResult, status: 'fail' | 'error'): string[] {
  return result.results
    .filter((r) => r.status === status)
    .sort(byAreaThenId)
    .map((r) => r.id);
}

/** Why a student has no usable grade, or undefined when it has one. */
export function reasonOf(record: StudentRecord, lang: Lang): string | undefined {
  if (record.status === 'pending' || !record.result) return say('notGraded', lang, { reason: record.error ?? '' });
  if (record.status === 'error') return say('undecided', lang, { ids: idsWith(record.result, 'error').join(', ') });
  return undefined;
}

/**
 * A row per student: status, score, then pass/fail/error/skip per check id (grouped by area, in the
 * class report's column order), the reason last.
 */
export function summaryCsv(records: StudentRecord[], lang: Lang): string {
  const sorted = [...records].sort(byStudent);
  const checks = new Map<string, { id: string; area: Area }>();
  for (const c of sorted.flatMap((r) => r.result?.results ?? [])) if (!checks.has(c.id)) checks.set(c.id, c);
  const ids = [...checks.values()].sort(byAreaThenId).map((c) => c.id);
  const rows = sorted.map((r) => {
    const statuses = new Map(r.result?.results.map((c) => [c.id, c.status]));
    return [
      r.student,
      r.status,
      r.result?.summary.score,
      r.result?.summary.maxScore,
      ...ids.map((id) => statuses.get(id)),
      reasonOf(r, lang),
    ];
  });
  return csv([['student', 'status', 'score', 'maxScore', ...ids, 'reason'], ...rows]);
}

/**
 * The points a student of this class could earn: per check, the most any student's run counted
 * for it. The engine leaves a skipped check out of a student's maxScore (CRT002 is skipped when
 * rebrain.pem is missing); a grade must not, or missing more would cost less. A check everyone
 * skipped (the failover probe under --no-failover) counts for nobody.
 */
export function classMaxScore(records: StudentRecord[]): number {
  const best = new Map<string, number>();
  for (const r of records)
    for (const c of r.result?.results ?? []) best.set(c.id, Math.max(best.get(c.id) ?? 0, c.maxPoints));
  return [...best.values()].reduce((a, b) => a + b, 0);
}

/**
 * The score scaled to maxGrade over the class maximum, at most two decimals; undefined when the student has no grade.
 */
export function gradeOf(record: StudentRecord, maxGrade: number, classMax: number): number | undefined {
  const summary = record.result?.summary;
  if (!summary || record.status === 'error' || record.status === 'pending' || classMax <= 0) return undefined;
  return Math.round((summary.score / classMax) * maxGrade * 100) / 100;
}

/**
 * For Moodle's grade import (Grades → Import → CSV file): the id column the instructor maps to
 * a user field, Grade mapped to the grade item, Feedback to its feedback. Grade is the score over
 * classMaxScore, scaled to maxGrade. A student who could not be graded gets an empty Grade, which
 * the import leaves alone, and the reason as feedback.
 */
export function gradebookCsv(records: StudentRecord[], opts: OutputOptions): string {
  const classMax = classMaxScore(records);
  const rows = [...records].sort(byStudent).map((r) => {
    const grade = gradeOf(r, opts.maxGrade, classMax);
    const failed = r.result ? idsWith(r.result, 'fail') : [];
    const feedback =
      grade === undefined
        ? reasonOf(r, opts.lang)
        : failed.length
          ? say('failedChecks', opts.lang, { ids: failed.join(', ') })
          : say('allPassed', opts.lang);
    return [r.student, grade, feedback];
  });
  return csv([[opts.gradebookIdColumn, 'Grade', 'Feedback'], ...rows]);
}

export interface BatchInfo {
  shard?: ShardSpec;
  /** Output directories a merge joined. */
  mergedFrom?: string[];
  /** False while the batch runs and when it was interrupted: some students may still be pending. */
  finished: boolean;
  concurrency?: number;
  startedAt?: string;
}

export interface BatchFile {
  schemaVersion: 1;
  tool: { name: 'hagrade'; version: string };
  generatedAt: string;
  shard: ShardSpec | null;
  mergedFrom?: string[];
  finished: boolean;
  concurrency?: number;
  startedAt?: string;
  counts: Record<StudentStatus, number> & { total: number };
  /** The denominator of gradebook.csv's Grade (classMaxScore). */
  classMaxScore: number;
  students: {
    student: string;
    dir: string;
    group?: string;
    status: StudentStatus;
    score?: number;
    maxScore?: number;
    exitCode?: number;
    reason?: string;
    startedAt?: string;
    durationMs?: number;
    resumed?: boolean;
  }[];
}

export function batchFile(records: StudentRecord[], info: BatchInfo, lang: Lang, now: Date): BatchFile {
  const sorted = [...records].sort(byStudent);
  const counts = { total: sorted.length, pass: 0, fail: 0, error: 0, pending: 0 };
  for (const r of sorted) counts[r.status]++;
  return {
    schemaVersion: 1,
    tool: { name: 'hagrade', version: VERSION },
    generatedAt: now.toISOString(),
    shard: info.shard ?? null,
    ...(info.mergedFrom ? { mergedFrom: info.mergedFrom } : {}),
    finished: info.finished,
    ...(info.concurrency !== undefined ? { concurrency: info.concurrency } : {}),
    ...(info.startedAt ? { startedAt: info.startedAt } : {}),
    counts,
    classMaxScore: classMaxScore(sorted),
    students: sorted.map((r) => ({
      student: r.student,
      dir: r.dir,
      ...(r.group !== undefined ? { group: r.group } : {}),
      status: r.status,
      ...(r.result
        ? { score: r.result.summary.score, maxScore: r.result.summary.maxScore, exitCode: r.result.exitCode }
        : {}),
      ...(reasonOf(r, lang) !== undefined ? { reason: reasonOf(r, lang) } : {}),
      ...(r.startedAt ? { startedAt: r.startedAt } : {}),
      ...(r.durationMs !== undefined ? { durationMs: r.durationMs } : {}),
      ...(r.resumed ? { resumed: true } : {}),
    })),
  };
}

/** Write the class files of a batch (or a merge) from its student records. */
export function writeClassFiles(
  outDir: string,
  records: StudentRecord[],
  info: BatchInfo,
  opts: OutputOptions,
  now = new Date(),
): void {
  const sorted = [...records].sort(byStudent);
  writeFileAtomic(join(outDir, 'summary.csv'), summaryCsv(sorted, opts.lang));
  writeFileAtomic(join(outDir, 'gradebook.csv'), gradebookCsv(sorted, opts));
  const html = renderClassReport({
    title: opts.title ?? say('title', opts.lang),
    generatedAt: now.toISOString(),
    lang: opts.lang,
    students: sorted.map((r) => ({
      student: r.student,
      ...(r.result ? { result: r.result } : {}),
      ...(reasonOf(r, opts.lang) && !r.result ? { error: reasonOf(r, opts.lang) } : {}),
    })),
  });
  writeFileAtomic(join(outDir, 'class-report.html'), html);
  writeFileAtomic(
    join(outDir, 'batch.json'),
    `${safeJsonText(JSON.stringify(batchFile(sorted, info, opts.lang, now), null, 2))}\n`,
  );
}
