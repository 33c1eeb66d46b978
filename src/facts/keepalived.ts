// keepalived.conf of each host, read (with its include files) and parsed once per run, shared by
// KAD001-KAD008; and the pure judgements those checks share: which instance carries the VIP, what
// a track script checks, who runs it, and what happens to the VIP when haproxy stops on master.
import { posix as path } from 'node:path';
import { parseKeepalived, type IncludedFile, type KeepalivedConfig } from '../parsers/keepalived.js';
import {
  PRIORITY_OWNER,
  type Tracked,
  type TrackProcess,
  type VrrpInstance,
  type VrrpScript,
  type GlobalDefs,
} from '../parsers/keepalived-model.js';
import type { CheckContext } from '../model/check.js';
import type { FileRead, Host } from '../hosts/host.js';
import type { Role, Text } from '../model/basics.js';
import { reportUnreadable } from './unreadable.js';
import { loadPasswd } from './passwd.js';
import { behaviour, scriptViews, type ScriptView } from './track-scripts.js';

/** Real configs are a few kilobytes; the cap keeps a runaway file from eating the grader's memory. */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
/** Include files can include others; each round fetches the files the previous parse asked for. */
const MAX_INCLUDE_ROUNDS = 8;
/** A glob over a remote host is bounded: keepalived configs include a handful of files. */
const MAX_GLOB_MATCHES = 256;

export interface KeepalivedFile {
  role: Role;
  path: string;
  read: FileRead;
  /** Present when the file could be read. */
  config?: KeepalivedConfig;
}

/**
 * Read and parse a host's keepalived.conf once per run (memo key `keepalived:<role>`), includes resolved on the host.
 */
export function loadKeepalived(ctx: CheckContext, role: Role): Promise<KeepalivedFile> {
  return ctx.memo(`keepalived:${role}`, async () => {
    const host = ctx.host(role);
    const file = ctx.profile.keepalivedConfPath;
    const read = await host.readFile(file, { maxBytes: MAX_CONFIG_BYTES });
    if (!read.ok) return { role, path: file, read };
    const configId = await hostConfigId(host);
    // keepalived removes a vrrp_script it has no user for: that depends on the host's users.
    const passwd = await loadPasswd(ctx, role);
    const userExists = passwd.read.ok ? (name: string) => passwd.users.has(name) : undefined;
    const config = await parseWithIncludes(
      read.content,
      file,
      configId,
      (pattern) => globOnHost(host, pattern),
      userExists,
    );
    return { role, path: file, read, config };
  });
}

/**
 * Parse, fetch what the parse asked to include, parse again, until nothing new is asked for. The
 * parser is synchronous and pure; the host is not, so includes are fetched between rounds.
 */
export async function parseWithIncludes(
  content: Buffer | string,
  file: string,
  configId: string | undefined,
  glob: (pattern: string) => Promise<IncludedFile[]>,
  userExists?: (name: string) => boolean,
): Promise<KeepalivedConfig> {
  const fetched = new Map<string, IncludedFile[]>();
  let config = parseKeepalived(content, file, { configId, readInclude: (p) => fetched.get(p) ?? [], userExists });
  for (let round = 0; round < MAX_INCLUDE_ROUNDS; round++) {
    const wanted = [...new Set(config.includeRequests)].filter((p) => !fetched.has(p));
    if (wanted.length === 0) break;
    for (const pattern of wanted) fetched.set(pattern, await glob(pattern));
    config = parseKeepalived(content, file, { configId, readInclude: (p) => fetched.get(p) ?? [], userExists });
  }
  return config;
}

/** keepalived's default config-id: the host name up to the first dot (for `@id` lines). */
export async function hostConfigId(host: Host): Promise<string | undefined> {
  const read = await host.readFile('/etc/hostname', { maxBytes: 4096 });
  if (!read.ok) return undefined;
  const name = read.content.toString('utf8').split('\n')[0].trim();
  return name ? name.split('.')[0] : undefined;
}

