// `hagrade check`: open the hosts (snapshot or SSH), run the catalogue, report, exit code.
import { isIP } from 'node:net';
import { loadCatalogue } from '../engine/registry.js';
import { langFromEnv } from '../i18n/messages.js';
import { runChecks } from '../engine/run.js';
import { openSnapshot } from '../hosts/snapshot.js';
import { openPair, type PairSpec } from '../engine/grade.js';
import { DEFAULT_REBOOT_TIMEOUT_MS } from '../probe/reboot.js';
import { warmUp } from '../facts/warmup.js';
import { httpsServiceClient } from '../probe/https-client.js';
import { loadInventory, parseHostSpec, type HostSpec } from '../inputs/inventory.js';
import { confirm, promptHidden } from './prompt.js';
import { loadProfile } from '../inputs/profile.js';
import { createProgress } from '../report/progress.js';
import type { Check, RunResult } from '../model/check.js';
import type { Host } from '../hosts/host.js';
import type { Lang, Role } from '../model/basics.js';
import type { Target } from '../model/target.js';
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
  /** Also run the reboot probe (reboots master); asks first in a terminal unless `yes`. */
  reboot?: boolean;
  yes?: boolean;
  rebootTimeout?: string;
  only?: string;
  quiet?: boolean;
  strictHostKeys?: boolean;
}

export function parseLang(value: string | undefined): Lang {
  if (value === undefined) return langFromEnv();
  if (value !== 'en' && value !== 'ru') throw new UsageError(`--lang must be 'en' or 'ru', not '${value}'`);
  return value;
}

export function parseFormat(value: string): Format {
  if (!(FORMATS as readonly string[]).includes(value))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not '${value}'`);
  return value as Format;
}

/** `--only HAP005,KAD` keeps checks whose id starts with one of the given prefixes. */
export function selectChecks(catalogue: Check[], only: string | undefined): Check[] {
  if (!only) return catalogue;
  const prefixes = only
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
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
  unreachable: Partial<Record<Role, string>>;
}

/** The pair to grade from --inventory, or --master/--backup with -i and --vip. */
export function pairFromOptions(opts: CheckOptions): PairSpec {
  if (opts.vip !== undefined && !isIP(opts.vip)) throw new UsageError(`--vip must be an IP address, not '${opts.vip}'`);
  if (opts.inventory) {
    const inv = loadInventory(opts.inventory);
    const pair: PairSpec = { master: inv.master, backup: inv.backup };
    const vip = opts.vip ?? inv.target.vip;
    if (vip) pair.vip = vip;
    if (inv.knownHosts) pair.knownHosts = inv.knownHosts;
    if (inv.target.student) pair.student = inv.target.student;
    return pair;
  }
  const withKey = (spec: HostSpec): HostSpec => (opts.identity && !spec.key ? { ...spec, key: opts.identity } : spec);
  const pair: PairSpec = { master: withKey(parseHostSpec(opts.master!)), backup: withKey(parseHostSpec(opts.backup!)) };
  if (opts.vip) pair.vip = opts.vip;
  return pair;
}

async function openTarget(opts: CheckOptions, onProgress: (msg: string) => void): Promise<OpenedTarget> {
  const sources = [opts.snapshot, opts.inventory, opts.master ?? opts.backup].filter((s) => s !== undefined);
  if (sources.length === 0) {
    throw new UsageError(
      'say what to grade: --snapshot DIR, --inventory FILE, or --master [user@]host --backup [user@]host',
    );
  }
  if (sources.length > 1) throw new UsageError('give only one of --snapshot, --inventory, or --master/--backup');
  if (opts.snapshot) {
    const { target, hosts } = openSnapshot(opts.snapshot);
    if (opts.vip) target.vip = opts.vip;
    const live = hosts.master.hasCommands() || hosts.backup.hasCommands();
    return { target, hosts, live, snapshotDir: opts.snapshot, secrets: [], unreachable: {} };
  }
  if (!opts.inventory && (!opts.master || !opts.backup)) throw new UsageError('--master and --backup go together');
  const opened = await openPair(pairFromOptions(opts), {
    lang: parseLang(opts.lang),
    strictHostKeys: Boolean(opts.strictHostKeys),
    onProgress,
    promptPassword: ({ user, host }) => promptHidden(`${user}@${host}'s password: `),
    promptPassphrase: (file) => promptHidden(`Enter passphrase for key '${file}': `),
  });
  return {
    target: opened.target,
    hosts: opened.hosts,
    live: true,
    secrets: opened.secrets,
    unreachable: opened.unreachable,
  };
}

