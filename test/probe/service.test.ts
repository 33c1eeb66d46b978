// The service timeline's arithmetic (outages, downtime per phase, the VRRP diagnosis), how answers are
// told apart, and the terminal's two-line drawing: all on hand-made samples whose answers are known.
import { expect } from 'chai';
import { makeIdentifier } from '../../src/probe/client-probe.js';
import { diagnose, downtimeMs, findOutages, FOLLOW_GRACE_MS, summarizeService } from '../../src/probe/service.js';
import { isPrivateAddress } from '../../src/probe/service-probe.js';
import { holdersAt, timelineStrips } from '../../src/report/timeline-strip.js';
import type { FailoverTimeline } from '../../src/model/check.js';
import type { ServedBy, ServiceMoments, ServiceSample } from '../../src/model/service.js';

/** A request every 100 ms from `from` to `to` (exclusive), answered by `by` or failed ('x'). */
function requests(from: number, to: number, by: ServedBy | 'x'): ServiceSample[] {
  const out: ServiceSample[] = [];
  for (let at = from; at < to; at += 100) {
    out.push(
      by === 'x'
        ? { atMs: at, outcome: 'refused', latencyMs: 1 }
        : { atMs: at, outcome: 'answered', latencyMs: 5, servedBy: by },
    );
  }
  return out;
}

// One probe's moments: haproxy stopped at 1 s, VIP on backup at 5 s, haproxy started at 5.2 s, VIP back at 9 s.
const MOMENTS: ServiceMoments = {
  stopAtMs: 1000,
  vipOnBackupAtMs: 5000,
  startAtMs: 5200,
  vipBackAtMs: 9000,
  endAtMs: 9500,
};

describe('service timeline arithmetic', () => {
  it('an L2 failover: one outage from the first failed request to the first answered one', () => {
    const samples = [
      ...requests(0, 1000, 'master'),
      ...requests(1000, 5100, 'x'),
      ...requests(5100, 9000, 'backup'),
      ...requests(9000, 9500, 'master'),
    ];
    const outages = findOutages(samples, MOMENTS.startAtMs);
    expect(outages).to.deep.equal([{ fromMs: 1000, toMs: 5100, phase: 'failover', failed: 41 }]);
    const s = summarizeService(samples, MOMENTS);
    expect(s.failoverDowntimeMs).to.equal(4100);
    expect(s.failbackDowntimeMs).to.equal(0);
    expect(s.recovered).to.equal(true);
    expect(s.sent).to.equal(95);
    expect(s.failed).to.equal(41);
    expect(s.servedBy).to.deep.equal({ master: 15, backup: 39, unknown: 0 });
    expect(s.diagnosis).to.equal(undefined);
  });

  it('an outage that begins after haproxy is started again is failback downtime', () => {
    const samples = [
      ...requests(0, 1000, 'master'),
      ...requests(1000, 1200, 'x'),
      ...requests(1200, 9000, 'backup'),
      ...requests(9000, 9300, 'x'),
      ...requests(9300, 9500, 'master'),
    ];
    const outages = findOutages(samples, MOMENTS.startAtMs);
    expect(outages.map((o) => o.phase)).to.deep.equal(['failover', 'failback']);
    expect(downtimeMs(outages, 'failover', MOMENTS.endAtMs)).to.equal(200);
    expect(downtimeMs(outages, 'failback', MOMENTS.endAtMs)).to.equal(300);
  });

  it('flapping: the outages of a phase add up', () => {
    const samples = [
      ...requests(1000, 1300, 'x'),
      ...requests(1300, 1500, 'backup'),
      ...requests(1500, 2000, 'x'),
      ...requests(2000, 2100, 'backup'),
    ];
    const s = summarizeService(samples, { stopAtMs: 1000, endAtMs: 2100 });
    expect(s.outages).to.have.length(2);
    expect(s.failoverDowntimeMs).to.equal(300 + 500);
    expect(s.failbackDowntimeMs, 'haproxy was never started again: no failback phase').to.equal(undefined);
  });

  it('an outage still open when the client stopped counts to the end and is not recovered', () => {
    const samples = [...requests(0, 1000, 'master'), ...requests(1000, 4000, 'x')];
    const s = summarizeService(samples, { stopAtMs: 1000, endAtMs: 4200 });
    expect(s.recovered).to.equal(false);
    expect(s.outages[0]!.toMs).to.equal(undefined);
    expect(s.failoverDowntimeMs).to.equal(3200);
  });

  it('samples are taken in the order they were sent, not completed', () => {
    const samples: ServiceSample[] = [
      { atMs: 300, outcome: 'answered', latencyMs: 5, servedBy: 'backup' },
      { atMs: 100, outcome: 'timeout', latencyMs: 1000 },
      { atMs: 200, outcome: 'timeout', latencyMs: 1000 },
    ];
    expect(findOutages(samples)).to.deep.equal([{ fromMs: 100, toMs: 300, phase: 'failover', failed: 2 }]);
  });

  it('no request ever failed: no downtime, recovered', () => {
    const s = summarizeService(requests(0, 9500, 'unknown'), MOMENTS);
    expect(s.outages).to.deep.equal([]);
    expect(s.failoverDowntimeMs).to.equal(0);
    expect(s.failbackDowntimeMs).to.equal(0);
    expect(s.recovered).to.equal(true);
  });
});

