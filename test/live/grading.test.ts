// End-to-end live grading on the real lab: the hagrade CLI over SSH against real sshd, haproxy and
// keepalived, failover probe included; and interrupted probes (SIGINT, SIGKILL) leave haproxy running.
// The broken scenarios are graded as a class in batch.test.ts.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/paths.js';
import type { RunResult } from '../../src/types.js';
import { ssh, useLab, waitUntil } from '../support/lab.js';
import type { LabInfo } from '../../src/lab/lab.js';

const CLI = join(REPO_ROOT, 'dist', 'src', 'cli.js');

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  report?: RunResult;
}

/**
 * Run `hagrade check --inventory … --format json --out FILE`; `onStderr` sees progress lines as they
 * come and may return a signal to send to the grader (to interrupt it at a chosen step).
 */
function runHagrade(args: string[], onStderr?: (text: string) => NodeJS.Signals | undefined): Promise<CliRun> {
  const dir = mkdtempSync(join(tmpdir(), 'hagrade-e2e-'));
  const out = join(dir, 'report.json');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'check', ...args, '--format', 'json', '--out', out], {
      env: { ...process.env, NO_COLOR: '1', LANG: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const sig = signalled ? undefined : onStderr?.(stderr);
      if (sig) {
        signalled = true;
        child.kill(sig);
      }
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

const failedIds = (r: RunResult) => r.results.filter((x) => x.status === 'fail').map((x) => x.id).sort();
const errors = (r: RunResult) => r.results.filter((x) => x.status === 'error').map((x) => `${x.id}: ${x.findings.map((f) => f.message).join('; ')}`);

async function haproxyActiveOnMaster(lab: LabInfo): Promise<boolean> {
  const r = await ssh(lab, lab.pairs[0]!.master.address, 'systemctl is-active haproxy');
  return r.stdout.trim() === 'active';
}

async function vipOnMasterOnly(lab: LabInfo): Promise<boolean> {
  const pair = lab.pairs[0]!;
  const [m, b] = await Promise.all([ssh(lab, pair.master.address, 'ip -o -4 addr show'), ssh(lab, pair.backup.address, 'ip -o -4 addr show')]);
  return m.stdout.includes(`inet ${pair.vip}/`) && !b.stdout.includes(`inet ${pair.vip}/`);
}

describe('live grading over SSH @lab', function () {
  this.timeout(180_000);

  it('correct: every check passes, the probe measures failover and failback, exit 0', async () => {
    const lab = await useLab('correct');
    const run = await runHagrade(['--inventory', lab.inventoryPath]);
    expect(run.report, run.stderr).to.not.equal(undefined);
    const report = run.report!;
    expect(errors(report)).to.deep.equal([]);
    expect(failedIds(report)).to.deep.equal([]);
    expect(report.results.filter((r) => r.status === 'skip').map((r) => r.id)).to.deep.equal([]);
    expect(run.code).to.equal(0);
    expect(report.target.kind).to.equal('ssh');
    expect(report.failover?.failoverMs).to.be.a('number');
    expect(report.failover?.failbackMs).to.be.a('number');
    expect(report.failover!.failoverMs!).to.be.below(report.failover!.deadlineMs!);
    const events = report.failover!.events.map((e) => `${e.host}:${e.event}`);
    expect(events).to.include.members(['master:haproxy-stopped', 'backup:vip-added', 'master:vip-removed', 'master:haproxy-started', 'master:vip-added', 'backup:vip-removed']);
    // The probe said what it was about to do before it did it.
    expect(run.stderr).to.match(/stopping haproxy on master/);
    expect(await haproxyActiveOnMaster(lab)).to.equal(true);
    // Evidence: the live checks kept the commands they ran.
    const liv003 = report.results.find((r) => r.id === 'LIV003')!;
    expect(liv003.evidence?.some((e) => e.command.includes('ip -o -4 addr show'))).to.equal(true);
  });
  // Every broken scenario is graded, all at once, in test/live/batch.test.ts.
});

describe('interrupted probes leave haproxy running @lab', function () {
  this.timeout(180_000);

  it('SIGINT while the VIP is away: hagrade restores haproxy itself, and a second run finds the pair healthy', async () => {
    const lab = await useLab('correct');
    await waitUntil('VIP on master only', 30_000, () => vipOnMasterOnly(lab));
    const run = await runHagrade(['--inventory', lab.inventoryPath], (stderr) =>
      /waiting for the VIP on backup/.test(stderr) ? 'SIGINT' : undefined,
    );
    expect(run.stderr).to.match(/SIGINT received/);
    expect(run.report?.results.find((r) => r.id === 'FOV003')?.status).to.equal('pass');
    expect(await haproxyActiveOnMaster(lab)).to.equal(true);
    await waitUntil('VIP back on master', 30_000, () => vipOnMasterOnly(lab));
    const again = await runHagrade(['--inventory', lab.inventoryPath, '--no-failover']);
    expect(failedIds(again.report!)).to.deep.equal([]);
    expect(errors(again.report!)).to.deep.equal([]);
  });

  it('SIGKILL while the VIP is away: the dead-man switch on master starts haproxy by itself', async () => {
    const lab = await useLab('correct');
    await waitUntil('VIP on master only', 30_000, () => vipOnMasterOnly(lab));
    const run = await runHagrade(['--inventory', lab.inventoryPath], (stderr) =>
      /waiting for the VIP on backup/.test(stderr) ? 'SIGKILL' : undefined,
    );
    expect(run.signal).to.equal('SIGKILL');
    expect(await haproxyActiveOnMaster(lab)).to.equal(false);
    // The switch fires after the failover deadline plus its own slack (about 20 s on the lab's timers).
    const waited = await waitUntil('haproxy started by the dead-man switch', 60_000, () => haproxyActiveOnMaster(lab));
    expect(waited).to.be.above(0);
    await waitUntil('VIP back on master', 30_000, () => vipOnMasterOnly(lab));
  });
});
