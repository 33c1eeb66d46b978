// The probe's logic on a simulated pair (keepalived's behaviour modelled in memory): verdicts,
// deadlines, and that haproxy on master is restored on every path. The real thing runs on the lab.
import { expect } from 'chai';
import type { Role } from '../../src/model/basics.js';
import { probe, SimulatedPair, statuses } from './simulated-pair.js';
import { expectFindings } from '../support/check-tester.js';

describe('failover probe (simulated pair)', function () {
  this.timeout(30_000);

  it('a pair that fails over and back passes, with measured times and a timeline', async () => {
    const pair = new SimulatedPair({ moves: true, returns: true, delayMs: 300 });
    const result = await probe(pair);
    expect(statuses(result)).to.deep.equal(['FOV001:pass', 'FOV002:pass', 'FOV003:pass']);
    expect(result.failover?.failoverMs).to.be.within(250, 2000);
    expect(result.failover?.failbackMs).to.be.within(250, 2000);
    expect(result.failover?.events.map((e) => `${e.host}:${e.event}`)).to.include.members([
      'master:haproxy-stopped',
      'backup:vip-added',
      'master:vip-removed',
      'master:haproxy-started',
    ]);
    expect(pair.haproxyOnMaster).to.equal(true);
    expect(pair.deadmanArmed).to.equal(false);
  });

  it('arms the dead-man switch before it stops haproxy', async () => {
    const pair = new SimulatedPair({ moves: true, returns: true, delayMs: 100 });
    await probe(pair);
    expect(pair.log.indexOf('master:deadman-arm')).to.be.greaterThan(-1);
    expect(pair.log.indexOf('master:deadman-arm')).to.be.lessThan(pair.log.indexOf('master:probe-stop-haproxy'));
  });

  it('a VIP that never moves fails FOV001 at the deadline, skips FOV002, and haproxy is restarted', async () => {
    const pair = new SimulatedPair({ moves: false, returns: true, delayMs: 0 });
    const result = await probe(pair);
    expect(statuses(result)).to.deep.equal(['FOV001:fail', 'FOV002:skip', 'FOV003:pass']);
    expectFindings(result.results[0]!, [{ host: 'master', messageId: 'notMoved' }]);
    expectFindings(result.results[1]!, [{ messageId: 'vipNeverMoved', kind: 'skip' }]);
    expect(result.results[0]!.findings[0]!.message).to.contain('master (eth0:10)');
    expect(pair.haproxyOnMaster).to.equal(true);
  });

  const line = (host: Role, text: string) => `2026-12-03T10:00:01.000000+0000 ${host} ${text}`;

  it("a VIP that never moves quotes keepalived's own lines under FOV001, and they name the cause", async () => {
    // As keepalived 2.2.7 logs a script run as keepalived_script (EPERM): failing since it started.
    const pair = new SimulatedPair({
      moves: false,
      returns: true,
      delayMs: 0,
      journal: {
        before: {
          master: [
            line('master', 'Keepalived_vrrp[41]: Script `check_haproxy` now returning 1'),
            line('master', 'Keepalived_vrrp[41]: VRRP_Script(check_haproxy) failed (exited with status 1)'),
          ],
          backup: [line('backup', 'Keepalived_vrrp[40]: (VI_1) Entering BACKUP STATE')],
        },
        during: { master: [], backup: [line('backup', 'Keepalived_vrrp[40]: (VI_1) Entering BACKUP STATE')] },
      },
    });
    const result = await probe(pair);
    const fov001 = result.results[0]!;
    expect(fov001.status).to.equal('fail');
    expectFindings(fov001, [
      { host: 'master', messageId: 'notMovedWithCause' },
      { host: 'master', messageId: 'logShows', kind: 'note' }, // master's failing script, from before the probe
      { host: 'backup', messageId: 'keepalivedLine', kind: 'note' },
      { host: 'master', messageId: 'keepalivedSilent', kind: 'note' },
    ]);
    const main = fov001.findings.find((f) => f.kind === 'fail')!;
    expect(main.message).to.contain('KAD008').and.contain('already failing before haproxy was stopped');
    expect(fov001.findings.find((f) => f.messageId === 'logShows')!.message).to.contain(
      'VRRP_Script(check_haproxy) failed',
    );
    // Each host's decisive lines of the window, or that it had none.
    expect(
      fov001.findings.filter((f) => f.messageId === 'keepalivedLine').map((f) => `${f.host} ${f.message}`),
    ).to.deep.equal(['backup keepalived said at 10:00:01.000: Keepalived_vrrp: (VI_1) Entering BACKUP STATE']);
    expect(fov001.findings.filter((f) => f.messageId === 'keepalivedSilent').map((f) => f.host)).to.deep.equal([
      'master',
    ]);
    expect(fov001.evidence!.filter((e) => e.note?.startsWith("keepalived's log")).map((e) => e.host)).to.deep.equal([
      'master',
      'backup',
    ]);
    expect(pair.log.indexOf('master:log-mark')).to.be.lessThan(pair.log.indexOf('master:probe-stop-haproxy'));
  });

  it("keepalived's killall5 line names the cause when the configs named none", async () => {
    const pair = new SimulatedPair({
      moves: false,
      returns: true,
      delayMs: 0,
      journal: {
        before: { master: [], backup: [] },
        during: { master: [line('master', 'killall5[77]: only one argument, a signal number, allowed')], backup: [] },
      },
    });
    const result = await probe(pair);
    // master's window holds the killall5 line; backup's holds nothing.
    expectFindings(result.results[0]!, [
      { host: 'master', messageId: 'notMovedWithCause' },
      { host: 'master', messageId: 'logShows', kind: 'note' },
      { host: 'master', messageId: 'keepalivedLine', kind: 'note' },
      { host: 'backup', messageId: 'keepalivedSilent', kind: 'note' },
    ]);
    const main = result.results[0]!.findings.find((f) => f.kind === 'fail')!;
    expect(main.message).to.contain('KAD008: keepalived ran pidof as killall5');
  });

  it('a VIP that does not come back fails FOV002', async () => {
    const pair = new SimulatedPair({ moves: true, returns: false, delayMs: 100 });
    const result = await probe(pair);
    expect(statuses(result)).to.deep.equal(['FOV001:pass', 'FOV002:fail', 'FOV003:pass']);
    expectFindings(result.results[1]!, [{ host: 'master', messageId: 'notReturned' }]);
    expect(result.results[1]!.findings[0]!.message).to.contain('backup (eth0:10)');
  });

  it('an interrupt while waiting restores haproxy and disarms the switch', async () => {
    const controller = new AbortController();
    const pair = new SimulatedPair({ moves: false, returns: true, delayMs: 0, abortOnStop: controller });
    const result = await probe(pair, controller.signal);
    expect(result.results[2]!.status).to.equal('pass');
    expect(pair.haproxyOnMaster).to.equal(true);
    expect(pair.deadmanArmed).to.equal(false);
    expect(pair.log).to.include('master:probe-restore-haproxy');
  });

  it('a restore that fails is a loud ERROR with the command to run', async () => {
    const pair = new SimulatedPair({ moves: true, returns: true, delayMs: 50, startFails: true });
    const result = await probe(pair);
    const fov003 = result.results[2]!;
    expect(fov003.status).to.equal('error');
    expectFindings(fov003, [{ host: 'master', messageId: 'notRestored', kind: 'error' }]);
    expect(fov003.findings[0]!.message).to.match(/systemctl start haproxy/);
    expect(result.exitCode).to.equal(3);
  });

  it('touches nothing when the pair is not healthy to begin with', async () => {
    const pair = new SimulatedPair({ moves: true, returns: true, delayMs: 0 });
    pair.vipOn = 'backup';
    const result = await probe(pair);
    expect(statuses(result)).to.deep.equal(['FOV001:skip', 'FOV002:skip', 'FOV003:skip']);
    for (const r of result.results) expectFindings(r, [{ messageId: 'vipNotOnMasterOnly', kind: 'skip' }]);
    expect(pair.log.filter((l) => /stop|arm/.test(l))).to.deep.equal([]);
  });
});
