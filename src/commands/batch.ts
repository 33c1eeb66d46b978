// `hagrade batch` and `hagrade merge`: the CLI side of grading a whole class.
import type { Command } from 'commander';
import { parseLang, parseRebootTimeout } from './check.js';
import { confirm } from './prompt.js';
import type { Lang } from '../model/basics.js';
import { UsageError } from './errors.js';
import { InventoryError } from '../inputs/inventory.js';
import { loadProfile, ProfileError } from '../inputs/profile.js';
import { createBatchDisplay } from '../batch/display.js';
import { mergeBatches, MergeError } from '../batch/merge.js';
import { DEFAULT_OUTPUT_OPTIONS, type OutputOptions, type StudentRecord } from '../batch/outputs.js';
import { loadRoster } from '../batch/roster.js';
import { BatchError, DEFAULT_TIMEOUT_MS, parseShard, runBatch } from '../batch/runner.js';
import { say } from '../batch/text.js';
import { fill, pick } from '../i18n/messages.js';
import { safeLine } from '../report/safe-text.js';
import type { GradeFn } from '../batch/types.js';

interface OutputFlags {
  out: string;
  lang?: string;
  gradebookIdColumn: string;
  maxGrade: string;
  title?: string;
  quiet?: boolean;
}

interface BatchFlags extends OutputFlags {
  concurrency?: string;
  failover: boolean;
  reboot?: boolean;
  rebootConcurrency: string;
  rebootTimeout?: string;
  yes?: boolean;
  resume?: boolean;
  retryErrors?: boolean;
  shard?: string;
  lab?: string;
  timeout: string;
}

const EXIT_HELP = `
Exit codes:
  0    every student was graded (whatever their grades)
  2    usage or input error (bad option, roster error with its line, conflicting merge)
  3    some students could not be graded or have checks that could not be decided (ERROR rows)
  130  interrupted: the students that were running finished; run again with --resume`;

function positive(value: string, option: string, integer: boolean): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new UsageError(`${option} must be a positive ${integer ? 'whole ' : ''}number, not '${value}'`);
  return n;
}

function outputOptions(flags: OutputFlags): OutputOptions {
  return {
    lang: parseLang(flags.lang),
    gradebookIdColumn: flags.gradebookIdColumn,
    maxGrade: positive(flags.maxGrade, '--max-grade', false),
    ...(flags.title !== undefined ? { title: flags.title } : {}),
  };
}

/** Errors of the user's inputs are usage errors (exit 2); anything else is ours. */
async function asUsageErrors<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof InventoryError || e instanceof ProfileError || e instanceof BatchError || e instanceof MergeError)
      throw new UsageError(e.message);
    throw e;
  }
}

/** Say what `batch --reboot` will do; ask in a terminal unless --yes; refuse without a terminal and --yes. */
async function confirmBatchReboot(
  students: number,
  reboot: { concurrency: number; timeoutMs: number },
  lang: Lang,
  yes: boolean,
): Promise<void> {
  process.stderr.write(
    lang === 'ru'
      ? `hagrade перезагрузит master каждого студента (${students}), не больше ${reboot.concurrency} одновременно, и проверит, что keepalived, haproxy, параметры ядра и виртуальный IP вернулись сами (ожидание SSH — не дольше ${Math.round(reboot.timeoutMs / 1000)} с).\n`
      : `hagrade will reboot the master of every student (${students}), at most ${reboot.concurrency} at once, and check that keepalived, haproxy, the kernel settings and the VIP came back by themselves (waiting at most ${Math.round(reboot.timeoutMs / 1000)} s for SSH).\n`,
  );
  if (yes) return;
  const answer = await confirm(lang === 'ru' ? 'Перезагрузить их? [y/N] ' : 'Reboot them? [y/N] ');
  if (answer === undefined)
    throw new UsageError('--reboot asks before it reboots; without a terminal to ask on, add --yes');
  if (!answer) throw new UsageError('not confirmed: nothing was rebooted (run without --reboot, or answer y)');
}

/** Exit 3 when some students have no usable grade. */
function failOnErrors(records: StudentRecord[], options: OutputOptions): void {
  const bad = records.filter((r) => r.status === 'error' || r.status === 'pending').map((r) => r.student);
  if (bad.length)
    throw new UsageError(say('someErrors', options.lang, { count: bad.length, students: bad.join(', ') }), 3);
}

function addOutputOptions(command: Command): Command {
  return command
    .requiredOption('--out <dir>', 'output directory')
    .option('--lang <lang>', 'ru or en (default: from LANG)')
    .option(
      '--gradebook-id-column <name>',
      "gradebook.csv's student column, to map on import (e.g. 'Email address', 'Username')",
      DEFAULT_OUTPUT_OPTIONS.gradebookIdColumn,
    )
    .option(
      '--max-grade <n>',
      "gradebook.csv's Grade is the score scaled to this",
      String(DEFAULT_OUTPUT_OPTIONS.maxGrade),
    )
    .option('--title <text>', 'title of class-report.html')
    .option('-q, --quiet', 'no progress output');
}

