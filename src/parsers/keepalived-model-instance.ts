// vrrp_instance blocks: the handlers of vrrp_parser.c (state, priority, authentication, tracking…)
// and vrrp_complete_instance(), which applies defaults and clears what cannot work together.

import {
  AUTH_PASS_LENGTH,
  PRIORITY_DEFAULT,
  PRIORITY_OWNER,
  cap,
  effectiveAuthPass,
  loc,
  readDecimal,
  readInt,
  type Authentication,
  type DropReason,
  type DroppedTrack,
  type GlobalDefs,
  type KeepalivedModel,
  type ModelReport,
  type Tracked,
  type VrrpInstance,
  type VrrpScript,
} from './keepalived-model.js';
import { parseVirtualIp } from './keepalived-model-vip.js';
import type { KeepalivedEntry, KeepalivedStatement } from './keepalived-tree.js';

export interface NameSets {
  allScriptNames: Set<string>;
  allProcessNames: Set<string>;
  /** vrrp_scripts keepalived removed while reading (no script, no user). */
  removedScripts: VrrpScript[];
}

export function readInstance(
  block: KeepalivedStatement,
  model: KeepalivedModel,
  report: ModelReport,
  names: NameSets,
): VrrpInstance {
  const name = block.args[0];
  const vrrp: VrrpInstance = {
    name,
    at: loc(block),
    initialState: 'BACKUP',
    priority: 0,
    advertInt: 1,
    vips: [],
    trackScripts: [],
    trackProcesses: [],
    droppedTracks: [],
    nopreempt: false,
    preemptDelay: 0,
    unicastPeers: [],
    version: model.globalDefs.vrrpVersion,
  };
  for (const st of block.children ?? []) {
    if (!st.known) continue;
    const [a] = st.args;
    switch (st.keyword) {
      case 'state':
        if (a === undefined) break;
        if (a === 'BACKUP' && vrrp.state === 'MASTER') {
          report(st, 'error', 'stateIgnored', `(${name}) state previously set as MASTER - ignoring BACKUP`, [name]);
          break;
        }
        if (a !== 'MASTER' && a !== 'BACKUP')
          report(st, 'error', 'stateUnknown', `(${name}) unknown state '${a}', defaulting to BACKUP`, [name, a]);
        vrrp.state = a === 'MASTER' ? 'MASTER' : 'BACKUP';
        vrrp.stateWritten = a;
        vrrp.stateAt = loc(st);
        break;
      case 'priority': {
        if (a === undefined) break;
        const n = readInt(a, 1, PRIORITY_OWNER);
        if (n === undefined)
          report(
            st,
            'error',
            'priorityInvalid',
            `(${name}) Priority not valid! must be between 1 & 255. Using default 100`,
            [name, a],
          );
        vrrp.priority = n ?? PRIORITY_DEFAULT;
        vrrp.priorityAt = loc(st);
        break;
      }
      case 'interface':
        if (a !== undefined) {
          vrrp.interface = a;
          vrrp.interfaceAt = loc(st);
        }
        break;
      case 'virtual_router_id': {
        if (a === undefined) break;
        const n = readInt(a, 1, 255);
        if (n === undefined)
          report(st, 'error', 'vridInvalid', `(${name}): VRID '${a}' not valid - must be between 1 & 255`, [name, a]);
        else {
          vrrp.virtualRouterId = n;
          vrrp.virtualRouterIdAt = loc(st);
        }
        break;
      }
      case 'advert_int': {
        if (a === undefined) break;
        const n = readDecimal(a, 0.01, 255);
        if (n === undefined)
          report(st, 'error', 'advertInvalid', `(${name}) Advert interval (${a}) not valid! Must be > 0 - ignoring`, [
            name,
            a,
          ]);
        else {
          vrrp.advertInt = n;
          vrrp.advertIntAt = loc(st);
        }
        break;
      }
      case 'version': {
        const n = readInt(a, 2, 3);
        if (n !== undefined) vrrp.version = n;
        break;
      }
      case 'authentication':
        vrrp.authentication = readAuthentication(st, name, report);
        break;
      case 'virtual_ipaddress':
        vrrp.vipsAt = loc(st);
        for (const e of st.entries ?? []) {
          const vip = parseVirtualIp(e, report);
          if (vip) vrrp.vips.push(vip);
        }
        break;
      case 'track_script':
        for (const e of st.entries ?? []) {
          track(
            e,
            name,
            'script',
            model.scripts,
            vrrp.trackScripts,
            vrrp.droppedTracks,
            names.allScriptNames,
            report,
            names.removedScripts,
          );
        }
        break;
      case 'track_process':
        for (const e of st.entries ?? []) {
          track(
            e,
            name,
            'process',
            model.trackProcesses,
            vrrp.trackProcesses,
            vrrp.droppedTracks,
            names.allProcessNames,
            report,
          );
        }
        break;
      case 'nopreempt':
        vrrp.nopreempt = true;
        vrrp.nopreemptAt = loc(st);
        break;
      case 'preempt':
        vrrp.nopreempt = false;
        vrrp.nopreemptAt = undefined;
        break;
      case 'preempt_delay': {
        if (a === undefined) break;
        const n = readDecimal(a, 0, 1000);
        if (n === undefined)
          report(st, 'error', 'preemptDelayInvalid', `(${name}) Preempt_delay not valid! must be between 0-1000`, [
            name,
            a,
          ]);
        vrrp.preemptDelay = n ?? 0;
        vrrp.preemptDelayAt = loc(st);
        break;
      }
      case 'unicast_src_ip':
        vrrp.unicastSrcIp = a;
        break;
      case 'unicast_peer':
        for (const e of st.entries ?? []) vrrp.unicastPeers.push(e.words[0]);
        break;
    }
  }
  return vrrp;
}

