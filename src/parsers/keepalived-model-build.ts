// keepalived's reading of the statements in order, as vrrp_parser.c does: global_defs first (its
// settings apply wherever it stands), then scripts, track processes and instances in reading order,
// because order matters: a track_script names only scripts defined above it.

import { completeInstance, readInstance } from './keepalived-model-instance.js';
import { checkScriptUser, readScript, readTrackProcess } from './keepalived-model-scripts.js';
import {
  loc,
  readInt,
  type GlobalDefs,
  type KeepalivedModel,
  type ModelReport,
  type VrrpInstance,
  type VrrpScript,
} from './keepalived-model.js';
import type { KeepalivedStatement } from './keepalived-tree.js';

export function buildModel(
  statements: KeepalivedStatement[],
  report: ModelReport,
  userExists?: (name: string) => boolean,
): KeepalivedModel {
  const model: KeepalivedModel = {
    globalDefs: { enableScriptSecurity: false, vrrpStrict: false, vrrpVersion: 2 },
    scripts: [],
    trackProcesses: [],
    instances: [],
  };
  const known = (s: KeepalivedStatement) => s.known && !s.skipped;

  for (const st of statements.filter(known)) {
    if (st.keyword === 'global_defs') readGlobalDefs(st, model.globalDefs);
  }
  const syncGroupOf = new Map<string, VrrpInstance['syncGroup']>();
  for (const st of statements.filter(known)) {
    if (st.keyword === 'vrrp_sync_group') {
      const group = {
        name: st.args[0] ?? '',
        trackingWeight: !!st.children?.some((c) => c.known && c.keyword === 'sync_group_tracking_weight'),
      };
      const members = st.children?.find((c) => c.keyword === 'group');
      for (const e of members?.entries ?? []) for (const w of e.words) syncGroupOf.set(w, group);
    }
  }
  const allScriptNames = new Set(
    statements.filter((s) => known(s) && s.keyword === 'vrrp_script').map((s) => s.args[0]),
  );
  const allProcessNames = new Set(
    statements.filter((s) => known(s) && s.keyword === 'vrrp_track_process').map((s) => s.args[0]),
  );

  const removedScripts: VrrpScript[] = [];
  for (const st of statements.filter(known)) {
    if (st.keyword === 'vrrp_script' && st.args[0] !== undefined) {
      const script = readScript(st, report);
      if (!script.removed && userExists) checkScriptUser(script, st, model.globalDefs, userExists, report);
      if (!script.removed) model.scripts.push(script);
      else removedScripts.push(script);
    } else if (st.keyword === 'vrrp_track_process' && st.args[0] !== undefined) {
      model.trackProcesses.push(readTrackProcess(st));
    } else if (st.keyword === 'vrrp_instance') {
      const instance = readInstance(st, model, report, { allScriptNames, allProcessNames, removedScripts });
      instance.syncGroup = syncGroupOf.get(instance.name);
      completeInstance(instance, st, model.globalDefs, report);
      model.instances.push(instance);
    }
  }
  return model;
}

function readGlobalDefs(block: KeepalivedStatement, g: GlobalDefs): void {
  for (const st of block.children ?? []) {
    if (!st.known) continue;
    const [a, b] = st.args;
    switch (st.keyword) {
      case 'router_id':
        if (a !== undefined) g.routerId = a;
        break;
      case 'script_user':
        if (a !== undefined) g.scriptUser = { user: a, group: b, at: loc(st) };
        break;
      case 'enable_script_security':
        g.enableScriptSecurity = true;
        break;
      case 'vrrp_strict':
        g.vrrpStrict = true;
        break;
      case 'vrrp_version': {
        const v = readInt(a, 2, 3);
        if (v !== undefined) g.vrrpVersion = v;
        break;
      }
    }
  }
}

/**
 * keepalived 2.2.7 removes a vrrp_script it has no user for (verified with `keepalived -t`):
 * - its `user` (or group) does not exist: "Unable to set uid/gid for script CMD" (vrrp_parser.c:1589);
 * - no `user`, and global `script_user` names no user, or there is no script_user, no
 *   `keepalived_script` user and enable_script_security is set (wherever global_defs stands):
 *   "Unable to set default user for vrrp script NAME - removing" (vrrp_parser.c:1615; lib/notify.c:990).
 */