describe('the VRRP diagnosis', () => {
  it('a cloud: every request failed while backup held the VIP', () => {
    const samples = [...requests(0, 1000, 'master'), ...requests(1000, 9000, 'x'), ...requests(9000, 9500, 'master')];
    expect(diagnose(samples, MOMENTS)).to.equal('vrrp-ignored-failing');
    expect(summarizeService(samples, MOMENTS).failoverDowntimeMs).to.equal(8000);
  });

  it('a cloud with 1:1 NAT: requests kept reaching master while backup held the VIP', () => {
    const samples = [...requests(0, 1000, 'master'), ...requests(1000, 5200, 'x'), ...requests(5200, 9500, 'master')];
    expect(diagnose(samples, MOMENTS)).to.equal('vrrp-ignored-master');
  });

  it('L2: backup answered while it held the VIP, after a slow start within the grace', () => {
    const lateFollow = MOMENTS.vipOnBackupAtMs! + FOLLOW_GRACE_MS - 100;
    const samples = [...requests(1000, lateFollow, 'x'), ...requests(lateFollow, 9000, 'backup')];
    expect(diagnose(samples, MOMENTS)).to.equal(undefined);
  });

  it('says nothing when the VIP never moved, too few requests fell in the window, or answers are not told apart', () => {
    const samples = requests(1000, 9000, 'x');
    expect(diagnose(samples, { ...MOMENTS, vipOnBackupAtMs: undefined })).to.equal(undefined);
    const short = { ...MOMENTS, vipBackAtMs: MOMENTS.vipOnBackupAtMs! + FOLLOW_GRACE_MS + 200 };
    expect(diagnose(samples, short), 'two requests in the window').to.equal(undefined);
    expect(diagnose(requests(1000, 9500, 'unknown'), MOMENTS)).to.equal(undefined);
  });

  it('a VIP that never came back: the window runs to the end of the client run', () => {
    const samples = requests(1000, 9500, 'x');
    expect(diagnose(samples, { ...MOMENTS, vipBackAtMs: undefined })).to.equal('vrrp-ignored-failing');
  });
});