/** glob(3) with GLOB_BRACE over a Host: `{a,b}` alternatives in order, each one's matches sorted. */
export async function globOnHost(host: Host, pattern: string): Promise<IncludedFile[]> {
  const out: IncludedFile[] = [];
  for (const alternative of expandBraces(pattern)) {
    for (const candidate of await matchSegments(host, alternative)) {
      if (out.length >= MAX_GLOB_MATCHES) return out;
      const read = await host.readFile(candidate, { maxBytes: MAX_CONFIG_BYTES });
      if (read.ok) out.push({ file: candidate, text: read.content });
    }
  }
  return out;
}

/** csh-style brace expansion: `a{b,c}d` -> abd, acd (nested braces work too). */
export function expandBraces(pattern: string): string[] {
  let depth = 0;
  let open = -1;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '{' && depth++ === 0) open = i;
    else if (pattern[i] === '}' && depth > 0 && --depth === 0) {
      const parts: string[] = [];
      let level = 0;
      let start = open + 1;
      for (let j = open + 1; j < i; j++) {
        if (pattern[j] === '{') level++;
        else if (pattern[j] === '}') level--;
        else if (pattern[j] === ',' && level === 0) {
          parts.push(pattern.slice(start, j));
          start = j + 1;
        }
      }
      parts.push(pattern.slice(start, i));
      const head = pattern.slice(0, open);
      const tail = pattern.slice(i + 1);
      return parts.flatMap((p) => expandBraces(head + p + tail));
    }
  }
  return [pattern];
}

