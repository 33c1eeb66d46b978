// Running the system tools the lab is built from (ip, nsenter, unshare, apt-get), and the lab's own error type.
import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** An error meant for the user: the message says what went wrong and what to do, no stack trace needed. */
export class LabError extends Error {
  override readonly name = 'LabError';
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ToolOptions {
  timeoutMs?: number;
  input?: string;
  env?: NodeJS.ProcessEnv;
}

/** Run a program without a shell; never throws for a non-zero exit (the caller decides). */
export function tool(file: string, args: readonly string[], opts: ToolOptions = {}): Promise<ToolResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      {
        timeout: opts.timeoutMs ?? 30_000,
        maxBuffer: 16 * 1024 * 1024,
        encoding: 'utf8',
        env: opts.env ?? process.env,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 127) : 0;
        const spawnFailure = error && typeof error.code !== 'number' ? `${error.message}\n` : '';
        resolve({ code, stdout, stderr: spawnFailure + stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Run a program that must succeed; a failure becomes a LabError naming the command and its stderr. */
export async function mustRun(
  file: string,
  args: readonly string[],
  what: string,
  opts: ToolOptions = {},
): Promise<string> {
  const result = await tool(file, args, opts);
  if (result.code !== 0) {
    const detail = (result.stderr || result.stdout).trim().split('\n').slice(-5).join('\n');
    throw new LabError(
      `${what} failed: ${[file, ...args].join(' ')} (exit ${result.code})${detail ? `\n${detail}` : ''}`,
    );
  }
  return result.stdout;
}

/** Where a program is, searching PATH and the sbin directories a non-login root shell may lack. */
export function findProgram(name: string): string | undefined {
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/local/sbin',
    '/usr/sbin',
    '/sbin',
    '/usr/bin',
    '/bin',
  ];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** The programs the lab runs, and the Debian package that ships each. */
export const REQUIRED_PROGRAMS: ReadonlyArray<{ program: string; pkg: string }> = [
  { program: 'haproxy', pkg: 'haproxy' },
  { program: 'keepalived', pkg: 'keepalived' },
  { program: 'sshd', pkg: 'openssh-server' },
  { program: 'ssh', pkg: 'openssh-client' },
  { program: 'ssh-keygen', pkg: 'openssh-client' },
  { program: 'ip', pkg: 'iproute2' },
  { program: 'killall', pkg: 'psmisc' },
  { program: 'pgrep', pkg: 'procps' },
  { program: 'sysctl', pkg: 'procps' },
  { program: 'unshare', pkg: 'util-linux' },
  { program: 'nsenter', pkg: 'util-linux' },
  { program: 'setsid', pkg: 'util-linux' },
  { program: 'bash', pkg: 'bash' },
  // The machines: booted with systemd-nspawn on images made by debootstrap.
  { program: 'systemd-nspawn', pkg: 'systemd-container' },
  { program: 'debootstrap', pkg: 'debootstrap' },
  { program: 'mount', pkg: 'mount' },
  { program: 'chroot', pkg: 'coreutils' },
  // What the grader runs on the hosts: LIV004 and CRT005 probe the VIP; sudo for non-root logins.
  { program: 'curl', pkg: 'curl' },
  { program: 'openssl', pkg: 'openssl' },
  { program: 'sudo', pkg: 'sudo' },
  { program: 'timeout', pkg: 'coreutils' },
];

export function missingPackages(): string[] {
  const missing = REQUIRED_PROGRAMS.filter(({ program }) => !findProgram(program)).map(({ pkg }) => pkg);
  return [...new Set(missing)];
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function notRootError(): LabError {
  const missing = missingPackages();
  const install = missing.length
    ? ` First install the missing packages: sudo apt-get install -y ${missing.join(' ')}.`
    : '';
  return new LabError(`the lab creates network namespaces and must run as root: run it with sudo.${install}`);
}

/**
 * Make sure the lab can run here: root, namespaces allowed, packages present (installed with apt-get
 * when missing and we are root). Throws LabError with the exact command to run otherwise.
 */
export async function ensureLabPrerequisites(onProgress: (msg: string) => void = () => {}): Promise<void> {
  if (process.platform !== 'linux') throw new LabError('the lab needs Linux (network, PID and mount namespaces)');
  if (!isRoot()) throw notRootError();
  const missing = missingPackages();
  if (missing.length) {
    if (!findProgram('apt-get')) {
      throw new LabError(
        `missing packages: ${missing.join(' ')}. Install them with your package manager (no apt-get here).`,
      );
    }
    onProgress(`installing ${missing.join(' ')} with apt-get`);
    await mustRun('apt-get', ['update'], 'apt-get update', { timeoutMs: 300_000 });
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = await tool('apt-get', ['install', '-y', ...missing], { env, timeoutMs: 600_000 });
    const still = missingPackages();
    if (install.code !== 0 || still.length) {
      throw new LabError(
        `could not install ${missing.join(' ')}; run: DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing.join(' ')}\n${install.stderr.trim().split('\n').slice(-5).join('\n')}`,
      );
    }
  }
  await raiseInotifyLimit(onProgress);
  const probe = await tool('unshare', ['--net', '--pid', '--fork', '--mount', '--uts', 'true'], { timeoutMs: 10_000 });
  if (probe.code !== 0) {
    throw new LabError(
      `this machine does not allow network/PID/mount namespaces (unshare failed: ${probe.stderr.trim()}). ` +
        'Run the lab on a VM or a privileged container.',
    );
  }
}

/**
 * Each booted machine's systemd, journald, logind… hold inotify instances of root; Linux's default 128 runs out near a
 * dozen machines.
 */
const INOTIFY_INSTANCES = '/proc/sys/fs/inotify/max_user_instances';
const INOTIFY_NEEDED = 8192;

/**
 * This machine's capacity for many booted machines (as LXD and Docker hosts set it); the lab hosts themselves are
 * untouched.
 */
async function raiseInotifyLimit(onProgress: (msg: string) => void): Promise<void> {
  let current: number;
  try {
    current = Number(readFileSync(INOTIFY_INSTANCES, 'utf8').trim());
  } catch {
    return; // not Linux as we know it: booting will say what is wrong
  }
  if (current >= INOTIFY_NEEDED) return;
  try {
    writeFileSync(INOTIFY_INSTANCES, `${INOTIFY_NEEDED}\n`);
    onProgress(
      `raised fs.inotify.max_user_instances from ${current} to ${INOTIFY_NEEDED} (each booted machine's systemd uses several)`,
    );
  } catch (error) {
    throw new LabError(
      `cannot raise fs.inotify.max_user_instances (${(error as Error).message}); run: sysctl -w fs.inotify.max_user_instances=${INOTIFY_NEEDED}`,
    );
  }
}
