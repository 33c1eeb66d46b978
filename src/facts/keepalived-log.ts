// keepalived in its own words: its log lines (journald where it runs, else /var/log/syslog or
// /var/log/messages), the decisive ones among them (state changes, script results, errors), and
// what they say about why the VIP did or did not move.
//
// Two readings: `keepalived-log` (a read-only registry command, also captured in snapshots) holds
// what keepalived said since it last started; a *window* is what it said between two marks, read
// with `journalctl -u keepalived --since @T0 --until @T1` (T0/T1 in the host's own clock), or from
// the bytes the syslog file grew by in between.
import type { CheckContext, FindingInput } from '../model/check.js';
import type { CommandResult, Host } from '../hosts/host.js';
import type { Role, Text } from '../model/basics.js';
import { cachedResult, displayCommand } from './commands.js';
import { keepalivedRunLogCommand, type LogMark, windowLogCommand } from './keepalived-log-commands.js';

export type LogSource = 'journal' | '/var/log/syslog' | '/var/log/messages' | 'none';

export interface KeepalivedLog {
  source: LogSource;
  /** Lines as the log shows them (journal: `-o short-iso-precise`), oldest first. */
  lines: string[];
  /** How it was read, for evidence. */
  command: string;
  /** The read itself failed (transport, timeout): not the same as an empty log. */
  unavailable?: string;
}

/** Parse the script's output (live or captured in a snapshot). */
export function parseLogOutput(result: CommandResult, command: string): KeepalivedLog {
  if (result.unavailable || result.exitCode === null) {
    return {
      source: 'none',
      lines: [],
      command,
      unavailable: result.error ?? (result.timedOut ? 'timed out' : 'no answer'),
    };
  }
  const all = result.stdout.split('\n');
  const header = /^# source: (.+)$/.exec(all[0] ?? '');
  const source = (header?.[1]?.trim() ?? 'none') as LogSource;
  const kept = all
    .slice(header ? 1 : 0)
    .map((l) => l.trimEnd())
    .filter((l) => l !== '' && !/^-- (No entries|Boot|Reboot|Logs begin)/.test(l));
  // A child's line attributed to the unit is read twice (by unit and by name): keep it once.
  const lines = [...new Set(kept)];
  return {
    source: ['journal', '/var/log/syslog', '/var/log/messages'].includes(source) ? source : 'none',
    lines,
    command,
  };
}

/** Read a window of keepalived's log on a host. */
export async function readWindow(
  host: Host,
  service: string,
  mark: LogMark,
  untilHostTime?: number,
): Promise<KeepalivedLog> {
  const command = windowLogCommand(service, mark, untilHostTime);
  return parseLogOutput(await host.run(command), displayCommand(command));
}

/** keepalived's run log (since it last started), once per run; snapshots replay it. */
export function runLog(ctx: CheckContext, role: Role): Promise<KeepalivedLog> {
  return ctx.memo(`keepalived-run-log:${role}`, async () => {
    const command = keepalivedRunLogCommand(ctx.profile.keepalivedService);
    const log = parseLogOutput(await cachedResult(ctx, role, command), displayCommand(command));
    // A run-log "since it started" from the syslog file: keep only what follows the last start.
    if (log.source !== 'journal' && log.source !== 'none') {
      const start = log.lines.map((l) => /Starting (Keepalived|VRRP child)/.test(l)).lastIndexOf(true);
      if (start > 0) log.lines = log.lines.slice(start);
    }
    return log;
  });
}

// ---------------------------------------------------------------------------------------------
// What the lines say

export type LineKind = 'state' | 'script' | 'priority' | 'error' | 'lifecycle';

