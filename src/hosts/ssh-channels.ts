// Channels on the host's one connection: at most a few at once (Slots; sshd allows 10 sessions and
// frees one only after reaping its process, so a refused channel is retried), each command with
// its own timeout and output caps; and the long-lived pseudo-terminal channel a stream runs on.
import type { Client, ClientChannel } from 'ssh2';
import { CappedOutput, DEFAULT_OUTPUT_LIMITS, outputOverLimit, type OutputLimits } from './limits.js';
import type { SshConnection } from './ssh-connection.js';
import { SshError, textOf } from './ssh-errors.js';

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

export interface RawResult {
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

/** The channels of one host: its connection, shared by at most `maxChannels` channels at once. */
export class Channels {
  private readonly slots: Slots;

  constructor(
    private readonly connection: SshConnection,
    private readonly label: string,
    maxChannels: number,
  ) {
    this.slots = new Slots(maxChannels);
  }

  /**
   * Run a command line on a channel; never throws, never waits past timeoutMs, never keeps more of
   * stdout or stderr than `limits` (past them the channel is closed and the result says so).
   */
  async exec(
    remote: string,
    timeoutMs: number,
    limits: { stdout?: OutputLimits; stderr?: OutputLimits } = {},
  ): Promise<RawResult> {
    const started = Date.now();
    const release = await this.slots.acquire();
    let conn: Client;
    try {
      conn = await this.connection.client();
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
        this.connection.pending.delete(abort);
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
      this.connection.pending.add(abort);
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

  /**
   * A channel on a pseudo-terminal for a long-running command (a stream), with its slot: call
   * `release` once the channel has closed. Throws SshError when none can be opened.
   */
  async openPty(remote: string): Promise<{ channel: ClientChannel; release: () => void }> {
    const release = await this.slots.acquire();
    let channel: ClientChannel;
    try {
      const conn = await this.connection.client();
      const openStream = (): Promise<ClientChannel> =>
        new Promise<ClientChannel>((resolve, reject) => {
          conn.exec(remote, { pty: { term: 'dumb', rows: 24, cols: 1000, width: 0, height: 0 } }, (e, ch) =>
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
    return { channel, release };
  }
}
