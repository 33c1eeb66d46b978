// The client probe: while the failover probe runs, requests to VIP:port at a steady, bounded rate
// from outside both hosts, each recorded with its outcome, latency and the host that served it.
// Bounded in count and time; it stops with the probe, on abort, and never keeps the process alive.
import type { Role } from '../model/basics.js';
import type { ServedBy, ServiceAnswer, ServiceClient, ServiceSample } from '../model/service.js';

/** What tells the two hosts apart: their certificates' fingerprints, their host names. */
export interface HostIdentity {
  fingerprints: Partial<Record<Role, string>>;
  hostnames: Partial<Record<Role, string>>;
}

export interface Identifier {
  by: 'certificate' | 'answer' | 'none';
  /** Why answers cannot be told apart (by = none), or which way is not usable. */
  reason?: string;
  identify(answer: ServiceAnswer): ServedBy;
}

function mentions(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_.-])${escaped}($|[^A-Za-z0-9_.-])`, 'm').test(text);
}

/**
 * By certificate when the two hosts' certificates differ; else by the answer when it names exactly one
 * of the two host names (the lab's backend says `host: master`); else unknown, with the reason.
 */
export function makeIdentifier(identity: HostIdentity): Identifier {
  const { master: fm, backup: fb } = identity.fingerprints;
  if (fm && fb && fm !== fb) {
    return {
      by: 'certificate',
      identify: (a) => (a.fingerprint === fm ? 'master' : a.fingerprint === fb ? 'backup' : 'unknown'),
    };
  }
  const certReason = fm && fb ? 'both hosts have the same certificate' : "a host's certificate could not be read";
  const { master: hm, backup: hb } = identity.hostnames;
  if (hm && hb && hm !== hb) {
    return {
      by: 'answer',
      reason: certReason,
      identify: (a) => {
        const text = a.text ?? '';
        const m = mentions(text, hm);
        const b = mentions(text, hb);
        return m && !b ? 'master' : b && !m ? 'backup' : 'unknown';
      },
    };
  }
  const nameReason = hm && hb ? 'both hosts have the same host name' : "a host's name could not be read";
  return { by: 'none', reason: `${certReason}, and ${nameReason}`, identify: () => 'unknown' };
}

export interface ClientProbeOptions {
  client: ServiceClient;
  host: string;
  port: number;
  ratePerSecond: number;
  /** Never more requests than this in one run. */
  maxRequests: number;
  /** Never sends after this long, whatever the probe does. */
  maxDurationMs: number;
  /** Per request. */
  timeoutMs: number;
  /** ms on the failover timeline's clock. */
  now: () => number;
  identifier: Identifier;
  signal: AbortSignal;
}

export class ClientProbe {
  private readonly samples: ServiceSample[] = [];
  private readonly inFlight = new Set<AbortController>();
  private readonly ticker: NodeJS.Timeout;
  private readonly deadline: NodeJS.Timeout;
  private started = 0;
  private cancelledCount = 0;
  private stopped = false;
  /** Wakes `settle` when a request completes. */
  private onSample: (() => void) | undefined;
  readonly maxInFlight: number;

  private constructor(private readonly opts: ClientProbeOptions) {
    // Requests still waiting for their timeout at the given rate, plus a little room.
    this.maxInFlight = Math.ceil((opts.ratePerSecond * opts.timeoutMs) / 1000) + 2;
    this.ticker = setInterval(() => this.tick(), Math.max(1, Math.round(1000 / opts.ratePerSecond)));
    this.ticker.unref();
    this.deadline = setTimeout(() => this.halt(), opts.maxDurationMs);
    this.deadline.unref();
    opts.signal.addEventListener('abort', this.halt, { once: true });
  }

  static start(opts: ClientProbeOptions): ClientProbe {
    const probe = new ClientProbe(opts);
    probe.tick();
    return probe;
  }

  /** Requests started so far (completed, in flight or cancelled). */
  get requestsStarted(): number {
    return this.started;
  }

  private tick(): void {
    if (this.stopped) return;
    if (this.started >= this.opts.maxRequests) {
      this.halt();
      return;
    }
    if (this.inFlight.size >= this.maxInFlight) return; // the network is swallowing requests: do not pile up
    this.started += 1;
    const controller = new AbortController();
    this.inFlight.add(controller);
    const atMs = this.opts.now();
    void this.opts.client
      .request({
        host: this.opts.host,
        port: this.opts.port,
        timeoutMs: this.opts.timeoutMs,
        signal: controller.signal,
      })
      .then((answer) => {
        this.inFlight.delete(controller);
        if (controller.signal.aborted) return; // cut short by stop(): not an outcome of the service
        const sample: ServiceSample = { atMs, outcome: answer.outcome, latencyMs: answer.latencyMs };
        if (answer.outcome === 'answered') sample.servedBy = this.opts.identifier.identify(answer);
        if (answer.status !== undefined) sample.status = answer.status;
        if (answer.detail) sample.detail = answer.detail;
        this.samples.push(sample);
        this.onSample?.();
      });
  }

  /** Stop sending (in-flight requests may still complete until stop()). */
  private readonly halt = (): void => {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.ticker);
    clearTimeout(this.deadline);
    this.opts.signal.removeEventListener('abort', this.halt);
    this.onSample?.();
  };

  /**
   * Wait until a request sent from now on is answered (the service is back), or `maxMs`, or abort.
   * Lets the probe end only once the service answered again, without waiting when it already does.
   */
  settle(maxMs: number): Promise<void> {
    const since = this.opts.now();
    const answeredSince = () => this.samples.some((s) => s.atMs >= since && s.outcome === 'answered');
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.onSample = undefined;
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      timer.unref();
      this.onSample = () => {
        if (answeredSince() || this.stopped) done();
      };
      if (this.stopped) done();
    });
  }

  /** Stop for good: no more requests, in-flight ones cancelled (and not counted). */
  stop(): { samples: ServiceSample[]; cancelled: number; started: number } {
    this.halt();
    for (const controller of this.inFlight) {
      controller.abort();
      this.cancelledCount += 1;
    }
    this.inFlight.clear();
    this.onSample = undefined;
    return {
      samples: [...this.samples].sort((a, b) => a.atMs - b.atMs),
      cancelled: this.cancelledCount,
      started: this.started,
    };
  }
}
