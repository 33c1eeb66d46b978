// The contract of a check (metadata, context, findings) and of a run's result.
// Public shapes (check ids, JSON report fields, exit codes) are promises to users: extend, never break.
import type { Host } from '../hosts/host.js';
import type { EngineMessageId } from '../i18n/engine-messages.js';
import type { Area, Lang, Mode, Role, Severity, Status, Text } from './basics.js';
import type { ServiceClient, ServiceTimeline } from './service.js';
import type { LabProfile, Target } from './target.js';

export type FindingKind = 'fail' | 'note' | 'skip' | 'error';

/**
 * What a check reports. `M` is the check's own message ids (the keys of its `messages`): `defineCheck` derives it,
 * so a misspelt id is a compile error.
 */
export interface FindingInput<M extends string = string> {
  /**
   * fail (default): a rule is broken; note: passes but worth saying; skip: cannot be judged; error: grader could not
   * decide.
   */
  kind?: FindingKind;
  host?: Role;
  /** Key into the check's `messages` (and `hints`). Tests match on it, not on text. */
  messageId: M;
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

export interface CheckMeta<M extends string = string> {
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
  messages: Readonly<Record<M, Text>>;
  /** messageId -> hint shown under the finding; falls back to `hint`. */
  hints?: Readonly<Partial<Record<M, Text>>>;
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

/**
 * What a check's `run` gets. `M` is the ids it may report. `in`: a context that accepts more ids stands for one that
 * accepts fewer, never the reverse. So a shared helper that reports takes `CheckContext<HelperId>` (the keys of the
 * table checks spread, e.g. `CheckContext<MessageIds<typeof CONFIG_SKIP_MESSAGES>>`), and a check whose `messages`
 * lack one of those ids cannot pass its context: tsc names the missing id. A helper that only reads (loaders, `memo`)
 * takes bare `CheckContext` (`M = never`: any check's context, engine ids only).
 */
export interface CheckContext<in M extends string = never> {
  readonly profile: LabProfile;
  readonly target: Target;
  readonly options: RunOptions;
  readonly vip: string | undefined;
  host(role: Role): Host;
  /** A cache shared by all checks of one run: parse a file once, read a command once. */
  memo<T>(key: string, compute: () => Promise<T>): Promise<T>;
  /** Ids from the check's `messages`, or one the engine renders (ENGINE_MESSAGES, e.g. `interrupted`). */
  report(finding: FindingInput<M | EngineMessageId>): void;
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

export interface Check<M extends string = string> extends CheckMeta<M> {
  run(ctx: CheckContext<M>): Promise<void>;
}

/** The message ids of a table (`MessageIds<typeof CONFIG_SKIP_MESSAGES>`), for the context a helper takes. */
export type MessageIds<T> = Extract<keyof T, string>;

/** The ids a context accepts: `(messageId: ReportId<typeof ctx>) => ctx.report({ messageId })`. */
export type ReportId<C extends CheckContext> = Parameters<C['report']>[0]['messageId'];

/** Whether `id` is a key of `table`, narrowing it (an id that came from a parser or a probe as a string). */
export function hasMessage<T extends object>(table: T, id: string): id is Extract<keyof T, string> {
  return Object.hasOwn(table, id);
}

/** The message ids of a check (for tests that name them). */
export type MessageIdOf<C> = C extends Check<infer M> ? M : never;

/**
 * Declare a check: its message ids are the keys of its own `messages`, so `ctx.report({ messageId })` with an id
 * not in the table, or a `hints` key without a message, fails to compile. Returns the check unchanged.
 */
export function defineCheck<const Messages extends Record<string, Text>>(
  check: Omit<CheckMeta, 'messages' | 'hints'> & {
    messages: Messages;
    hints?: { readonly [K in keyof Messages]?: Text };
    run(ctx: CheckContext<Extract<keyof Messages, string>>): Promise<void>;
  },
): Check<Extract<keyof Messages, string>> {
  return check;
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

/** What the engine tells a progress display while it runs the checks. */
export type EngineEvent =
  | { type: 'check-start'; check: Check }
  | { type: 'check-progress'; check: Check; message: string }
  | { type: 'check-end'; check: Check; result: CheckResult };
