// The shared contracts of hagrade: hosts, checks, findings and the run result.
// Public shapes (check ids, JSON report fields, exit codes) are promises to users: extend, never break.

export type Role = 'master' | 'backup';
export const ROLES: readonly Role[] = ['master', 'backup'];

export type Lang = 'en' | 'ru';
/** A user-facing text in every language we ship. A test fails when one is missing. */
export interface Text {
  en: string;
  ru: string;
}

export type Status = 'pass' | 'fail' | 'error' | 'skip';
export type Mode = 'static' | 'live' | 'disruptive';
export type Area = 'certificate' | 'haproxy' | 'keepalived' | 'system' | 'live' | 'failover';
export type Severity = 'critical' | 'major' | 'minor';

// ---------------------------------------------------------------------------------------------
// Hosts

export type FileRead =
  | { ok: true; path: string; content: Buffer }
  | { ok: false; path: string; reason: 'missing' | 'denied' | 'too-large' | 'unavailable' | 'error'; message: string };

/**
 * A command to run on a host. `key` names it stably (snapshots store its output under
 * `commands/<key>.txt`); `argv` is quoted by the host implementation, never pasted into a shell.
 * `shell` is for fixed scripts written by hagrade itself: it runs as `sh -c SHELL hagrade ARGV...`,
 * so values reach the script only as positional parameters `$1`, `$2`… (never pasted into it).
 */
export interface Command {
  key: string;
  argv?: string[];
  shell?: string;
  /** Needs root: an SshHost wraps it in `sudo -n` when the login user is not root. */
  root?: boolean;
  timeoutMs?: number;
  /** Run it as this user (via `runuser`/`sudo -u`), e.g. to run a track script as keepalived would. */
  asUser?: string;
}

export interface CommandResult {
  command: string; // how it was run, for evidence (quoted, secrets redacted)
  exitCode: number | null; // null: killed, timed out or unavailable
  stdout: string;
  stderr: string;
  timedOut?: boolean;
  /**
   * stdout or stderr went past the host's output limits (src/hosts/limits.ts): they hold the part
   * read, exitCode is null and `error` says which limit. Never judged as if it were whole.
   */
  truncated?: boolean;
  /** Snapshot without this command's output, or the transport failed before it ran. */
  unavailable?: boolean;
  /** Why it is unavailable (transport error, missing capture). */
  error?: string;
  durationMs?: number;
}

export interface StreamHandle {
  stop(): Promise<void>;
}

