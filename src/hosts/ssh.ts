// SshHost: a lab host over SSH (ssh2). One connection for the whole run; every command is a channel on it.
import { readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as delay } from 'node:timers/promises';
import ssh2 from 'ssh2';
import type { AnyAuthMethod, AuthenticationType, Client, ClientChannel, ServerHostKeyAlgorithm } from 'ssh2';
import { InventoryError, parseHostSpec, type HostSpec } from '../inputs/inventory.js';
import type { Command, CommandResult, FileRead, Host, StreamHandle } from './host.js';
import type { Role, Text } from '../model/basics.js';
import {
  changedKeyText,
  fingerprint,
  keyTypeOf,
  KnownHosts,
  preferredHostKeyAlgorithms,
  revokedKeyText,
  unknownKeyText,
} from './known-hosts.js';
import {
  CappedOutput,
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_OUTPUT_LIMITS,
  fileOverLineLimit,
  MAX_STREAM_LINE_BYTES,
  outputOverLimit,
  type OutputLimits,
} from './limits.js';
import { shellQuote } from './quote.js';
import { resolveSshConfig } from './ssh-config.js';

export type SshErrorCode =
  | 'unreachable'
  | 'timeout'
  | 'auth'
  | 'hostkey-unknown'
  | 'hostkey-changed'
  | 'sudo-password'
  | 'protocol';

/** Why a host could not be used, with a message in every language that names the fix. */
export class SshError extends Error {
  constructor(
    readonly code: SshErrorCode,
    readonly text: Text,
    options?: { cause?: unknown },
  ) {
    super(text.en, options);
    this.name = 'SshError';
  }
}

export interface NewHostKey {
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
  /** Where it was recorded (hagrade's own known_hosts) and on which line. */
  file: string;
  line: number;
}

export interface SshHostOptions {
  role: Role;
  spec: HostSpec;
  /** hagrade's own known_hosts, where unknown keys are trusted on first use. Default ~/.config/hagrade/known_hosts. */
  knownHostsFile?: string;
  /** Read-only known_hosts files consulted too. Default ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts, as OpenSSH. */
  userKnownHostsFiles?: string[];
  /** Refuse hosts whose key is not known yet (no trust on first use). A changed key is always refused. */
  strictHostKeys?: boolean;
  /** The ssh config to read (default ~/.ssh/config); false reads none. */
  sshConfigFile?: string | false;
  /** TCP connect plus SSH handshake, per hop; time spent in prompts does not count. Default 10 s. */
  connectTimeoutMs?: number;
  /** For commands without their own timeoutMs. Default 60 s. */
  commandTimeoutMs?: number;
  /** Wrap root commands in `sudo -n` when the login user is not root (default true). */
  useSudo?: boolean;
  /** Reconnect once when the connection drops (default true). */
  reconnect?: boolean;
  /** Channels open at once; OpenSSH allows 10 sessions per connection by default. Default 8. */
  maxChannels?: number;
  /** The ssh-agent socket; default $SSH_AUTH_SOCK; false for none. */
  agentSocket?: string | false;
  /** Asked for an encrypted key's passphrase; undefined skips the key. */
  promptPassphrase?: (keyFile: string) => Promise<string | undefined>;
  /** Asked for the password when keys and agent failed (after spec.password and $HAGRADE_SSH_PASSWORD). */
  promptPassword?: (login: { user: string; host: string }) => Promise<string | undefined>;
  /** Told when an unknown key was trusted on first use, so the user can see it happened. */
  onNewHostKey?: (key: NewHostKey) => void;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_CHANNELS = 8;
/** OpenSSH's default identities, in its order (minus the security-key types ssh2 cannot use). */
const DEFAULT_IDENTITIES = ['id_rsa', 'id_ecdsa', 'id_ed25519', 'id_dsa'];
const UNREACHABLE_CODES = [
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EPIPE',
];

export function defaultKnownHostsFile(): string {
  return join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'hagrade', 'known_hosts');
}

/** Commands see English messages whatever the host's locale: results are parsed. */
/**
 * Every command runs in the C locale and with the system's full PATH: a non-root login's PATH on
 * Debian has no /usr/sbin (sysctl, ip, haproxy, keepalived live there), and a fixed PATH makes the
 * same host give the same answers whoever logs in.
 */
const C_LOCALE = ['env', 'LC_ALL=C', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];

/** `sh -c SCRIPT hagrade ARGS...`: values reach a fixed script only as $1, $2…, never pasted into it. */
function shellPayload(script: string, args: readonly string[] = []): string[] {
  return ['sh', '-c', script, 'hagrade', ...args];
}

// Fixed scripts of our own, run through shellPayload.
/**
 * Read file $1 of at most $2 bytes. Only a regular file (after links) is read: a FIFO, a device or
 * a link to one is refused after `stat` (exit 5, its type on stderr), so it can neither hang the
 * read nor pour out bytes without end. `head -c` still stops one byte past the limit if the file
 * grows or is swapped between the `stat` and the read.
 */