describe('telling the hosts apart', () => {
  const answer = (fingerprint: string, text: string) => ({
    outcome: 'answered' as const,
    latencyMs: 1,
    fingerprint,
    text,
  });

  it('by certificate when the two hosts have different ones', () => {
    const id = makeIdentifier({
      fingerprints: { master: 'aa', backup: 'bb' },
      hostnames: { master: 'master', backup: 'backup' },
    });
    expect(id.by).to.equal('certificate');
    expect(id.identify(answer('bb', 'host: master'))).to.equal('backup');
    expect(id.identify(answer('cc', ''))).to.equal('unknown');
  });

  it('by the answer naming exactly one host (the lab backend says "host: NAME")', () => {
    const id = makeIdentifier({
      fingerprints: { master: 'aa', backup: 'aa' },
      hostnames: { master: 'vm-1', backup: 'vm-12' },
    });
    expect(id.by).to.equal('answer');
    expect(id.reason).to.match(/same certificate/);
    expect(id.identify(answer('aa', 'HTTP/1.1 200 OK\nx-lab-host: vm-12\n\nhost: vm-12\n'))).to.equal('backup');
    expect(id.identify(answer('aa', 'host: vm-1\n'))).to.equal('master');
    expect(id.identify(answer('aa', 'hello from vm-1 and vm-12'))).to.equal('unknown');
    expect(id.identify(answer('aa', 'hello'))).to.equal('unknown');
  });

  it('not at all, with the reason, when certificates and host names are the same', () => {
    const id = makeIdentifier({
      fingerprints: { master: 'aa', backup: 'aa' },
      hostnames: { master: 'web', backup: 'web' },
    });
    expect(id.by).to.equal('none');
    expect(id.reason).to.equal('both hosts have the same certificate, and both hosts have the same host name');
    expect(id.identify(answer('aa', 'host: web'))).to.equal('unknown');
  });

  it('knows private addresses (a note says why such a VIP cannot be reached)', () => {
    expect(['10.128.0.15', '192.168.1.2', '172.20.0.1', '100.64.0.1'].map(isPrivateAddress)).to.deep.equal([
      true,
      true,
      true,
      true,
    ]);
    expect(['51.250.86.11', '172.32.0.1', '203.0.113.10'].map(isPrivateAddress)).to.deep.equal([false, false, false]);
  });
});

describe('the terminal timeline strips', () => {
  const timeline: FailoverTimeline = {
    events: [
      { atMs: 1000, host: 'master', event: 'haproxy-stopped' },
      { atMs: 5000, host: 'master', event: 'vip-removed' },
      { atMs: 5000, host: 'backup', event: 'vip-added' },
      { atMs: 5200, host: 'master', event: 'haproxy-started' },
      { atMs: 9000, host: 'master', event: 'vip-added' },
      { atMs: 9000, host: 'backup', event: 'vip-removed' },
    ],
  };

  it('replays who held the VIP', () => {
    expect(holdersAt(timeline, 4999)).to.deep.equal({ master: true, backup: false });
    expect(holdersAt(timeline, 6000)).to.deep.equal({ master: false, backup: true });
    expect(holdersAt(timeline, 9000)).to.deep.equal({ master: true, backup: false });
  });

  it('draws the VIP and the clients on one axis, a column per 200 ms here', () => {
    const samples = [
      ...requests(0, 1000, 'master'),
      ...requests(1000, 5000, 'x'),
      ...requests(5000, 9000, 'backup'),
      ...requests(9000, 9999, 'master'),
    ];
    const withService: FailoverTimeline = {
      ...timeline,
      service: {
        ...summarizeService(samples, MOMENTS),
        samples,
        target: 'v:443',
        origin: 'test',
        ratePerSecond: 10,
        maxRequests: 100,
        cancelled: 0,
        moments: { ...MOMENTS, endAtMs: 9999 },
      },
    };
    const strips = timelineStrips(withService, 50);
    expect(strips.columnMs).to.equal(200);
    expect(strips.vip).to.equal('M'.repeat(25) + 'B'.repeat(20) + 'M'.repeat(5));
    expect(strips.service).to.equal('m'.repeat(5) + 'x'.repeat(20) + 'b'.repeat(20) + 'm'.repeat(5));
    expect(strips.stopColumn).to.equal(5);
    expect(strips.startColumn).to.equal(26);
  });

  it('has no clients line when no client ran', () => {
    expect(timelineStrips(timeline).service).to.equal(undefined);
  });
});
