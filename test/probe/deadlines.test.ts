// The failover probe's deadlines, computed from keepalived's timers.
import { expect } from 'chai';
import { computeDeadlines, DEFAULT_TIMING } from '../../src/probe/timing.js';

describe('probe deadlines', () => {
  it('follow keepalived timers: fall × interval, advert_int and the master-down timer', () => {
    // Lab timing: interval 1, fall 2, rise 2, advert_int 1; backup priority 100.
    const node = { interval: 1, fall: 2, rise: 2, timeout: 1, advertInt: 1, priority: 110, preemptDelay: 0 };
    const d = computeDeadlines(node, { ...node, priority: 100 }, 'config');
    // failover: 1×2 + 1 (timeout) + 1 (advert) + 3×1 + (256−100)/256 = 7.609 s, plus 3 s margin.
    expect(d.failoverMs).to.equal(Math.ceil(7609.375 + 3000));
    // failback: 1×2 + 1 + 1 + 3×1 + (256−110)/256 = 7.570 s.
    expect(d.failbackMs).to.equal(Math.ceil(7570.3125 + 3000));
    expect(d.deadmanMs).to.be.greaterThan(d.failoverMs);
  });

  it('add preempt_delay where it delays the takeover', () => {
    const node = { ...DEFAULT_TIMING, priority: 100 };
    const plain = computeDeadlines(node, node, 'config');
    const delayed = computeDeadlines({ ...node, preemptDelay: 30 }, node, 'config');
    expect(delayed.failbackMs - plain.failbackMs).to.equal(30_000);
    expect(delayed.failoverMs).to.equal(plain.failoverMs);
  });
});
