// MemoryHost: a host whose files and command outputs live in memory, for unit tests and docs.
import { posix } from 'node:path';
import { DEFAULT_MAX_FILE_BYTES, fileOverByteLimit, fileOverLineLimit } from './limits.js';
import type { Command, CommandResult, FileRead, Host } from './host.js';
import type { Role } from '../model/basics.js';

export type FileMap = Record<string, string | Buffer>;
export type CommandMap = Record<string, Partial<CommandResult>>;

export class MemoryHost implements Host {
  readonly kind = 'fake' as const;
  readonly label: string;
  readonly ran: Command[] = [];

  constructor(
    readonly role: Role,
    readonly files: FileMap,
    readonly commands: CommandMap = {},
  ) {
    this.label = `memory:${role}`;
  }

  async readFile(path: string, opts?: { maxBytes?: number; maxLines?: number }): Promise<FileRead> {
    const content = this.files[posix.normalize(path)];
    if (content === undefined) return { ok: false, path, reason: 'missing', message: `${path} does not exist` };
    const buf = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const max = opts?.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
    if (buf.length > max) return fileOverByteLimit(path, buf.length, max);
    return fileOverLineLimit(path, buf, opts?.maxLines) ?? { ok: true, path, content: buf };
  }

  async listDir(path: string): Promise<string[] | null> {
    const dir = `${posix.normalize(path).replace(/\/$/, '')}/`;
    const names = new Set<string>();
    for (const file of Object.keys(this.files)) {
      if (file.startsWith(dir)) names.add(file.slice(dir.length).split('/')[0]!);
    }
    return names.size ? [...names].sort() : null;
  }

  async run(cmd: Command): Promise<CommandResult> {
    this.ran.push(cmd);
    const known = this.commands[cmd.key];
    const command = cmd.argv ? cmd.argv.join(' ') : (cmd.shell ?? cmd.key);
    if (!known)
      return {
        command,
        exitCode: null,
        stdout: '',
        stderr: '',
        unavailable: true,
        error: `no output for '${cmd.key}'`,
      };
    return { command, exitCode: 0, stdout: '', stderr: '', ...known };
  }

  async close(): Promise<void> {}
}
