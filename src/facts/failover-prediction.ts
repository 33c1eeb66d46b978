// KAD007's failover prediction from the two configs: each node's effective priority with haproxy up
// and down (keepalived's own arithmetic), who holds the VIP at each step, and why in one word.
import { PRIORITY_OWNER, type GlobalDefs, type VrrpInstance } from '../parsers/keepalived-model.js';
import type { CheckContext } from '../model/check.js';
import type { Role } from '../model/basics.js';
import { mentionsHaproxy, processIsHaproxy, type HaproxyTracker } from './haproxy-trackers.js';
import { behaviour, scriptViews, type ScriptView } from './track-scripts.js';

export type Holder = 'master' | 'backup' | 'tie';

/** A node's effective priority, or 'FAULT' (an unweighted tracker fails: it gives up the VIP). */
export type Effective = number | 'FAULT';

export interface NodeView {
  instance: VrrpInstance;
  /** The trackers that fail when haproxy is stopped on this node. */
  haproxyTrackers: HaproxyTracker[];
  /** Tracked scripts keepalived disables when it loads the config: they count for nothing. */
  dropped?: ReadonlySet<object>;
  /** Tracked scripts that fail whatever haproxy does (EPERM, a shell word as an argument, …). */
  alwaysFailing?: ReadonlySet<object>;
}

/** What a tracked script does, as keepalived runs it on the host (track-scripts.ts), for the prediction. */
export async function nodeViewOnHost(
  ctx: CheckContext,
  role: Role,
  instance: VrrpInstance,
  globalDefs: GlobalDefs,
): Promise<NodeView & { views: ScriptView[] }> {
  const service = ctx.profile.haproxyService;
  const views = await scriptViews(ctx, role, instance, globalDefs);
  const dropped = new Set<object>(views.filter((v) => behaviour(v) === 'dropped').map((v) => v.tracked));
  const alwaysFailing = new Set<object>(views.filter((v) => behaviour(v) === 'alwaysFails').map((v) => v.tracked));
  const following = views.filter((v) => behaviour(v) === 'followsHaproxy' && viewChecksHaproxy(v, service));
  const scripts = following.map((v) => ({ kind: 'script' as const, tracked: v.tracked }));
  const processes = instance.trackProcesses
    .filter((t) => processIsHaproxy(t.target, service))
    .map((tracked) => ({ kind: 'process' as const, tracked }));
  return { instance, haproxyTrackers: [...scripts, ...processes], dropped, alwaysFailing, views };
}

/** A script keepalived runs whose command (or script file) is about haproxy, whatever its exit status does. */
export function viewChecksHaproxy(view: ScriptView, service: string): boolean {
  if (view.load.drop || view.judgement.outcome === 'otherThing') return false;
  return mentionsHaproxy(view.tracked.target.argv, service) || (view.file?.text ?? '').includes(service);
}

/**
 * keepalived's effective priority (vrrp_track.c): base priority; per tracker a positive weight is
 * added while it succeeds, a negative one while it fails, both negated by `reverse`; weight 0
 * failing is FAULT; priority 255 never moves; the result is clamped to 1..254.
 */
export function effectivePriority(node: NodeView, haproxyUp: boolean): Effective {
  const { instance } = node;
  const isHaproxy = (t: object) => node.haproxyTrackers.some((h) => h.tracked === t);
  const trackers = [...instance.trackScripts, ...instance.trackProcesses]
    .filter((t) => !node.dropped?.has(t))
    .map((t) => ({
      weight: t.weight,
      multiplier: t.reverse ? -1 : 1,
      ok: node.alwaysFailing?.has(t) ? false : isHaproxy(t) ? haproxyUp : true,
    }));
  // Unweighted: the instance goes to FAULT while the tracker fails (or, with reverse, succeeds).
  if (trackers.some((t) => t.weight === 0 && t.ok !== (t.multiplier === 1))) return 'FAULT';
  if (instance.priority === PRIORITY_OWNER) return PRIORITY_OWNER;
  let priority = instance.priority;
  for (const t of trackers) if (t.ok ? t.weight > 0 : t.weight < 0) priority += t.weight * t.multiplier;
  return Math.max(1, Math.min(PRIORITY_OWNER - 1, priority));
}

