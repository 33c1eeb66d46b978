// Which HAProxy and keepalived a host runs, for the verdicts that depend on the daemon's version
// (what HAProxy refuses, how keepalived execs a script). Read from the registry commands
// `haproxy -v` and `keepalived --version` (live hosts, and snapshots that captured them); when a
// host cannot tell, the lab's assumption is used, and every verdict that depends on it can say so.
import { cachedResult, findCommand } from './commands.js';
import type { CheckContext } from '../model/check.js';
import type { CommandResult } from '../hosts/host.js';
import type { Role } from '../model/basics.js';

/** Debian 12, the lab's reference system (LAB-SPEC.md "Facts a grader must get right"). */
export const ASSUMED_KEEPALIVED_VERSION = '2.2.7';

export interface DaemonVersion {
  /** `2.6.12`, `2.2.7`, or the profile's `2.6` when assumed. */
  version: string;
  /** Read from the host (live or from a snapshot's capture) or assumed (the host could not tell). */
  source: 'host' | 'assumed';
}

export interface DaemonVersions {
  haproxy: DaemonVersion;
  keepalived: DaemonVersion;
}

/** `HAProxy version 2.6.12-1+deb12u4 …` (also `HA-Proxy version 1.8.19 …`) -> `2.6.12`. */
export function parseHaproxyVersion(output: string): string | undefined {
  return /HA-?Proxy version (\d+\.\d+(?:\.\d+)?)/i.exec(output)?.[1];
}

/** `Keepalived v2.2.7 (01/16,2022)` -> `2.2.7` (keepalived prints it on stderr). */
export function parseKeepalivedVersion(output: string): string | undefined {
  return /Keepalived v(\d+\.\d+(?:\.\d+)?)/.exec(output)?.[1];
}

/** `a >= b` on dotted versions (`2.2.7` >= `2.3` is false). */
export function versionAtLeast(version: string, wanted: string): boolean {
  const a = version.split('.').map(Number);
  const b = wanted.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [x, y] = [a[i] ?? 0, b[i] ?? 0];
    if (x !== y) return x > y;
  }
  return true;
}

/** `2.6.12` -> `2.6`: what the haproxy parser's version tables are keyed by. */
export const majorMinor = (version: string): string => version.split('.').slice(0, 2).join('.');

/** A version for messages: `2.2.7 (reported by the host)` / `2.2.7 (assumed: the host did not say)`. */
export function describeVersion(v: DaemonVersion, lang: 'en' | 'ru' = 'en'): string {
  if (lang === 'ru')
    return v.source === 'host'
      ? `${v.version} (версия на машине)`
      : `${v.version} (предположение: машина не сообщила версию)`;
  return v.source === 'host' ? `${v.version} (as the host reports)` : `${v.version} (assumed: the host did not say)`;
}

/** Both daemons' versions on a host, read once per run (memo `versions:<role>`). */
export function daemonVersions(ctx: CheckContext, role: Role): Promise<DaemonVersions> {
  return ctx.memo(`versions:${role}`, async () => {
    const haproxyOut = await output(ctx, role, 'haproxy-version');
    const keepalivedOut = await output(ctx, role, 'keepalived-version');
    const haproxy = haproxyOut === undefined ? undefined : parseHaproxyVersion(haproxyOut);
    const keepalived = keepalivedOut === undefined ? undefined : parseKeepalivedVersion(keepalivedOut);
    return {
      haproxy: haproxy
        ? { version: haproxy, source: 'host' }
        : { version: ctx.profile.haproxyVersion, source: 'assumed' },
      keepalived: keepalived
        ? { version: keepalived, source: 'host' }
        : { version: ASSUMED_KEEPALIVED_VERSION, source: 'assumed' },
    };
  });
}

/** stdout and stderr of a version command; undefined when the host has no answer (static runs included). */
async function output(ctx: CheckContext, role: Role, key: string): Promise<string | undefined> {
  if (!ctx.options.live) return undefined;
  const command = findCommand(ctx.profile, ctx.vip, key);
  if (!command) return undefined;
  const result: CommandResult = await cachedResult(ctx, role, command);
  if (result.unavailable || result.exitCode === null) return undefined;
  return `${result.stdout}\n${result.stderr}`;
}