const hasWildcard = (s: string) => /[*?[]/.test(s);

/** Expand `*`, `?`, `[…]` segment by segment with listDir; dotfiles only match a leading `.`. */
async function matchSegments(host: Host, pattern: string): Promise<string[]> {
  if (!hasWildcard(pattern)) return [pattern];
  const segments = pattern.split('/').filter((s, i) => s !== '' || i === 0);
  let paths = [''];
  for (const segment of segments.slice(1)) {
    const next: string[] = [];
    for (const dir of paths.slice(0, MAX_GLOB_MATCHES)) {
      if (!hasWildcard(segment)) {
        next.push(`${dir}/${segment}`);
        continue;
      }
      const names = (await host.listDir(dir || '/')) ?? [];
      const re = globSegmentRegExp(segment);
      for (const name of [...names].sort()) {
        if (name.startsWith('.') && !segment.startsWith('.')) continue;
        if (re.test(name)) next.push(`${dir}/${name}`);
      }
    }
    paths = next;
  }
  return paths;
}

function globSegmentRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        const body = segment
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

// ---------------------------------------------------------------------------------------------
// KAD002-KAD008 need the parsed file: they skip, with the reason, when KAD001 could not read it.

export const CONFIG_SKIP_MESSAGES = {
  configMissing: {
    en: 'cannot judge: {file} does not exist (see KAD001)',
    ru: 'невозможно проверить: файла {file} нет (см. KAD001)',
  },
  configUnreadable: {
    en: 'cannot judge: {file} could not be read: {error} (see KAD001)',
    ru: 'невозможно проверить: не удалось прочитать {file}: {error} (см. KAD001)',
  },
  noInstance: {
    en: 'cannot judge: {file} has no vrrp_instance (see KAD002)',
    ru: 'невозможно проверить: в {file} нет ни одного vrrp_instance (см. KAD002)',
  },
  noVipInstance: {
    en: 'cannot judge: none of the {count} vrrp_instance blocks holds the VIP {vip} (see KAD005)',
    ru: 'невозможно проверить: ни один из {count} блоков vrrp_instance не содержит виртуальный ip {vip} (см. KAD005)',
  },
} satisfies Record<string, Text>;

/** The parsed config, or undefined after reporting a skip (messages: CONFIG_SKIP_MESSAGES). */
export function configOrSkip(ctx: CheckContext, file: KeepalivedFile): KeepalivedConfig | undefined {
  if (file.config) return file.config;
  return reportUnreadable(ctx, file);
}

/**
 * The instance that carries the VIP: the one whose virtual_ipaddress holds it; when none does, the
 * only instance there is (KAD005 reports the VIP itself). Several instances without it: undefined.
 */
export function vipInstance(config: KeepalivedConfig, vip: string | undefined): VrrpInstance | undefined {
  const holders = config.instances.filter((i) => vip !== undefined && i.vips.some((v) => v.address === vip));
  if (holders.length > 0) return holders[0];
  return config.instances.length === 1 ? config.instances[0] : undefined;
}

/** For each host, its VIP instance, or a skip reported (messages: CONFIG_SKIP_MESSAGES). */
export async function vipInstanceOrSkip(
  ctx: CheckContext,
  role: Role,
): Promise<{ config: KeepalivedConfig; instance: VrrpInstance; file: KeepalivedFile } | undefined> {
  const file = await loadKeepalived(ctx, role);
  const config = configOrSkip(ctx, file);
  if (!config) return undefined;
  const instance = vipInstance(config, ctx.vip);
  if (instance) return { config, instance, file };
  const none = config.instances.length === 0;
  ctx.report({
    kind: 'skip',
    host: role,
    messageId: none ? 'noInstance' : 'noVipInstance',
    file: file.path,
    data: { file: file.path, count: config.instances.length, vip: ctx.vip ?? '' },
  });
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Whether two instances are one VRRP router (KAD003 says which field differs, KAD007 needs it to hold)

/** Authentication as sent: none when absent or ignored (VRRPv3, vrrp_strict); the password as compared. */
export function effectiveAuth(instance: VrrpInstance): { type: string; pass: string } {
  const auth = instance.authentication;
  if (!auth?.type || auth.ignored) return { type: 'none', pass: '' };
  return { type: auth.type, pass: auth.effectivePass ?? '' };
}

/** The VIPs as `address/prefix`, sorted: the order of the lines does not matter. */
export function vipSet(instance: VrrpInstance): string {
  return instance.vips
    .map((v) => `${v.address}/${v.prefix}`)
    .sort()
    .join(', ');
}

/** Each node accepts the other's adverts only when these agree. */
export function sameVrrpRouter(a: VrrpInstance, b: VrrpInstance): boolean {
  const [authA, authB] = [effectiveAuth(a), effectiveAuth(b)];
  return (
    a.virtualRouterId === b.virtualRouterId &&
    a.advertInt === b.advertInt &&
    authA.type === authB.type &&
    authA.pass === authB.pass
  );
}

// ---------------------------------------------------------------------------------------------
// What a track script checks

/** `script "/bin/sh -c 'pidof haproxy'"` -> the words of the inner command; others unchanged. */
export function commandWords(argv: string[]): string[] {
  const base = path.basename(argv[0] ?? '');
  if (['sh', 'bash', 'dash'].includes(base) && argv[1] === '-c' && argv[2] !== undefined)
    return argv[2].split(/\s+/).filter(Boolean);
  return argv;
}

/**
 * Does the command check haproxy? It names the process or service in any word, the program's own
 * name included (`killall -0 haproxy`, `pgrep -x haproxy`, `systemctl is-active haproxy`,
 * `grep [h]aproxy`, `/etc/keepalived/check_haproxy.sh`), or it fetches an https:// URL with curl or
 * wget (HAProxy is what terminates TLS in this lab; the web server behind it speaks plain http).
 */
export function mentionsHaproxy(argv: string[], service = 'haproxy'): boolean {
  const words = commandWords(argv);
  const fetchesHttps =
    ['curl', 'wget'].includes(path.basename(words[0] ?? '')) && words.some((w) => w.startsWith('https://'));
  return fetchesHttps || words.some((w, i) => (i === 0 ? path.basename(w) : w).replace(/[[\]]/g, '').includes(service));
}

export function processIsHaproxy(tp: TrackProcess, service = 'haproxy'): boolean {
  return tp.process === service || (tp.process ?? '').endsWith(`/${service}`);
}

/** Script files are small; they are read only to see whether one names the haproxy service. */
const MAX_SCRIPT_BYTES = 256 * 1024;

export interface ScriptFiles {
  /** Script files (an absolute argv[0]) whose content names the service. */
  naming: Set<string>;
  /** Script files the grader could not read (e.g. not in a snapshot): what they check is unknown. */
  unreadable: Set<string>;
}

/**
 * Read the tracked scripts that are a script file alone (`script "/etc/keepalived/check.sh"`) whose name does not say
 * what it checks.
 */
export async function readScriptFiles(host: Host, instance: VrrpInstance, service: string): Promise<ScriptFiles> {
  const files: ScriptFiles = { naming: new Set(), unreadable: new Set() };
  for (const t of instance.trackScripts) {
    const [program, ...args] = t.target.argv;
    if (!program?.startsWith('/') || args.length > 0 || mentionsHaproxy(t.target.argv, service)) continue;
    const read = await host.readFile(program, { maxBytes: MAX_SCRIPT_BYTES });
    if (!read.ok) files.unreadable.add(program);
    else if (read.content.toString('utf8').includes(service)) files.naming.add(program);
  }
  return files;
}

/** The instance's haproxy trackers, script files read from the host. */
export async function haproxyTrackersOnHost(
  host: Host,
  instance: VrrpInstance,
  service: string,
): Promise<HaproxyTracker[]> {
  const files = await readScriptFiles(host, instance, service);
  return haproxyTrackers(instance, (p) => files.naming.has(p), service);
}

export type HaproxyTracker =
  | { kind: 'script'; tracked: Tracked<VrrpScript> }
  | { kind: 'process'; tracked: Tracked<TrackProcess> };

/**
 * The instance's trackers that follow haproxy: scripts whose command names it (or, for a script
 * file, whose content does: `scriptMentions` answers for paths), and track_process entries.
 */
export function haproxyTrackers(
  instance: VrrpInstance,
  scriptMentions: (path: string) => boolean = () => false,
  service = 'haproxy',
): HaproxyTracker[] {
  const scripts = instance.trackScripts
    .filter(
      (t) =>
        mentionsHaproxy(t.target.argv, service) ||
        (t.target.argv[0]?.startsWith('/') && scriptMentions(t.target.argv[0])),
    )
    .map((tracked) => ({ kind: 'script' as const, tracked }));
  const processes = instance.trackProcesses
    .filter((t) => processIsHaproxy(t.target, service))
    .map((tracked) => ({ kind: 'process' as const, tracked }));
  return [...scripts, ...processes];
}

// ---------------------------------------------------------------------------------------------
// KAD007: failover prediction

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

// ---------------------------------------------------------------------------------------------
// Whole keepalived.conf texts for the checks' doc examples: master's reference file with some
// lines replaced (null drops a line), so a failing example breaks exactly one rule.

export interface KeepalivedExampleParts {
  globalDefs?: string[];
  script?: string[];
  state?: string | null;
  priority?: string | null;
  virtualRouterId?: string;
  advertInt?: string;
  authentication?: string[] | null;
  vip?: string[];
  track?: string[] | null;
  /** Lines added at the end of the vrrp_instance block. */
  instanceExtra?: string[];
}

export function keepalivedExample(parts: KeepalivedExampleParts = {}): string {
  const block = (header: string, lines: string[]) => `${header} {\n${lines.map((l) => `    ${l}\n`).join('')}}\n`;
  const inner = (header: string, lines: string[]) =>
    `    ${header} {\n${lines.map((l) => `        ${l}\n`).join('')}    }\n`;
  const opt = (line: string | null | undefined, fallback: string) => (line === null ? [] : [line ?? fallback]);
  const instance =
    [
      ...opt(parts.state, 'state MASTER'),
      'interface eth0',
      parts.virtualRouterId ?? 'virtual_router_id 51',
      ...opt(parts.priority, 'priority 110'),
      parts.advertInt ?? 'advert_int 1',
    ]
      .map((l) => `    ${l}\n`)
      .join('') +
    (parts.authentication === null
      ? ''
      : inner('authentication', parts.authentication ?? ['auth_type PASS', 'auth_pass s3cret12'])) +
    inner('virtual_ipaddress', parts.vip ?? ['203.0.113.10/24 brd 203.0.113.255 dev eth0 label eth0:10']) +
    (parts.track === null ? '' : inner('track_script', parts.track ?? ['check_haproxy'])) +
    (parts.instanceExtra ?? []).map((l) => `    ${l}\n`).join('');
  return [
    block('global_defs', parts.globalDefs ?? ['router_id master', 'script_user root', 'enable_script_security']),
    block(
      'vrrp_script check_haproxy',
      parts.script ?? ['script "/usr/bin/killall -0 haproxy"', 'interval 1', 'fall 2', 'rise 2', 'weight -20'],
    ),
    `vrrp_instance VI_1 {\n${instance}}\n`,
  ].join('\n');
}
