// Contracts of `hagrade batch`: a roster entry, and the function that grades one pair.
// The runner never grades by itself: the CLI injects a GradeFn (SSH in production, fakes in tests).
import type { HostSpec } from '../inputs/inventory.js';
import type { LabProfile } from '../model/target.js';
import type { Lang } from '../model/basics.js';
import type { RunResult } from '../model/check.js';

export interface RosterEntry {
  /** The student id as written in the roster; reports show it verbatim. */
  student: string;
  master: HostSpec;
  backup: HostSpec;
  vip?: string;
  /** known_hosts file for this pair (YAML rosters), as in an inventory. */
  knownHosts?: string;
  /** Roster line of the entry, for messages. */
  line?: number;
  /** The CSV `group` column (a class or a lab group), shown in batch.json. */
  group?: string;
}

export interface GradeOptions {
  /** Aborted when the batch must stop this student now: the grader restores what it changed and returns. */
  signal: AbortSignal;
  /** What the grader is doing now ("connecting", "HAP005", "failover"), shown on the student's line. */
  onPhase: (phase: string) => void;
  /** An empty directory where the grader writes the pair's snapshot. */
  snapshotDir: string;
  /** Run the disruptive failover probe (`--no-failover` turns it off). */
  failover: boolean;
  /** Run the reboot probe: `gate` is waited for before master is rebooted (the batch's own limit). */
  reboot?: { gate: () => Promise<() => void>; timeoutMs: number };
  lang: Lang;
  profile: LabProfile;
}

export type GradeFn = (entry: RosterEntry, opts: GradeOptions) => Promise<RunResult>;
