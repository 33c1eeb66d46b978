// What the live read-only checks share: turning a command result into "judge it", "skip" or
// "error" (never a fail: a grader that could not run a command has not seen a mistake), and small
// readers of the outputs of systemctl, `haproxy -c`, `keepalived -t` and curl.
import { runCached } from './commands.js';
import type { CheckContext, FindingInput, MessageIds } from '../model/check.js';
import type { CommandResult } from '../hosts/host.js';
import type { Role, Text } from '../model/basics.js';

/** Messages every live check spreads into its own `messages`. */
export const LIVE_MESSAGES = {
  commandUnavailable: {
    en: 'cannot judge: no output of `{command}` ({reason})',
    ru: 'невозможно проверить: нет вывода команды `{command}` ({reason})',
  },
  commandTimedOut: {
    en: 'the grader could not finish `{command}` in time; this is not your mistake, run the grader again',
    ru: 'грейдер не дождался завершения `{command}`; это не ваша ошибка, запустите проверку ещё раз',
  },
  commandNotRun: {
    en: 'the grader could not run `{command}`: {reason}',
    ru: 'грейдер не смог выполнить `{command}`: {reason}',
  },
  commandNotFound: {
    en: '`{program}` is not installed or not in PATH on this host (`{command}` exited with 127)',
    ru: '`{program}` не установлен или не найден в PATH на этой машине (`{command}` завершилась с кодом 127)',
  },
  sudoRefused: {
    en: '`{command}` needs root, and sudo refused: {reason}',
    ru: '`{command}` требует root, а sudo отказал: {reason}',
  },
  commandFailed: {
    en: '`{command}` failed with exit code {exitCode}: {reason}',
    ru: '`{command}` завершилась с кодом {exitCode}: {reason}',
  },
  stateUnknown: {
    en: 'the grader could not read the service state from `{command}`: {reason}',
    ru: 'грейдер не смог узнать состояние сервиса из `{command}`: {reason}',
  },
  noVip: {
    en: 'cannot judge: the VIP is unknown (pass it with --vip, or give master as an IP address)',
    ru: 'невозможно проверить: виртуальный IP неизвестен (укажите его через --vip или задайте master IP-адресом)',
  },
} satisfies Record<string, Text>;

/** The ids of LIVE_MESSAGES: what `commandOrReport` and the other live helpers report. */
export type LiveId = MessageIds<typeof LIVE_MESSAGES>;
/** What `commandOrReport` itself reports (a command that could not be judged). */
export type CommandProblemId = Exclude<LiveId, 'stateUnknown' | 'noVip'>;

export const LIVE_HINTS = {
  sudoRefused: {
    en: 'The grader runs this command with sudo -n when it does not log in as root: allow that user passwordless sudo, or log in as root.',
    ru: 'Если вход не под root, грейдер выполняет команду через sudo -n: разрешите этому пользователю sudo без пароля или входите под root.',
  },
  commandNotFound: {
    en: 'The grader expects the standard tools of the lab VM (ip, systemctl, haproxy, keepalived, curl, openssl); install the missing one.',
    ru: 'Грейдеру нужны стандартные утилиты машины стенда (ip, systemctl, haproxy, keepalived, curl, openssl); установите недостающую.',
  },
} satisfies Record<string, Text>;

/** The first non-empty line of a text, trimmed. */
export function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  );
}

const SUDO_REFUSAL =
  /^sudo: (a password is required|a terminal is required|sorry, you must have a tty|.*not in the sudoers|.*may not run sudo)/m;

/**
 * Run a registry command; return its result when the check can judge it. Otherwise report why
 * not (skip when there is no output, error when the grader failed) and return undefined.
 * `zeroExit`: any other exit code is a grader-side error (for commands that always succeed).
 */
export async function commandOrReport(
  ctx: CheckContext<CommandProblemId>,
  role: Role,
  key: string,
  opts: { zeroExit?: boolean } = {},
): Promise<CommandResult | undefined> {
  const result = await runCached(ctx, role, key);
  const problem = commandProblem(result, opts.zeroExit ?? false);
  if (problem) ctx.report({ host: role, ...problem });
  return problem ? undefined : result;
}

