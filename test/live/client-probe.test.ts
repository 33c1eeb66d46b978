// The client probe end to end on the real lab, from this machine (the root namespace, outside both
// hosts) to VIP:443: on an l2 network clients follow the VIP to backup; on a cloud network (the
// VIP's route pinned to master) the VIP moves but clients fail until it is back, and hagrade says why.
// Each expectation is what the lab's packet path must give, measured on the run's own clock.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../../src/model/check.js';
import type { ServiceTimeline } from '../../src/model/service.js';
import { FOLLOW_GRACE_MS } from '../../src/probe/service.js';
import { DEFAULT_RELEASE } from '../../src/lab/lab.js';
import { useLab } from '../support/lab.js';
import { haproxyActiveOn, runHagrade, statusesOf } from '../support/lab-run.js';

/** Time for one request to be sent after something changed (10 a second), plus the grader's own observation lag. */
const SLACK_MS = 1500;

function serviceOf(report: RunResult): ServiceTimeline {
  const service = report.failover?.service;
  expect(service, 'the run has a service timeline').to.not.equal(undefined);
  expect(service!.notRun, JSON.stringify(service!.notRun)).to.equal(undefined);
  return service!;
}

describe('client probe through the VIP @lab', function () {
  this.timeout(240_000);

  it('l2 network: down about the failover time, then served by backup; evidence only by default', async () => {
    const lab = await useLab('correct', DEFAULT_RELEASE, 'l2');
    const run = await runHagrade(['--inventory', lab.inventoryPath]);
    const report = run.report!;
    expect(statusesOf(report, 'fail'), run.stderr).to.deep.equal([]);
    expect(run.code).to.equal(0);
    const s = serviceOf(report);
    const m = s.moments!;
    expect(s.identifiedBy, 'the lab backend names its host').to.equal('answer');
    expect(m.vipOnBackupAtMs).to.be.a('number');
    expect(m.vipBackAtMs).to.be.a('number');
    // Before the stop master answers; from the stop until the VIP reaches backup, master refuses.
    expect(s.samples.filter((x) => x.atMs < m.stopAtMs).every((x) => x.servedBy === 'master')).to.equal(true);
    const outage = s.outages[0]!;
    expect(outage.phase).to.equal('failover');
    expect(outage.fromMs).to.be.at.least(m.stopAtMs);
    // The first answer after it comes from backup, which now holds the VIP.
    const firstAfter = s.samples.find((x) => x.atMs === outage.toMs)!;
    expect(firstAfter.servedBy).to.equal('backup');
    // Downtime ≈ the time the VIP took to reach backup from the stop (request spacing and observation lag aside).
    expect(s.failoverDowntimeMs!).to.be.closeTo(m.vipOnBackupAtMs! - m.stopAtMs, SLACK_MS);
    // While backup held the VIP (after clients had time to follow), backup answered every request.
    const held = s.samples.filter(
      (x) => x.atMs > m.vipOnBackupAtMs! + FOLLOW_GRACE_MS && x.atMs < m.vipBackAtMs! - SLACK_MS,
    );
    expect(held.length).to.be.above(10);
    expect(held.map((x) => x.servedBy ?? x.outcome)).to.satisfy((by: string[]) => by.every((b) => b === 'backup'));
    // Failback on L2: backup drops the VIP, master takes it with a gratuitous ARP; clients barely notice.
    expect(s.failbackDowntimeMs!).to.be.at.most(SLACK_MS);
    expect(s.recovered).to.equal(true);
    expect(s.diagnosis).to.equal(undefined);
    // Bounded: never more requests than the bound, all of them at the profile's rate or slower.
    expect(s.sent + s.cancelled).to.be.at.most(s.maxRequests);
    expect(s.sent + s.cancelled).to.be.at.most(Math.ceil((m.endAtMs - s.samples[0]!.atMs) / 100) + 1);
    const fov004 = report.results.find((r) => r.id === 'FOV004')!;
    expect(fov004.status).to.equal('skip');
    expect(fov004.findings.map((f) => f.messageId)).to.deep.equal(['evidenceOnly']);
    expect(run.stdout).to.match(/clients through 203\.0\.113\.\d+:443: \d+ of \d+ requests failed/);
    expect(await haproxyActiveOn(lab, 'master')).to.equal(true);
  });

  it('cloud network: the VIP moves but clients fail until it is back on master; hagrade says why', async () => {
    const lab = await useLab('correct', DEFAULT_RELEASE, 'cloud');
    const run = await runHagrade(['--inventory', lab.inventoryPath, '--lang', 'ru']);
    const report = run.report!;
    // The course's grading is unchanged: the VIP moved both ways, as the course asks.
    expect(statusesOf(report, 'fail'), run.stderr).to.deep.equal([]);
    expect(
      report.results.filter((r) => r.id.startsWith('FOV00') && r.id !== 'FOV004').map((r) => r.status),
    ).to.deep.equal(['pass', 'pass', 'pass']);
    expect(run.code).to.equal(0);
    const s = serviceOf(report);
    const m = s.moments!;
    // The route is pinned to master: backup never sees a client.
    expect(s.servedBy.backup).to.equal(0);
    // One outage from the stop until the VIP is back on master and answers again.
    expect(s.outages).to.have.length(1);
    const outage = s.outages[0]!;
    expect(outage.fromMs).to.be.at.least(m.stopAtMs);
    expect(outage.toMs).to.be.a('number');
    expect(outage.toMs!).to.be.at.least(m.vipBackAtMs! - SLACK_MS);
    expect(s.samples.find((x) => x.atMs === outage.toMs)!.servedBy).to.equal('master');
    expect(s.failoverDowntimeMs!).to.be.at.least(m.vipBackAtMs! - m.stopAtMs - SLACK_MS);
    // While backup held the VIP, master had no such address any more: packets dropped, requests timed out.
    const held = s.samples.filter(
      (x) => x.atMs > m.vipOnBackupAtMs! + FOLLOW_GRACE_MS && x.atMs < m.vipBackAtMs! - SLACK_MS,
    );
    expect(held.length).to.be.above(5);
    expect(new Set(held.map((x) => x.outcome))).to.deep.equal(new Set(['timeout']));
    expect(s.diagnosis).to.equal('vrrp-ignored-failing');
    const fov004 = report.results.find((r) => r.id === 'FOV004')!;
    expect(fov004.status).to.equal('skip');
    expect(fov004.findings.map((f) => f.messageId)).to.deep.equal(['evidenceOnly', 'vrrpIgnoredFailing']);
    expect(fov004.findings[1]!.message).to.match(/эта сеть не следует VRRP/);
    expect(run.stdout).to.match(/эта сеть не следует VRRP/);
    expect(await haproxyActiveOn(lab, 'master')).to.equal(true);
  });

  it('graded by the lab profile: FOV004 passes on l2 and fails on the cloud network', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hagrade-client-'));
    const profile = join(dir, 'lab.yaml');
    writeFileSync(profile, 'servicePoints: 4\n');
    try {
      const cloud = await useLab('correct', DEFAULT_RELEASE, 'cloud');
      const onCloud = (await runHagrade(['--inventory', cloud.inventoryPath, '--lab', profile])).report!;
      expect(statusesOf(onCloud, 'fail')).to.deep.equal(['FOV004']);
      const l2 = await useLab('correct', DEFAULT_RELEASE, 'l2');
      const onL2 = (await runHagrade(['--inventory', l2.inventoryPath, '--lab', profile])).report!;
      const fov004 = onL2.results.find((r) => r.id === 'FOV004')!;
      expect(fov004.status, fov004.findings.map((f) => f.message).join('; ')).to.equal('pass');
      expect(fov004.points).to.equal(4);
      expect(onL2.exitCode).to.equal(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
