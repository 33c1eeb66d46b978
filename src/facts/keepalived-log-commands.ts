// The shell commands that read keepalived's log on a host, and the mark where a window starts.
// Apart from keepalived-log.ts (which reads their output) because the registry of read-only
// commands (commands.ts) needs them and keepalived-log.ts needs the registry.
import type { Command, Host } from '../hosts/host.js';

/** Where a window starts on one host: its clock, and how long its syslog files were then. */
export interface LogMark {
  hostTime: number;
  sizes: Partial<Record<'/var/log/syslog' | '/var/log/messages', number>>;
}

const MAX_LINES = 400;

/** Lines keepalived's children log under their own names (pidof → killall5 on Debian/Ubuntu). */
const CHILD_IDENTIFIERS = ['killall5'];

/**
 * $1 unit, $2 mode (run|window), $3 since (epoch seconds, window), $4 until (epoch, may be empty),
 * $5/$6 the byte offsets of /var/log/syslog and /var/log/messages at the start of the window.
 * Prints `# source: …` first. The journal is read per identifier and merged by time, because a
 * child that exits at once (killall5) is often not attributed to the unit.
 */
const LOG_SCRIPT = [
  'unit="$1"; mode="$2"; since="$3"; until="$4"',
  'if command -v journalctl >/dev/null 2>&1 && [ -d /run/systemd/system ] && journalctl -n 0 -q >/dev/null 2>&1; then',
  '  if [ "$mode" = run ]; then',
  '    since=$(systemctl show -p InactiveExitTimestamp --value "$unit" 2>/dev/null)',
  '    [ -n "$since" ] || since=today',
  '    range="--since=$since"',
  '  else',
  '    range="--since=@$since"',
  '  fi',
  '  if [ -n "$until" ]; then set -- "$range" "--until=@$until"; else set -- "$range"; fi',
  '  echo "# source: journal"',
  `  { journalctl -u "$unit" "$@" -o short-iso-precise --no-pager -q; for t in ${CHILD_IDENTIFIERS.join(' ')}; do journalctl -t "$t" "$@" -o short-iso-precise --no-pager -q; done; } | sort -s -k1,1 | tail -n ${MAX_LINES}`,
  '  exit 0',
  'fi',
  'n=0',
  'for f in /var/log/syslog /var/log/messages; do',
  '  n=$((n+1))',
  '  [ -r "$f" ] || continue',
  '  echo "# source: $f"',
  '  if [ "$mode" = run ]; then',
  `    grep -E 'Keepalived|keepalived|${CHILD_IDENTIFIERS.join('|')}' "$f" | tail -n ${MAX_LINES}`,
  '  else',
  '    if [ $n = 1 ]; then off="$5"; else off="$6"; fi',
  '    size=$(stat -c %s "$f")',
  '    case "$off" in ""|*[!0-9]*) off=0;; esac',
  '    [ "$size" -lt "$off" ] && off=0',
  `    tail -c +$((off+1)) "$f" | grep -E 'Keepalived|keepalived|${CHILD_IDENTIFIERS.join('|')}' | tail -n ${MAX_LINES}`,
  '  fi',
  '  exit 0',
  'done',
  'echo "# source: none"',
].join('\n');

/** $… none. Prints the host's clock and the sizes of the syslog files. */
const MARK_SCRIPT = [
  'date +%s',
  'for f in /var/log/syslog /var/log/messages; do [ -r "$f" ] && echo "$f $(stat -c %s "$f")"; done',
  'exit 0',
].join('\n');

/** The registry's `keepalived-log`: what keepalived said since it last started (journald), or the file's last lines. */
export function keepalivedRunLogCommand(service: string): Command {
  return { key: 'keepalived-log', shell: LOG_SCRIPT, argv: [service, 'run', '', '', '', ''], root: true };
}

export function windowLogCommand(service: string, mark: LogMark, untilHostTime?: number): Command {
  return {
    key: 'keepalived-log-window',
    shell: LOG_SCRIPT,
    argv: [
      service,
      'window',
      String(mark.hostTime),
      untilHostTime === undefined ? '' : String(untilHostTime),
      String(mark.sizes['/var/log/syslog'] ?? ''),
      String(mark.sizes['/var/log/messages'] ?? ''),
    ],
    root: true,
    timeoutMs: 20_000,
  };
}

export function markCommand(): Command {
  return { key: 'log-mark', shell: MARK_SCRIPT, root: true, timeoutMs: 10_000 };
}

/** The host's clock and syslog sizes now; undefined when the host did not answer. */
export async function markLog(host: Host): Promise<LogMark | undefined> {
  const r = await host.run(markCommand());
  if (r.unavailable || r.exitCode !== 0) return undefined;
  const [first, ...rest] = r.stdout.trim().split('\n');
  const hostTime = Number(first);
  if (!Number.isFinite(hostTime) || hostTime <= 0) return undefined;
  const sizes: LogMark['sizes'] = {};
  for (const line of rest) {
    const m = /^(\/var\/log\/(?:syslog|messages)) (\d+)$/.exec(line.trim());
    if (m) sizes[m[1] as '/var/log/syslog'] = Number(m[2]);
  }
  return { hostTime, sizes };
}