/** Why a command result cannot be judged, as a finding; undefined when it can. */
export function commandProblem(result: CommandResult, zeroExit: boolean): FindingInput<CommandProblemId> | undefined {
  const command = result.command;
  const reason = firstLine(result.error ?? '') || firstLine(result.stderr);
  if (result.unavailable)
    return { kind: 'skip', messageId: 'commandUnavailable', data: { command, reason: reason || 'not captured' } };
  if (result.timedOut) return { kind: 'error', messageId: 'commandTimedOut', data: { command } };
  if (result.exitCode === null)
    return { kind: 'error', messageId: 'commandNotRun', data: { command, reason: reason || 'no exit code' } };
  const sudo = SUDO_REFUSAL.exec(result.stderr);
  if (sudo) return { kind: 'error', messageId: 'sudoRefused', data: { command, reason: firstLine(sudo[0]) } };
  if (result.exitCode === 127) {
    // The shell names the missing program (`sh: 1: openssl: not found`); a pipeline's first word may not be it.
    const program = /([^\s:]+): (?:command )?not found/.exec(result.stderr)?.[1] ?? command.split(' ')[0]!;
    return { kind: 'error', messageId: 'commandNotFound', data: { command, program } };
  }
  // 126: the program is there but cannot be executed (a broken install, a binary replaced): nothing was judged.
  if (result.exitCode === 126)
    return { kind: 'error', messageId: 'commandNotRun', data: { command, reason: reason || 'exit code 126' } };
  if (zeroExit && result.exitCode !== 0) {
    return {
      kind: 'error',
      messageId: 'commandFailed',
      data: { command, exitCode: result.exitCode, reason: reason || 'no message' },
    };
  }
  return undefined;
}

/** Report the missing VIP (skip); true when the check can go on. */
export function requireVip<C extends CheckContext<'noVip'>>(ctx: C): ctx is C & { vip: string } {
  if (ctx.vip) return true;
  ctx.report({ kind: 'skip', messageId: 'noVip' });
  return false;
}

/** Line `line` of a host's file as written (for a finding's excerpt); undefined when unreadable. */
export async function sourceLine(
  ctx: CheckContext,
  role: Role,
  file: string,
  line: number | undefined,
): Promise<string | undefined> {
  if (line === undefined) return undefined;
  const text = await ctx.memo(`text:${role}:${file}`, async () => {
    const read = await ctx.host(role).readFile(file);
    return read.ok ? read.content.toString('utf8') : undefined;
  });
  return text?.split('\n')[line - 1]?.replace(/\r$/, '');
}

// ---------------------------------------------------------------------------------------------
// systemctl is-active / is-enabled print one state word on stdout; the exit code only says good/bad.

export const ACTIVE_STATES = [
  'active',
  'reloading',
  'inactive',
  'failed',
  'activating',
  'deactivating',
  'maintenance',
  'refreshing',
];
export const ENABLED_STATES = [
  'enabled',
  'enabled-runtime',
  'linked',
  'linked-runtime',
  'alias',
  'masked',
  'masked-runtime',
  'static',
  'indirect',
  'disabled',
  'generated',
  'transient',
  'bad',
  'not-found',
];

export type ServiceState =
  | { known: true; state: string }
  /** systemctl answered nothing we know (e.g. "System has not been booted with systemd"). */
  | { known: false; reason: string };

/** The state systemctl printed, judged by the word on stdout (robust to exit-code differences between versions). */
export function serviceState(result: CommandResult, states: readonly string[]): ServiceState {
  const word = firstLine(result.stdout);
  if (states.includes(word)) return { known: true, state: word };
  // `is-enabled` on a unit that does not exist prints nothing and "... No such file or directory" on stderr.
  if (word === '' && /No such file or directory|not found|does not exist/i.test(result.stderr))
    return { known: true, state: 'not-found' };
  return { known: false, reason: firstLine(result.stderr) || word || `exit code ${result.exitCode}` };
}

