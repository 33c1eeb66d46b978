// THE registry of read-only commands: what live checks run and what `hagrade snapshot` captures
// (`commands/<key>.txt` = stdout, `<key>.exit`, `<key>.stderr`). Nothing here changes a host.
//
// Convention: values (paths, service names, the VIP) go into `argv`, which the host quotes word by
// word. Where a pipeline is unavoidable, `shell` is a fixed script that reads its values only as
// positional parameters: the host runs `sh -c SHELL hagrade ARGV...`, so ARGV[0] is `$1`.
import { shellQuote } from '../hosts/quote.js';
import type { CheckContext } from '../model/check.js';
import type { Command, CommandResult } from '../hosts/host.js';
import type { LabProfile } from '../model/target.js';
import type { Role } from '../model/basics.js';
import { keepalivedRunLogCommand } from './keepalived-log-commands.js';

/** A check gets answers within seconds; the lab's daemons answer `-c`/`-t` in well under that. */
const DEFAULT_TIMEOUT_MS = 15_000;
/** curl gives up first (--max-time), so a silent VIP is curl's answer, not the host's timeout. */
const CURL_MAX_SECONDS = 5;
const TLS_MAX_SECONDS = 5;

export function readOnlyCommands(profile: LabProfile, vip?: string): Command[] {
  const commands: Command[] = [
    { key: 'ip-addr', argv: ['ip', '-o', '-4', 'addr', 'show'] },
    { key: 'systemctl-is-enabled-keepalived', argv: ['systemctl', 'is-enabled', profile.keepalivedService] },
    { key: 'systemctl-is-active-keepalived', argv: ['systemctl', 'is-active', profile.keepalivedService] },
    { key: 'systemctl-is-active-haproxy', argv: ['systemctl', 'is-active', profile.haproxyService] },
    // Both load what the daemons load (the certificate, included files), which may be root-only.
    { key: 'haproxy-check', argv: ['haproxy', '-c', '-f', profile.haproxyCfgPath], root: true },
    { key: 'keepalived-check', argv: ['keepalived', '-t', '-f', profile.keepalivedConfPath], root: true },
    { key: 'haproxy-version', argv: ['haproxy', '-v'] },
    // keepalived prints its version on stderr.
    { key: 'keepalived-version', argv: ['keepalived', '--version'] },
    // SYS001 reads this very key with this very argv.
    { key: 'sysctl', argv: ['sysctl', ...Object.keys(profile.sysctl)] },
    // What keepalived said since it last started (its own words under KAD008 and the probe).
    keepalivedRunLogCommand(profile.keepalivedService),
  ];
  if (vip) {
    const port = String(profile.frontendPort);
    commands.push(
      // Run on master: it reaches the VIP locally while it holds it. -D - puts the headers before the body.
      {
        key: 'https-vip',
        argv: ['curl', '-sSk', '--max-time', String(CURL_MAX_SECONDS), '-D', '-', `https://${vip}:${port}/`],
      },
      {
        key: 'tls-vip-cert',
        // `timeout`: a port that accepts but never completes the handshake is the student's problem,
        // reported as "no certificate", not a grader timeout.
        shell: `timeout ${TLS_MAX_SECONDS} openssl s_client -connect "$1:$2" </dev/null 2>/dev/null | openssl x509 -outform PEM`,
        argv: [vip, port],
      },
    );
  }
  return commands.map((c) => ({ timeoutMs: DEFAULT_TIMEOUT_MS, ...c }));
}

/** The registry entry for a key; undefined when it does not exist (e.g. a VIP command without a VIP). */
export function findCommand(profile: LabProfile, vip: string | undefined, key: string): Command | undefined {
  return readOnlyCommands(profile, vip).find((c) => c.key === key);
}

/**
 * The command as a user would type it, the same for every kind of host: argv quoted, or the script
 * with its positional parameters written in (for reading only: hosts never run this text).
 */
export function displayCommand(cmd: Command): string {
  const argv = cmd.argv ?? [];
  if (cmd.shell === undefined) return shellQuote(argv);
  return cmd.shell.replace(/\$(\d)/g, (whole, n: string) => argv[Number(n) - 1] ?? whole);
}

const EVIDENCE_MAX_LINES = 20;
const EVIDENCE_MAX_CHARS = 2000;

/** The first lines of stdout and stderr, for evidence. */
export function outputExcerpt(result: CommandResult): string {
  const text = [result.stdout, result.stderr]
    .filter((s) => s.trim() !== '')
    .join('\n')
    .trimEnd();
  const lines = text.split('\n');
  let excerpt = lines.slice(0, EVIDENCE_MAX_LINES).join('\n');
  if (excerpt.length > EVIDENCE_MAX_CHARS) excerpt = excerpt.slice(0, EVIDENCE_MAX_CHARS);
  return excerpt.length < text.length ? `${excerpt}\n…` : excerpt;
}

/**
 * Run a registry command on a host once per run (memo `command:<role>:<key>`) and record it as
 * evidence of the calling check. The result's `command` is `displayCommand`'s, so findings read the
 * same whether the output came from SSH or a snapshot. Throws only for a key that is not in the
 * registry (a grader bug).
 */
export async function runCached(ctx: CheckContext, role: Role, key: string): Promise<CommandResult> {
  const command = findCommand(ctx.profile, ctx.vip, key);
  if (!command) throw new Error(`no read-only command '${key}'${ctx.vip ? '' : ' (it may need the VIP)'}`);
  const result = await cachedResult(ctx, role, command);
  if (!result.unavailable) {
    ctx.evidence({ host: role, command: result.command, exitCode: result.exitCode, output: outputExcerpt(result) });
  }
  return result;
}

/** A registry command's result on a host, run once per run (memo `command:<role>:<key>`). */
export function cachedResult(ctx: CheckContext, role: Role, command: Command): Promise<CommandResult> {
  return ctx.memo(`command:${role}:${command.key}`, async () => ({
    ...(await ctx.host(role).run(command)),
    command: displayCommand(command),
  }));
}

/** Commands about the VIP run on master only: it reaches the VIP locally while it holds it. */
const MASTER_ONLY_COMMANDS: ReadonlySet<string> = new Set(['https-vip', 'tls-vip-cert']);

/** The registry commands that run on a host. */
export function commandsFor(role: Role, profile: LabProfile, vip: string | undefined): Command[] {
  return readOnlyCommands(profile, vip).filter((c) => role === 'master' || !MASTER_ONLY_COMMANDS.has(c.key));
}

/** Run every registry command on both hosts at once, filling the memo the live checks read. */
export async function prefetchCommands(ctx: CheckContext): Promise<void> {
  await Promise.all(
    (['master', 'backup'] as const).flatMap((role) =>
      commandsFor(role, ctx.profile, ctx.vip).map((c) => cachedResult(ctx, role, c)),
    ),
  );
}
