// SshHost: a lab host over SSH (ssh2). One connection for the whole run; every command is a channel on it.
// The parts live beside it: ssh-route (~/.ssh/config, ProxyJump), ssh-auth and ssh-handshake (logging
// in, host keys), ssh-connection (the one connection, reconnects), ssh-channels (channel slots,
// timeouts, output caps), ssh-command-line (locale, sudo, timeout wrappers), ssh-files, ssh-stream,
// ssh-errors. This class ties them into the Host interface.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command, CommandResult, FileRead, Host, StreamHandle } from './host.js';
import type { Role, Text } from '../model/basics.js';
import { KnownHosts } from './known-hosts.js';
import { DEFAULT_MAX_FILE_BYTES } from './limits.js';
import { Channels, type RawResult } from './ssh-channels.js';
import { commandLine, payloadOf, shellPayload, sudoError, sudoProblem, type CommandLine } from './ssh-command-line.js';
import { SshConnection } from './ssh-connection.js';
import { SshError, t } from './ssh-errors.js';
import { dirListingOf, fileReadOf, LIST_DIR_SCRIPT, READ_FILE_SCRIPT } from './ssh-files.js';
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_MAX_CHANNELS,
  defaultKnownHostsFile,
  type SshHostOptions,
} from './ssh-options.js';
import { resolveRoute, type Hop } from './ssh-route.js';
import { streamLines } from './ssh-stream.js';

// What users of SshHost catch and pass: its error and its options.
export { SshError, type SshErrorCode } from './ssh-errors.js';
export type { NewHostKey, SshHostOptions } from './ssh-options.js';

export class SshHost implements Host {
  readonly kind = 'ssh' as const;
  readonly role: Role;
  readonly label: string;
  /** Notes from ~/.ssh/config (skipped Match blocks, ProxyCommand), for --verbose. */
  readonly configNotes: string[] = [];

  private readonly options: SshHostOptions;
  private readonly route: Hop[];
  private readonly connection: SshConnection;
  private readonly channels: Channels;
  private sudoChecked = false;