/** The service state word, or undefined after reporting why it could not be read. */
export async function serviceStateOrReport(
  ctx: CheckContext<CommandProblemId | 'stateUnknown'>,
  role: Role,
  key: string,
  states: readonly string[],
): Promise<string | undefined> {
  const result = await commandOrReport(ctx, role, key);
  if (!result) return undefined;
  const state = serviceState(result, states);
  if (state.known) return state.state;
  ctx.report({
    kind: 'error',
    host: role,
    messageId: 'stateUnknown',
    data: { command: result.command, reason: state.reason },
  });
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// `haproxy -c -f FILE`: exit 0 = valid (warnings possible), else [ALERT] lines on stderr name the problems.

export interface DaemonMessage {
  /** The message as printed, without the `[ALERT] (pid) : config :` prefix. */
  text: string;
  file?: string;
  line?: number;
}

const HAPROXY_PREFIX = /^\[(ALERT|WARNING)\]\s*(?:\(\d+\)\s*)?:\s*(?:config\s*:\s*)?(.*)$/;
const HAPROXY_WHERE = /parsing \[([^\]:]+):(\d+)\]/;
/** Summary lines that repeat what the ALERT lines before them said. */
const HAPROXY_SUMMARY = /^(Error\(s\) found in configuration file|Fatal errors found in configuration)/;

export function haproxyMessages(stderr: string, level: 'ALERT' | 'WARNING'): DaemonMessage[] {
  const messages: DaemonMessage[] = [];
  for (const raw of stderr.split('\n')) {
    const match = HAPROXY_PREFIX.exec(raw.trim());
    if (!match || match[1] !== level || HAPROXY_SUMMARY.test(match[2]!)) continue;
    const where = HAPROXY_WHERE.exec(match[2]!);
    messages.push(where ? { text: match[2]!, file: where[1]!, line: Number(where[2]) } : { text: match[2]! });
  }
  return messages;
}

// ---------------------------------------------------------------------------------------------
// `keepalived -t -f FILE` (2.x): one stderr line per problem, `(Line N) ...` for the main file or
// `(FILE: Line N) ...` for another; exit 0 when clean. A missing file is only "Config files missing" (exit 0).

const KEEPALIVED_WHERE = /^\((?:(.+): )?Line (\d+)\)\s*(.*)$/;
/** What getopt says when `-t` does not exist (keepalived before 2.0). */
export const KEEPALIVED_NO_TEST_OPTION = /invalid option|unrecognized option|unknown option/i;
export const KEEPALIVED_CONFIG_MISSING = /Config files? missing/i;

export function keepalivedMessages(output: string, mainFile: string): DaemonMessage[] {
  const seen = new Set<string>();
  const messages: DaemonMessage[] = [];
  for (const raw of output.split('\n')) {
    const text = raw.trim();
    if (text === '' || seen.has(text)) continue;
    seen.add(text);
    const where = KEEPALIVED_WHERE.exec(text);
    messages.push(where ? { text, file: where[1] ?? mainFile, line: Number(where[2]) } : { text });
  }
  return messages;
}

// ---------------------------------------------------------------------------------------------
// `curl -D - URL`: the response headers, a blank line, then the body.

export interface HttpResponse {
  status: number;
  statusLine: string;
  body: string;
}

/** The (last) response in curl's `-D -` output; undefined when there is no status line. */
export function parseCurlResponse(output: string): HttpResponse | undefined {
  const text = output.replace(/\r\n/g, '\n');
  let rest = text;
  let response: HttpResponse | undefined;
  // Interim responses (100 Continue) come first, each with its own header block.
  for (;;) {
    const match = /^(HTTP\/[\d.]+ (\d{3})[^\n]*)\n/.exec(rest);
    if (!match) break;
    const end = rest.indexOf('\n\n');
    const body = end < 0 ? '' : rest.slice(end + 2);
    response = { status: Number(match[2]), statusLine: match[1]!.trim(), body };
    if (response.status >= 200 || end < 0) break;
    rest = body;
  }
  return response;
}

/**
 * The X-Forwarded-For value the backend says it received, when its body echoes request headers
 * (`x-forwarded-for: 1.2.3.4`, `X-Forwarded-For=…`, JSON `"x-forwarded-for": "…"`); '' when it echoes
 * the header empty; undefined when the body shows no such header at all.
 */
export function echoedForwardedFor(body: string): string | undefined {
  const match = /^[\s{,]*"?x-forwarded-for"?\s*[:=]\s*"?([^"\r\n]*)/im.exec(body);
  return match ? match[1]!.trim().replace(/,$/, '') : undefined;
}
