// One memo of reads per host for a whole grading, shared by everything that reads the host: the
// snapshot a batch captures (src/snapshot/capture.ts), the engine's warm-up and the checks. Each
// file, directory listing and read-only command then goes over the wire once per grading, where
// the capture and the checks used to fetch the same things twice.
//
// What is served from the memo, and when:
// - file reads and directory listings: the host's files do not change while it is graded;
// - commands that `isReadOnly` accepts (the registry of read-only commands, src/facts/commands.ts),
//   identified by key, argv, script, root and user (not their timeout). Any other command (the
//   probes' stop/start, the dead-man switch, log marks, a script run as its user) always runs;
// - only until `stopSharing()`: before the first disruptive check (the probes must see the host as
//   it is now, and poll it afresh), and by itself as soon as anything streams from a host or waits
//   for it to come back (only probes do). From then on every call goes to the host, as without it.
// Failures are kept like any answer, as the run's memo keeps them: asking again would only ask a
// host that did not answer the first time.
import { DEFAULT_MAX_FILE_BYTES, fileOverLineLimit } from './limits.js';
import type { Command, CommandResult, FileRead, Host, StreamHandle } from './host.js';
import type { Role, Text } from '../model/basics.js';

type ReadOpts = { maxBytes?: number; maxLines?: number };

/** A command's identity for the memo: what it runs and how, not how long it may take. */
export function commandIdentity(cmd: Command): string {
  return JSON.stringify([cmd.key, cmd.argv ?? null, cmd.shell ?? null, cmd.root ?? false, cmd.asUser ?? null]);
}

interface CachedRead {
  maxBytes: number;
  maxLines: number | undefined;
  read: Promise<FileRead>;
}

/** The memos of both hosts of a pair: one switch, since a probe on one host changes what the other shows. */
export class SharedReads {
  private sharing = true;

  constructor(private readonly isReadOnly: (cmd: Command) => boolean) {}

  /** Whether reads are still served from the memo. */
  get active(): boolean {
    return this.sharing;
  }

  /** From now on every read goes to the host (state may change: a probe is about to run). */
  stopSharing(): void {
    this.sharing = false;
  }

  /** `host` behind this pair's memo. */
  wrap(host: Host): Host {
    return new SharedReadsHost(host, this, this.isReadOnly);
  }
}

class SharedReadsHost implements Host {
  readonly role: Role;
  readonly label: string;
  readonly kind: Host['kind'];
  readonly stream?: (cmd: Command, onLine: (line: string) => void) => Promise<StreamHandle>;
  readonly waitForReturn?: (
    timeoutMs: number,
    signal: AbortSignal,
  ) => Promise<{ ok: true } | { ok: false; reason: Text }>;
  private readonly files = new Map<string, CachedRead>();
  private readonly dirs = new Map<string, Promise<string[] | null>>();
  private readonly commands = new Map<string, Promise<CommandResult>>();

  constructor(
    private readonly inner: Host,
    private readonly shared: SharedReads,
    private readonly isReadOnly: (cmd: Command) => boolean,
  ) {
    this.role = inner.role;
    this.label = inner.label;
    this.kind = inner.kind;
    // Only what the host can do: the probes look for these methods to know whether a host streams
    // or can be waited for.
    const { stream, waitForReturn } = inner;
    if (stream) {
      this.stream = (cmd, onLine) => {
        shared.stopSharing();
        return stream.call(inner, cmd, onLine);
      };
    }
    if (waitForReturn) {
      this.waitForReturn = (timeoutMs, signal) => {
        shared.stopSharing();
        return waitForReturn.call(inner, timeoutMs, signal);
      };
    }
  }

  async readFile(path: string, opts?: ReadOpts): Promise<FileRead> {
    if (!this.shared.active) return this.inner.readFile(path, opts);
    const maxBytes = opts?.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
    const maxLines = opts?.maxLines;
    const cached = this.files.get(path);
    if (cached) {
      const served = servedFrom(path, cached, maxBytes, maxLines, await cached.read);
      if (served) return served;
    }
    // First read, or one the memo cannot answer (a wider limit; a file over the smaller one, whose
    // refusal the host words): ask the host, and keep the widest answer.
    const read = this.inner.readFile(path, opts);
    const current = this.files.get(path);
    if (!current || current.maxBytes < maxBytes) this.files.set(path, { maxBytes, maxLines, read });
    return read;
  }

  listDir(path: string): Promise<string[] | null> {
    if (!this.shared.active) return this.inner.listDir(path);
    let listed = this.dirs.get(path);
    if (!listed) {
      listed = this.inner.listDir(path);
      this.dirs.set(path, listed);
    }
    return listed;
  }

  run(cmd: Command): Promise<CommandResult> {
    if (!this.shared.active || !this.isReadOnly(cmd)) return this.inner.run(cmd);
    const id = commandIdentity(cmd);
    let result = this.commands.get(id);
    if (!result) {
      result = this.inner.run(cmd);
      this.commands.set(id, result);
    }
    return result.then((r) => ({ ...r }));
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * The answer to a read with `maxBytes`/`maxLines` from an earlier read of the same file, or
 * undefined when only the host can give it. A file read whole is within any limit it is not longer
 * than (the line limit is counted here exactly as the hosts count it); a missing or unreadable file
 * is so whatever the limit.
 */
function servedFrom(
  path: string,
  cached: CachedRead,
  maxBytes: number,
  maxLines: number | undefined,
  read: FileRead,
): FileRead | undefined {
  if (read.ok) {
    // A read that succeeded holds the whole file (hosts refuse a file over the limit, never cut it).
    if (read.content.length > maxBytes) return undefined;
    return fileOverLineLimit(path, read.content, maxLines) ?? read;
  }
  if (read.reason === 'missing' || read.reason === 'denied') return read;
  if (cached.maxBytes === maxBytes && cached.maxLines === maxLines) return read;
  return undefined;
}