  constructor(options: SshHostOptions) {
    this.options = options;
    this.role = options.role;
    this.label = options.spec.name ?? options.spec.host;
    const knownHosts = new KnownHosts(
      options.knownHostsFile ?? defaultKnownHostsFile(),
      options.userKnownHostsFiles ?? [join(homedir(), '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'],
    );
    this.route = resolveRoute(options.spec, options.sshConfigFile, this.configNotes);
    this.connection = new SshConnection(this.label, this.route, { options, knownHosts }, options.reconnect !== false);
    this.channels = new Channels(this.connection, this.label, options.maxChannels ?? DEFAULT_MAX_CHANNELS);
  }

  /** Successful SSH handshakes with this host so far: 1 for a whole run, 2 after a reconnect. */
  get handshakes(): number {
    return this.connection.handshakes;
  }

  /** The user commands run as on the host (after ~/.ssh/config). */
  get user(): string {
    return this.target.user;
  }

  private get target(): Hop {
    return this.route[this.route.length - 1]!;
  }

  private get isRoot(): boolean {
    return this.target.user === 'root';
  }

  // -------------------------------------------------------------------------------------------
  // Connecting

  /**
   * Connect (once; later calls reuse the connection) and, for a non-root login, check that
   * `sudo -n` works. Throws SshError with a message naming the fix.
   */
  async connect(): Promise<void> {
    await this.connection.client();
    if (this.isRoot || this.options.useSudo === false || this.sudoChecked) return;
    this.sudoChecked = true;
    const line = this.commandLine(['true'], { root: true, timeoutMs: this.commandTimeout() });
    const raw = await this.channels.exec(line.remote, this.commandTimeout());
    if (raw.unavailable) throw new SshError('unreachable', t(raw.error!, `${this.label} недоступен: ${raw.error}`));
    if (raw.exitCode !== 0) {
      const stderr = raw.stderr.toString('utf8').trim();
      throw new SshError(
        'sudo-password',
        sudoProblem(stderr, this.user, this.label) ??
          t(
            `sudo -n true failed on ${this.label}: ${stderr}`,
            `sudo -n true завершился ошибкой на ${this.label}: ${stderr}`,
          ),
      );
    }
  }

  /**
   * After the host went away on purpose (a reboot): drop the old connection and connect afresh, again
   * and again, until it answers or `timeoutMs` has passed (each attempt also bounded by the connect
   * timeout). A refusal that waiting cannot cure (host key, authentication) ends it at once.
   */
  waitForReturn(
    timeoutMs: number,
    signal: AbortSignal,
    retryMs = 2000,
  ): Promise<{ ok: true } | { ok: false; reason: Text }> {
    return this.connection.waitForReturn(timeoutMs, signal, retryMs);
  }

  private commandTimeout(cmd?: Command): number {
    return cmd?.timeoutMs ?? this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  }

  private commandLine(
    payload: readonly string[],
    opts: { root?: boolean; asUser?: string; timeoutMs?: number },
  ): CommandLine {
    return commandLine(payload, opts, { isRoot: this.isRoot, useSudo: this.options.useSudo !== false });
  }

  // -------------------------------------------------------------------------------------------
  // Commands

  async run(cmd: Command): Promise<CommandResult> {
    const payload = payloadOf(cmd);
    if (!payload)
      return {
        command: '',
        exitCode: null,
        stdout: '',
        stderr: '',
        unavailable: true,
        error: `command '${cmd.key}' has neither argv nor shell`,
      };
    const timeoutMs = this.commandTimeout(cmd);
    const line = this.commandLine(payload, { root: cmd.root, asUser: cmd.asUser, timeoutMs });
    const raw = await this.channels.exec(line.remote, timeoutMs);
    const result: CommandResult = {
      command: line.shown,
      exitCode: raw.exitCode,
      stdout: raw.stdout.toString('utf8'),
      stderr: raw.stderr.toString('utf8'),
      durationMs: raw.durationMs,
    };
    if (raw.timedOut) result.timedOut = true;
    if (raw.overLimit !== undefined) {
      result.truncated = true;
      result.error = raw.overLimit;
      return result;
    }
    const error = raw.unavailable ? raw.error : this.sudoError(line, raw);
    if (error !== undefined) {
      result.unavailable = true;
      result.error = error;
    }
    return result;
  }

  /** When our own sudo wrapper failed, the command never ran: say why and how to fix it. */
  private sudoError(line: CommandLine, raw: RawResult): string | undefined {
    return sudoError(line, raw, this.user, this.label);
  }

  async readFile(path: string, opts?: { maxBytes?: number; maxLines?: number }): Promise<FileRead> {
    const max = opts?.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
    const timeoutMs = this.commandTimeout();
    const line = this.commandLine(shellPayload(READ_FILE_SCRIPT, [path, String(max)]), { root: true, timeoutMs });
    // One byte past the limit is enough to know the file is over it.
    const raw = await this.channels.exec(line.remote, timeoutMs, {
      stdout: { maxBytes: max + 1, maxLines: Infinity },
    });
    const reader = { label: this.label, user: this.user, sudoError: this.sudoError(line, raw) };
    return fileReadOf(raw, path, max, opts?.maxLines, reader);
  }

  /** Names in a directory (sorted), null when it does not exist; throws when the host cannot tell. */
  async listDir(path: string): Promise<string[] | null> {
    const timeoutMs = this.commandTimeout();
    const line = this.commandLine(shellPayload(LIST_DIR_SCRIPT, [path]), { root: true, timeoutMs });
    const raw = await this.channels.exec(line.remote, timeoutMs);
    return dirListingOf(raw, path, { label: this.label, user: this.user, sudoError: this.sudoError(line, raw) });
  }

  /**
   * Stream stdout lines of a long-running command. It runs on a pseudo-terminal, so its output is
   * line-buffered and closing the channel hangs it up (SIGHUP): stop() leaves nothing running.
   * stdout and stderr arrive merged. If onLine throws, the stream stops.
   */
  async stream(cmd: Command, onLine: (line: string) => void): Promise<StreamHandle> {
    const payload = payloadOf(cmd);
    if (!payload)
      throw new SshError(
        'protocol',
        t(`command '${cmd.key}' has neither argv nor shell`, `у команды '${cmd.key}' нет ни argv, ни shell`),
      );
    const line = this.commandLine(payload, { root: cmd.root, asUser: cmd.asUser });
    const { channel, release } = await this.channels.openPty(line.remote);
    return streamLines(channel, release, this.connection.pending, onLine);
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
