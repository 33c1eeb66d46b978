// Which of an instance's trackers follow haproxy: a track script whose command (or script file)
// names it, or a track_process on it. Heuristics on words, shared by KAD006-KAD008 and the probe.
import { posix as path } from 'node:path';
import type { Tracked, TrackProcess, VrrpInstance, VrrpScript } from '../parsers/keepalived-model.js';
import type { Host } from '../hosts/host.js';

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
