// Grading a live pair over SSH: connect to both hosts once, run the catalogue, close. Shared by
// `hagrade check`, `hagrade snapshot` and `hagrade batch`.
import { loadCatalogue } from './registry.js';
import { resolveVip, runChecks } from './run.js';
import { SshError, SshHost, type SshHostOptions } from '../hosts/ssh.js';
import { UnreachableHost } from '../hosts/unreachable.js';
import { SharedReads, commandIdentity } from '../hosts/shared-reads.js';
import { readOnlyCommands } from '../facts/commands.js';
import { scriptStatCommand } from '../facts/script-files.js';
import type { HostSpec } from '../inputs/inventory.js';
import { captureSnapshot } from '../snapshot/capture.js';
import { warmUp } from '../facts/warmup.js';
import { httpsServiceClient } from '../probe/https-client.js';
import { ROLES, type Lang, type Role } from '../model/basics.js';
import type { Check, EngineEvent, RunResult } from '../model/check.js';
import type { Command, Host } from '../hosts/host.js';
import type { LabProfile, Target } from '../model/target.js';
import type { ServiceClient } from '../model/service.js';

export interface PairSpec {
  student?: string;
  master: HostSpec;
  backup: HostSpec;
  vip?: string;
  /** known_hosts to trust and record into (the lab writes one); default hagrade's own. */
  knownHosts?: string;
}

export interface ConnectOptions {
  /** The language of the reasons given for unreachable hosts. */
  lang?: Lang;
  strictHostKeys?: boolean;
  connectTimeoutMs?: number;
  promptPassword?: SshHostOptions['promptPassword'];
  promptPassphrase?: SshHostOptions['promptPassphrase'];
  onProgress?: (message: string) => void;
}

export interface OpenedPair {
  target: Target;
  hosts: Record<Role, Host>;
  /** Hosts that could not be reached, with the user-facing reason. */
  unreachable: Partial<Record<Role, string>>;
  /** Passwords given for this pair: redacted from every output. */
  secrets: string[];
  /** SSH handshakes made so far, for the benchmark (2 for a healthy run). */
  handshakes(): number;
}