/** `--reboot-timeout SECONDS` in ms (default 300 s). */
export function parseRebootTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_REBOOT_TIMEOUT_MS;
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || seconds < 10 || seconds > 3600)
    throw new UsageError(`--reboot-timeout must be a number of seconds from 10 to 3600, not '${value}'`);
  return seconds * 1000;
}

/** What `--reboot` will do, said before anything happens. */
export function rebootNotice(master: string, timeoutMs: number, lang: Lang): string {
  return lang === 'ru'
    ? `hagrade перезагрузит master (${master}) по-настоящему: после остальных проверок он выполнит на нём systemctl reboot, проследит, что виртуальный IP перешёл на backup, подождёт, пока master снова ответит по SSH (не дольше ${Math.round(timeoutMs / 1000)} с), и проверит, что keepalived, haproxy, параметры ядра и виртуальный IP вернулись сами. Службы, которые загрузка не запустит, hagrade запустит снова.\n`
    : `hagrade will reboot master (${master}) for real: after the other checks it runs systemctl reboot there, watches the VIP move to backup, waits for master to answer SSH again (at most ${Math.round(timeoutMs / 1000)} s), and checks that keepalived, haproxy, the kernel settings and the VIP came back by themselves. Services the boot does not start, hagrade starts again.\n`;
}

/** Say what --reboot will do; ask in a terminal unless --yes; refuse without a terminal and --yes. */
async function confirmReboot(opts: CheckOptions, lang: Lang, timeoutMs: number): Promise<void> {
  if (!opts.reboot) return;
  const master = opts.master ?? (opts.inventory ? `from ${opts.inventory}` : '?');
  process.stderr.write(rebootNotice(master, timeoutMs, lang));
  if (opts.yes) return;
  const answer = await confirm(lang === 'ru' ? 'Перезагрузить master? [y/N] ' : 'Reboot master? [y/N] ');
  if (answer === undefined)
    throw new UsageError('--reboot asks before it reboots master; without a terminal to ask on, add --yes');
  if (!answer) throw new UsageError('not confirmed: nothing was rebooted (run without --reboot, or answer y)');
}

export async function runCheckCommand(opts: CheckOptions, signal: AbortSignal): Promise<RunResult> {
  const lang = parseLang(opts.lang);
  const format = parseFormat(opts.format);
  const profile = loadProfile(opts.lab);
  const checks = selectChecks(await loadCatalogue(), opts.only);
  const rebootTimeoutMs = parseRebootTimeout(opts.rebootTimeout);
  if (opts.reboot && opts.snapshot) throw new UsageError('--reboot needs live hosts, not a snapshot');
  await confirmReboot(opts, lang, rebootTimeoutMs);
  const interactive = Boolean(process.stderr.isTTY) && !process.env.CI;
  const progress = createProgress({
    interactive,
    quiet: Boolean(opts.quiet) || (format !== 'pretty' && !opts.out),
    lang,
  });
  const opened = await openTarget(opts, (msg) => progress.note(msg));
  try {
    const result = await runChecks({
      checks,
      hosts: opened.hosts,
      target: opened.target,
      profile,
      options: { lang, failover: opts.failover, live: opened.live, reboot: Boolean(opts.reboot), rebootTimeoutMs },
      onEvent: (e) => progress.onEvent(e),
      signal,
      secrets: opened.secrets,
      unreachable: opened.unreachable,
      ...(opened.hosts.master.kind === 'ssh' ? { warmUp, serviceClient: httpsServiceClient } : {}),
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
