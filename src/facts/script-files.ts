// The files behind a track script, as keepalived sees them when it loads the config: which file a
// bare name resolves to (PATH search), whether it exists and is executable for the script's user,
// whether (under enable_script_security) any part of its path is writable by a non-root user, its
// `#!` line, and its text. keepalived 2.2.7, lib/notify.c: find_path() (:431), check_security()
// (:640), check_script_secure() (:696); a disabled script is removed from every instance
// (keepalived/vrrp/vrrp.c:179-245). Read over SSH, and from snapshots (`hagrade snapshot` captures
// the command's output and the file).
import { createHash } from 'node:crypto';
import type { Command, CommandResult, FileRead, Host } from '../hosts/host.js';

/** keepalived's PATH under systemd on Debian/Ubuntu (a service's default PATH). */
export const KEEPALIVED_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
/** Script files are small; a bigger one is not read. */
export const MAX_SCRIPT_BYTES = 256 * 1024;

/**
 * A fixed script (values only as positional parameters): $1 is the program as written, the rest the
 * PATH to search. Prints `missing|P`, or `file|F`, `real|R`, one `L uid gid mode type|path` per
 * component of F and of R (lstat, as check_security), `F …|F` (stat of the file), `interp|I` and
 * `interp-missing|I` for its `#!` line.
 */
const STAT_SCRIPT = `p=$1; shift
case $p in */*) f=$p ;; *) f=; for d in "$@"; do if [ -f "$d/$p" ] && [ -x "$d/$p" ]; then f=$d/$p; break; fi; done ;; esac
if [ -z "$f" ] || { [ ! -e "$f" ] && [ ! -L "$f" ]; }; then printf 'missing|%s\\n' "$p"; exit 0; fi
printf 'file|%s\\n' "$f"
r=$(readlink -f -- "$f"); printf 'real|%s\\n' "$r"
walk() { stat -c 'L %u %g %a %F|%n' -- /; c=; rest=\${1#/}; while [ -n "$rest" ]; do c=$c/\${rest%%/*}; case $rest in */*) rest=\${rest#*/};; *) rest=;; esac; stat -c 'L %u %g %a %F|%n' -- "$c"; done; }
walk "$f"; if [ "$r" != "$f" ]; then walk "$r"; fi
stat -L -c 'F %u %g %a %F|%n' -- "$f"
first=$(head -c 256 -- "$f" | head -n 1)
case $first in '#!'*) i=\${first#??}; i=\${i# }; i=\${i%% *}; if [ -e "$i" ]; then printf 'interp|%s\\n' "$i"; else printf 'interp-missing|%s\\n' "$i"; fi ;; esac
exit 0`;

/** The registry-style command that stats a script's program; its key is stable per program. */
export function scriptStatCommand(program: string): Command {
  const safe = program.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60);
  const hash = createHash('sha256').update(program).digest('hex').slice(0, 8);
  return {
    key: `script-stat-${safe}-${hash}`,
    shell: STAT_SCRIPT,
    argv: [program, ...KEEPALIVED_PATH],
    root: true,
    timeoutMs: 15_000,
  };
}

export interface PathEntry {
  uid: number;
  gid: number;
  mode: number;
  type: string;
  path: string;
}

export interface ScriptStat {
  /** The program as written resolves to nothing (bare name not on PATH, or no such file). */
  missing: boolean;
  /** The file it resolves to. */
  file?: string;
  realpath?: string;
  /** lstat of every component of the path and of its realpath. */
  components: PathEntry[];
  /** stat of the file itself (symlinks followed). */
  target?: PathEntry;
  /** The interpreter of its `#!` line, and whether it exists. */
  interpreter?: { path: string; exists: boolean };
}

export function parseScriptStat(stdout: string): ScriptStat {
  const stat: ScriptStat = { missing: false, components: [] };
  for (const line of stdout.split('\n')) {
    const bar = line.indexOf('|');
    if (bar < 0) continue;
    const [head, value] = [line.slice(0, bar), line.slice(bar + 1)];
    const entry = /^([LF]) (\d+) (\d+) ([0-7]+) (.+)$/.exec(head);
    if (head === 'missing') stat.missing = true;
    else if (head === 'file') stat.file = value;
    else if (head === 'real') stat.realpath = value;
    else if (head === 'interp' || head === 'interp-missing')
      stat.interpreter = { path: value, exists: head === 'interp' };
    else if (entry) {
      const e: PathEntry = {
        uid: Number(entry[2]),
        gid: Number(entry[3]),
        mode: parseInt(entry[4]!, 8),
        type: entry[5]!,
        path: value,
      };
      if (entry[1] === 'F') stat.target = e;
      else stat.components.push(e);
    }
  }
  return stat;
}

