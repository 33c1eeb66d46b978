// One lab machine: a Debian system booted with systemd (systemd-nspawn) on an overlay of the cached
// release image, in a network namespace of its own whose eth0 is plugged into the lab bridge.
// Like systemd-nspawn@.service it is kept by a supervisor that boots it again when it reboots.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabError, mustRun, tool, type ToolOptions, type ToolResult } from './system.js';

export interface MachineSpec {
  /** Machine (and network namespace) name, e.g. `hagrade-p01-master`. */
  name: string;
  /** Where the machine's layer lives: `upper/` (its disk), `work/`, `root/` (the mounted overlay). */
  dir: string;
  image: string;
  /** Root-namespace end of its eth0. */
  veth: string;
  bridge: string;
}

/** The supervisor: runs systemd-nspawn, plugs eth0 into the bridge, names the network namespace; boots again on reboot (exit 133). */
export const SUPERVISOR_SCRIPT = `#!/bin/bash
# hagrade lab machine supervisor. Arguments: name root-dir veth bridge state-dir.
name=$1 root=$2 veth=$3 bridge=$4 dir=$5
while :; do
  ip netns delete "$name" 2>/dev/null
  ip link delete "$veth" 2>/dev/null
  rm -f "$dir/leader.pid"
  systemd-nspawn --quiet --boot --directory="$root" --machine="$name" --register=no --keep-unit \\
    --network-veth-extra="$veth:eth0" --link-journal=no --resolv-conf=off --timezone=off \\
    --console=read-only </dev/null >>"$dir/console.log" 2>&1 &
  nspawn=$!
  echo "$nspawn" >"$dir/nspawn.pid"
  leader=
  for i in $(seq 600); do
    kill -0 "$nspawn" 2>/dev/null || break
    if [ -z "$leader" ]; then
      for child in $(pgrep -P "$nspawn"); do
        grep -qE '^NSpid:.*[[:space:]]1$' "/proc/$child/status" 2>/dev/null && leader=$child
      done
    fi
    [ -n "$leader" ] && ip link show "$veth" >/dev/null 2>&1 && break
    sleep 0.05
  done
  if [ -n "$leader" ]; then
    ip link set "$veth" master "$bridge" up
    ip netns attach "$name" "$leader"
    echo "$leader" >"$dir/leader.pid"
  fi
  wait "$nspawn"
  rc=$?
  echo "== $(date '+%F %T') machine stopped (exit $rc)" >>"$dir/console.log"
  [ "$rc" = 133 ] || break
done
ip netns delete "$name" 2>/dev/null
rm -f "$dir/leader.pid" "$dir/nspawn.pid"
`;

const PATH_INSIDE = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function rootDir(dir: string): string {
  return join(dir, 'root');
}

/** Mount the machine's disk: its own upper layer on the shared, never-written image. */
export async function mountDisk(spec: MachineSpec): Promise<void> {
  for (const sub of ['upper', 'work', 'root']) mkdirSync(join(spec.dir, sub), { recursive: true });
  if (isMounted(rootDir(spec.dir))) return;
  await mustRun(
    'mount',
    ['-t', 'overlay', `hagrade-${spec.name}`, '-o', `lowerdir=${spec.image},upperdir=${join(spec.dir, 'upper')},workdir=${join(spec.dir, 'work')}`, rootDir(spec.dir)],
    `mounting the disk of ${spec.name}`,
  );
}

/** Start the machine's supervisor (detached: the machine outlives this process) and wait until it booted. */
export async function bootMachine(spec: MachineSpec, supervisorPath: string, bootTimeoutMs: number): Promise<number> {
  const log = openSync(join(spec.dir, 'supervisor.log'), 'a');
  const child = spawn('bash', [supervisorPath, spec.name, rootDir(spec.dir), spec.veth, spec.bridge, spec.dir], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  writeFileSync(join(spec.dir, 'supervisor.pid'), `${child.pid}\n`);
  child.unref();
  closeSync(log);
  return waitForBoot(spec, bootTimeoutMs);
}

/** The machine's PID 1 as this namespace sees it, once its network is named. */
export function leaderPid(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dir, 'leader.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && existsSync(`/proc/${pid}`) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Wait until systemd inside says the boot is over (`running`, or `degraded` when a unit failed, as a
 * student's config can make haproxy fail). `previousLeader`: after a reboot, wait for a new PID 1.
 */
export async function waitForBoot(spec: MachineSpec, timeoutMs: number, previousLeader?: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let state = 'not started';
  for (;;) {
    const pid = leaderPid(spec.dir);
    if (pid !== undefined && pid !== previousLeader) {
      const r = await execIn(pid, ['systemctl', 'is-system-running', '--wait'], { timeoutMs: Math.max(1000, deadline - Date.now()) });
      state = r.stdout.trim() || r.stderr.trim() || state;
      if (state === 'running' || state === 'degraded') return pid;
    }
    if (Date.now() > deadline) {
      throw new LabError(`machine ${spec.name} did not finish booting within ${timeoutMs / 1000} s (systemd: ${state})\n${tail(join(spec.dir, 'console.log'))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Reboot for real (systemd shutdown, then boot); the disk (upper layer) is kept. Returns the new PID 1. */
export async function rebootMachine(spec: MachineSpec, timeoutMs: number): Promise<number> {
  const before = leaderPid(spec.dir);
  if (before === undefined) throw new LabError(`machine ${spec.name} is not running`);
  await execIn(before, ['systemctl', 'reboot'], { timeoutMs: 10_000 });
  return waitForBoot(spec, timeoutMs, before);
}

/** Stop at once (power cut): supervisor first so it does not boot again, then PID 1, then the disk. Idempotent. */
export async function destroyMachine(dir: string, name: string): Promise<void> {
  // A pid file may outlive this machine's boot: kill only the process it still describes.
  killPidFile(join(dir, 'supervisor.pid'), (pid) => cmdline(pid).includes(dir));
  killPidFile(join(dir, 'leader.pid'), (pid) => rootOf(pid) === rootDir(dir));
  const nspawn = pidFrom(join(dir, 'nspawn.pid'));
  const alive = (): boolean => nspawn !== undefined && cmdline(nspawn).includes('systemd-nspawn') && cmdline(nspawn).includes(dir);
  for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive()) process.kill(nspawn!, 'SIGKILL');
  await tool('ip', ['netns', 'delete', name]);
  if (isMounted(rootDir(dir))) await mustRun('umount', ['--lazy', rootDir(dir)], `unmounting the disk of ${name}`);
}

/** Run a program inside the machine (all its namespaces, a clean environment); never throws for an exit code. */
export function execIn(pid: number, argv: readonly string[], opts: ToolOptions = {}): Promise<ToolResult> {
  return tool('nsenter', ['-t', String(pid), '-m', '-u', '-i', '-n', '-p', '--', '/usr/bin/env', '-i', PATH_INSIDE, 'LANG=C.UTF-8', ...argv], opts);
}

export function mountedLabDisks(under: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mountPoint) => mountPoint.startsWith(under + '/'));
}

function isMounted(path: string): boolean {
  return mountedLabDisks(path.slice(0, path.lastIndexOf('/'))).includes(path);
}

function pidFrom(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function killPidFile(file: string, isOurs: (pid: number) => boolean): void {
  const pid = pidFrom(file);
  if (pid !== undefined && isOurs(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(file, { force: true });
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

function rootOf(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/root`);
  } catch {
    return '';
  }
}

export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}
