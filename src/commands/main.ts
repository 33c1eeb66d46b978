#!/usr/bin/env node
// The CLI: a thin shell that parses argv, runs a command, and turns its outcome into an exit code.
import { Command, CommanderError, Option } from 'commander';
import { loadCatalogue } from '../engine/registry.js';
import { catalogueEntries, catalogueMarkdown, catalogueText, explainText } from '../report/catalogue.js';
import { parseLang, runCheckCommand, type CheckOptions } from './check.js';
import { UsageError } from './errors.js';
import { FORMATS } from './output.js';
import { runSnapshotCommand, type SnapshotOptions } from './snapshot.js';
import { registerLabCommands } from './lab.js';
import { registerBatchCommands } from './batch.js';
import type { GradeFn } from '../batch/types.js';
import { gradePair } from '../engine/grade.js';
import { VERSION } from '../self/version.js';
import { ProfileError } from '../inputs/profile.js';
import { InventoryError } from '../inputs/inventory.js';
import { SnapshotError } from '../hosts/snapshot.js';
import { safeText } from '../report/safe-text.js';

const EXIT_HELP = `
Exit codes:
  0  every check passed
  1  at least one check failed
  2  usage or input error (bad option, unreadable file, unknown check id)
  3  some checks could not be decided (ERROR: host unreachable, timeout) and none failed`;

/** One student's grading in a batch: no prompts (many run at once), progress as phases. */
const gradeForBatch: GradeFn = (entry, o) =>
  gradePair(entry, {
    profile: o.profile,
    lang: o.lang,
    failover: o.failover,
    ...(o.reboot ? { reboot: o.reboot } : {}),
    signal: o.signal,
    snapshotDir: o.snapshotDir,
    onProgress: o.onPhase,
    onEvent: (e) => {
      if (e.type === 'check-start') o.onPhase(e.check.id);
      else if (e.type === 'check-progress') o.onPhase(`${e.check.id} ${e.message}`);
    },
  });