const PATTERNS: Array<[LineKind, RegExp]> = [
  [
    'error',
    /only one argument, a signal number, allowed|address_owner|SECURITY VIOLATION|Unable to (?:access|set default user)|does not exist|not executable|[Dd]isabling track script|Operation not permitted|Netlink: error|Permission denied|No such file|[Uu]nknown keyword|Configuration file .* error|exited with signal|Segmentation|cannot|Cannot|failed to|Failed to/,
  ],
  [
    'state',
    /Entering (?:MASTER|BACKUP|FAULT|INIT) STATE|received lower priority|received higher priority|Master received advert/,
  ],
  [
    'script',
    /Script `?[^`\s]+`? now returning|VRRP_Script\(\S+\) (?:succeeded|failed|timed out)|Script\(\S+\) (?:succeeded|failed)|track_process/,
  ],
  ['priority', /Changing effective priority from \d+ to \d+/],
  [
    'lifecycle',
    /Starting (?:Keepalived|VRRP child)|Stopping(?: Keepalived)?|Stopped(?: Keepalived)?|Starting keepalived|keepalived\.service: /,
  ],
];

export function kindOf(line: string): LineKind | undefined {
  for (const [kind, re] of PATTERNS) if (re.test(line)) return kind;
  return undefined;
}

/** The decisive lines (state changes, script results, priorities, errors), the last `max` of them. */
export function decisiveLines(lines: readonly string[], max = 12): string[] {
  return lines.filter((l) => kindOf(l) !== undefined && kindOf(l) !== 'lifecycle').slice(-max);
}

/** The message part of a log line (after `ident[pid]: `), for reading and quoting. */
export function messageOf(line: string): string {
  // The leftmost `ident[pid]: ` or `ident: ` after the time and host name (neither has `: ` in it).
  const m = /\s([A-Za-z0-9_.\-/]+)(?:\[\d+\])?: (.*)$/.exec(line);
  return m ? `${m[1]}: ${m[2]}` : line;
}

/** The time of a log line as shown (journal: ISO with microseconds, shortened; syslog: `Mon DD HH:MM:SS`). */
export function timeOf(line: string): string {
  const iso = /^\d{4}-\d\d-\d\dT(\d\d:\d\d:\d\d(?:\.\d{1,3})?)/.exec(line);
  if (iso) return iso[1]!;
  const rfc = /^\S+T(\d\d:\d\d:\d\d)/.exec(line);
  if (rfc) return rfc[1]!;
  const classic = /^[A-Z][a-z]{2}\s+\d+\s+(\d\d:\d\d:\d\d)/.exec(line);
  return classic ? classic[1]! : '?';
}

/** The script verdict the lines end on: 'ok', 'failing', or undefined when they say nothing. */
export function lastScriptVerdict(lines: readonly string[]): 'ok' | 'failing' | undefined {
  let verdict: 'ok' | 'failing' | undefined;
  for (const line of lines) {
    if (/now returning 0\b|VRRP_Script\(\S+\) succeeded|Script\(\S+\) succeeded/.test(line)) verdict = 'ok';
    else if (/now returning [1-9]\d*|VRRP_Script\(\S+\) (?:failed|timed out)|Script\(\S+\) failed/.test(line))
      verdict = 'failing';
  }
  return verdict;
}

/** What keepalived's lines say about a VIP that did not move: a check id and why, in its words. */
export interface LogCause {
  checkId: string;
  messageId:
    | 'logKillall5'
    | 'logAddressOwner'
    | 'logNoScriptUser'
    | 'logScriptAlreadyFailing'
    | 'logScriptFailedNoTakeover'
    | 'logScriptNeverFailed';
  /** The line that shows it. */
  line: string;
}

export const LOG_CAUSE_TEXT: Record<LogCause['messageId'], Text> = {
  logKillall5: {
    en: 'keepalived ran pidof as killall5, which refused its argument, so the script failed while haproxy ran (KAD008)',
    ru: 'keepalived запустил pidof как killall5, который отверг аргумент, поэтому скрипт завершался ошибкой при работающем haproxy (KAD008)',
  },
  logAddressOwner: {
    en: 'keepalived ignores the track script on master because master is the address owner (priority 255) (KAD007)',
    ru: 'keepalived игнорирует скрипт проверки на master, потому что master — владелец адреса (приоритет 255) (KAD007)',
  },
  logNoScriptUser: {
    en: 'keepalived has no user to run the script as, so it does not run it (KAD006)',
    ru: 'у keepalived нет пользователя, от имени которого запускать скрипт, поэтому он его не запускает (KAD006)',
  },
  logScriptAlreadyFailing: {
    en: "master's track script was already failing before haproxy was stopped, so stopping haproxy changed nothing (KAD008)",
    ru: 'скрипт проверки на master завершался ошибкой ещё до остановки haproxy, поэтому остановка haproxy ничего не изменила (KAD008)',
  },
  logScriptFailedNoTakeover: {
    en: "master's track script did fail, but backup never entered MASTER state: the priorities or preemption keep the VIP where it is (KAD007)",
    ru: 'скрипт проверки на master действительно завершился ошибкой, но backup так и не перешёл в состояние MASTER: приоритеты или запрет вытеснения держат виртуальный IP на месте (KAD007)',
  },
  logScriptNeverFailed: {
    en: "master's track script kept succeeding after haproxy stopped, so keepalived never saw it stop (KAD008)",
    ru: 'скрипт проверки на master продолжал выполняться успешно после остановки haproxy, поэтому keepalived не заметил остановку (KAD008)',
  },
};

/**
 * Why the VIP did not reach backup after haproxy stopped on master, as keepalived's lines tell it:
 * master's lines before and during the window, backup's during it. Undefined when they do not say.
 */
export function failoverCause(
  master: { before: readonly string[]; during: readonly string[] },
  backup: { during: readonly string[] },
): LogCause | undefined {
  const all = [...master.before, ...master.during];
  const find = (re: RegExp) => all.find((l) => re.test(l));
  const killall5 = find(/only one argument, a signal number, allowed/);
  if (killall5) return { checkId: 'KAD008', messageId: 'logKillall5', line: killall5 };
  const owner = find(/address_owner/);
  if (owner) return { checkId: 'KAD007', messageId: 'logAddressOwner', line: owner };
  const noUser = find(
    /Unable to set default user|default user .* does not exist|[Dd]isabling track script .* (?:user|security)/,
  );
  if (noUser) return { checkId: 'KAD006', messageId: 'logNoScriptUser', line: noUser };
  const verdicts = (lines: readonly string[]) => lines.filter((l) => lastScriptVerdict([l]) !== undefined);
  const failedDuring = verdicts(master.during).find((l) => lastScriptVerdict([l]) === 'failing');
  const lastBefore = verdicts(master.before).pop();
  if (verdicts(master.during).length === 0 && lastBefore && lastScriptVerdict([lastBefore]) === 'failing') {
    return { checkId: 'KAD008', messageId: 'logScriptAlreadyFailing', line: lastBefore };
  }
  if (failedDuring && !backup.during.some((l) => /Entering MASTER STATE/.test(l)))
    return { checkId: 'KAD007', messageId: 'logScriptFailedNoTakeover', line: failedDuring };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Quoting them under a result

/** Messages every check that quotes keepalived's log spreads into its own. */
export const KEEPALIVED_LOG_MESSAGES = {
  keepalivedLine: { en: 'keepalived said at {at}: {line}', ru: 'keepalived написал в {at}: {line}' },
  keepalivedRepeated: {
    en: 'keepalived said {count} times from {at} to {last}: {line}',
    ru: 'keepalived написал {count} раз с {at} по {last}: {line}',
  },
  keepalivedSilent: {
    en: "keepalived's log ({source}) has no state change, script result or error in those seconds",
    ru: 'в логе keepalived ({source}) за эти секунды нет ни смены состояния, ни результата скрипта, ни ошибки',
  },
  keepalivedNoLog: {
    en: "keepalived's log could not be read: no journald, /var/log/syslog or /var/log/messages{reason}",
    ru: 'лог keepalived прочитать не удалось: нет ни journald, ни /var/log/syslog, ни /var/log/messages{reason}',
  },
  logShows: { en: "keepalived's own log shows it: {cause}", ru: 'лог самого keepalived это показывает: {cause}' },
  logConfirms: {
    en: "keepalived's own log confirms it: {cause}",
    ru: 'лог самого keepalived это подтверждает: {cause}',
  },
  logCorrects: {
    en: "keepalived's own log names the cause (the configs suggested {named}): {cause}",
    ru: 'лог самого keepalived называет причину (по конфигурациям предполагалось: {named}): {cause}',
  },
} satisfies Record<string, Text>;

/** Keep the log as evidence of the check (the engine redacts it like every output). */
export function logEvidence(ctx: CheckContext, role: Role, log: KeepalivedLog, note: string): void {
  const shown = log.lines.slice(-60).join('\n');
  ctx.evidence({
    host: role,
    command: log.command,
    exitCode: log.unavailable ? null : 0,
    output: shown.length > 8000 ? shown.slice(-8000) : shown,
    note: `${note} (${log.unavailable ? `not read: ${log.unavailable}` : `source: ${log.source}, ${log.lines.length} lines`})`,
  });
}

/** Notes quoting the decisive lines, or saying there are none / none could be read. */
export function quoteFindings(
  role: Role,
  log: KeepalivedLog,
  max = 10,
): FindingInput<keyof typeof KEEPALIVED_LOG_MESSAGES>[] {
  if (log.source === 'none') {
    return [
      {
        kind: 'note',
        host: role,
        messageId: 'keepalivedNoLog',
        data: { reason: log.unavailable ? ` (${log.unavailable})` : '' },
      },
    ];
  }
  const groups = collapseRepeats(decisiveLines(log.lines, Number.MAX_SAFE_INTEGER)).slice(-max);
  if (groups.length === 0)
    return [{ kind: 'note', host: role, messageId: 'keepalivedSilent', data: { source: log.source } }];
  return groups.map(
    (g): FindingInput<keyof typeof KEEPALIVED_LOG_MESSAGES> =>
      g.count === 1
        ? {
            kind: 'note' as const,
            host: role,
            messageId: 'keepalivedLine',
            data: { line: g.message, at: timeOf(g.first) },
          }
        : {
            kind: 'note' as const,
            host: role,
            messageId: 'keepalivedRepeated',
            data: { line: g.message, at: timeOf(g.first), last: timeOf(g.last), count: g.count },
          },
  );
}

/** Runs of the same message (a script that fails every second) as one entry with its count. */
export function collapseRepeats(
  lines: readonly string[],
): Array<{ message: string; first: string; last: string; count: number }> {
  const groups: Array<{ message: string; first: string; last: string; count: number }> = [];
  for (const line of lines) {
    const message = messageOf(line);
    const previous = groups[groups.length - 1];
    if (previous?.message === message) {
      previous.count++;
      previous.last = line;
    } else groups.push({ message, first: line, last: line, count: 1 });
  }
  return groups;
}
