// `hagrade check`: open the hosts (snapshot or SSH), run the catalogue, report, exit code.
import { loadCatalogue } from '../engine/registry.js';
import { langFromEnv } from '../engine/messages.js';
import { runChecks } from '../engine/run.js';
import { openSnapshot, SnapshotError } from '../hosts/snapshot.js';
import { loadProfile, ProfileError } from '../profile.js';
import { createProgress } from '../report/progress.js';
import type { Check, Host, Lang, Role, RunResult, Target } from '../types.js';
import { UsageError } from './errors.js';
import { emit, FORMATS, wantColor, type Format } from './output.js';

export interface CheckOptions {
  snapshot?: string;
  inventory?: string;
  master?: string;
  backup?: string;
  identity?: string;
  vip?: string;
  lab?: string;
  format: string;
  out?: string;
  lang?: string;
  failover: boolean;
  only?: string;
  quiet?: boolean;
}

export function parseLang(value: string | undefined): Lang {
  if (value === undefined) return langFromEnv();
  if (value !== 'en' && value !== 'ru') throw new UsageError(`--lang must be 'en' or 'ru', not '${value}'`);
  return value;
}

export function parseFormat(value: string): Format {
  if (!(FORMATS as readonly string[]).includes(value)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not '${value}'`);
  return value as Format;
}

/** `--only HAP005,KAD` keeps checks whose id starts with one of the given prefixes. */
export function selectChecks(catalogue: Check[], only: string | undefined): Check[] {
  if (!only) return catalogue;
  const prefixes = only.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  const chosen = catalogue.filter((c) => prefixes.some((p) => c.id.startsWith(p)));
  if (!chosen.length) throw new UsageError(`--only ${only} matches no check (see 'hagrade checks')`);
  return chosen;
}

export interface OpenedTarget {
  target: Target;
  hosts: Record<Role, Host>;
  live: boolean;
  snapshotDir?: string;
  secrets: string[];
}

export type LiveOpener = (opts: CheckOptions, onProgress: (msg: string) => void) => Promise<OpenedTarget>;

/** Live (SSH) targets are opened by a module registered at start-up, so tests can run without it. */
let openLive: LiveOpener | undefined;
export function registerLiveOpener(opener: LiveOpener): void {
  openLive = opener;
}

async function openTarget(opts: CheckOptions, onProgress: (msg: string) => void): Promise<OpenedTarget> {
  const sources = [opts.snapshot, opts.inventory, opts.master ?? opts.backup].filter((s) => s !== undefined);
  if (sources.length === 0) {
    throw new UsageError('say what to grade: --snapshot DIR, --inventory FILE, or --master [user@]host --backup [user@]host');
  }
  if (sources.length > 1) throw new UsageError('give only one of --snapshot, --inventory, or --master/--backup');
  if (opts.snapshot) {
    try {
      const { target, hosts } = openSnapshot(opts.snapshot);
      if (opts.vip) target.vip = opts.vip;
      return { target, hosts, live: hosts.master.hasCommands() || hosts.backup.hasCommands(), snapshotDir: opts.snapshot, secrets: [] };
    } catch (e) {
      if (e instanceof SnapshotError) throw new UsageError(e.message);
      throw e;
    }
  }
  if (!opts.inventory && (!opts.master || !opts.backup)) throw new UsageError('--master and --backup go together');
  if (!openLive) throw new UsageError('live grading over SSH is not available in this build');
  return openLive(opts, onProgress);
}

export async function runCheckCommand(opts: CheckOptions, signal: AbortSignal): Promise<RunResult> {
  const lang = parseLang(opts.lang);
  const format = parseFormat(opts.format);
  let profile;
  try {
    profile = loadProfile(opts.lab);
  } catch (e) {
    if (e instanceof ProfileError) throw new UsageError(e.message);
    throw e;
  }
  const checks = selectChecks(await loadCatalogue(), opts.only);
  const interactive = Boolean(process.stderr.isTTY) && !process.env.CI;
  const progress = createProgress({ interactive, quiet: Boolean(opts.quiet) || (format !== 'pretty' && !opts.out), lang });
  const opened = await openTarget(opts, (msg) => progress.note(msg));
  try {
    const result = await runChecks({
      checks,
      hosts: opened.hosts,
      target: opened.target,
      profile,
      options: { lang, failover: opts.failover, live: opened.live },
      onEvent: (e) => progress.onEvent(e),
      signal,
      secrets: opened.secrets,
      ...(opened.snapshotDir ? { snapshotDir: opened.snapshotDir } : {}),
    });
    progress.stop();
    emit(result, format, opts.out, wantColor());
    return result;
  } finally {
    progress.stop();
    await Promise.all([opened.hosts.master.close(), opened.hosts.backup.close()]);
  }
}
