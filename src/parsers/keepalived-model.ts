// What keepalived makes of the statements, as data: global_defs, vrrp_scripts, track processes and
// VRRP instances with the defaults keepalived applies (GRAMMAR.md §B2–B7). Every value keeps the
// line it was read from. The keepalived-model-* modules build it; buildModel() is the entry.

import type { SourceRef } from './source-ref.js';

/** Reports a problem at a statement or entry (its `order` sorts it among the reading problems). */
export type ModelReport = (
  at: SourceRef & { order: number },
  severity: 'error' | 'warning',
  code: string,
  message: string,
  args: string[],
) => void;

export const PRIORITY_OWNER = 255;
export const PRIORITY_DEFAULT = 100;
/** Only the first 8 bytes of auth_pass are sent and compared. */
export const AUTH_PASS_LENGTH = 8;

/** The password keepalived sends and compares: the first AUTH_PASS_LENGTH bytes of what it read. */
export function effectiveAuthPass(pass: string): string {
  const bytes = Buffer.from(pass, 'utf8');
  return bytes.length > AUTH_PASS_LENGTH ? bytes.subarray(0, AUTH_PASS_LENGTH).toString('utf8') : pass;
}

export interface GlobalDefs {
  routerId?: string;
  /** `script_user USER [GROUP]`: the default user for scripts. */
  scriptUser?: { user: string; group?: string; at: SourceRef };
  enableScriptSecurity: boolean;
  vrrpStrict: boolean;
  /** 2 unless `vrrp_version 3`. */
  vrrpVersion: number;
}

export interface VrrpScript {
  name: string;
  at: SourceRef;
  /** argv as keepalived runs it: only the first word after `script` (one quoted string makes it several). */
  argv: string[];
  scriptAt?: SourceRef;
  /** Words after that first one: keepalived ignores them (`script killall -0 haproxy` runs `killall`). */
  ignoredWords: string[];
  /** Seconds. */
  interval: number;
  timeout?: number;
  fall: number;
  rise: number;
  weight: number;
  reverse: boolean;
  user?: { user: string; group?: string; at: SourceRef };
  initFail: boolean;
  /**
   * keepalived removes the script while reading (vrrp_parser.c vrrp_vscript_end_handler, v2.2.7):
   * no `script` line, or no user it can run it as. Tracking it does nothing ("track script X not found").
   */
  removed?: 'noScript' | 'noUser' | 'badUser';
  /** For 'noUser'/'badUser': the user that does not exist (if one was named) and keepalived's words. */
  removedBecause?: { user?: string; message: string };
}

export interface TrackProcess {
  name: string;
  at: SourceRef;
  /** The process name (or path) it watches. */
  process?: string;
  weight: number;
  reverse: boolean;
}

export interface Tracked<T> {
  name: string;
  weight: number;
  reverse: boolean;
  at: SourceRef;
  target: T;
}

/** Why keepalived ignores a track_script/track_process entry. */
export type DropReason =
  | 'notFound'
  | 'definedLater'
  | 'duplicate'
  | 'badOption'
  | 'addressOwner'
  | 'syncGroup'
  | 'scriptRemoved';
export interface DroppedTrack {
  name: string;
  at: SourceRef;
  reason: DropReason;
  /** For 'scriptRemoved': the vrrp_script keepalived removed while reading, and why. */
  script?: VrrpScript;
}

export interface VirtualIp {
  /** The entry as written, for messages. */
  at: SourceRef;
  words: string[];
  address: string;
  family: 4 | 6;
  prefix: number;
  /** The broadcast keepalived asks for: written, or computed from `+`/`-`; undefined = none. */
  broadcast?: string;
  dev?: string;
  scope?: string;
  label?: string;
  /** keepalived skips this address (invalid IP, bad broadcast, label too long…). */
  valid: boolean;
}

export type VrrpState = 'MASTER' | 'BACKUP';

export interface VrrpInstance {
  name: string;
  at: SourceRef;
  /** The `state` line as keepalived reads it: the first MASTER wins, anything unknown is BACKUP. */
  state?: VrrpState;
  /** The word on that `state` line (e.g. `master`, which keepalived reads as BACKUP). */
  stateWritten?: string;
  stateAt?: SourceRef;
  /** The state it starts in: `state`, or MASTER exactly when the priority is 255. */
  initialState: VrrpState;
  /** Configured base priority, defaults applied (omitted: 255 with state MASTER, else 100). */
  priority: number;
  priorityAt?: SourceRef;
  interface?: string;
  interfaceAt?: SourceRef;
  virtualRouterId?: number;
  virtualRouterIdAt?: SourceRef;
  /** Seconds. */
  advertInt: number;
  advertIntAt?: SourceRef;
  authentication?: Authentication;
  vips: VirtualIp[];
  vipsAt?: SourceRef;
  trackScripts: Tracked<VrrpScript>[];
  trackProcesses: Tracked<TrackProcess>[];
  droppedTracks: (DroppedTrack & { kind: 'script' | 'process' })[];
  nopreempt: boolean;
  nopreemptAt?: SourceRef;
  /** Seconds; 0 = none. */
  preemptDelay: number;
  preemptDelayAt?: SourceRef;
  unicastSrcIp?: string;
  unicastPeers: string[];
  /** VRRP version of this instance (its `version`, else global vrrp_version). */
  version: number;
  /**
   * The vrrp_sync_group it belongs to: its tracker weights are ignored unless the group sets
   * sync_group_tracking_weight.
   */
  syncGroup?: { name: string; trackingWeight: boolean };
}

export interface Authentication {
  type?: 'PASS' | 'AH';
  typeAt?: SourceRef;
  /** The password as keepalived read it (after comment stripping), before truncation. */
  pass?: string;
  passAt?: SourceRef;
  /** What is compared: the first 8 bytes. */
  effectivePass?: string;
  /** The password word as written on the line, when a `!` or `#` inside it cut it short. */
  cutFrom?: string;
  /** keepalived ignores authentication here (VRRPv3 or vrrp_strict). */
  ignored?: string;
}

export interface KeepalivedModel {
  globalDefs: GlobalDefs;
  scripts: VrrpScript[];
  trackProcesses: TrackProcess[];
  instances: VrrpInstance[];
}

/** `script` -> `Script`, for codes such as trackScriptNotFound. */
export const cap = (s: string) => s[0].toUpperCase() + s.slice(1);
/** Just the place of a statement or entry (not its words). */
export const loc = (s: SourceRef): SourceRef => ({ file: s.file, line: s.line, text: s.text });

/** keepalived's read_int/read_unsigned: the whole word must be a number in range. */
export function readInt(word: string | undefined, min: number, max: number): number | undefined {
  if (word === undefined || !/^[ \t]*[-+]?\d+$/.test(word)) return undefined;
  const n = Number.parseInt(word, 10);
  return n >= min && n <= max ? n : undefined;
}

/** keepalived's read_decimal_unsigned: `1`, `0.5`, `2.25` (seconds). */
export function readDecimal(word: string | undefined, min: number, max: number): number | undefined {
  if (word === undefined || !/^\d+(\.\d+)?$|^\.\d+$/.test(word)) return undefined;
  const n = Number(word);
  return n >= min && n <= max ? n : undefined;
}