function readAuthentication(block: KeepalivedStatement, name: string, report: ModelReport): Authentication {
  const auth: Authentication = {};
  for (const st of block.children ?? []) {
    if (!st.known) continue;
    const [a] = st.args;
    if (st.keyword === 'auth_type' && a !== undefined) {
      if (a === 'PASS' || a === 'AH') {
        auth.type = a;
        auth.typeAt = loc(st);
      } else report(st, 'error', 'authTypeUnknown', `(${name}) unknown authentication type '${a}'`, [name, a]);
    } else if (st.keyword === 'auth_pass') {
      auth.passAt = loc(st);
      const written = passAsWritten(st.text);
      if (a !== undefined) {
        auth.pass = a;
        auth.effectivePass = effectiveAuthPass(a);
        if (Buffer.byteLength(a, 'utf8') > AUTH_PASS_LENGTH)
          report(st, 'error', 'authPassTruncated', `Truncating auth_pass to ${AUTH_PASS_LENGTH} characters`, []);
      }
      const unescaped = written?.replace(/\\([#!])/g, '$1');
      if (written !== undefined && unescaped !== (a ?? '') && unescaped!.startsWith(a ?? '')) auth.cutFrom = written;
    }
  }
  return auth;
}

const AUTH_PASS_WORD = /(?:^|\s)auth_pass\s+("[^"]*"|\S+)/;
/** The first word after `auth_pass` on the physical line, ignoring comments: what the author meant. */
function passAsWritten(text: string): string | undefined {
  const m = AUTH_PASS_WORD.exec(text);
  return m ? m[1].replace(/^"(.*)"$/, '$1') : undefined;
}

function track<T extends { name: string; weight: number; reverse: boolean }>(
  entry: KeepalivedEntry,
  instance: string,
  kind: 'script' | 'process',
  defined: T[],
  tracked: Tracked<T>[],
  dropped: (DroppedTrack & { kind: 'script' | 'process' })[],
  allNames: Set<string>,
  report: ModelReport,
  removed: VrrpScript[] = [],
): void {
  const [name, option, value, direction] = entry.words;
  const keyword = kind === 'script' ? 'track_script' : 'track_process';
  const target = defined.find((d) => d.name === name);
  const drop = (reason: DropReason): void => void dropped.push({ name, at: loc(entry), reason, kind });
  if (!target) {
    report(entry, 'error', `track${cap(kind)}NotFound`, `(${instance}) track ${kind} ${name} not found, ignoring...`, [
      instance,
      name,
    ]);
    const script = kind === 'script' ? removed.find((r) => r.name === name) : undefined;
    if (script) return void dropped.push({ name, at: loc(entry), reason: 'scriptRemoved', kind, script });
    drop(allNames.has(name) ? 'definedLater' : 'notFound');
    return;
  }
  if (tracked.some((t) => t.target === target)) {
    report(entry, 'error', `track${cap(kind)}Duplicate`, `(${instance}) duplicate ${keyword} ${name} - ignoring`, [
      instance,
      name,
    ]);
    drop('duplicate');
    return;
  }
  let weight = target.weight;
  let reverse = target.reverse;
  if (option !== undefined) {
    if (option !== 'weight') {
      report(
        entry,
        'error',
        `track${cap(kind)}Option`,
        `(${instance}) unknown track ${kind} option ${option} - ignoring`,
        [instance, option],
      );
      drop('badOption');
      return;
    }
    if (value === undefined) {
      report(
        entry,
        'error',
        `track${cap(kind)}WeightMissing`,
        `(${instance}) weight without value specified for track ${kind} ${name} - ignoring`,
        [instance, name],
      );
      drop('badOption');
      return;
    }
    const n = readInt(value, -254, 254);
    if (n === undefined) {
      report(
        entry,
        'error',
        `track${cap(kind)}WeightInvalid`,
        `(${instance}) track ${kind} ${name}: weight must be between [-253..253] inclusive, ignoring...`,
        [instance, name],
      );
    } else weight = Math.max(-253, Math.min(253, n));
    if (direction === 'reverse') reverse = true;
    else if (direction === 'noreverse') reverse = false;
  }
  tracked.push({ name, weight, reverse, at: loc(entry), target });
}

/** vrrp_complete_instance(): defaults and the settings keepalived clears (GRAMMAR.md §B6–B7). */
export function completeInstance(
  vrrp: VrrpInstance,
  block: KeepalivedStatement,
  g: GlobalDefs,
  report: ModelReport,
): void {
  const name = vrrp.name;
  if (vrrp.priority === 0) vrrp.priority = vrrp.state === 'MASTER' ? PRIORITY_OWNER : PRIORITY_DEFAULT;
  vrrp.initialState = vrrp.state ?? (vrrp.priority === PRIORITY_OWNER ? 'MASTER' : 'BACKUP');
  if (g.vrrpStrict && (vrrp.initialState === 'MASTER') !== (vrrp.priority === PRIORITY_OWNER)) {
    report(block, 'error', 'strictState', `(${name}) State MASTER must match being address owner`, [name]);
    vrrp.initialState = vrrp.priority === PRIORITY_OWNER ? 'MASTER' : 'BACKUP';
  }
  if (vrrp.authentication?.type) {
    if (g.vrrpStrict) vrrp.authentication.ignored = 'vrrp_strict';
    else if (vrrp.version === 3) vrrp.authentication.ignored = 'VRRPv3';
    if (vrrp.authentication.ignored) {
      const why = g.vrrpStrict ? 'Strict mode' : 'VRRP version 3';
      report(block, 'error', 'authIgnored', `(${name}) ${why} does not support authentication. Ignoring.`, [name]);
    }
  }
  if (vrrp.virtualRouterId === undefined)
    report(block, 'error', 'vridMissing', `(${name}) the virtual router id must be set`, [name]);
  if (vrrp.priority === PRIORITY_OWNER && vrrp.nopreempt) {
    report(
      block,
      'error',
      'nopreemptOwner',
      `(${name}) nopreempt is incompatible with priority 255. resetting nopreempt`,
      [name],
    );
    vrrp.nopreempt = false;
  }
  if (vrrp.initialState === 'MASTER') {
    if (vrrp.nopreempt) {
      report(
        block,
        'error',
        'nopreemptMaster',
        `(${name}) Warning - nopreempt will not work with initial state MASTER - clearing`,
        [name],
      );
      vrrp.nopreempt = false;
    }
    if (vrrp.preemptDelay) {
      report(
        block,
        'error',
        'preemptDelayMaster',
        `(${name}) Warning - preempt delay will not work with initial state MASTER - clearing`,
        [name],
      );
      vrrp.preemptDelay = 0;
    }
  }
  if (vrrp.preemptDelay && (g.vrrpStrict || vrrp.nopreempt)) {
    report(
      block,
      'error',
      'preemptDelayReset',
      `(${name}) preempt_delay is incompatible with ${g.vrrpStrict ? 'strict mode' : 'nopreempt mode'} - resetting`,
      [name],
    );
    vrrp.preemptDelay = 0;
  }
  // An address owner never changes priority, and a sync group keeps its members' priorities unless
  // told otherwise: keepalived drops every weighted tracker.
  const ignoreWeights: DropReason | undefined =
    vrrp.priority === PRIORITY_OWNER
      ? 'addressOwner'
      : vrrp.syncGroup && !vrrp.syncGroup.trackingWeight
        ? 'syncGroup'
        : undefined;
  if (ignoreWeights) {
    const why = ignoreWeights === 'addressOwner' ? 'address_owner' : 'SYNC group';
    for (const t of vrrp.trackScripts.filter((t) => t.weight !== 0)) {
      report(
        { ...t.at, order: block.order },
        'error',
        'weightsIgnored',
        `(${name}) ignoring tracked script ${t.name} with weights due to ${why}`,
        [name, t.name],
      );
    }
    for (const [kind, list] of [
      ['script', vrrp.trackScripts],
      ['process', vrrp.trackProcesses],
    ] as const) {
      for (const t of list.filter((t) => t.weight !== 0))
        vrrp.droppedTracks.push({ name: t.name, at: t.at, reason: ignoreWeights, kind });
    }
    vrrp.trackScripts = vrrp.trackScripts.filter((t) => t.weight === 0);
    vrrp.trackProcesses = vrrp.trackProcesses.filter((t) => t.weight === 0);
  }
}
