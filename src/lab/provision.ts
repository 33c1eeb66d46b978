// Making the lab's machines: each one's own layer over the release image (hostname, address, SSH
// host keys, the lab key for root and the student), booted a few at a time; their host keys
// gathered for the lab's known_hosts.
import { chownSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STUDENT, hostsFile, machineId, networkFile } from './hostfiles.js';
import { bootMachine, mountDisk, rootDir } from './machine.js';
import { hostDir, KEY_PATH, machineSpec, SUPERVISOR_PATH } from './state.js';
import { LabError, mustRun } from './system.js';
import { type HostPlan, INTERNAL_PREFIX } from './topology.js';

/** A cold boot takes ~3 s here; leave room for 24 machines booting on 2 cores. */
export const BOOT_TIMEOUT_MS = 180_000;
/** Machines booted at once: each boot is a burst of CPU, and the machine has 2 cores. */
export const BOOT_CONCURRENCY = 4;

/** A machine's own layer (identity, address, logins), written before its first boot; then boot it. */
export async function createMachine(host: HostPlan, image: string): Promise<void> {
  const spec = machineSpec(host, image);
  await mountDisk(spec);
  const root = rootDir(spec.dir);
  const at = (path: string): string => join(root, path);
  writeFileSync(at('/etc/hostname'), `${host.hostname}\n`);
  writeFileSync(at('/etc/hosts'), hostsFile(host.hostname));
  writeFileSync(at('/etc/machine-id'), machineId());
  mkdirSync(at('/etc/systemd/network'), { recursive: true });
  writeFileSync(at('/etc/systemd/network/10-eth0.network'), networkFile(host.address, INTERNAL_PREFIX));
  // Every key type a Debian install generates, each machine its own (kept across reboots: its disk).
  await mustRun('ssh-keygen', ['-A', '-f', root], `creating the SSH host keys of ${host.ns}`);
  const publicKey = readFileSync(`${KEY_PATH}.pub`);
  const [uid, gid] = userIds(at('/etc/passwd'), STUDENT);
  for (const [home, owner] of [
    ['/root', [0, 0]],
    [`/home/${STUDENT}`, [uid, gid]],
  ] as const) {
    mkdirSync(at(`${home}/.ssh`), { recursive: true, mode: 0o700 });
    writeFileSync(at(`${home}/.ssh/authorized_keys`), publicKey, { mode: 0o600 });
    chownTree(at(`${home}/.ssh`), owner[0], owner[1]);
  }
  await bootMachine(spec, SUPERVISOR_PATH, BOOT_TIMEOUT_MS);
}

function userIds(passwdFile: string, user: string): [number, number] {
  const line = readFileSync(passwdFile, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined)
    throw new LabError(`the lab image has no user ${user}; rebuild it with \`hagrade lab down --images\``);
  return [Number(uid), Number(gid)];
}

function chownTree(dir: string, uid: number, gid: number): void {
  for (const path of [dir, ...readdirSync(dir).map((f) => join(dir, f))]) chownSync(path, uid, gid);
}

export function knownHostsLines(host: HostPlan): string {
  const keys = readdirSync(join(rootDir(hostDir(host)), 'etc/ssh')).filter((f) => /^ssh_host_\w+_key\.pub$/.test(f));
  return keys
    .map((f) =>
      readFileSync(join(rootDir(hostDir(host)), 'etc/ssh', f), 'utf8')
        .trim()
        .split(/\s+/),
    )
    .map(([type, key]) => `${host.address} ${type} ${key}\n`)
    .join('');
}

/** Run `work` on the items, at most `size` at once. */
export async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}