/** Stat a script's program on a host; undefined when the host has no answer (a snapshot without the capture). */
export async function statScript(
  host: Host,
  program: string,
  run: (cmd: Command) => Promise<CommandResult> = (c) => host.run(c),
): Promise<ScriptStat | undefined> {
  const result = await run(scriptStatCommand(program));
  if (result.unavailable || result.exitCode !== 0) return undefined;
  const stat = parseScriptStat(result.stdout);
  return stat.missing || stat.file ? stat : undefined;
}

/** is_executable() of lib/notify.c: root needs any x bit; others the bit of their class. */
export function isExecutable(e: PathEntry, uid: number, gid: number): boolean {
  if (uid === 0) return (e.mode & 0o111) !== 0;
  if (e.uid === uid) return (e.mode & 0o100) !== 0;
  if (e.gid === gid) return (e.mode & 0o010) !== 0;
  return (e.mode & 0o001) !== 0;
}

/**
 * check_security() of lib/notify.c (v2.2.7:640-690): the first component that is not root-owned,
 * or (a file, or a directory without the sticky bit) group-writable with a non-root group or
 * world-writable. Symlinks are judged by their owner only.
 */
export function unsafeComponent(components: PathEntry[]): PathEntry | undefined {
  return components.find((e) => {
    const dir = e.type === 'directory';
    const file = e.type === 'regular file' || e.type === 'regular empty file';
    const sticky = (e.mode & 0o1000) !== 0;
    const writable = (e.gid !== 0 && (e.mode & 0o020) !== 0) || (e.mode & 0o002) !== 0;
    return e.uid !== 0 || (((dir && !sticky) || file) && writable);
  });
}

/** Why keepalived disables a script when it loads the config (it then tracks nothing). */
export type LoadDrop =
  /**
   * "Cannot find script X in path - disabling" / "Script X cannot be accessed"; `keepalived -t`: "Disabling track
   * script N since not found/accessible".
   */
  | 'notFound'
  /** "WARNING - script 'X' is not executable for uid:gid U:G - disabling." */
  | 'notExecutable'
  /**
   * "Unsafe permissions found for script 'X' - disabling."; `keepalived -t`: "Disabling track script N due to
   * insecure".
   */
  | 'unsafe';

export interface LoadVerdict {
  drop?: LoadDrop;
  /** The path component that makes it unsafe (drop 'unsafe'). */
  unsafe?: PathEntry;
  /** Insecure but run anyway (no enable_script_security): keepalived logs a SECURITY VIOLATION. */
  insecure?: PathEntry;
}

/** keepalived's load-time checks of a script run as uid:gid, from the host's stat. */
export function loadVerdict(stat: ScriptStat, uid: number, gid: number, scriptSecurity: boolean): LoadVerdict {
  if (stat.missing || !stat.target) return { drop: 'notFound' };
  if (!isExecutable(stat.target, uid, gid)) return { drop: 'notExecutable' };
  const setuidRoot =
    (stat.target.uid === 0 && (stat.target.mode & 0o4100) === 0o4100) ||
    (stat.target.gid === 0 && (stat.target.mode & 0o2010) === 0o2010);
  // Only scripts run as root (or setuid root) are checked for safety (need_script_protection).
  if (uid !== 0 && gid !== 0 && !setuidRoot) return {};
  const bad = unsafeComponent(stat.components);
  if (!bad) return {};
  return scriptSecurity ? { drop: 'unsafe', unsafe: bad } : { insecure: bad };
}

/** A file's text, or why not. ELF binaries are programs, not scripts. */
export function scriptText(read: FileRead): { text?: string; binary: boolean } {
  if (!read.ok) return { binary: false };
  const buf = read.content;
  if (buf.subarray(0, 4).toString('latin1') === '\x7fELF') return { binary: true };
  return { text: buf.toString('utf8'), binary: false };
}
