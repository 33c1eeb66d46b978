// Helpers of the fault and interrupt tests on the lab: run the CLI and act on it mid-run, reach a
// host when its sshd is gone, and tell whether the pair is healthy again.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabInfo } from '../../src/lab/lab.js';
import { labExec } from '../../src/lab/lab.js';
import type { Role } from '../../src/model/basics.js';
import type { RunResult } from '../../src/model/check.js';
import { ssh, waitUntil } from './lab.js';
import { CLI } from './cli-path.js';

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
export function runHagrade(
  args: string[],
  onStderr?: (stderr: string) => NodeJS.Signals | 'done' | undefined,
): Promise<CliRun> {
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

export const statusesOf = (report: RunResult, status: string) =>
  report.results
    .filter((r) => r.status === status)
    .map((r) => r.id)
    .sort();

/** "ID: message; message" for every result with that status: failure messages that explain themselves. */
export const explain = (report: RunResult, status: string) =>
  report.results
    .filter((r) => r.status === status)
    .map(
      (r) =>
        `${r.id}: ${r.findings
          .filter((f) => f.kind === status)
          .map((f) => f.message)
          .join('; ')}`,
    );

export function pairOf(lab: LabInfo) {
  return lab.pairs[0]!;
}

export async function haproxyActiveOn(lab: LabInfo, role: Role): Promise<boolean> {
  const r = await ssh(lab, pairOf(lab)[role].address, 'systemctl is-active haproxy');
  return r.stdout.trim() === 'active';
}

export async function vipOnMasterOnly(lab: LabInfo): Promise<boolean> {
  const pair = pairOf(lab);
  const [m, b] = await Promise.all([
    ssh(lab, pair.master.address, 'ip -o -4 addr show'),
    ssh(lab, pair.backup.address, 'ip -o -4 addr show'),
  ]);
  return m.stdout.includes(`inet ${pair.vip}/`) && !b.stdout.includes(`inet ${pair.vip}/`);
}

/** haproxy running on master (by the grader or the dead-man switch) and the VIP back on master. */
export async function waitHealthy(lab: LabInfo, haproxyWithinMs = 60_000): Promise<void> {
  await waitUntil('haproxy active on master', haproxyWithinMs, () => haproxyActiveOn(lab, 'master'));
  await waitUntil('haproxy active on backup', 10_000, () => haproxyActiveOn(lab, 'backup'));
  await waitUntil('VIP on master only', 30_000, () => vipOnMasterOnly(lab));
}

/** Run a command inside a lab host without SSH (the way in when its sshd is gone). */
export async function inHost(lab: LabInfo, role: Role, argv: string[]): Promise<{ stdout: string; stderr: string }> {
  const r = await labExec(pairOf(lab)[role].ns, argv);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} on ${role} failed (exit ${r.code}): ${r.stderr}`);
  return r;
}
