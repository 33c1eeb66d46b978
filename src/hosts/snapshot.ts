// SnapshotHost: a host replayed from a snapshot directory (DESIGN.md §3), for offline grading.
// The directory may be an overlay on another snapshot (src/hosts/snapshot-tree.ts): it reads the same.
import { existsSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  CappedOutput,
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_OUTPUT_LIMITS,
  fileOverByteLimit,
  fileOverLineLimit,
  outputOverLimit,
} from './limits.js';
import { readRegular, SnapshotError, SnapshotTree } from './snapshot-tree.js';
import type { Command, CommandResult, FileRead, Host } from './host.js';
import type { Role } from '../model/basics.js';
import type { Target } from '../model/target.js';

export { SnapshotError, OVERLAY_FILE } from './snapshot-tree.js';

/** Where the snapshot holds `path`, when it exists as existsSync says (a path it cannot examine counts as absent). */
function existing(tree: SnapshotTree, path: string): string | undefined {
  const local = tree.locate(path);
  return local !== undefined && existsSync(local) ? local : undefined;
}

export class SnapshotHost implements Host {
  readonly kind = 'snapshot' as const;
  readonly label: string;

  constructor(
    readonly role: Role,
    snapshotDir: string,
    private readonly tree: SnapshotTree = SnapshotTree.open(snapshotDir),
  ) {
    this.label = `${snapshotDir}/${role}`;
  }

  /** Map a host path to the snapshot; `..` can never climb out of the host's directory. */
  private path(path: string): string {
    return `${this.role}${posix.normalize(`/${path}`)}`;
  }

  async readFile(path: string, opts?: { maxBytes?: number; maxLines?: number }): Promise<FileRead> {
    const local = this.tree.locate(this.path(path));
    const max = opts?.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
    if (local === undefined) return { ok: false, path, reason: 'missing', message: `${path} does not exist` };
    try {
      const read = readRegular(local, max);
      if ('notRegular' in read) {
        const message =
          read.notRegular === 'a directory'
            ? `${path} is a directory`
            : `${path} is ${read.notRegular}, not a regular file: hagrade does not read it`;
        return { ok: false, path, reason: 'error', message };
      }
      if (read.size > max) return fileOverByteLimit(path, read.size, max);
      return fileOverLineLimit(path, read.content, opts?.maxLines) ?? { ok: true, path, content: read.content };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR')
        return { ok: false, path, reason: 'missing', message: `${path} does not exist` };
      if (code === 'EACCES') return { ok: false, path, reason: 'denied', message: `${path} is not readable` };
      return { ok: false, path, reason: 'error', message: `${path}: ${(e as Error).message}` };
    }
  }

  async listDir(path: string): Promise<string[] | null> {
    return this.tree.listDir(this.path(path));
  }

  /** Replays `commands/<key>.txt` (stdout), with optional `<key>.exit` and `<key>.stderr`. */
  async run(cmd: Command): Promise<CommandResult> {
    const base = this.path(`commands/${cmd.key.replace(/[^A-Za-z0-9._-]/g, '_')}`);
    const command = cmd.argv ? cmd.argv.join(' ') : (cmd.shell ?? cmd.key);
    if (existing(this.tree, `${base}.txt`) === undefined) {
      return {
        command,
        exitCode: null,
        stdout: '',
        stderr: '',
        unavailable: true,
        error: `no captured output for '${cmd.key}' in the snapshot`,
      };
    }
    // Read as a live host reads a command's output: within the same limits, said when past them.
    let over: string | undefined;
    const read = (suffix: string, stream: 'stdout' | 'stderr' = 'stdout'): string => {
      const local = existing(this.tree, base + suffix);
      if (local === undefined) return '';
      const file = readRegular(local, DEFAULT_OUTPUT_LIMITS.maxBytes + 1);
      if ('notRegular' in file) {
        over ??= `${cmd.key}${suffix} in the snapshot is ${file.notRegular}, not a regular file`;
        return '';
      }
      const capped = new CappedOutput(DEFAULT_OUTPUT_LIMITS);
      if (!capped.push(file.content)) over ??= outputOverLimit(stream, capped.over!);
      return capped.content.toString('utf8');
    };
    const exitText = read('.exit').trim().slice(0, 20);
    const stdout = read('.txt');
    const stderr = read('.stderr', 'stderr');
    if (over !== undefined) return { command, exitCode: null, stdout, stderr, truncated: true, error: over };
    // `truncated`: the output was cut at the limits when it was captured.
    if (exitText === 'truncated')
      return {
        command,
        exitCode: null,
        stdout,
        stderr,
        truncated: true,
        error: 'its output went on past the limit when it was captured; hagrade did not judge it',
      };
    // `timeout` (or anything not a number) replays a command that never finished.
    if (exitText !== '' && !/^\d+$/.test(exitText)) return { command, exitCode: null, stdout, stderr, timedOut: true };
    return { command, exitCode: exitText === '' ? 0 : Number(exitText), stdout, stderr };
  }

  /** Whether any command output was captured for this host (live checks can then replay). */
  hasCommands(): boolean {
    return existing(this.tree, this.path('commands')) !== undefined;
  }

  async close(): Promise<void> {}
}

export interface OpenedSnapshot {
  target: Target;
  hosts: Record<Role, SnapshotHost>;
}

/** Open DIR: hosts.yaml names the addresses and the VIP; master/ and backup/ mirror the hosts. */
export function openSnapshot(dir: string): OpenedSnapshot {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SnapshotError(`snapshot directory not found: ${dir}`);
  const tree = SnapshotTree.open(dir);
  const hostsFile = existing(tree, 'hosts.yaml');
  let meta: Record<string, unknown> = {};
  if (hostsFile !== undefined) {
    try {
      const file = readRegular(hostsFile, 1024 * 1024);
      if ('notRegular' in file) throw new SnapshotError(`${hostsFile} is ${file.notRegular}, not a regular file`);
      meta = (parseYaml(file.content.toString('utf8')) ?? {}) as Record<string, unknown>;
    } catch (e) {
      if (e instanceof SnapshotError) throw e;
      throw new SnapshotError(`${hostsFile}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  for (const role of ['master', 'backup'] as const) {
    if (existing(tree, role) === undefined)
      throw new SnapshotError(`${dir}: no '${role}/' directory (see the snapshot layout in the README)`);
  }
  const address = (role: Role): string => {
    const entry = meta[role] as { address?: unknown } | undefined;
    return entry && entry.address !== undefined ? String(entry.address) : role;
  };
  const target: Target = { master: { address: address('master') }, backup: { address: address('backup') } };
  if (meta.vip !== undefined) target.vip = String(meta.vip);
  if (meta.student !== undefined) target.student = String(meta.student);
  return {
    target,
    hosts: { master: new SnapshotHost('master', dir, tree), backup: new SnapshotHost('backup', dir, tree) },
  };
}

/**
 * A file of a snapshot or fixture, overlays resolved, as the snapshot host reads it: the one way
 * hagrade's own code (the lab's scenarios) and the tests read a fixture's files. `path` is relative
 * to DIR (`master/etc/haproxy/haproxy.cfg`). A file it does not have is a SnapshotError.
 */
export function readSnapshotFile(dir: string, path: string): Buffer {
  return SnapshotTree.open(dir).read(path);
}

/**
 * Every file of a snapshot or fixture (overlays resolved), relative to DIR and sorted; `under` limits it to `master`,
 * `backup/etc`...
 */
export function listSnapshotFiles(dir: string, under = ''): string[] {
  return SnapshotTree.open(dir).files(under);
}