export const READ_FILE_SCRIPT = [
  'size=$(stat -L -c %s -- "$1") || exit 3',
  'if [ ! -f "$1" ]; then stat -L -c %F -- "$1" >&2; exit 5; fi',
  'if [ "$size" -gt "$2" ]; then echo "$size" >&2; exit 4; fi',
  'exec head -c "$(($2 + 1))" -- "$1"',
].join('\n');
const LIST_DIR_SCRIPT = [
  '[ -d "$1" ] || exit 3',
  'cd -- "$1" || exit 4',
  'for f in .* *; do',
  '  case $f in .|..) continue ;; esac',
  '  [ -e "$f" ] || [ -L "$f" ] || continue',
  '  printf \'%s\\0\' "$f"',
  'done',
].join('\n');

// ---------------------------------------------------------------------------------------------
// Messages

function t(en: string, ru: string): Text {
  return { en, ru };
}

/** A sudo failure in a command's stderr, as a message naming the fix; undefined when it is not one. */
export function sudoProblem(stderr: string, user: string, host: string): Text | undefined {
  const sudoers = `/etc/sudoers.d/${user}`;
  const rule = `${user} ALL=(ALL) NOPASSWD: ALL`;
  if (/sudo: a password is required|sudo: a terminal is required|sudo: no askpass program/.test(stderr)) {
    return t(
      `sudo on ${host} asks ${user} for a password, and hagrade cannot type one. Fix: let ${user} use sudo without a password (the line "${rule}" in ${sudoers}, edited with visudo), or log in as root.`,
      `sudo на ${host} запрашивает пароль пользователя ${user}, а hagrade не может его ввести. Исправление: разрешите ${user} sudo без пароля (строка "${rule}" в ${sudoers}, правка через visudo) или подключайтесь под root.`,
    );
  }
  if (/sudo: sorry, you must have a tty/.test(stderr)) {
    return t(
      `sudo on ${host} requires a terminal (Defaults requiretty). Fix: add "Defaults:${user} !requiretty" to ${sudoers} with visudo, or log in as root.`,
      `sudo на ${host} требует терминал (Defaults requiretty). Исправление: добавьте "Defaults:${user} !requiretty" в ${sudoers} через visudo или подключайтесь под root.`,
    );
  }
  if (/is not in the sudoers file|is not allowed to (run|execute)|may not run sudo/.test(stderr)) {
    return t(
      `${user} may not use sudo on ${host}, and hagrade needs root to read the configuration. Fix: add "${rule}" to ${sudoers} with visudo, or log in as root.`,
      `Пользователю ${user} на ${host} не разрешён sudo, а hagrade нужен root, чтобы прочитать конфигурацию. Исправление: добавьте "${rule}" в ${sudoers} через visudo или подключайтесь под root.`,
    );
  }
  if (/sudo: (command )?not found/.test(stderr)) {
    return t(
      `sudo is not installed on ${host}, and ${user} is not root. Fix: install sudo and allow ${user} to use it without a password, or log in as root.`,
      `На ${host} не установлен sudo, а ${user} не root. Исправление: установите sudo и разрешите ${user} использовать его без пароля или подключайтесь под root.`,
    );
  }
  return undefined;
}

function textOf(e: unknown): Text {
  if (e instanceof SshError) return e.text;
  const message = e instanceof Error ? e.message : String(e);
  return t(`SSH error: ${message}`, `ошибка SSH: ${message}`);
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** A connect deadline that stops counting while the user types a passphrase or password. */
class Deadline {
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  constructor(
    private readonly ms: number,
    private readonly onExpire: () => void,
  ) {
    this.resume();
  }
  pause(): void {
    clearTimeout(this.timer);
  }
  resume(): void {
    clearTimeout(this.timer);
    if (!this.finished) this.timer = setTimeout(this.onExpire, this.ms);
  }
  /** The handshake ended one way or the other: a prompt that returns late must not re-arm it. */
  finish(): void {
    this.finished = true;
    clearTimeout(this.timer);
  }
}

/**
 * At most `size` channels at once; later ones wait their turn. The size shrinks when the server
 * refuses a channel below it (sshd's MaxSessions, or sessions it has not yet reaped).
 */
class Slots {
  private readonly waiting: (() => void)[] = [];
  private inUse = 0;
  constructor(private size: number) {}
  async acquire(): Promise<() => void> {
    if (this.inUse < this.size && !this.waiting.length) this.inUse++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the slot is handed over already counted
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse--;
      while (this.inUse < this.size && this.waiting.length) {
        this.inUse++;
        this.waiting.shift()!();
      }
    };
  }
  /** The server refused a channel while `inUse` were taken (this one included): it allows fewer. */
  refused(): void {
    this.size = Math.max(1, Math.min(this.size, this.inUse - 1));
  }
}

