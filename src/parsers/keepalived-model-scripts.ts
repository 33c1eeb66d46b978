// vrrp_script and vrrp_track_process blocks (vrrp_parser.c), and whether keepalived keeps a script:
// it removes one without a `script` line or without a user it can run it as.

import {
  cap,
  loc,
  readInt,
  type GlobalDefs,
  type ModelReport,
  type TrackProcess,
  type VrrpScript,
} from './keepalived-model.js';
import type { KeepalivedStatement } from './keepalived-tree.js';
import { splitQuotedEscaped } from './keepalived-words.js';

/**
 * keepalived 2.2.7 removes a vrrp_script it has no user for (verified with `keepalived -t`):
 * - its `user` (or group) does not exist: "Unable to set uid/gid for script CMD" (vrrp_parser.c:1589);
 * - no `user`, and global `script_user` names no user, or there is no script_user, no
 *   `keepalived_script` user and enable_script_security is set (wherever global_defs stands):
 *   "Unable to set default user for vrrp script NAME - removing" (vrrp_parser.c:1615; lib/notify.c:990).
 */
export function checkScriptUser(
  script: VrrpScript,
  block: KeepalivedStatement,
  g: GlobalDefs,
  userExists: (name: string) => boolean,
  report: ModelReport,
): void {
  const exists = (u: { user: string; group?: string }) => userExists(u.user);
  if (script.user) {
    if (!exists(script.user)) {
      const message = `Unable to set uid/gid for script ${script.argv.join(' ')}`;
      script.removed = 'badUser';
      script.removedBecause = { user: script.user.user, message };
      report({ ...script.user.at, order: block.order }, 'error', 'scriptUserUnknown', message, [
        script.name,
        script.user.user,
      ]);
    }
    return;
  }
  const noDefault = g.scriptUser ? !exists(g.scriptUser) : !userExists('keepalived_script') && g.enableScriptSecurity;
  if (noDefault) {
    const message = `Unable to set default user for vrrp script ${script.name} - removing`;
    script.removed = g.scriptUser ? 'badUser' : 'noUser';
    script.removedBecause = { ...(g.scriptUser ? { user: g.scriptUser.user } : {}), message };
    report(block, 'error', 'scriptNoUser', message, [script.name]);
  }
}

export function readScript(block: KeepalivedStatement, report: ModelReport): VrrpScript {
  const script: VrrpScript = {
    name: block.args[0],
    at: loc(block),
    argv: [],
    ignoredWords: [],
    interval: 1,
    fall: 1,
    rise: 1,
    weight: 0,
    reverse: false,
    initFail: false,
  };
  for (const st of block.children ?? []) {
    if (!st.known) continue;
    const [a, b] = st.args;
    switch (st.keyword) {
      case 'script': {
        const [command, ...rest] = st.quotedArgs ?? [];
        script.argv = command === undefined ? [] : (splitQuotedEscaped(command) ?? []);
        script.ignoredWords = rest;
        script.scriptAt = loc(st);
        break;
      }
      case 'interval': {
        const n = readInt(a, 0, Number.MAX_SAFE_INTEGER);
        if (n === undefined)
          report(
            st,
            'error',
            'scriptInterval',
            `(${script.name}): vrrp script interval '${a}' must be between 1 and 4294 - ignoring`,
            [script.name, a ?? ''],
          );
        else script.interval = n === 0 ? 1 : n;
        break;
      }
      case 'timeout': {
        const n = readInt(a, 1, Number.MAX_SAFE_INTEGER);
        if (n !== undefined) script.timeout = n;
        break;
      }
      case 'weight': {
        const n = readInt(a, -253, 253);
        if (n === undefined)
          report(st, 'error', 'scriptWeight', `vrrp_script ${script.name} weight ${a} must be in [-253, 253]`, [
            script.name,
            a ?? '',
          ]);
        else script.weight = n;
        if (b !== undefined) {
          if (b === 'reverse') script.reverse = true;
          else
            report(st, 'error', 'scriptWeightOption', `vrrp_script ${script.name} unknown weight option ${b}`, [
              script.name,
              b,
            ]);
        }
        break;
      }
      case 'rise':
      case 'fall': {
        const n = readInt(a, 1, 2 ** 31 - 1);
        if (n === undefined)
          report(
            st,
            'error',
            `script${cap(st.keyword)}`,
            `(${script.name}): vrrp script ${st.keyword} value '${a}' invalid, defaulting to 1`,
            [script.name, a ?? ''],
          );
        script[st.keyword] = n ?? 1;
        break;
      }
      case 'user':
        if (a !== undefined) script.user = { user: a, group: b, at: loc(st) };
        break;
      case 'init_fail':
        script.initFail = true;
        break;
    }
  }
  if (script.argv.length === 0) {
    script.removed = 'noScript';
    report(block, 'error', 'scriptMissing', `No script set for vrrp_script ${script.name} - removing`, [script.name]);
  }
  return script;
}

export function readTrackProcess(block: KeepalivedStatement): TrackProcess {
  const tp: TrackProcess = { name: block.args[0], at: loc(block), weight: 0, reverse: false };
  for (const st of block.children ?? []) {
    if (!st.known) continue;
    const [a, b] = st.args;
    if (st.keyword === 'process' && a !== undefined && tp.process === undefined) {
      tp.process = a;
    } else if (st.keyword === 'weight') {
      const n = readInt(a, -254, 254);
      if (n !== undefined) tp.weight = n;
      if (b === 'reverse') tp.reverse = true;
    }
  }
  return tp;
}