/** Connect to both hosts in parallel; an unreachable host becomes an entry in `unreachable`. */
export async function openPair(pair: PairSpec, opts: ConnectOptions = {}): Promise<OpenedPair> {
  const progress = opts.onProgress ?? (() => {});
  const ssh: Partial<Record<Role, SshHost>> = {};
  const hosts = {} as Record<Role, Host>;
  const unreachable: Partial<Record<Role, string>> = {};
  await Promise.all(
    ROLES.map(async (role) => {
      const spec = pair[role];
      const host = new SshHost({
        role,
        spec,
        ...(pair.knownHosts ? { knownHostsFile: pair.knownHosts } : {}),
        ...(opts.strictHostKeys ? { strictHostKeys: true } : {}),
        ...(opts.connectTimeoutMs ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
        ...(opts.promptPassword ? { promptPassword: opts.promptPassword } : {}),
        ...(opts.promptPassphrase ? { promptPassphrase: opts.promptPassphrase } : {}),
        onNewHostKey: (key) =>
          progress(`${role}: trusting the host key of ${key.host} on first use (${key.fingerprint})`),
      });
      progress(
        `connecting to ${role} (${spec.user ? `${spec.user}@` : ''}${spec.host}${spec.port ? `:${spec.port}` : ''})`,
      );
      try {
        await host.connect();
        ssh[role] = host;
        hosts[role] = host;
      } catch (e) {
        const reason = e instanceof SshError ? e.text[opts.lang ?? 'en'] : `unexpected error: ${(e as Error).message}`;
        unreachable[role] = reason;
        hosts[role] = new UnreachableHost(role, spec.host, reason);
        await host.close().catch(() => {});
      }
    }),
  );
  const target: Target = {
    master: { address: pair.master.host, ...(pair.master.name ? { name: pair.master.name } : {}) },
    backup: { address: pair.backup.host, ...(pair.backup.name ? { name: pair.backup.name } : {}) },
  };
  // Without one, the engine (resolveVip) takes master's address when it is an IP.
  if (pair.vip) target.vip = pair.vip;
  if (pair.student) target.student = pair.student;
  const secrets = [pair.master.password, pair.backup.password, process.env.HAGRADE_SSH_PASSWORD].filter(
    (s): s is string => Boolean(s),
  );
  return {
    target,
    hosts,
    unreachable,
    secrets,
    handshakes: () => (ssh.master?.handshakes ?? 0) + (ssh.backup?.handshakes ?? 0),
  };
}

export async function closePair(opened: OpenedPair): Promise<void> {
  await Promise.all(ROLES.map((role) => opened.hosts[role].close().catch(() => {})));
}

export interface GradePairOptions extends ConnectOptions {
  profile: LabProfile;
  lang: Lang;
  failover: boolean;
  /** The reboot probe (opt-in), its SSH wait, and a gate waited for before the reboot. */
  reboot?: { timeoutMs: number; gate?: () => Promise<() => void> };
  checks?: Check[];
  signal?: AbortSignal;
  onEvent?: (event: EngineEvent) => void;
  /** Also save the pair as a snapshot here (evidence for disputes), before the probe runs. */
  snapshotDir?: string;
  /** The client probe's HTTPS client (default: from this machine; `null`: none). */
  serviceClient?: ServiceClient | null;
}

/** Grade one pair end to end; never throws for host problems (they are ERROR results). */
export async function gradePair(pair: PairSpec, opts: GradePairOptions): Promise<RunResult> {
  const opened = await openPair(pair, opts);
  try {
    return await gradeOpenedPair(opened, opts);
  } finally {
    await closePair(opened);
  }
}

/**
 * The commands a grading may serve from its memo of reads: the registry of read-only commands for
 * this profile and VIP, and the stat of a track script's program (both what a snapshot captures).
 */
export function readOnlyCommandFilter(profile: LabProfile, vip: string | undefined): (cmd: Command) => boolean {
  const registry = new Set(readOnlyCommands(profile, vip).map(commandIdentity));
  return (cmd) => {
    if (registry.has(commandIdentity(cmd))) return true;
    const program = cmd.argv?.[0];
    return program !== undefined && commandIdentity(scriptStatCommand(program)) === commandIdentity(cmd);
  };
}

/**
 * Grade a pair already opened (the caller closes it). The snapshot (when asked for), the warm-up
 * and the checks read both hosts through one memo per host (src/hosts/shared-reads.ts), so each
 * file and read-only command goes over the wire once; the memo stops answering before the first
 * disruptive check, so the probes see the hosts as they are.
 */
export async function gradeOpenedPair(opened: OpenedPair, opts: GradePairOptions): Promise<RunResult> {
  const shared = new SharedReads(readOnlyCommandFilter(opts.profile, resolveVip(opened.target)));
  const hosts: Record<Role, Host> = {
    master: shared.wrap(opened.hosts.master),
    backup: shared.wrap(opened.hosts.backup),
  };
  const reachable = Object.keys(opened.unreachable).length === 0;
  if (opts.snapshotDir && reachable) {
    await captureSnapshot(hosts, opened.target, opts.profile, opts.snapshotDir, opts.onProgress);
  }
  const onEvent = opts.onEvent;
  return await runChecks({
    checks: opts.checks ?? (await loadCatalogue()),
    hosts,
    target: opened.target,
    profile: opts.profile,
    options: {
      lang: opts.lang,
      failover: opts.failover,
      live: true,
      ...(opts.reboot
        ? {
            reboot: true,
            rebootTimeoutMs: opts.reboot.timeoutMs,
            ...(opts.reboot.gate ? { rebootGate: opts.reboot.gate } : {}),
          }
        : {}),
    },
    secrets: opened.secrets,
    unreachable: opened.unreachable,
    warmUp,
    ...(opts.serviceClient === null ? {} : { serviceClient: opts.serviceClient ?? httpsServiceClient }),
    onEvent: (event) => {
      if (event.type === 'check-start' && event.check.mode === 'disruptive') shared.stopSharing();
      onEvent?.(event);
    },
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}
