// A throwaway OpenSSH server on 127.0.0.1 for tests of SshHost: real handshakes, real channels, no mocks.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLabPrerequisites } from '../../src/lab/system.js';

export const SSHD = '/usr/sbin/sshd';

export interface TestSshd {
  readonly port: number;
  readonly dir: string;
  /** Private key accepted for every user (root and the others in authorized_keys). */
  readonly clientKey: string;
  /** `[127.0.0.1]:port type key` lines for every host key, as known_hosts wants them. */
  knownHostsLines(): string[];
  /** The sshd log so far (for failure messages). */
  log(): string;
  /** Kill the per-connection sshd processes (and their sessions), keeping the listener. */
  dropConnections(): void;
  /** Kill everything: the listener and every connection; resolves when the listener is gone. */
  kill(): Promise<void>;
  /** Start the listener again on the same port with the same keys. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface SshdOptions {
  /** Host key types to generate, e.g. ['ed25519', 'ecdsa']. */
  hostKeyTypes?: string[];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something on the port answers with an SSH banner. */
async function waitForBanner(port: number, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.setTimeout(500);
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('SSH-'));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`sshd on port ${port} did not answer within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every process below pid (sshd's per-connection processes start their own sessions, so groups do not catch them). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export async function startSshd(opts: SshdOptions = {}): Promise<TestSshd> {
  // A fresh machine may lack sshd, sudo or the tools the tests run: install them as the lab does.
  await ensureLabPrerequisites();
  // sshd insists on its privilege separation directory; the openssh-server service normally creates it.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), 'hagrade-sshd-'));
  // Readable by other users, so a non-root login can read authorized_keys (StrictModes is off).
  chmodSync(dir, 0o755);
  const port = await freePort();
  const hostKeys = (opts.hostKeyTypes ?? ['ed25519']).map((type) => {
    const file = join(dir, `host_${type}`);
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', file]);
    return file;
  });
  const clientKey = join(dir, 'client_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', clientKey]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`), { mode: 0o644 });
  chmodSync(join(dir, 'authorized_keys'), 0o644);
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    `${[
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      ...hostKeys.map((k) => `HostKey ${k}`),
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      // With PAM, sshd lets keys into accounts whose password is locked (most service users).
      'UsePAM yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'MaxSessions 10',
      'LogLevel VERBOSE',
    ].join('\n')}\n`,
  );

  let child: ChildProcess | undefined;
  let log = '';
  const start = async (): Promise<void> => {
    child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<never>((_, reject) =>
      child!.once('exit', (code) => reject(new Error(`sshd exited (${code}):\n${log}`))),
    );
    exited.catch(() => undefined); // only the race below cares; a later exit is expected (kill)
    await Promise.race([waitForBanner(port, 5000), exited]);
  };
  await start();
  const listener = (): number | undefined =>
    child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  const kill = async (): Promise<void> => {
    const pid = listener();
    if (!pid) return;
    const all = descendants(pid);
    const gone = new Promise((resolve) => child!.once('exit', resolve));
    killAll([pid, ...all]);
    await gone;
  };

  return {
    port,
    dir,
    clientKey,
    knownHostsLines: () =>
      hostKeys.map(
        (k) => `[127.0.0.1]:${port} ${readFileSync(`${k}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ')}`,
      ),
    log: () => log,
    dropConnections: () => {
      const pid = listener();
      if (pid) killAll(descendants(pid));
    },
    kill,
    restart: async () => {
      const pid = listener();
      if (pid) throw new Error('sshd is still running');
      await start();
    },
    stop: async () => {
      await kill();
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
