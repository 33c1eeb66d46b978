// The client probe (FOV004) during the simulated failover: what clients saw on an l2 network and on
// a cloud one, graded or as evidence only, and when no client can run.
import { expect } from 'chai';
import { runChecks } from '../../src/engine/run.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import type { Check, CheckContext } from '../../src/model/check.js';
import FOV001 from '../../checks/FOV001.js';
import FOV002 from '../../checks/FOV002.js';
import FOV003 from '../../checks/FOV003.js';
import FOV004 from '../../checks/FOV004.js';
import { summarizeService } from '../../src/probe/service.js';
import type { ProbeOutcome } from '../../src/probe/failover.js';
import type { LabProfile } from '../../src/model/target.js';
import type { ServiceClient, ServiceSample, ServiceTimeline } from '../../src/model/service.js';
import { expectFindings } from '../support/check-tester.js';
import { fov, networkClient, probe, SimulatedPair, statuses, VIP } from './simulated-pair.js';

describe('client probe during the simulated failover (FOV004)', function () {
  this.timeout(30_000);
  const graded: LabProfile = { ...DEFAULT_PROFILE, servicePoints: 3 };

  it('l2: the outage ends when backup answers; evidence only by default (skip, score unchanged)', async () => {
    const pair = new SimulatedPair({ moves: true, returns: true, delayMs: 1500 });
    const client = networkClient(pair, 'l2');
    const result = await probe(pair, undefined, client);
    const service = result.failover!.service!;
    expect(service.identifiedBy).to.equal('answer');
    expect(service.servedBy.backup).to.be.above(0);
    expect(service.diagnosis).to.equal(undefined);
    expect(service.recovered).to.equal(true);
    // The packet path: refused from the stop until the VIP reached backup, answered by backup after.
    const firstBackup = service.samples.find((s) => s.servedBy === 'backup')!;
    expect(
      service.samples
        .filter((s) => s.atMs < firstBackup.atMs && s.atMs > service.moments!.stopAtMs)
        .map((s) => s.outcome),
    ).to.satisfy((o: string[]) => o.length > 0 && o.every((x) => x === 'refused'));
    expect(service.failoverDowntimeMs).to.equal(firstBackup.atMs - service.outages[0]!.fromMs);
    expect(service.sent + service.cancelled).to.be.at.most(service.maxRequests);
    expect(client.sent - 1, 'requests the client probe sent (one more checked the VIP before)').to.equal(
      service.sent + service.cancelled,
    );
    const fov004 = fov(result, 'FOV004');
    expect(fov004.status).to.equal('skip');
    expectFindings(fov004, [{ messageId: 'evidenceOnly', kind: 'skip' }]);
    expect(result.summary.maxScore).to.equal(FOV001.points + FOV002.points);
  });

  it('l2, graded by the profile: passes with the downtime and its points', async () => {
    const pair = new SimulatedPair({ moves: true, returns: true, delayMs: 1500 });
    const result = await probe(pair, undefined, networkClient(pair, 'l2'), graded);
    const fov004 = fov(result, 'FOV004');
    expect(fov004.status, fov004.findings.map((f) => f.message).join('; ')).to.equal('pass');
    expect(fov004.points).to.equal(3);
    expectFindings(fov004, [{ messageId: 'served', kind: 'note' }]);
  });

  it('cloud: the VIP moves but clients fail while backup holds it; said plainly, graded as a failure only by the profile', async () => {
    const pair = new SimulatedPair({ moves: true, returns: true, delayMs: 2500 });
    const evidence = await probe(pair, undefined, networkClient(pair, 'cloud'));
    expect(statuses(evidence)).to.deep.equal(['FOV001:pass', 'FOV002:pass', 'FOV003:pass']);
    const service = evidence.failover!.service!;
    expect(service.diagnosis).to.equal('vrrp-ignored-failing');
    expect(service.servedBy.backup).to.equal(0);
    expectFindings(fov(evidence, 'FOV004'), [
      { messageId: 'evidenceOnly', kind: 'skip' },
      { messageId: 'vrrpIgnoredFailing', kind: 'skip' },
    ]);
    expect(evidence.exitCode).to.equal(0);

    const pair2 = new SimulatedPair({ moves: true, returns: true, delayMs: 2500 });
    const gradedRun = await probe(pair2, undefined, networkClient(pair2, 'cloud'), graded);
    const fov004 = fov(gradedRun, 'FOV004');
    expect(fov004.status).to.equal('fail');
    expectFindings(fov004, [{ messageId: 'vrrpIgnoredFailing', kind: 'fail' }]);
    expect(gradedRun.exitCode).to.equal(1);
  });

  it("graded: clients served by backup only long after the VIP moved exceed keepalived's bound", async () => {
    // The probe's outcome as given (a seed check fills the run's memo the FOV checks share): the VIP
    // moved in 1.5 s, keepalived's bound is 5 s, but clients reached backup only 8 s after the stop.
    const samples: ServiceSample[] = [];
    for (let at = 0; at < 12_000; at += 100) {
      const by = at < 8000 ? undefined : at < 11_000 ? 'backup' : 'master';
      samples.push(
        by
          ? { atMs: at, outcome: 'answered', latencyMs: 2, servedBy: by }
          : { atMs: at, outcome: 'refused', latencyMs: 1 },
      );
    }
    const moments = { stopAtMs: 0, vipOnBackupAtMs: 1500, startAtMs: 1600, vipBackAtMs: 11_000, endAtMs: 12_000 };
    const service: ServiceTimeline = {
      target: `${VIP}:443`,
      origin: 'test',
      ratePerSecond: 10,
      maxRequests: 500,
      samples,
      cancelled: 0,
      moments,
      ...summarizeService(samples, moments),
    };
    const outcome: ProbeOutcome = {
      precheck: { ok: true },
      failover: { status: 'pass', ms: 1500 },
      failback: { status: 'pass', ms: 9400 },
      restore: { ok: true },
      deadlines: { failoverMs: 5000, failbackMs: 12_000, deadmanMs: 15_000, convergenceMs: 10_000, source: 'config' },
      timeline: { events: [], service },
      interrupted: false,
    };
    const seed = {
      ...FOV003,
      id: 'SEED',
      points: 0,
      run: async (ctx: CheckContext) => void (await ctx.memo('failover-probe', async () => outcome)),
    } as Check;
    const pair = new SimulatedPair({ moves: true, returns: true, delayMs: 0 });
    const result = await runChecks({
      checks: [seed, FOV004] as Check[],
      hosts: { master: pair.host('master'), backup: pair.host('backup') },
      target: { master: { address: VIP }, backup: { address: '203.0.113.20' } },
      profile: graded,
      options: { lang: 'en', failover: true, live: true },
    });
    expect(service.diagnosis, 'backup did answer while it held the VIP').to.equal(undefined);
    const fov004 = fov(result, 'FOV004');
    expect(fov004.status).to.equal('fail');
    expectFindings(fov004, [{ messageId: 'downtimeTooLongFailover', kind: 'fail' }]);
    expect(fov004.findings[0]!.message).to.contain('down 8.0 s during failover, longer than the 5.0 s');
    expect(pair.log, 'nothing ran on the hosts').to.deep.equal([]);
  });

  it('a VIP the grader cannot reach is a note before the probe, not a failure, and no client runs', async () => {
    const pair = new SimulatedPair({ moves: true, returns: true, delayMs: 100 });
    let sent = 0;
    const silent: ServiceClient = {
      origin: 'test',
      request: async () => (sent++, { outcome: 'timeout', latencyMs: 3000, detail: 'no connection in time' }),
    };
    const result = await probe(pair, undefined, silent, graded);
    expect(statuses(result)).to.deep.equal(['FOV001:pass', 'FOV002:pass', 'FOV003:pass']);
    expect(result.failover!.service!.notRun).to.deep.equal({
      reason: 'unreachable',
      detail: 'timeout: no connection in time',
    });
    expect(sent, 'only the reachability tries').to.equal(2);
    const fov004 = fov(result, 'FOV004');
    expect(fov004.status).to.equal('skip');
    expectFindings(fov004, [{ messageId: 'unreachable', kind: 'skip' }]);
  });

  it('clientRate 0 turns the client off; a run without a client says so', async () => {
    const pair = new SimulatedPair({ moves: true, returns: true, delayMs: 100 });
    const client = networkClient(pair, 'l2');
    const off = await probe(pair, undefined, client, { ...DEFAULT_PROFILE, clientRate: 0 });
    expect(client.sent).to.equal(0);
    expectFindings(fov(off, 'FOV004'), [{ messageId: 'clientDisabled', kind: 'skip' }]);
    const none = await probe(new SimulatedPair({ moves: true, returns: true, delayMs: 100 }));
    expectFindings(fov(none, 'FOV004'), [{ messageId: 'noClient', kind: 'skip' }]);
  });
});
