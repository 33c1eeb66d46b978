// The Host interface: the one way checks and probes reach a machine. Two implementations sit
// beside it: SshHost (ssh.ts, a live machine) and SnapshotHost (snapshot.ts, a captured one).
import type { Role, Text } from '../model/basics.js';

export type FileRead =
  | { ok: true; path: string; content: Buffer }
  | { ok: false; path: string; reason: 'missing' | 'denied' | 'too-large' | 'unavailable' | 'error'; message: string };

/**
 * A command to run on a host. `key` names it stably (snapshots store its output under
 * `commands/<key>.txt`); `argv` is quoted by the host implementation, never pasted into a shell.
 * `shell` is for fixed scripts written by hagrade itself: it runs as `sh -c SHELL hagrade ARGV...`,
 * so values reach the script only as positional parameters `$1`, `$2`… (never pasted into it).
 */
export interface Command {
  key: string;
  argv?: string[];
  shell?: string;
  /** Needs root: an SshHost wraps it in `sudo -n` when the login user is not root. */
  root?: boolean;
  timeoutMs?: number;
  /** Run it as this user (via `runuser`/`sudo -u`), e.g. to run a track script as keepalived would. */
  asUser?: string;
}

export interface CommandResult {
  command: string; // how it was run, for evidence (quoted, secrets redacted)
  exitCode: number | null; // null: killed, timed out or unavailable
  stdout: string;
  stderr: string;
  timedOut?: boolean;
  /**
   * stdout or stderr went past the host's output limits (src/hosts/limits.ts): they hold the part
   * read, exitCode is null and `error` says which limit. Never judged as if it were whole.
   */
  truncated?: boolean;
  /** Snapshot without this command's output, or the transport failed before it ran. */
  unavailable?: boolean;
  /** Why it is unavailable (transport error, missing capture). */
  error?: string;
  durationMs?: number;
}

export interface StreamHandle {
  stop(): Promise<void>;
}

export interface Host {
  readonly role: Role;
  /** What the user named it: an address, an alias or a snapshot path. */
  readonly label: string;
  /** 'ssh' hosts can run commands live; 'snapshot' hosts replay captured outputs. */
  readonly kind: 'ssh' | 'snapshot' | 'fake';
  /** Only regular files (after links) are read; past maxBytes or maxLines the read is refused as too-large. */
  readFile(path: string, opts?: { maxBytes?: number; maxLines?: number }): Promise<FileRead>;
  /** Names in a directory, or null when it does not exist. */
  listDir(path: string): Promise<string[] | null>;
  run(cmd: Command): Promise<CommandResult>;
  /** Stream stdout lines of a long-running command (e.g. `ip -o monitor address`). Live hosts only. */
  stream?(cmd: Command, onLine: (line: string) => void): Promise<StreamHandle>;
  /**
   * After the host went away on purpose (the reboot probe): connect again, retrying until `timeoutMs`.
   * Live hosts only; the reason says why it did not come back.
   */
  waitForReturn?(timeoutMs: number, signal: AbortSignal): Promise<{ ok: true } | { ok: false; reason: Text }>;
  close(): Promise<void>;
}
