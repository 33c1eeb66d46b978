// The probe's logic on a simulated pair (keepalived's behaviour modelled in memory): verdicts,
// deadlines, and that haproxy on master is restored on every path. The real thing runs on the lab.
import { expect } from 'chai';
import { runChecks } from '../../src/engine/run.js';
import { computeDeadlines, DEFAULT_TIMING } from '../../src/probe/timing.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import type { Check, RunResult } from '../../src/model/check.js';
import type { Command, CommandResult, Host } from '../../src/hosts/host.js';
import type { Role } from '../../src/model/basics.js';
import FOV001 from '../../checks/FOV001.js';
import FOV002 from '../../checks/FOV002.js';
import FOV003 from '../../checks/FOV003.js';
import FOV004 from '../../checks/FOV004.js';
import { summarizeService } from '../../src/probe/service.js';
import type { ProbeOutcome } from '../../src/probe/failover.js';
import type { CheckContext } from '../../src/model/check.js';
import type { LabProfile } from '../../src/model/target.js';
import { expectFindings } from '../support/check-tester.js';
import type { ServiceAnswer, ServiceClient, ServiceSample, ServiceTimeline } from '../../src/model/service.js';

const VIP = '203.0.113.10';

interface PairBehaviour {
  moves: boolean;
  returns: boolean;
  delayMs: number;

  /** haproxy refuses to start again (restore must report it). */
  startFails?: boolean;
  /** Abort the run when haproxy has been stopped. */
  abortOnStop?: AbortController;
  /** keepalived's journal: since it started (before the probe), and during the probe, per host. */
  journal?: { before: Record<Role, string[]>; during: Record<Role, string[]> };
}

/** Two hosts sharing one simulated keepalived state. */
class SimulatedPair {
  haproxyOnMaster = true;
  vipOn: Role = 'master';
  deadmanArmed = false;
  readonly log: string[] = [];
  constructor(readonly behaviour: PairBehaviour) {}

  host(role: Role): Host {
    const pair = this;
    return {
      role,
      label: role,
      kind: 'ssh',
      async readFile(path) {
        if (path !== DEFAULT_PROFILE.keepalivedConfPath)
          return { ok: false, path, reason: 'missing', message: 'not simulated' };
        const conf = role === 'master' ? keepalivedConf('MASTER', 110) : keepalivedConf('BACKUP', 100);
        return { ok: true, path, content: Buffer.from(conf) };
      },
      async listDir() {
        return null;
      },
      async run(cmd: Command): Promise<CommandResult> {
        pair.log.push(`${role}:${cmd.key}`);
        return pair.answer(role, cmd);
      },
      async close() {},
    };
  }

  private unavailable(): CommandResult {
    return { command: 'sim', exitCode: null, stdout: '', stderr: '', unavailable: true };
  }

  private ok(stdout = '', exitCode = 0): CommandResult {
    return { command: 'sim', exitCode, stdout, stderr: '' };
  }

  private answer(role: Role, cmd: Command): CommandResult {
    switch (cmd.key) {
      case 'ip-addr':
        return this.ok(
          `1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n` +
            (this.vipOn === role
              ? `2: eth0    inet ${VIP}/24 brd 203.0.113.255 scope global eth0:10\\       valid_lft forever preferred_lft forever\n`
              : ''),
        );
      case 'systemctl-is-active-haproxy': {
        const active = role === 'backup' || this.haproxyOnMaster;
        return this.ok(active ? 'active\n' : 'inactive\n', active ? 0 : 3);
      }
      case 'probe-hostname':
        return this.ok(`${role}\n`);
      case 'keepalived-log':
        return this.behaviour.journal
          ? this.ok(`${['# source: journal', ...this.behaviour.journal.before[role]].join('\n')}\n`)
          : this.unavailable();
      case 'log-mark':
        return this.behaviour.journal ? this.ok('1765000000\n') : this.unavailable();
      case 'keepalived-log-window':
        return this.behaviour.journal
          ? this.ok(`${['# source: journal', ...this.behaviour.journal.during[role]].join('\n')}\n`)
          : this.unavailable();
      case 'deadman-arm':
        this.deadmanArmed = true;
        return this.ok();
      case 'deadman-disarm':
        this.deadmanArmed = false;
        return this.ok();
      case 'probe-stop-haproxy':
        this.haproxyOnMaster = false;
        if (this.behaviour.moves) setTimeout(() => (this.vipOn = 'backup'), this.behaviour.delayMs);
        this.behaviour.abortOnStop?.abort();
        return this.ok();
      case 'probe-start-haproxy':
      case 'probe-restore-haproxy':
        if (this.behaviour.startFails)
          return { command: 'sim', exitCode: 1, stdout: '', stderr: 'Job for haproxy.service failed' };
        this.haproxyOnMaster = true;
        if (this.behaviour.returns) setTimeout(() => (this.vipOn = 'master'), this.behaviour.delayMs);
        return this.ok();
      default:
        return { command: 'sim', exitCode: null, stdout: '', stderr: '', unavailable: true };
    }
  }
}

/** keepalived.conf of the simulated pair: fast timers, so a missed deadline costs about the margin alone. */
function keepalivedConf(state: 'MASTER' | 'BACKUP', priority: number): string {
  return `vrrp_script check_haproxy {
    script "/usr/bin/killall -0 haproxy"
    interval 0.1
    fall 1
    rise 1
    weight -20
}
vrrp_instance VI_1 {
    state ${state}
    interface eth0
    virtual_router_id 51
    priority ${priority}
    advert_int 0.1
    virtual_ipaddress {
        ${VIP}/24 brd 203.0.113.255 dev eth0 label eth0:10
    }
    track_script {
        check_haproxy
    }
}
`;
}

/**
 * Clients as the network delivers them to the simulated pair. l2: to whoever holds the VIP (refused
 * where haproxy is down). cloud: always to master, which drops what is not its address any more.
 */
function networkClient(pair: SimulatedPair, network: 'l2' | 'cloud'): ServiceClient & { sent: number } {
  return {
    origin: 'simulated client',
    sent: 0,
    async request() {
      this.sent += 1;
      const to = network === 'cloud' ? 'master' : pair.vipOn;
      const answer = (role: Role): ServiceAnswer => ({
        outcome: 'answered',
        latencyMs: 1,
        status: 200,
        text: `host: ${role}\n`,
      });
      if (network === 'cloud' && pair.vipOn !== 'master')
        return { outcome: 'timeout', latencyMs: 1000, detail: 'no connection in time' };
      if (to === 'master' && !pair.haproxyOnMaster) return { outcome: 'refused', latencyMs: 1, detail: 'ECONNREFUSED' };
      return answer(to);
    },
  };
}

async function probe(
  pair: SimulatedPair,
  signal?: AbortSignal,
  client?: ServiceClient,
  profile: LabProfile = DEFAULT_PROFILE,
): Promise<RunResult> {
  return runChecks({
    checks: [FOV001, FOV002, FOV003, FOV004] as Check[],
    ...(client ? { serviceClient: client } : {}),
    hosts: { master: pair.host('master'), backup: pair.host('backup') },
    target: { master: { address: VIP }, backup: { address: '203.0.113.20' } },
    profile,
    options: { lang: 'en', failover: true, live: true },
    ...(signal ? { signal } : {}),
  });
}

const fov = (r: RunResult, id: string) => r.results.find((x) => x.id === id)!;

const statuses = (r: RunResult) => r.results.filter((x) => x.id !== 'FOV004').map((x) => `${x.id}:${x.status}`);

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