/** Adds `batch` and `merge`. `grade` grades one pair (over SSH in the real CLI). */
export function registerBatchCommands(program: Command, grade: GradeFn): void {
  addOutputOptions(
    program
      .command('batch')
      .argument(
        '<roster>',
        'the class: CSV (student,master,backup,user,key,vip), YAML (students:) or an Ansible INI inventory with a group per student',
      )
      .description('grade a whole class from a roster: in parallel, resumable, in shards'),
  )
    .option('--concurrency <n>', 'students graded at once (default: min(16, students))')
    .option('--no-failover', 'do not run the failover probe (read-only grading)')
    .option('--reboot', "also reboot each student's master for real (RBT checks); says what it will do and asks first")
    .option(
      '--reboot-concurrency <n>',
      'with --reboot: masters rebooting at once (waiting for a turn does not count against --timeout)',
      '2',
    )
    .option('--reboot-timeout <seconds>', 'with --reboot: how long a master may take to answer SSH again (default 300)')
    .option('--yes', 'with --reboot: do not ask (needed without a terminal)')
    .option('--resume', 'skip students whose result is already in --out (after an interrupted batch)')
    .option('--retry-errors', 'like --resume, but grade again the students whose stored result is an ERROR')
    .option('--shard <i/n>', 'grade only shard i of n (1-based; a stable hash of the student id picks the shard)')
    .option('--lab <profile.yaml>', 'expected values that differ from the assignment (names, ports, paths)')
    .option(
      '--timeout <minutes>',
      'stop grading a pair after this long (it restores) and make it an ERROR row',
      String(DEFAULT_TIMEOUT_MS / 60_000),
    )
    .addHelpText(
      'after',
      `
Writes to --out: students/<id>/report.json and snapshot/, summary.csv, gradebook.csv (Moodle
grade import), class-report.html and batch.json. Shards are joined with 'hagrade merge'.

Examples:
  hagrade batch roster.csv --out grades --concurrency 8
  hagrade batch roster.csv --out grades --resume            # after Ctrl+C
  hagrade batch roster.yaml --out part2 --shard 2/4 --no-failover
${EXIT_HELP}`,
    )
    .action(async (rosterFile: string, flags: BatchFlags) => {
      const output = outputOptions(flags);
      const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
      if (flags.shard !== undefined && !shard)
        throw new UsageError(`--shard must be i/n with 1 <= i <= n (e.g. 2/4), not '${flags.shard}'`);
      const concurrency =
        flags.concurrency === undefined ? undefined : positive(flags.concurrency, '--concurrency', true);
      const timeoutMs = positive(flags.timeout, '--timeout', false) * 60_000;
      const profile = await asUsageErrors(() => loadProfile(flags.lab));
      const entries = await asUsageErrors(() => loadRoster(rosterFile));
      const reboot = flags.reboot
        ? {
            concurrency: positive(flags.rebootConcurrency, '--reboot-concurrency', true),
            timeoutMs: parseRebootTimeout(flags.rebootTimeout),
          }
        : undefined;
      if (reboot) await confirmBatchReboot(entries.length, reboot, output.lang, Boolean(flags.yes));
      // First Ctrl+C: start no new student; the CLI exits on the second one.
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const display = createBatchDisplay({
        interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
        quiet: Boolean(flags.quiet),
        lang: output.lang,
      });
      try {
        const outcome = await asUsageErrors(() =>
          runBatch({
            entries,
            grade,
            outDir: flags.out,
            ...(concurrency !== undefined ? { concurrency } : {}),
            resume: Boolean(flags.resume),
            retryErrors: Boolean(flags.retryErrors),
            ...(shard ? { shard } : {}),
            timeoutMs,
            signal: stop.signal,
            onProgress: (event) => display.onEvent(event),
            failover: flags.failover,
            ...(reboot ? { reboot } : {}),
            profile,
            output,
          }),
        );
        display.stop();
        if (!flags.quiet) process.stderr.write(`${safeLine(say('written', output.lang, { dir: flags.out }))}\n`);
        if (!outcome.interrupted) failOnErrors(outcome.records, output);
      } finally {
        display.stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });

  addOutputOptions(
    program
      .command('merge')
      .argument('<dirs...>', "--out directories of 'hagrade batch --shard'")
      .description('join the outputs of sharded batches into one summary, gradebook and class report'),
  )
    .addHelpText('after', `\nExample:\n  hagrade merge part1 part2 part3 part4 --out grades\n${EXIT_HELP}`)
    .action(async (dirs: string[], flags: OutputFlags) => {
      const output = outputOptions(flags);
      const { records, warnings } = await asUsageErrors(() => mergeBatches(dirs, flags.out, output));
      for (const w of warnings) process.stderr.write(`! ${safeLine(fill(pick(w.text, output.lang)!, w.data))}\n`);
      if (!flags.quiet) process.stderr.write(`${safeLine(say('written', output.lang, { dir: flags.out }))}\n`);
      failOnErrors(records, output);
    });
}
