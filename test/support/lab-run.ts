// Helpers of the fault and interrupt tests on the lab: run the CLI and act on it mid-run, reach a
// host when its sshd is gone, and tell whether the pair is healthy again.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LabInfo } from '../../src/lab/lab.js';
import { REPO_ROOT } from '../../src/paths.js';
import type { Role, RunResult } from '../../src/types.js';
import { ssh, waitUntil } from './lab.js';

const CLI = join(REPO_ROOT, 'dist', 'src', 'cli.js');
const execFileAsync = promisify(execFile);

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  report?: RunResult;
}

/**
 * `hagrade check ARGS --format json --out FILE`. `onStderr` sees the progress so far each time more
 * arrives and may return a signal to send (once), or start something (it is called until it returns
 * a value other than undefined).
 */
export function runHagrade(args: string[], onStderr?: (stderr: string) => NodeJS.Signals | 'done' | undefined): Promise<CliRun> {
  const dir = mkdtempSync(join(tmpdir(), 'hagrade-fault-'));
  const out = join(dir, 'report.json');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'check', ...args, '--format', 'json', '--out', out], {
      env: { ...process.env, NO_COLOR: '1', LANG: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let acted = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (acted || !onStderr) return;
      const action = onStderr(stderr);
      if (action === undefined) return;
      acted = true;
      if (action !== 'done') child.kill(action);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      let report: RunResult | undefined;
      try {
        report = JSON.parse(readFileSync(out, 'utf8')) as RunResult;
      } catch {
        report = undefined;
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr, ...(report ? { report } : {}) });
    });
  });
}

/** A JavaScript stack frame in the output: what a user must never see. */
export const STACK_FRAME = /^\s+at (?:.+ \()?(?:file:|node:|\/)\S*:\d+:\d+\)?$/m;

export const statusesOf = (report: RunResult, status: string) => report.results.filter((r) => r.status === status).map((r) => r.id).sort();

/** "ID: message; message" for every result with that status: failure messages that explain themselves. */
export const explain = (report: RunResult, status: string) =>
  report.results.filter((r) => r.status === status).map((r) => `${r.id}: ${r.findings.filter((f) => f.kind === status).map((f) => f.message).join('; ')}`);

export function pairOf(lab: LabInfo) {
  return lab.pairs[0]!;
}

export async function haproxyActiveOn(lab: LabInfo, role: Role): Promise<boolean> {
  const r = await ssh(lab, pairOf(lab)[role].address, 'systemctl is-active haproxy');
  return r.stdout.trim() === 'active';
}

export async function vipOnMasterOnly(lab: LabInfo): Promise<boolean> {
  const pair = pairOf(lab);
  const [m, b] = await Promise.all([ssh(lab, pair.master.address, 'ip -o -4 addr show'), ssh(lab, pair.backup.address, 'ip -o -4 addr show')]);
  return m.stdout.includes(`inet ${pair.vip}/`) && !b.stdout.includes(`inet ${pair.vip}/`);
}

/** haproxy running on master (by the grader or the dead-man switch) and the VIP back on master. */
export async function waitHealthy(lab: LabInfo, haproxyWithinMs = 60_000): Promise<void> {
  await waitUntil('haproxy active on master', haproxyWithinMs, () => haproxyActiveOn(lab, 'master'));
  await waitUntil('haproxy active on backup', 10_000, () => haproxyActiveOn(lab, 'backup'));
  await waitUntil('VIP on master only', 30_000, () => vipOnMasterOnly(lab));
}

/** PID 1 of a lab host, as this (root) namespace sees it: the way in when the host's sshd is gone. */
async function initPid(ns: string): Promise<number> {
  const { stdout } = await execFileAsync('ip', ['netns', 'pids', ns]);
  for (const pid of stdout.split('\n').filter(Boolean)) {
    try {
      const nspid = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]?.split(/\s+/);
      if (nspid?.length === 2 && nspid[1] === '1') return Number(pid);
    } catch {
      // ended meanwhile
    }
  }
  throw new Error(`lab host ${ns} has no PID 1`);
}

/** Run a command inside a lab host without SSH (nsenter into its namespaces). */
export async function inHost(lab: LabInfo, role: Role, argv: string[]): Promise<{ stdout: string; stderr: string }> {
  const pid = await initPid(pairOf(lab)[role].ns);
  return execFileAsync('nsenter', ['-t', String(pid), '-p', '-m', '-n', '-u', '--', ...argv], { timeout: 30_000 });
}
