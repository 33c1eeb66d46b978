// End-to-end live grading on the real lab: the hagrade CLI over SSH against real sshd, haproxy and
// keepalived, failover probe included; and interrupted probes (SIGINT, SIGKILL) leave haproxy running.
// The broken scenarios are graded as a class in batch.test.ts.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../../src/model/check.js';
import { useLab, waitUntil } from '../support/lab.js';
import { haproxyActiveOn, runHagrade, statusesOf, vipOnMasterOnly } from '../support/lab-run.js';
import { CLI } from '../support/cli-path.js';

const failedIds = (r: RunResult) => statusesOf(r, 'fail');
const errors = (r: RunResult) =>
  r.results.filter((x) => x.status === 'error').map((x) => `${x.id}: ${x.findings.map((f) => f.message).join('; ')}`);

describe('live grading over SSH @lab', function () {
  this.timeout(180_000);

  it('correct: every check passes, the probe measures failover and failback, exit 0', async () => {
    const lab = await useLab('correct');
    const run = await runHagrade(['--inventory', lab.inventoryPath]);
    expect(run.report, run.stderr).to.not.equal(undefined);
    const report = run.report!;
    expect(errors(report)).to.deep.equal([]);
    expect(failedIds(report)).to.deep.equal([]);
    // FOV004 (clients through the VIP) is evidence only unless the lab profile grades it: a skip that says so.
    expect(
      report.results
        .filter((r) => r.status === 'skip')
        .map((r) => `${r.id}:${r.findings.map((f) => f.messageId).join(',')}`),
    ).to.deep.equal(['FOV004:evidenceOnly']);
    expect(run.code).to.equal(0);
    expect(report.target.kind).to.equal('ssh');
    expect(report.failover?.failoverMs).to.be.a('number');
    expect(report.failover?.failbackMs).to.be.a('number');
    expect(report.failover!.failoverMs!).to.be.below(report.failover!.deadlineMs!);
    const events = report.failover!.events.map((e) => `${e.host}:${e.event}`);
    expect(events).to.include.members([
      'master:haproxy-stopped',
      'backup:vip-added',
      'master:vip-removed',
      'master:haproxy-started',
      'master:vip-added',
      'backup:vip-removed',
    ]);
    // The probe said what it was about to do before it did it.
    expect(run.stderr).to.match(/stopping haproxy on master/);
    expect(await haproxyActiveOn(lab, 'master')).to.equal(true);
    // Evidence: the live checks kept the commands they ran.
    const liv003 = report.results.find((r) => r.id === 'LIV003')!;
    expect(liv003.evidence?.some((e) => e.command.includes('ip -o -4 addr show'))).to.equal(true);
  });
  it('hagrade snapshot saves the pair; re-graded offline it gives the live verdicts, without secrets', async () => {
    const lab = await useLab('correct');
    const dir = mkdtempSync(join(tmpdir(), 'hagrade-snap-e2e-'));
    try {
      const snap = spawnSync(
        process.execPath,
        [CLI, 'snapshot', '--inventory', lab.inventoryPath, '--out', join(dir, 'snap')],
        { encoding: 'utf8' },
      );
      expect(snap.status, snap.stderr).to.equal(0);
      expect(snap.stdout).to.match(/hagrade check --snapshot/);
      const live = await runHagrade(['--inventory', lab.inventoryPath, '--no-failover']);
      const offline = await runHagrade(['--snapshot', join(dir, 'snap'), '--no-failover']);
      const verdicts = (r: RunResult) =>
        r.results.filter((x) => x.mode !== 'disruptive').map((x) => `${x.id}:${x.status}`);
      expect(verdicts(offline.report!)).to.deep.equal(verdicts(live.report!));
      const pem = readFileSync(join(dir, 'snap', 'master', 'etc', 'haproxy', 'rebrain.pem'), 'utf8');
      expect(pem).to.not.match(/-----BEGIN (RSA |EC )?PRIVATE KEY-----/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
    expect(await haproxyActiveOn(lab, 'master')).to.equal(true);
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
    expect(await haproxyActiveOn(lab, 'master')).to.equal(false);
    // The switch fires after the failover deadline plus its own slack (about 20 s on the lab's timers).
    const waited = await waitUntil('haproxy started by the dead-man switch', 60_000, () =>
      haproxyActiveOn(lab, 'master'),
    );
    expect(waited).to.be.above(0);
    await waitUntil('VIP back on master', 30_000, () => vipOnMasterOnly(lab));
  });
});
