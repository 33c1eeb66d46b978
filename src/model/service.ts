// The client probe's contract: HTTPS requests to VIP:port from outside both hosts while the
// failover probe runs.
import type { Role } from './basics.js';

export type ServiceOutcome = 'answered' | 'refused' | 'timeout' | 'tls-error' | 'http-error' | 'error';

/** One request as the client saw it. */
export interface ServiceAnswer {
  outcome: ServiceOutcome;
  latencyMs: number;
  /** HTTP status, when an answer came. */
  status?: number;
  /** SHA-256 fingerprint of the certificate presented (lowercase hex), when the handshake completed. */
  fingerprint?: string;
  /** The start of the answer (status line, headers, body), for naming the host that served it. */
  text?: string;
  /** The error code or reason, for anything not answered. */
  detail?: string;
}

/** Sends one request; never throws (every failure is an outcome). */
export interface ServiceClient {
  /** Where the requests come from, for the report (e.g. "this machine (the grader)"). */
  readonly origin: string;
  request(target: { host: string; port: number; timeoutMs: number; signal?: AbortSignal }): Promise<ServiceAnswer>;
}

export type ServedBy = Role | 'unknown';

export interface ServiceSample {
  /** When it was sent, ms on the failover timeline's clock. */
  atMs: number;
  outcome: ServiceOutcome;
  latencyMs: number;
  /** For answered requests: which host served it. */
  servedBy?: ServedBy;
  status?: number;
  detail?: string;
}

/** A run of failed requests: from the first failed one to the first answered one after it. */
export interface ServiceOutage {
  fromMs: number;
  /** Absent when no request was answered after it before the client stopped. */
  toMs?: number;
  /** Which phase it began in: before haproxy was started again (failover) or after (failback). */
  phase: 'failover' | 'failback';
  failed: number;
}

/** The VIP moved, but clients kept failing (or kept reaching master) while backup held it. */
export type ServiceDiagnosis = 'vrrp-ignored-failing' | 'vrrp-ignored-master';

export interface ServiceTimeline {
  /** `VIP:port` */
  target: string;
  origin: string;
  ratePerSecond: number;
  /** The bound: never more requests than this in one run. */
  maxRequests: number;
  /** Set when no client ran: why (the VIP is unreachable from here, the profile turned it off). */
  notRun?: { reason: 'disabled' | 'no-client' | 'unreachable'; detail?: string };
  /**
   * How answers were told apart: by the certificates (they differ), by the answer naming the host, or not at all (why).
   */
  identifiedBy?: 'certificate' | 'answer' | 'none';
  unidentifiedReason?: string;
  samples: ServiceSample[];
  /** Requests that completed (answered or failed); requests cut short when the probe ended are not counted. */
  sent: number;
  failed: number;
  cancelled: number;
  servedBy: Record<ServedBy, number>;
  outages: ServiceOutage[];
  /** Downtime that began during failover / failback: the sum of those outages (open ones up to the end). */
  failoverDowntimeMs?: number;
  failbackDowntimeMs?: number;
  /** Every outage ended with an answered request. */
  recovered: boolean;
  diagnosis?: ServiceDiagnosis;
  /** The moments the arithmetic used, on the same clock. */
  moments?: ServiceMoments;
}

export interface ServiceMoments {
  /** `systemctl stop` was issued on master. */
  stopAtMs: number;
  /** `systemctl start` was issued on master (absent when the probe never got there). */
  startAtMs?: number;
  /** The VIP seen on backup alone, and back on master alone. */
  vipOnBackupAtMs?: number;
  vipBackAtMs?: number;
  /** The client stopped. */
  endAtMs: number;
}