/** A stream (the probe's watch) is opened once; a refused one is retried for about 5 s. */
const STREAM_OPEN_RETRIES = 8;

/** sshd refused to open a session channel (MaxSessions reached, or not yet freed): worth a retry. */
function isChannelRefusal(error: Error): boolean {
  return /Channel open failure/i.test(error.message);
}

/** Retries of a refused channel: 0.1, 0.2, 0.4, 0.8, 1, 1, ... s, within the command's own timeout. */
function refusalBackoffMs(attempt: number): number {
  return Math.min(1000, 100 * 2 ** attempt);
}

interface Hop {
  host: string;
  port: number;
  user: string;
  /** Explicit key first, then the config's IdentityFile entries, else OpenSSH's defaults. */
  keyFiles: string[];
  password?: string;
}

interface AuthStep {
  /** The method as the server names it in its list of those it still accepts. */
  wire: AuthenticationType;
  make: () => Promise<AnyAuthMethod | undefined>;
}

interface RawResult {
  exitCode: number | null;
  stdout: Buffer;
  stderr: Buffer;
  durationMs: number;
  timedOut?: boolean;
  unavailable?: boolean;
  error?: string;
  /** stdout or stderr went past the limits: the channel was closed, `error` says which. */
  overLimit?: string;
}

interface CommandLine {
  /** What the remote shell gets. */
  remote: string;
  /** What the evidence shows: without the locale and time-limit wrappers. */
  shown: string;
  viaSudo: boolean;
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}

// ---------------------------------------------------------------------------------------------

export class SshHost implements Host {
  readonly kind = 'ssh' as const;
  readonly role: Role;
  readonly label: string;
  /** Notes from ~/.ssh/config (skipped Match blocks, ProxyCommand), for --verbose. */
  readonly configNotes: string[] = [];

  private readonly options: SshHostOptions;
  private readonly knownHosts: KnownHosts;
  private readonly route: Hop[];
  private readonly slots: Slots;
  private readonly pending = new Set<(reason: string) => void>();
  private clients: Client[] | undefined;
  private connecting: Promise<Client> | undefined;
  private failure: SshError | undefined;
  private lostReason: string | undefined;
  private reconnectsLeft: number;
  private generation = 0;
  private closed = false;
  private sudoChecked = false;
  private handshakeCount = 0;

