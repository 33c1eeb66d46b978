// The one SSH connection of a host, shared by all its commands: opened on first use through the
// ProxyJump hops, reused, reconnected once when it drops (the commands in flight end as
// unavailable), reopened again and again after a planned reboot, closed at the end of the run.
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from 'ssh2';
import type { Text } from '../model/basics.js';
import { SshError, t, textOf } from './ssh-errors.js';
import { forwardOut, handshake, type HandshakeContext } from './ssh-handshake.js';
import type { Hop } from './ssh-route.js';

export class SshConnection {
  /** What to do with each command or stream in flight when the connection drops or is closed. */
  readonly pending = new Set<(reason: string) => void>();
  private clients: Client[] | undefined;
  private connecting: Promise<Client> | undefined;
  private failure: SshError | undefined;
  private lostReason: string | undefined;
  private reconnectsLeft: number;
  private generation = 0;
  private closed = false;
  private handshakeCount = 0;

  constructor(
    private readonly label: string,
    private readonly route: Hop[],
    private readonly ctx: HandshakeContext,
    reconnect: boolean,
  ) {
    this.reconnectsLeft = reconnect ? 1 : 0;
  }

  /** Successful SSH handshakes so far: 1 for a whole run, 2 after a reconnect. */
  get handshakes(): number {
    return this.handshakeCount;
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
        await this.client();
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

  /** The connected client of the host itself (the last hop); throws SshError when there is none to be had. */
  async client(): Promise<Client> {
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
        const sock = i === 0 ? undefined : await forwardOut(clients[i - 1]!, this.route[i - 1]!, hop);
        const last = i === this.route.length - 1;
        const onLost = (reason: string): void => {
          if (last && generation === this.generation) this.lose(reason);
        };
        clients.push(await handshake(this.ctx, hop, sock, onLost));
      }
    } catch (e) {
      for (const c of clients) c.end();
      throw e;
    }
    return clients;
  }

  /** The dropped connection: pending commands end as unavailable, later ones try one reconnect. */
  private lose(reason: string): void {
    if (this.closed) return;
    for (const c of this.clients ?? []) c.end();
    this.clients = undefined;
    this.lostReason = reason;
    const message = `the connection to ${this.label} was lost: ${reason}`;
    for (const abort of [...this.pending]) abort(message);
  }

  /** End the connection for good: commands in flight end as unavailable. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const abort of [...this.pending]) abort(`the connection to ${this.label} was closed`);
    for (const c of this.clients ?? []) c.end();
    this.clients = undefined;
  }
}