/** Who wins an election between the two (equal: the higher source address, which a static check cannot know). */
function winner(master: Effective, backup: Effective): Holder {
  if (master === 'FAULT' && backup === 'FAULT') return 'tie';
  if (master === 'FAULT') return 'backup';
  if (backup === 'FAULT') return 'master';
  return master > backup ? 'master' : backup > master ? 'backup' : 'tie';
}

export interface FailoverPrediction {
  /** Effective priorities: master with haproxy up and down, backup (haproxy up throughout). */
  masterUp: Effective;
  masterDown: Effective;
  backup: Effective;
  /** Who holds the VIP at the start, after haproxy stops on master, after it starts again. */
  start: Holder;
  afterStop: Holder;
  afterStart: Holder;
  /** Why, in one sentence with the numbers (English; the check words it in both languages). */
  reason: FailoverReason;
}

export type FailoverReason =
  | 'ok'
  | 'notTracked'
  | 'ownerIgnoresWeights'
  | 'syncGroupIgnoresWeights'
  | 'weightTooSmall'
  | 'startsOnBackup'
  | 'tieAtStart'
  | 'tieAfterStop'
  | 'backupNopreempt'
  | 'masterNopreempt'
  | 'trackerDropped'
  | 'trackerAlwaysFails'
  | 'trackerNeverFails'
  | 'bothFault';

/**
 * Predict the VIP's moves when haproxy stops on master and starts again (GRAMMAR.md §B7): the
 * backup takes over only if it sees a lower priority (or master in FAULT) and may preempt; the VIP
 * comes back only if master's restored priority is higher and master may preempt.
 */
export function predictFailover(master: NodeView, backup: NodeView): FailoverPrediction {
  const masterUp = effectivePriority(master, true);
  const masterDown = effectivePriority(master, false);
  const backupPriority = effectivePriority(backup, true);
  const start = winner(masterUp, backupPriority);
  let afterStop = winner(masterDown, backupPriority);
  // A backup with nopreempt accepts a lower-priority master's adverts: it only takes over from a master that stops
  // advertising (FAULT).
  if (afterStop === 'backup' && masterDown !== 'FAULT' && backup.instance.nopreempt && start === 'master')
    afterStop = 'master';
  // haproxy back: master's priority is again what won at the start; only its nopreempt keeps it from taking the VIP
  // back.
  const afterStart: Holder =
    afterStop === 'backup' && start === 'master' ? (master.instance.nopreempt ? 'backup' : 'master') : afterStop;

  const reason = explain();
  return { masterUp, masterDown, backup: backupPriority, start, afterStop, afterStart, reason };

  function explain(): FailoverReason {
    if (start === 'tie') return masterUp === 'FAULT' && backupPriority === 'FAULT' ? 'bothFault' : 'tieAtStart';
    if (start === 'backup') return 'startsOnBackup';
    if (afterStop !== 'backup') {
      const ignored = master.instance.droppedTracks.find(
        (d) => d.reason === 'addressOwner' || d.reason === 'syncGroup',
      );
      if (ignored) return ignored.reason === 'addressOwner' ? 'ownerIgnoresWeights' : 'syncGroupIgnoresWeights';
      if (master.haproxyTrackers.length === 0) {
        // Why nothing follows haproxy: keepalived does not run the script, or it fails or succeeds whatever haproxy
        // does.
        const scripts = master.instance.trackScripts;
        if (scripts.some((t) => master.alwaysFailing?.has(t))) return 'trackerAlwaysFails';
        if (scripts.length > 0 && scripts.every((t) => master.dropped?.has(t))) return 'trackerDropped';
        if (master.instance.droppedTracks.some((d) => d.reason === 'scriptRemoved')) return 'trackerDropped';
        if (scripts.some((t) => !master.dropped?.has(t) && mentionsHaproxy(t.target.argv))) return 'trackerNeverFails';
        return 'notTracked';
      }
      if (afterStop === 'tie') return 'tieAfterStop';
      return backup.instance.nopreempt && winner(masterDown, backupPriority) === 'backup'
        ? 'backupNopreempt'
        : 'weightTooSmall';
    }
    return afterStart === 'backup' ? 'masterNopreempt' : 'ok';
  }
}
