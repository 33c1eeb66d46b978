// Capturing a live pair as a snapshot directory (DESIGN.md §3): the files the checks read and the
// outputs of the read-only commands, so the same grading can be replayed offline later. No secret is
// written: private keys and keepalived passwords are replaced as src/snapshot/secrets.ts describes.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { commandsFor } from '../facts/commands.js';
import { MAX_CONFIG_BYTES } from '../facts/haproxy.js';
import { globOnHost, hostConfigId, parseWithIncludes } from '../facts/keepalived-includes.js';
import { scriptCaptureCommands, scriptCaptureFiles } from '../facts/track-scripts.js';
import { redact } from '../engine/redact.js';
import { OVERLAY_FILE, SnapshotError } from '../hosts/snapshot-tree.js';
import { resolveVip } from '../engine/run.js';
import { newSnapshotKey, redactAuthPasswords, redactPrivateKeys } from './secrets.js';
import { ROLES, type Role } from '../model/basics.js';
import type { Command, Host } from '../hosts/host.js';
import type { LabProfile, Target } from '../model/target.js';

/** Directories copied whole (a keepalived `include` usually points inside /etc/keepalived). */
function capturedDirs(profile: LabProfile): string[] {
  return [posix.dirname(profile.haproxyCfgPath), posix.dirname(profile.keepalivedConfPath), profile.sysctlDir];
}

/** /etc/hostname: keepalived's default config-id, which `@id` lines depend on. */
function capturedFiles(profile: LabProfile): string[] {
  return [
    profile.haproxyCfgPath,
    profile.keepalivedConfPath,
    profile.certPath,
    profile.sysctlPath,
    '/etc/passwd',
    '/etc/hostname',
  ];
}

/** Safe file name for a command key (keys are ours, but never trust a name into a path). */
const keyFile = (key: string) => key.replace(/[^A-Za-z0-9._-]/g, '_');

/** The files to capture: the named ones and everything under the captured directories (concurrently). */
async function collectPaths(host: Host, profile: LabProfile): Promise<string[]> {
  const paths = new Set(capturedFiles(profile));
  const walk = async (d: string, depth: number): Promise<void> => {
    const names = depth > 3 ? null : await host.listDir(d);
    await Promise.all(
      (names ?? []).map(async (name) => {
        const full = posix.join(d, name);
        // A directory lists its entries; a file lists nothing (null).
        if ((await host.listDir(full)) !== null) await walk(full, depth + 1);
        else paths.add(full);
      }),
    );
  };
  await Promise.all(capturedDirs(profile).map((dir) => walk(dir, 0)));
  return [...paths].sort();
}

/**
 * The host's files as the snapshot keeps them: with the files keepalived.conf includes from
 * elsewhere, and without secrets (src/snapshot/secrets.ts), under the snapshot's one `key`.
 */
async function readFiles(
  host: Host,
  profile: LabProfile,
  key: Buffer,
  missing: string[],
): Promise<{ files: Map<string, Buffer>; scripts: Command[] }> {
  const files = new Map<string, Buffer>();
  const add = async (path: string) => {
    // As large as the checks read configurations (certificates have their own, smaller, limit).
    const read = await host.readFile(path, { maxBytes: MAX_CONFIG_BYTES });
    if (read.ok) files.set(path, read.content);
    else missing.push(`${host.role}:${path} (${read.reason})`);
  };
  await Promise.all((await collectPaths(host, profile)).map(add));
  const main = files.get(profile.keepalivedConfPath);
  if (!main)
    return { files: new Map([...files].map(([path, content]) => [path, redactPrivateKeys(content)])), scripts: [] };
  const config = await parseWithIncludes(main, profile.keepalivedConfPath, await hostConfigId(host), (pattern) =>
    globOnHost(host, pattern),
  );
  await Promise.all(config.files.filter((path) => !files.has(path)).map(add));
  // The track scripts' files (what KAD006/KAD008 read), and how keepalived would find them (their stat).
  await Promise.all(
    scriptCaptureFiles(config.scripts)
      .filter((path) => !files.has(path))
      .map(add),
  );
  const withoutPasswords = redactAuthPasswords(files, config.statements, key);
  return {
    files: new Map([...withoutPasswords].map(([path, content]) => [path, redactPrivateKeys(content)])),
    scripts: scriptCaptureCommands(config.scripts),
  };
}

export interface CaptureResult {
  files: number;
  commands: number;
  missing: string[];
}

export async function captureSnapshot(
  hosts: Record<Role, Host>,
  target: Target,
  profile: LabProfile,
  dir: string,
  onProgress: (msg: string) => void = () => {},
): Promise<CaptureResult> {
  // A snapshot is always a full directory of its own: files left from a base would be graded as the host's.
  if (existsSync(join(dir, OVERLAY_FILE)))
    throw new SnapshotError(
      `${dir} is an overlay on another snapshot (it has ${OVERLAY_FILE}): capture into a new directory`,
    );
  mkdirSync(dir, { recursive: true });
  const meta: Record<string, unknown> = {
    master: { address: target.master.address },
    backup: { address: target.backup.address },
  };
  const vip = resolveVip(target);
  if (vip) meta.vip = vip;
  if (target.student) meta.student = target.student;
  writeFileSync(
    join(dir, 'hosts.yaml'),
    `# captured by hagrade snapshot on ${new Date().toISOString()}\n${toYaml(meta)}`,
  );
  const totals: CaptureResult = { files: 0, commands: 0, missing: [] };
  const key = newSnapshotKey();
  // Both hosts at once, and on each host every read at once (the host bounds its own channels).
  await Promise.all(
    ROLES.map(async (role) => {
      const host = hosts[role];
      const root = join(dir, role);
      mkdirSync(join(root, 'commands'), { recursive: true });
      onProgress(`${role}: reading files and running read-only commands`);
      const capture = async (command: Command) => {
        const r = await host.run(command);
        if (r.unavailable) return;
        const base = join(root, 'commands', keyFile(command.key));
        writeFileSync(`${base}.txt`, redact(r.stdout));
        if (r.stderr) writeFileSync(`${base}.stderr`, redact(r.stderr));
        if (r.exitCode !== 0)
          writeFileSync(
            `${base}.exit`,
            r.truncated ? 'truncated\n' : r.exitCode === null ? 'timeout\n' : `${r.exitCode}\n`,
          );
        totals.commands += 1;
      };
      const [{ files, scripts }] = await Promise.all([
        readFiles(host, profile, key, totals.missing),
        Promise.all(commandsFor(role, profile, vip).map(capture)),
      ]);
      await Promise.all(scripts.map(capture));
      for (const [path, content] of files) {
        const local = join(root, posix.normalize(`/${path}`));
        mkdirSync(dirname(local), { recursive: true });
        writeFileSync(local, content);
        totals.files += 1;
      }
    }),
  );
  totals.missing.sort();
  return totals;
}