function buildProgram(signal: AbortSignal, setExit: (code: number) => void): Command {
  const program = new Command('hagrade')
    .description(
      'Grade the HAProxy + keepalived high-availability lab: config checks, live checks and a failover probe.',
    )
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_HELP)
    // Before the subcommands are added, so they inherit it: usage errors become exit code 2.
    .exitOverride();

  program
    .command('check')
    .description('grade a master/backup pair: over SSH, or offline from a snapshot directory')
    .option('--snapshot <dir>', 'grade a snapshot directory offline (layout: see README)')
    .option('--inventory <file>', 'hosts from an inventory file (YAML, or an Ansible INI inventory)')
    .option('--master <[user@]host[:port]>', 'the master VM')
    .option('--backup <[user@]host[:port]>', 'the backup VM')
    .option('-i, --identity <keyfile>', 'SSH private key (else ssh-agent, ~/.ssh/config, or a password prompt)')
    .option('--vip <address>', "the virtual IP (default: master's address when it is an IP)")
    .option('--lab <profile.yaml>', 'expected values that differ from the assignment (names, ports, paths)')
    .addOption(new Option('--format <format>', 'report format').choices([...FORMATS]).default('pretty'))
    .option('--out <file>', 'write the report to a file (the terminal still gets the pretty report)')
    .option('--lang <lang>', 'ru or en (default: from LANG)')
    .option('--no-failover', 'do not run the failover probe (read-only run)')
    .option('--reboot', 'also reboot master for real (RBT checks): says what it will do and asks first')
    .option('--yes', 'with --reboot: do not ask (needed without a terminal)')
    .option('--reboot-timeout <seconds>', 'with --reboot: how long master may take to answer SSH again (default 300)')
    .option('--only <ids>', 'only checks whose id starts with these, comma-separated (e.g. HAP,KAD007)')
    .option('--strict-host-keys', 'refuse hosts whose SSH key is not known yet (default: trust on first use)')
    .option('-q, --quiet', 'no progress output')
    .addHelpText(
      'after',
      `
Examples:
  hagrade check --master student@203.0.113.10 --backup student@203.0.113.20 -i ~/.ssh/id_ed25519
  hagrade check --inventory hosts.ini --lang ru
  hagrade check --snapshot fixtures/correct --format json --out report.json
  hagrade check --master root@vm1 --backup root@vm2 --no-failover   # read-only
  hagrade check --inventory hosts.ini --reboot                        # also reboots master (asks first)
${EXIT_HELP}`,
    )
    .action(async (opts: CheckOptions) => {
      const result = await runCheckCommand(opts, signal);
      setExit(result.exitCode);
    });

  program
    .command('snapshot')
    .description('save a live pair (files and read-only command outputs) as a snapshot directory')
    .requiredOption('--out <dir>', 'where to write the snapshot')
    .option('--inventory <file>', 'hosts from an inventory file')
    .option('--master <[user@]host[:port]>', 'the master VM')
    .option('--backup <[user@]host[:port]>', 'the backup VM')
    .option('-i, --identity <keyfile>', 'SSH private key')
    .option('--vip <address>', 'the virtual IP')
    .option('--lab <profile.yaml>', 'expected values (paths) that differ from the assignment')
    .option('--strict-host-keys', 'refuse unknown SSH host keys')
    .option('--force', 'write into a non-empty directory')
    .action(async (opts: SnapshotOptions) => setExit(await runSnapshotCommand(opts)));

  registerLabCommands(program);
  registerBatchCommands(program, gradeForBatch);

  program
    .command('checks')
    .description('list the check catalogue')
    .option('--json', 'as JSON')
    .option('--markdown', "as the README's markdown table")
    .option('--lang <lang>', 'ru or en')
    .action(async (opts: { json?: boolean; markdown?: boolean; lang?: string }) => {
      const lang = parseLang(opts.lang);
      const checks = await loadCatalogue();
      if (opts.json) process.stdout.write(`${JSON.stringify(catalogueEntries(checks, lang), null, 2)}\n`);
      else if (opts.markdown) process.stdout.write(catalogueMarkdown(checks));
      else process.stdout.write(catalogueText(checks, lang));
    });

  program
    .command('explain')
    .argument('<id>', 'a check id, e.g. HAP005')
    .description("print a check's doc: what it asserts, a failing and a passing example, how to fix")
    .option('--lang <lang>', 'ru or en')
    .action(async (id: string, opts: { lang?: string }) => {
      const lang = parseLang(opts.lang);
      const checks = await loadCatalogue();
      const check = checks.find((c) => c.id === id.toUpperCase());
      if (!check) throw new UsageError(`no check '${id}'; 'hagrade checks' lists them`);
      process.stdout.write(explainText(check, lang));
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  let exitCode = 0;
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts === 1) {
      process.stderr.write(`\nhagrade: ${sig} received, stopping and restoring what was changed…\n`);
      controller.abort();
    } else if (interrupts === 2) {
      process.stderr.write(
        'hagrade: still restoring haproxy on master; interrupt once more to quit anyway (the dead-man switch on master restarts it shortly)\n',
      );
    } else {
      process.stderr.write('hagrade: quitting without waiting for the restore\n');
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const program = buildProgram(controller.signal, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed by commander.
      return e.exitCode === 0 ? 0 : 2;
    }
    // Messages may quote a roster, an inventory or a host: written through safeText like every output.
    if (e instanceof UsageError) {
      process.stderr.write(`hagrade: ${safeText(e.message)}\n`);
      return e.exitCode;
    }
    // Bad input files: a lab profile, an inventory, a snapshot directory.
    if (e instanceof ProfileError || e instanceof InventoryError || e instanceof SnapshotError) {
      process.stderr.write(`hagrade: ${safeText(e.message)}\n`);
      return 2;
    }
    process.stderr.write(
      `hagrade: internal error: ${safeText((e as Error).stack ?? String(e))}\nPlease report this with the command you ran.\n`,
    );
    return 3;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return controller.signal.aborted && exitCode === 0 ? 130 : exitCode;
}

// `hagrade checks | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv).then((code) => {
  process.exitCode = code;
});