  constructor(options: SshHostOptions) {
    this.options = options;
    this.role = options.role;
    this.label = options.spec.name ?? options.spec.host;
    this.knownHosts = new KnownHosts(
      options.knownHostsFile ?? defaultKnownHostsFile(),
      options.userKnownHostsFiles ?? [join(homedir(), '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'],
    );
    this.slots = new Slots(options.maxChannels ?? DEFAULT_MAX_CHANNELS);
    this.reconnectsLeft = options.reconnect === false ? 0 : 1;
    this.route = this.resolveRoute(options.spec);
  }

  /** Successful SSH handshakes with this host so far: 1 for a whole run, 2 after a reconnect. */
  get handshakes(): number {
    return this.handshakeCount;
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
  // Route: ~/.ssh/config, ProxyJump hops

  private resolveHop(spec: HostSpec): { hop: Hop; jumps: string[] } {
    const file = this.options.sshConfigFile;
    const cfg =
      file === false
        ? {
            hostName: spec.host,
            port: spec.port ?? 22,
            user: spec.user ?? localUser(),
            identityFiles: [],
            proxyJump: [],
            notes: [],
          }
        : resolveSshConfig(spec.host, { file, user: spec.user, port: spec.port });
    this.configNotes.push(...cfg.notes);
    const explicit = spec.key ? [spec.key] : [];
    const keyFiles =
      explicit.length || cfg.identityFiles.length
        ? [...explicit, ...cfg.identityFiles]
        : DEFAULT_IDENTITIES.map((id) => join(homedir(), '.ssh', id));
    const hop: Hop = { host: cfg.hostName, port: cfg.port, user: cfg.user, keyFiles };
    if (spec.password !== undefined) hop.password = spec.password;
    return { hop, jumps: cfg.proxyJump };
  }

  /** Hops to the host, jump hosts first; a jump host's own ProxyJump is not followed. */
  private resolveRoute(spec: HostSpec): Hop[] {
    const { hop, jumps } = this.resolveHop(spec);
    const jumpHops: Hop[] = [];
    for (const jump of jumps) {
      try {
        const resolved = this.resolveHop(parseHostSpec(jump.replace(/^ssh:\/\//, '')));
        if (resolved.jumps.length)
          this.configNotes.push(`ProxyJump of the jump host ${jump} is not followed; connecting to it directly`);
        jumpHops.push(resolved.hop);
      } catch (e) {
        if (!(e instanceof InventoryError)) throw e;
        this.configNotes.push(`ProxyJump '${jump}' is not [user@]host[:port]; ignored`);
      }
    }
    return [...jumpHops, hop];
  }

  // -------------------------------------------------------------------------------------------
  // Connecting

  /**
   * Connect (once; later calls reuse the connection) and, for a non-root login, check that
   * `sudo -n` works. Throws SshError with a message naming the fix.
   */
  async connect(): Promise<void> {
    await this.connection();
    if (this.isRoot || this.options.useSudo === false || this.sudoChecked) return;
    this.sudoChecked = true;
    const line = this.commandLine(['true'], { root: true, timeoutMs: this.commandTimeout() });
    const raw = await this.exec(line.remote, this.commandTimeout());
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
  async waitForReturn(
    timeoutMs: number,
    signal: AbortSignal,
    retryMs = 2000,
  ): Promise<{ ok: true } | { ok: false; reason: Text }> {
    const until = Date.now() + timeoutMs;
    let last: Text = t('no attempt was made', 'ни одной попытки не было');
    for (const c of this.clients ?? []) c.end();
    this.clients = undefined;
    while (!this.closed && !signal.aborted) {
      this.failure = undefined;
      this.lostReason = undefined;
      try {
        await this.connection();
        return { ok: true };
      } catch (e) {
        const error = e instanceof SshError ? e : undefined;
        last = textOf(e);
        if (error && ['auth', 'hostkey-unknown', 'hostkey-changed'].includes(error.code))
          return { ok: false, reason: last };
      }
      if (Date.now() + retryMs > until) break;
      await delay(retryMs, undefined, { signal }).catch(() => undefined); // an interrupt ends the wait
    }
    return { ok: false, reason: signal.aborted ? t('interrupted', 'прервано') : last };
  }

  private commandTimeout(cmd?: Command): number {
    return cmd?.timeoutMs ?? this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  }

  private async connection(): Promise<Client> {
    if (this.closed)
      throw new SshError(
        'protocol',
        t(`the connection to ${this.label} was closed by hagrade`, `соединение с ${this.label} закрыто hagrade`),
      );
    if (this.clients) return this.clients[this.clients.length - 1]!;
    if (this.connecting) return this.connecting;
    if (this.failure) throw this.failure;
    if (this.lostReason !== undefined) {
      if (this.reconnectsLeft <= 0) {
        throw new SshError(
          'unreachable',
          t(
            `the connection to ${this.label} was lost: ${this.lostReason}`,
            `соединение с ${this.label} потеряно: ${this.lostReason}`,
          ),
        );
      }
      this.reconnectsLeft--;
    }
    this.connecting = this.openRoute().then(
      (clients) => {
        this.clients = clients;
        this.handshakeCount++;
        return clients[clients.length - 1]!;
      },
      (e: unknown) => {
        this.failure = e instanceof SshError ? e : new SshError('protocol', textOf(e), { cause: e });
        throw this.failure;
      },
    );
    try {
      return await this.connecting;
    } finally {
      this.connecting = undefined;
    }
  }

  private async openRoute(): Promise<Client[]> {
    const generation = ++this.generation;
    const clients: Client[] = [];
    try {
      for (const [i, hop] of this.route.entries()) {
        const sock = i === 0 ? undefined : await this.forwardOut(clients[i - 1]!, this.route[i - 1]!, hop);
        const last = i === this.route.length - 1;
        const onLost = (reason: string): void => {
          if (last && generation === this.generation) this.lose(reason);
        };
        clients.push(await this.handshake(hop, sock, onLost));
      }
    } catch (e) {
      for (const c of clients) c.end();
      throw e;
    }
    return clients;
  }

  private forwardOut(via: Client, jump: Hop, to: Hop): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      via.forwardOut('127.0.0.1', 0, to.host, to.port, (err, stream) => {
        if (!err) return resolve(stream);
        reject(
          new SshError(
            'unreachable',
            t(
              `jump host ${jump.host} cannot reach ${to.host}:${to.port}: ${err.message}`,
              `промежуточный сервер ${jump.host} не может подключиться к ${to.host}:${to.port}: ${err.message}`,
            ),
          ),
        );
      });
    });
  }

  private handshake(hop: Hop, sock: Duplex | undefined, onLost: (reason: string) => void): Promise<Client> {
    return new Promise((resolve, reject) => {
      const client = new ssh2.Client();
      const tried: string[] = [];
      let refusal: SshError | undefined;
      let settled = false;
      const timeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
      const fail = (e: SshError): void => {
        if (settled) return;
        settled = true;
        deadline.finish();
        client.destroy();
        reject(e);
      };
      const deadline = new Deadline(timeoutMs, () =>
        fail(
          new SshError(
            'timeout',
            t(
              `${hop.host}:${hop.port} did not complete the SSH handshake within ${timeoutMs / 1000} s. Check the address, that the host is up, and that a firewall lets port ${hop.port} through.`,
              `${hop.host}:${hop.port} не ответил по SSH за ${timeoutMs / 1000} с. Проверьте адрес, что машина включена и что брандмауэр пропускает порт ${hop.port}.`,
            ),
          ),
        ),
      );
      client.on('error', (err: Error & { level?: string }) => {
        // ssh2 reports a broken agent or a key that cannot sign, then goes on to the next method.
        if (err.level === 'agent' || (err.level === 'client-authentication' && /signing/i.test(err.message))) {
          tried.push(`(${err.message})`);
          return;
        }
        fail(refusal ?? this.connectError(err, hop, tried));
      });
      client.on('close', () =>
        fail(
          refusal ??
            new SshError(
              'protocol',
              t(
                `${hop.host}:${hop.port} closed the connection during the SSH handshake`,
                `${hop.host}:${hop.port} закрыл соединение во время установки SSH-сессии`,
              ),
            ),
        ),
      );
      client.once('ready', () => {
        if (settled) return;
        settled = true;
        deadline.finish();
        client.removeAllListeners('error');
        client.removeAllListeners('close');
        let lastError = 'closed by the remote host';
        client.on('error', (err) => (lastError = err.message));
        client.on('close', () => onLost(lastError));
        resolve(client);
      });
      const steps = this.authSteps(hop, tried, deadline);
      try {
        client.connect({
          host: hop.host,
          port: hop.port,
          username: hop.user,
          ...(sock ? { sock } : {}),
          readyTimeout: 0, // our Deadline instead: it pauses during prompts
          keepaliveInterval: 5000,
          keepaliveCountMax: 3,
          algorithms: {
            serverHostKey: preferredHostKeyAlgorithms(
              this.knownHosts.knownTypes(hop.host, hop.port),
            ) as ServerHostKeyAlgorithm[],
          },
          hostVerifier: (key: Buffer) => {
            refusal = this.verifyHostKey(hop, key);
            return refusal === undefined;
          },
          authHandler: (methodsLeft, _partial, next) => {
            void this.nextAuthMethod(steps, methodsLeft).then(
              (method) => next(method ?? (false as unknown as AuthenticationType)),
              () => next(false as unknown as AuthenticationType),
            );
          },
        });
      } catch (e) {
        fail(new SshError('protocol', textOf(e), { cause: e }));
      }
    });
  }

  /** Undefined when the key may be used; else the refusal. Unknown keys are trusted on first use unless strict. */
  private verifyHostKey(hop: Hop, key: Buffer): SshError | undefined {
    const verdict = this.knownHosts.check(hop.host, hop.port, key);
    switch (verdict.status) {
      case 'known':
        return undefined;
      case 'changed':
        return new SshError('hostkey-changed', changedKeyText(hop.host, hop.port, key, verdict.entry));
      case 'revoked':
        return new SshError('hostkey-changed', revokedKeyText(hop.host, hop.port, key, verdict.entry));
      case 'unknown': {
        if (this.options.strictHostKeys)
          return new SshError('hostkey-unknown', unknownKeyText(hop.host, hop.port, key, this.knownHosts.writableFile));
        const at = this.knownHosts.add(hop.host, hop.port, key);
        this.options.onNewHostKey?.({
          host: hop.host,
          port: hop.port,
          keyType: keyTypeOf(key),
          fingerprint: fingerprint(key),
          ...at,
        });
        return undefined;
      }
    }
  }

  private connectError(err: Error & { code?: string; level?: string }, hop: Hop, tried: string[]): SshError {
    const where = `${hop.host}:${hop.port}`;
    if (err.level === 'client-authentication') {
      const methods = tried.length ? tried.join(', ') : 'nothing to try';
      return new SshError(
        'auth',
        t(
          `${where} refused ${hop.user} (tried: ${methods}). Fix: give the right key (-i, the inventory's key, ansible_ssh_private_key_file), put your public key in ~${hop.user}/.ssh/authorized_keys on the host, or set HAGRADE_SSH_PASSWORD.`,
          `${where} не пускает ${hop.user} (пробовали: ${methods}). Исправление: укажите правильный ключ (-i, key в inventory, ansible_ssh_private_key_file), добавьте ваш открытый ключ в ~${hop.user}/.ssh/authorized_keys на сервере или задайте HAGRADE_SSH_PASSWORD.`,
        ),
        { cause: err },
      );
    }
    if (err.code && UNREACHABLE_CODES.includes(err.code)) {
      return new SshError(
        'unreachable',
        t(
          `cannot connect to ${where}: ${err.message}. Check the address and port, that the host is up and that sshd is running.`,
          `не удаётся подключиться к ${where}: ${err.message}. Проверьте адрес и порт, что машина включена и sshd запущен.`,
        ),
        { cause: err },
      );
    }
    if (err.code === 'ETIMEDOUT' || err.level === 'client-timeout') {
      return new SshError(
        'timeout',
        t(`${where} timed out: ${err.message}`, `${where}: истекло время ожидания: ${err.message}`),
        { cause: err },
      );
    }
    return new SshError(
      'protocol',
      t(`SSH to ${where} failed: ${err.message}`, `SSH-подключение к ${where} не удалось: ${err.message}`),
      { cause: err },
    );
  }

  // -------------------------------------------------------------------------------------------
  // Authentication: key files, then ssh-agent, then password, as the brief and OpenSSH order them

  /**
   * The attempts in order, each made only when its turn comes and the server still accepts its
   * method: nobody is asked for a passphrase or a password the server would not take.
   */
  private authSteps(hop: Hop, tried: string[], deadline: Deadline): AuthStep[] {
    const username = hop.user;
    const prompt = async <T>(ask: () => Promise<T>): Promise<T> => {
      deadline.pause();
      try {
        return await ask();
      } finally {
        deadline.resume();
      }
    };
    const keyStep = (file: string): AuthStep => ({
      wire: 'publickey',
      make: async () => {
        let data: Buffer;
        try {
          data = readFileSync(file);
        } catch {
          return undefined; // as OpenSSH: identities that do not exist are skipped
        }
        let passphrase: string | undefined;
        let parsed = ssh2.utils.parseKey(data);
        if (parsed instanceof Error && /passphrase/i.test(parsed.message)) {
          passphrase = this.options.promptPassphrase
            ? await prompt(() => this.options.promptPassphrase!(file))
            : undefined;
          if (passphrase === undefined) {
            tried.push(`key ${file} (encrypted, no passphrase given)`);
            return undefined;
          }
          parsed = ssh2.utils.parseKey(data, passphrase);
        }
        if (parsed instanceof Error) {
          tried.push(`key ${file} (${parsed.message})`);
          return undefined;
        }
        tried.push(`key ${file}`);
        return { type: 'publickey', username, key: data, ...(passphrase !== undefined ? { passphrase } : {}) };
      },
    });
    const agent =
      this.options.agentSocket === false ? undefined : (this.options.agentSocket ?? process.env.SSH_AUTH_SOCK);
    const agentStep: AuthStep = {
      wire: 'publickey',
      make: async () => {
        if (!agent) return undefined;
        tried.push('ssh-agent');
        return { type: 'agent', username, agent };
      },
    };
    const passwordStep: AuthStep = {
      wire: 'password',
      make: async () => {
        const password =
          hop.password ??
          process.env.HAGRADE_SSH_PASSWORD ??
          (this.options.promptPassword
            ? await prompt(() => this.options.promptPassword!({ user: username, host: hop.host }))
            : undefined);
        if (password === undefined) return undefined;
        tried.push('password');
        return { type: 'password', username, password };
      },
    };
    return [...hop.keyFiles.map(keyStep), agentStep, passwordStep];
  }

  /** The next attempt the server still accepts (`methodsLeft` is null before the first one). */
  private async nextAuthMethod(
    steps: AuthStep[],
    methodsLeft: AuthenticationType[] | null,
  ): Promise<AnyAuthMethod | undefined> {
    for (let step = steps.shift(); step; step = steps.shift()) {
      if (methodsLeft && !methodsLeft.includes(step.wire)) continue;
      const method = await step.make();
      if (method) return method;
    }
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Commands

  /** The dropped connection: pending commands end as unavailable, later ones try one reconnect. */
  private lose(reason: string): void {
    if (this.closed) return;
    for (const c of this.clients ?? []) c.end();
    this.clients = undefined;
    this.lostReason = reason;
    const message = `the connection to ${this.label} was lost: ${reason}`;
    for (const abort of [...this.pending]) abort(message);
  }

  private commandLine(
    payload: readonly string[],
    opts: { root?: boolean; asUser?: string; timeoutMs?: number },
  ): CommandLine {
    const sudo = this.options.useSudo !== false && !this.isRoot;
    let privilege: string[] = [];
    if (opts.asUser)
      privilege = this.isRoot ? ['runuser', '-u', opts.asUser, '--'] : ['sudo', '-n', '-u', opts.asUser, '--'];
    else if (opts.root && sudo) privilege = ['sudo', '-n', '--'];
    // `timeout` runs under sudo so it can kill what it started; it kills the command's whole process group.
    const limit = opts.timeoutMs ? ['timeout', '-k', '2', String(Math.ceil(opts.timeoutMs / 1000) + 1)] : [];
    // sudo resets the environment, so the locale is set again after it.
    const argv = privilege.length
      ? [...C_LOCALE, ...privilege, ...C_LOCALE, ...limit, ...payload]
      : [...C_LOCALE, ...limit, ...payload];
    return {
      remote: shellQuote(argv),
      shown: shellQuote([...privilege, ...payload]),
      viaSudo: privilege[0] === 'sudo',
    };
  }

  /**
   * Run a command line on a channel; never throws, never waits past timeoutMs, never keeps more of
   * stdout or stderr than `limits` (past them the channel is closed and the result says so).
   */
  private async exec(
    remote: string,
    timeoutMs: number,
    limits: { stdout?: OutputLimits; stderr?: OutputLimits } = {},
  ): Promise<RawResult> {
    const started = Date.now();
    const release = await this.slots.acquire();
    let conn: Client;
    try {
      conn = await this.connection();
    } catch (e) {
      release();
      return {
        exitCode: null,
        stdout: Buffer.alloc(0),
        stderr: Buffer.alloc(0),
        durationMs: Date.now() - started,
        unavailable: true,
        error: textOf(e).en,
      };
    }
    return new Promise((resolve) => {
      const out = new CappedOutput(limits.stdout ?? DEFAULT_OUTPUT_LIMITS);
      const err = new CappedOutput(limits.stderr ?? DEFAULT_OUTPUT_LIMITS);
      let channel: ClientChannel | undefined;
      let exitCode: number | null = null;
      let done = false;
      const finish = (extra: Partial<RawResult>): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.pending.delete(abort);
        release();
        resolve({ exitCode, stdout: out.content, stderr: err.content, durationMs: Date.now() - started, ...extra });
      };
      const abort = (reason: string): void => finish({ exitCode: null, unavailable: true, error: reason });
      const hangUp = (): void => {
        if (!channel) return;
        channel.signal('TERM'); // reaches `timeout`, which passes it to the whole command
        channel.close();
      };
      const collect = (into: CappedOutput, stream: 'stdout' | 'stderr') => (d: Buffer) => {
        if (done || into.push(d)) return;
        hangUp();
        finish({ exitCode: null, overLimit: outputOverLimit(stream, into.over!) });
      };
      this.pending.add(abort);
      const timer = setTimeout(() => {
        hangUp();
        finish({ exitCode: null, timedOut: true });
      }, timeoutMs);
      let refusals = 0;
      const open = (): void => {
        conn.exec(remote, (e, ch) => {
          if (e && isChannelRefusal(e) && !done) {
            // A stock sshd allows 10 sessions and frees one only after reaping its process: wait, retry.
            this.slots.refused();
            setTimeout(() => !done && tryOpen(), refusalBackoffMs(refusals++)).unref();
            return;
          }
          if (e) return abort(`cannot open a channel on ${this.label}: ${e.message}`);
          channel = ch;
          if (done) return void ch.close();
          ch.on('data', collect(out, 'stdout'));
          ch.stderr.on('data', collect(err, 'stderr'));
          ch.on('exit', (code: number | null) => (exitCode = typeof code === 'number' ? code : null));
          ch.on('error', (channelError: Error) => abort(`channel error on ${this.label}: ${channelError.message}`));
          ch.on('close', () => finish({}));
          ch.end(); // no input, as `ssh host cmd </dev/null`: a command that reads stdin sees EOF, not a hang
        });
      };
      const tryOpen = (): void => {
        try {
          open();
        } catch (e) {
          abort(`cannot run a command on ${this.label}: ${(e as Error).message}`);
        }
      };
      tryOpen();
    });
  }

  /** The argv to run: a fixed `shell` script gets `argv` as its positional parameters $1, $2… (types.ts). */
  private payloadOf(cmd: Command): string[] | undefined {
    if (cmd.shell !== undefined) return shellPayload(cmd.shell, cmd.argv);
    if (cmd.argv?.length) return cmd.argv;
    return undefined;
  }

  async run(cmd: Command): Promise<CommandResult> {
    const payload = this.payloadOf(cmd);
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
    const raw = await this.exec(line.remote, timeoutMs);
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
    if (!line.viaSudo || raw.exitCode === 0) return undefined;
    return sudoProblem(raw.stderr.toString('utf8'), this.user, this.label)?.en;
  }

  async readFile(path: string, opts?: { maxBytes?: number; maxLines?: number }): Promise<FileRead> {
    const max = opts?.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
    const timeoutMs = this.commandTimeout();
    const line = this.commandLine(shellPayload(READ_FILE_SCRIPT, [path, String(max)]), { root: true, timeoutMs });
    // One byte past the limit is enough to know the file is over it.
    const raw = await this.exec(line.remote, timeoutMs, { stdout: { maxBytes: max + 1, maxLines: Infinity } });
    const stderr = raw.stderr.toString('utf8').trim();
    const tooLarge = (size: string): FileRead => ({
      ok: false,
      path,
      reason: 'too-large',
      message: `${path} is ${size} bytes, over the ${max}-byte limit`,
    });
    if (raw.overLimit !== undefined && raw.stdout.length > max) return tooLarge(`more than ${max}`);
    const unavailable = raw.unavailable
      ? raw.error
      : raw.timedOut
        ? `reading ${path} on ${this.label} timed out`
        : raw.overLimit !== undefined
          ? `reading ${path} on ${this.label}: ${raw.overLimit}`
          : this.sudoError(line, raw);
    if (unavailable !== undefined) return { ok: false, path, reason: 'unavailable', message: unavailable };
    if (raw.exitCode === 0) {
      if (raw.stdout.length > max) return tooLarge(`more than ${max}`);
      return fileOverLineLimit(path, raw.stdout, opts?.maxLines) ?? { ok: true, path, content: raw.stdout };
    }
    if (raw.exitCode === 4) return tooLarge(stderr);
    if (raw.exitCode === 5)
      return {
        ok: false,
        path,
        reason: 'error',
        message: `${path} is not a regular file (${stderr || 'unknown type'}): hagrade does not read it`,
      };
    if (/No such file or directory|Not a directory/.test(stderr))
      return { ok: false, path, reason: 'missing', message: `${path} does not exist` };
    if (/Permission denied/.test(stderr))
      return { ok: false, path, reason: 'denied', message: `${path} is not readable by ${this.user}` };
    return { ok: false, path, reason: 'error', message: `${path}: ${stderr || `exit code ${raw.exitCode}`}` };
  }

  /** Names in a directory (sorted), null when it does not exist; throws when the host cannot tell. */
  async listDir(path: string): Promise<string[] | null> {
    const timeoutMs = this.commandTimeout();
    const line = this.commandLine(shellPayload(LIST_DIR_SCRIPT, [path]), { root: true, timeoutMs });
    const raw = await this.exec(line.remote, timeoutMs);
    if (raw.exitCode === 3) return null;
    if (raw.exitCode === 0) return raw.stdout.toString('utf8').split('\0').filter(Boolean).sort();
    const why = raw.unavailable
      ? raw.error
      : raw.timedOut
        ? 'timed out'
        : (raw.overLimit ??
          this.sudoError(line, raw) ??
          (raw.stderr.toString('utf8').trim() || `exit code ${raw.exitCode}`));
    throw new SshError(
      'protocol',
      t(
        `cannot list ${path} on ${this.label}: ${why}`,
        `не удалось прочитать каталог ${path} на ${this.label}: ${why}`,
      ),
    );
  }

  /**
   * Stream stdout lines of a long-running command. It runs on a pseudo-terminal, so its output is
   * line-buffered and closing the channel hangs it up (SIGHUP): stop() leaves nothing running.
   * stdout and stderr arrive merged. If onLine throws, the stream stops.
   */
  async stream(cmd: Command, onLine: (line: string) => void): Promise<StreamHandle> {
    const payload = this.payloadOf(cmd);
    if (!payload)
      throw new SshError(
        'protocol',
        t(`command '${cmd.key}' has neither argv nor shell`, `у команды '${cmd.key}' нет ни argv, ни shell`),
      );
    const line = this.commandLine(payload, { root: cmd.root, asUser: cmd.asUser });
    const release = await this.slots.acquire();
    let channel: ClientChannel;
    try {
      const conn = await this.connection();
      const openStream = (): Promise<ClientChannel> =>
        new Promise<ClientChannel>((resolve, reject) => {
          conn.exec(line.remote, { pty: { term: 'dumb', rows: 24, cols: 1000, width: 0, height: 0 } }, (e, ch) =>
            e ? reject(e) : resolve(ch),
          );
        });
      for (let attempt = 0; ; attempt++) {
        try {
          channel = await openStream();
          break;
        } catch (e) {
          if (!(e instanceof Error) || !isChannelRefusal(e) || attempt >= STREAM_OPEN_RETRIES) throw e;
          this.slots.refused();
          await new Promise((resolve) => setTimeout(resolve, refusalBackoffMs(attempt)));
        }
      }
    } catch (e) {
      release();
      throw e instanceof SshError ? e : new SshError('protocol', textOf(e), { cause: e });
    }
    const decoder = new StringDecoder('utf8');
    let partial = '';
    let stopped = false;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      channel.close();
    };
    const emit = (text: string): void => {
      if (stopped) return;
      const lines = (partial + text).split('\n');
      partial = lines.pop()!;
      // A line without end is no line: the stream stops rather than hold it (its user falls back to polling).
      if (partial.length > MAX_STREAM_LINE_BYTES) {
        partial = '';
        stop();
        return;
      }
      for (const l of lines) {
        if (stopped) return;
        try {
          onLine(l.replace(/\r$/, ''));
        } catch {
          stop();
        }
      }
    };
    channel.on('data', (d: Buffer) => emit(decoder.write(d)));
    const closed = new Promise<void>((resolve) => {
      let ended = false;
      const end = (): void => {
        if (ended) return;
        ended = true;
        this.pending.delete(end);
        const rest = partial + decoder.end();
        partial = '';
        if (rest) emit(`${rest}\n`);
        stopped = true;
        release();
        resolve();
      };
      channel.on('close', end);
      channel.on('error', end);
      this.pending.add(end); // a lost connection ends the stream too
    });
    return {
      stop: async () => {
        stop();
        // unref: a stream that closed in time must not keep the process alive for the rest of the wait.
        await Promise.race([closed, new Promise((r) => setTimeout(r, 3000).unref())]);
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const abort of [...this.pending]) abort(`the connection to ${this.label} was closed`);
    for (const c of this.clients ?? []) c.end();
    this.clients = undefined;
  }
}
