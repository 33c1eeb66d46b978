// A host that could not be reached: it answers nothing. The engine reports every check as an
// ERROR for it (never a FAIL), so these answers are never judged; they only keep types whole.
import type { Command, CommandResult, FileRead, Host } from './host.js';
import type { Role } from '../model/basics.js';

export class UnreachableHost implements Host {
  readonly kind = 'ssh' as const;
  constructor(
    readonly role: Role,
    readonly label: string,
    readonly reason: string,
  ) {}

  async readFile(path: string): Promise<FileRead> {
    return { ok: false, path, reason: 'unavailable', message: this.reason };
  }

  async listDir(): Promise<string[] | null> {
    return null;
  }

  async run(cmd: Command): Promise<CommandResult> {
    return { command: cmd.key, exitCode: null, stdout: '', stderr: '', unavailable: true, error: this.reason };
  }

  async close(): Promise<void> {}
}
