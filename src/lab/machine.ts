// One lab machine: a Debian system booted with systemd (systemd-nspawn) on an overlay of the cached
// release image, in a network namespace of its own whose eth0 is plugged into the lab bridge.
// Like systemd-nspawn@.service it is kept by a supervisor that boots it again when it reboots.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync } from 'node:fs';
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

/** Every machine gets a control group of its own under this one, in each hierarchy systemd uses. */
export const CGROUP_PARENT = 'hagrade-lab';

/**
 * The supervisor: gives the machine its own control group (as systemd-nspawn@.service has its
 * unit's), runs systemd-nspawn, plugs eth0 into the bridge, names the network namespace; boots
 * again on reboot (exit 133). Without its own cgroup every machine's systemd would manage the same
 * tree: one machine's user@0.service would hold another's processes, which it cannot kill, and
 * logins would hang for minutes while it times out. The machine runs the unified (v2) hierarchy,
 * as the releases' own VMs do by default.
 */
export const SUPERVISOR_SCRIPT = `#!/bin/bash
# hagrade lab machine supervisor. Arguments: name root-dir veth bridge state-dir.
name=$1 root=$2 veth=$3 bridge=$4 dir=$5
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then hierarchies=/sys/fs/cgroup
else hierarchies="/sys/fs/cgroup/unified /sys/fs/cgroup/systemd"; fi
for h in $hierarchies; do
  [ -d "$h" ] || continue
  mkdir -p "$h/${CGROUP_PARENT}/$name" && echo $$ >"$h/${CGROUP_PARENT}/$name/cgroup.procs"
done
export SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1
while :; do
  ip netns delete "$name" 2>/dev/null
  ip link delete "$veth" 2>/dev/null
  rm -f "$dir/leader.pid"
  systemd-nspawn --quiet --boot --directory="$root" --machine="$name" --register=no --keep-unit \\
    --network-veth-extra="$veth:eth0" --link-journal=no --resolv-conf=off --timezone=off \\
    --console=read-only </dev/null >>"$dir/console.log" 2>&1 &
  nspawn=$!
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
rm -f "$dir/leader.pid"
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
    [
      '-t',
      'overlay',
      `hagrade-${spec.name}`,
      '-o',
      `lowerdir=${spec.image},upperdir=${join(spec.dir, 'upper')},workdir=${join(spec.dir, 'work')}`,
      rootDir(spec.dir),
    ],
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
      const r = await execIn(pid, ['systemctl', 'is-system-running', '--wait'], {
        timeoutMs: Math.max(1000, deadline - Date.now()),
      });
      state = r.stdout.trim() || r.stderr.trim() || state;
      if (state === 'running' || state === 'degraded') return pid;
    }
    if (Date.now() > deadline) {
      throw new LabError(
        `machine ${spec.name} did not finish booting within ${timeoutMs / 1000} s (systemd: ${state})\n${tail(join(spec.dir, 'console.log'))}`,
      );
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

/**
 * Power every lab machine off at once: supervisors first (so none boots again), then each machine's
 * PID 1 (the kernel ends its whole PID namespace), then the systemd-nspawn processes. Killing only
 * nspawn would leave the machine running, orphaned. Machines are found by their processes, not by
 * state files: a crash may have lost those, and a pid file may name a process reused since.
 */
export async function killMachines(labDir: string, supervisorPath: string): Promise<void> {
  const find = (): { supervisors: number[]; inits: number[]; nspawns: number[] } => {
    const found = { supervisors: [] as number[], inits: [] as number[], nspawns: [] as number[] };
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      const command = cmdline(pid);
      if (command.includes(supervisorPath)) found.supervisors.push(pid);
      else if (command.startsWith('systemd-nspawn ') && command.includes(`--directory=${labDir}/`))
        found.nspawns.push(pid);
      else if (isMachineInit(pid)) found.inits.push(pid);
    }
    return found;
  };
  for (let round = 0; round < 50; round++) {
    const { supervisors, inits, nspawns } = find();
    if (!supervisors.length && !inits.length && !nspawns.length) return;
    killAll(supervisors);
    killAll(inits);
    if (round > 0) killAll(nspawns); // they exit by themselves once their machine is gone
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new LabError('lab machines are still running after 10 s of SIGKILL; see `ps -ef | grep systemd-nspawn`');
}

/** SIGKILL each process; one that ended meanwhile is no error. */
export function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // ended meanwhile
    }
  }
}

/** PID 1 of a lab machine: init of a child PID namespace whose root is a lab disk (overlay `hagrade-…`). */
function isMachineInit(pid: number): boolean {
  try {
    const nspid = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]?.split(/\s+/) ?? [];
    if (nspid.length < 2 || nspid[nspid.length - 1] !== '1') return false;
    const rootMount = readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
      .split('\n')
      .find((line) => line.split(' ')[4] === '/');
    return rootMount !== undefined && / - overlay hagrade-/.test(rootMount);
  } catch {
    return false;
  }
}

/** After killMachines: the machine's named network namespace and its disk. Idempotent. */
export async function removeMachine(dir: string, name: string): Promise<void> {
  await tool('ip', ['netns', 'delete', name]);
  if (isMounted(rootDir(dir))) await mustRun('umount', ['--lazy', rootDir(dir)], `unmounting the disk of ${name}`);
}

/** After killMachines: the machines' control groups, deepest first (a cgroup is removed with rmdir once empty). */
export async function removeMachineCgroups(): Promise<void> {
  for (const hierarchy of ['/sys/fs/cgroup', '/sys/fs/cgroup/unified', '/sys/fs/cgroup/systemd']) {
    const parent = join(hierarchy, CGROUP_PARENT);
    if (existsSync(parent)) await tool('find', [parent, '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';']);
  }
}

/** Run a program inside the machine (all its namespaces, a clean environment); never throws for an exit code. */
export function execIn(pid: number, argv: readonly string[], opts: ToolOptions = {}): Promise<ToolResult> {
  return tool(
    'nsenter',
    ['-t', String(pid), '-m', '-u', '-i', '-n', '-p', '--', '/usr/bin/env', '-i', PATH_INSIDE, 'LANG=C.UTF-8', ...argv],
    opts,
  );
}

export function mountedLabDisks(under: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mountPoint) => mountPoint.startsWith(`${under}/`));
}

function isMounted(path: string): boolean {
  return mountedLabDisks(path.slice(0, path.lastIndexOf('/'))).includes(path);
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
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