export interface Host {
  readonly role: Role;
  /** What the user named it: an address, an alias or a snapshot path. */
  readonly label: string;
  /** 'ssh' hosts can run commands live; 'snapshot' hosts replay captured outputs. */
  readonly kind: 'ssh' | 'snapshot' | 'fake';
  /** Only regular files (after links) are read; past maxBytes or maxLines the read is refused as too-large. */
  readFile(path: string, opts?: { maxBytes?: number; maxLines?: number }): Promise<FileRead>;
  /** Names in a directory, or null when it does not exist. */
  listDir(path: string): Promise<string[] | null>;
  run(cmd: Command): Promise<CommandResult>;
  /** Stream stdout lines of a long-running command (e.g. `ip -o monitor address`). Live hosts only. */
  stream?(cmd: Command, onLine: (line: string) => void): Promise<StreamHandle>;
  /**
   * After the host went away on purpose (the reboot probe): connect again, retrying until `timeoutMs`.
   * Live hosts only; the reason says why it did not come back.
   */
  waitForReturn?(timeoutMs: number, signal: AbortSignal): Promise<{ ok: true } | { ok: false; reason: Text }>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// What is graded

export interface ServerSpec {
  name: string;
  address: string;
  port: number;
}

/** Expected values of the assignment. Defaults follow LAB-SPEC.md; `--lab file.yaml` overrides. */
export interface LabProfile {
  haproxyCfgPath: string;
  keepalivedConfPath: string;
  certPath: string;
  frontendName: string;
  frontendPort: number;
  frontendMode: string;
  backendName: string;
  backendMode: string;
  balance: string;
  servers: ServerSpec[];
  serverMaxconn: number;
  vipPrefix: number;
  vipLabel: string;
  interface: string;
  sysctlPath: string;
  sysctlDir: string;
  sysctl: Record<string, string>;
  haproxyService: string;
  keepalivedService: string;
  /** HAProxy version assumed when the host's is unknown (affects the default `balance`). */
  haproxyVersion: string;
  /** Warn when the certificate expires within this many days. */
  certWarnDays: number;
  /** Requests per second the client probe sends to VIP:port during the failover probe; 0 turns it off. */
  clientRate: number;
  /**
   * Points of FOV004 (clients served through the VIP during failover). 0, the course's default: the
   * service timeline is evidence and notes only. A lab on a real L2 network may grade it.
   */
  servicePoints: number;
}

export interface HostTarget {
  /** Address (or alias) used to reach the host; for master normally its external address. */
  address: string;
  name?: string;
}

export interface Target {
  master: HostTarget;
  backup: HostTarget;
  /** The virtual IP; defaults to master's address when that is an IP. */
  vip?: string;
  student?: string;
}

// ---------------------------------------------------------------------------------------------
// Checks

export type FindingKind = 'fail' | 'note' | 'skip' | 'error';

export interface FindingInput {
  /** fail (default): a rule is broken; note: passes but worth saying; skip: cannot be judged; error: grader could not decide. */
  kind?: FindingKind;
  host?: Role;
  /** Key into the check's `messages` (and `hints`). Tests match on it, not on text. */
  messageId: string;
  data?: Record<string, string | number>;
  file?: string;
  line?: number;
  /** The offending line as written, quoted under the finding. */
  excerpt?: string;
}

export interface Finding {
  kind: FindingKind;
  host?: Role;
  messageId: string;
  message: string;
  hint?: string;
  file?: string;
  line?: number;
  excerpt?: string;
  data?: Record<string, string | number>;
}

export interface Evidence {
  host?: Role;
  command: string;
  exitCode: number | null;
  output: string; // excerpt, secrets redacted
  note?: string;
}

export interface DocExample {
  /**
   * Which file the example is: 'haproxy.cfg', 'keepalived.conf', 'rebrain.pem', 'sysctl.conf', an
   * absolute path, or 'command:<key>' for a captured command output (live checks).
   */
  file: string;
  /** Content on master (the docs' meta-test puts it over the correct fixture). */
  text: string;
  /** Content on backup when it must differ from the correct fixture's; otherwise backup is left correct. */
  backup?: string;
}

export interface CheckDoc {
  /** Why the rule exists and how the daemon really behaves. */
  rationale: Text;
  failing: DocExample;
  passing: DocExample;
  fix: Text;
}

export interface CheckMeta {
  id: string; // e.g. HAP005, stable, never reused
  title: Text;
  area: Area;
  mode: Mode;
  points: number;
  severity: Severity;
  /** Where in LAB-SPEC.md the rule comes from, e.g. "Requirements 2, item 3". */
  spec: string;
  /** What the check asserts, one sentence. */
  asserts: Text;
  /** messageId -> template; `{name}` placeholders are filled from finding data. */
  messages: Record<string, Text>;
  /** messageId -> hint shown under the finding; falls back to `hint`. */
  hints?: Record<string, Text>;
  hint: Text;
  doc: CheckDoc;
  /** Points taken from the lab profile instead of `points` (which then documents the default). */
  pointsFromProfile?: (profile: LabProfile) => number;
  /** For static+live checks (SYS001, KAD008): also runs its live part when commands are available. */
  alsoLive?: boolean;
  /** Part of the reboot probe (disruptive): runs only when asked for (`--reboot`), never by default. */
  reboot?: boolean;
}

export interface RunOptions {
  lang: Lang;
  /** Run the disruptive failover probe. */
  failover: boolean;
  /** Live checks are possible (an SSH host, or a snapshot with captured commands). */
  live: boolean;
  /** Run the reboot probe (opt-in: `--reboot`). */
  reboot?: boolean;
  /** How long the reboot probe waits for master to answer SSH again (default 300 s). */
  rebootTimeoutMs?: number;
  /** Waited for before master is rebooted (a batch bounds how many reboot at once); returns the release. */
  rebootGate?: () => Promise<() => void>;
}

export interface CheckContext {
  readonly profile: LabProfile;
  readonly target: Target;
  readonly options: RunOptions;
  readonly vip: string | undefined;
  host(role: Role): Host;
  /** A cache shared by all checks of one run: parse a file once, read a command once. */
  memo<T>(key: string, compute: () => Promise<T>): Promise<T>;
  report(finding: FindingInput): void;
  evidence(e: Evidence): void;
  /** Progress for the terminal: what the check is doing now. */
  progress(message: string): void;
  /** Aborted on SIGINT/SIGTERM: disruptive checks must restore what they stopped. */
  readonly signal: AbortSignal;
  /** Results of checks that already ran in this run (checks run in catalogue order). */
  resultOf(id: string): CheckResult | undefined;
  /** The failover probe records who held the VIP when; it lands in RunResult.failover. */
  setFailover(timeline: FailoverTimeline): void;
  /** HTTPS from the grader's side to VIP:443 (the client probe); absent where no real network is (tests, snapshots). */
  readonly serviceClient?: ServiceClient;
}

export interface Check extends CheckMeta {
  run(ctx: CheckContext): Promise<void>;
}

export interface CheckResult {
  id: string;
  title: string;
  area: Area;
  mode: Mode;
  severity: Severity;
  status: Status;
  points: number; // earned
  maxPoints: number;
  findings: Finding[];
  evidence?: Evidence[];
  durationMs: number;
}

export interface RunSummary {
  pass: number;
  fail: number;
  error: number;
  skip: number;
  score: number;
  maxScore: number;
}

export interface RunResult {
  schemaVersion: 1;
  tool: { name: 'hagrade'; version: string };
  target: Target & { kind: 'ssh' | 'snapshot' | 'fake'; snapshot?: string };
  lang: Lang;
  startedAt: string;
  results: CheckResult[];
  summary: RunSummary;
  /** A failover timeline when the probe ran. */
  failover?: FailoverTimeline;
  timings: { totalMs: number; staticMs: number; liveMs: number; disruptiveMs: number };
  exitCode: 0 | 1 | 2 | 3;
}

export interface FailoverEvent {
  atMs: number; // since the probe stopped haproxy
  host: Role;
  event: 'vip-added' | 'vip-removed' | 'haproxy-stopped' | 'haproxy-started' | 'note';
  detail?: string;
}

export interface FailoverTimeline {
  events: FailoverEvent[];
  failoverMs?: number;
  failbackMs?: number;
  /** How long the probe waited at most for the failover (keepalived's bound plus a margin). */
  deadlineMs?: number;
  /** What keepalived itself needs at most, both ways, by the configs' timers (no margin). */
  convergenceMs?: number;
  /** What clients got through the VIP meanwhile (the client probe), when it ran or was meant to. */
  service?: ServiceTimeline;
}

// ---------------------------------------------------------------------------------------------
// The client probe: HTTPS requests to VIP:port from outside both hosts while the failover probe runs

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
  /** How answers were told apart: by the certificates (they differ), by the answer naming the host, or not at all (why). */
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
