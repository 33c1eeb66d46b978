// The probe's logic on a simulated pair (keepalived's behaviour modelled in memory): verdicts,
// deadlines, and that haproxy on master is restored on every path. The real thing runs on the lab.
import { expect } from 'chai';
import { runChecks } from '../../src/engine/run.js';
import { computeDeadlines, DEFAULT_TIMING } from '../../src/probe/timing.js';
import { DEFAULT_PROFILE } from '../../src/profile.js';
import type { Check, Command, CommandResult, Host, Role, RunResult } from '../../src/types.js';
import FOV001 from '../../checks/FOV001.js';
import FOV002 from '../../checks/FOV002.js';
import FOV003 from '../../checks/FOV003.js';

const VIP = '203.0.113.10';

interface PairBehaviour {
  moves: boolean;
  returns: boolean;
  delayMs: number;
  /** haproxy refuses to start again (restore must report it). */
  startFails?: boolean;
  /** Abort the run when haproxy has been stopped. */
  abortOnStop?: AbortController;
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
        if (path !== DEFAULT_PROFILE.keepalivedConfPath) return { ok: false, path, reason: 'missing', message: 'not simulated' };
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

  private ok(stdout = '', exitCode = 0): CommandResult {
    return { command: 'sim', exitCode, stdout, stderr: '' };
  }

  private answer(role: Role, cmd: Command): CommandResult {
    switch (cmd.key) {
      case 'ip-addr':
        return this.ok(
          `1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n` +
            (this.vipOn === role ? `2: eth0    inet ${VIP}/24 brd 203.0.113.255 scope global eth0:10\\       valid_lft forever preferred_lft forever\n` : ''),
        );
      case 'systemctl-is-active-haproxy': {
        const active = role === 'backup' || this.haproxyOnMaster;
        return this.ok(active ? 'active\n' : 'inactive\n', active ? 0 : 3);
      }
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
        if (this.behaviour.startFails) return { command: 'sim', exitCode: 1, stdout: '', stderr: 'Job for haproxy.service failed' };
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

async function probe(pair: SimulatedPair, signal?: AbortSignal): Promise<RunResult> {
  return runChecks({
    checks: [FOV001, FOV002, FOV003] as Check[],
    hosts: { master: pair.host('master'), backup: pair.host('backup') },
    target: { master: { address: VIP }, backup: { address: '203.0.113.20' } },
    profile: DEFAULT_PROFILE,
    options: { lang: 'en', failover: true, live: true },
    ...(signal ? { signal } : {}),
  });
}

const statuses = (r: RunResult) => r.results.map((x) => `${x.id}:${x.status}`);

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
    expect(result.results[0]!.findings[0]!.messageId).to.equal('notMoved');
    expect(result.results[0]!.findings[0]!.message).to.contain('master (eth0:10)');
    expect(result.results[1]!.findings[0]!.messageId).to.equal('vipNeverMoved');
    expect(pair.haproxyOnMaster).to.equal(true);
  });

  it('a VIP that does not come back fails FOV002', async () => {
    const pair = new SimulatedPair({ moves: true, returns: false, delayMs: 100 });
    const result = await probe(pair);
    expect(statuses(result)).to.deep.equal(['FOV001:pass', 'FOV002:fail', 'FOV003:pass']);
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
    expect(fov003.findings[0]!.message).to.match(/systemctl start haproxy/);
    expect(result.exitCode).to.equal(3);
  });

  it('touches nothing when the pair is not healthy to begin with', async () => {
    const pair = new SimulatedPair({ moves: true, returns: true, delayMs: 0 });
    pair.vipOn = 'backup';
    const result = await probe(pair);
    expect(statuses(result)).to.deep.equal(['FOV001:skip', 'FOV002:skip', 'FOV003:skip']);
    expect(result.results[0]!.findings[0]!.messageId).to.equal('vipNotOnMasterOnly');
    expect(pair.log.filter((l) => /stop|arm/.test(l))).to.deep.equal([]);
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
