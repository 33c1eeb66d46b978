// The reboot probe's logic on a simulated pair (a machine that goes down, boots with a new boot id
// and starts what is enabled): verdicts, a master that never comes back, restore, and the gate.
// The real thing runs on the lab (test/live/reboot.test.ts).
import { expect } from 'chai';
import { runChecks } from '../../src/engine/run.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import type { Check, RunResult } from '../../src/model/check.js';
import type { Command, CommandResult, Host } from '../../src/hosts/host.js';
import type { Role, Text } from '../../src/model/basics.js';
import RBT001 from '../../checks/RBT001.js';
import RBT002 from '../../checks/RBT002.js';
import RBT003 from '../../checks/RBT003.js';
import RBT004 from '../../checks/RBT004.js';
import RBT005 from '../../checks/RBT005.js';
import { expectFindings } from '../support/check-tester.js';

const VIP = '203.0.113.10';
const TASK_SYSCTL = `${Object.entries(DEFAULT_PROFILE.sysctl)
  .map(([k, v]) => `${k} = ${v}`)
  .join('\n')}\n`;

interface Machine {
  keepalivedEnabled: boolean;
  /** What /etc/sysctl.conf holds (the boot applies it). */
  sysctlConf: string;
  /** Master never answers again after going down. */
  neverBack?: boolean;
}

/** Fast timers, so the VIP-back deadline costs about its margin alone. */
function fastKeepalivedConf(role: Role): string {
  return `vrrp_script check_haproxy {
    script "/usr/bin/killall -0 haproxy"
    interval 0.1
    weight -20
}
vrrp_instance VI_1 {
    state ${role === 'master' ? 'MASTER' : 'BACKUP'}
    interface eth0
    virtual_router_id 51
    priority ${role === 'master' ? 110 : 100}
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

class SimulatedRebootPair {
  bootId = '0b1e2d3c-0000-4000-8000-000000000001';
  up = true;
  vipOn: Role | 'nobody' = 'master';
  running = { keepalived: true, haproxy: true };
  /** Kernel values now: set by hand (sysctl -w) before the probe, the file's after a boot. */
  sysctl = new Map(Object.entries(DEFAULT_PROFILE.sysctl));
  readonly log: string[] = [];
  constructor(readonly machine: Machine) {}

  private ok(stdout = '', exitCode = 0): CommandResult {
    return { command: 'sim', exitCode, stdout, stderr: '' };
  }
  private down(): CommandResult {
    return {
      command: 'sim',
      exitCode: null,
      stdout: '',
      stderr: '',
      unavailable: true,
      error: 'the connection was lost',
    };
  }

  private reboot(): void {
    setTimeout(() => {
      this.up = false;
      this.running = { keepalived: false, haproxy: false };
      this.vipOn = 'backup'; // keepalived on master said goodbye (priority 0)
    }, 30);
    if (this.machine.neverBack) return;
    setTimeout(() => {
      this.bootId = '0b1e2d3c-0000-4000-8000-000000000002';
      this.up = true;
      this.running = { keepalived: this.machine.keepalivedEnabled, haproxy: true };
      // A new boot: the kernel has its defaults, then systemd-sysctl applies the file.
      this.sysctl = new Map(Object.keys(DEFAULT_PROFILE.sysctl).map((k) => [k, '0']));
      for (const m of this.machine.sysctlConf.matchAll(/^([\w.]+) = (\S+)$/gm)) this.sysctl.set(m[1]!, m[2]!);
      if (this.running.keepalived) setTimeout(() => (this.vipOn = 'master'), 50);
    }, 1200);
  }

  private vipLine(role: Role): string {
    return this.vipOn === role
      ? `2: eth0    inet ${VIP}/24 brd 203.0.113.255 scope global eth0:10\\       valid_lft forever preferred_lft forever\n`
      : '';
  }

  host(role: Role): Host {
    const pair = this;
    const host: Host = {
      role,
      label: role,
      kind: 'ssh',
      async readFile(path) {
        if (path === DEFAULT_PROFILE.sysctlPath && role === 'master')
          return { ok: true, path, content: Buffer.from(pair.machine.sysctlConf) };
        if (path === DEFAULT_PROFILE.keepalivedConfPath)
          return { ok: true, path, content: Buffer.from(fastKeepalivedConf(role)) };
        return { ok: false, path, reason: 'missing', message: 'not simulated' };
      },
      async listDir() {
        return null;
      },
      async run(cmd: Command): Promise<CommandResult> {
        pair.log.push(`${role}:${cmd.key}`);
        if (role === 'backup') {
          if (cmd.key === 'ip-addr') return pair.ok(pair.vipLine('backup'));
          if (cmd.key.startsWith('reboot-is-active')) return pair.ok('active\n');
          return pair.down();
        }
        if (!pair.up) return pair.down();
        const service = (key: string) =>
          (key.endsWith('keepalived') ? 'keepalived' : 'haproxy') as 'keepalived' | 'haproxy';
        if (cmd.key === 'ip-addr') return pair.ok(pair.vipLine('master'));
        if (cmd.key === 'boot-id') return pair.ok(`${pair.bootId}\n`);
        if (cmd.key === 'reboot-master') {
          pair.reboot();
          return pair.ok();
        }
        if (cmd.key === 'reboot-boot-state') return pair.ok('running\n');
        if (cmd.key === 'sysctl') return pair.ok(`${[...pair.sysctl].map(([k, v]) => `${k} = ${v}`).join('\n')}\n`);
        if (cmd.key.startsWith('reboot-is-active'))
          return pair.running[service(cmd.key)] ? pair.ok('active\n') : pair.ok('inactive\n', 3);
        if (cmd.key.startsWith('reboot-is-enabled')) {
          const enabled = service(cmd.key) === 'haproxy' || pair.machine.keepalivedEnabled;
          return pair.ok(enabled ? 'enabled\n' : 'disabled\n', enabled ? 0 : 1);
        }
        if (cmd.key.startsWith('reboot-restore')) {
          pair.running[service(cmd.key)] = true;
          if (pair.running.keepalived) pair.vipOn = 'master';
          return pair.ok();
        }
        return pair.down();
      },
      async close() {},
    };
    if (role === 'master') {
      host.waitForReturn = async (timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: Text }> => {
        const until = Date.now() + timeoutMs;
        while (Date.now() < until) {
          if (pair.up) return { ok: true };
          await new Promise((r) => setTimeout(r, 20));
        }
        return { ok: false, reason: { en: 'connection refused', ru: 'в соединении отказано' } };
      };
    }
    return host;
  }
}

async function probe(
  pair: SimulatedRebootPair,
  extra: { reboot?: boolean; gate?: () => Promise<() => void> } = {},
): Promise<RunResult> {
  return runChecks({
    checks: [RBT001, RBT002, RBT003, RBT004, RBT005] as Check[],
    hosts: { master: pair.host('master'), backup: pair.host('backup') },
    target: { master: { address: VIP }, backup: { address: '203.0.113.20' } },
    profile: DEFAULT_PROFILE,
    options: {
      lang: 'en',
      failover: true,
      live: true,
      reboot: extra.reboot ?? true,
      rebootTimeoutMs: 2000,
      ...(extra.gate ? { rebootGate: extra.gate } : {}),
    },
  });
}

const statuses = (r: RunResult) => r.results.map((x) => `${x.id}:${x.status}`);
const rbt = (r: RunResult, id: string) => r.results.find((x) => x.id === id)!;

describe('reboot probe (simulated pair)', function () {
  this.timeout(60_000);

  it('never runs unless asked for: not part of the run at all, and nothing is touched', async () => {
    const pair = new SimulatedRebootPair({ keepalivedEnabled: true, sysctlConf: TASK_SYSCTL });
    const result = await probe(pair, { reboot: false });
    expect(statuses(result)).to.deep.equal([]);
    expect(pair.log).to.deep.equal([]);
  });

  it('a pair whose boot brings everything back passes, and waits at the gate before rebooting', async () => {
    const pair = new SimulatedRebootPair({ keepalivedEnabled: true, sysctlConf: TASK_SYSCTL });
    let gateAt = -1;
    const result = await probe(pair, {
      gate: async () => {
        gateAt = pair.log.length;
        return () => {};
      },
    });
    expect(statuses(result)).to.deep.equal(['RBT001:pass', 'RBT002:pass', 'RBT003:pass', 'RBT004:pass', 'RBT005:pass']);
    expect(gateAt).to.be.greaterThan(-1);
    expect(pair.log.indexOf('master:reboot-master')).to.be.at.least(gateAt);
    // Every check of a healthy reboot says what it saw, as notes: backup took the VIP, the boot started keepalived and
    // haproxy, the kernel settings held, the VIP came back, and master is as found.
    expectFindings(rbt(result, 'RBT001'), [{ host: 'backup', messageId: 'tookOver', kind: 'note' }]);
    expectFindings(rbt(result, 'RBT002'), [
      { host: 'master', messageId: 'startedByBoot', kind: 'note' },
      { host: 'master', messageId: 'startedByBoot', kind: 'note' },
    ]);
    expectFindings(rbt(result, 'RBT003'), [{ host: 'master', messageId: 'allInEffect', kind: 'note' }]);
    expectFindings(rbt(result, 'RBT004'), [{ host: 'master', messageId: 'back', kind: 'note' }]);
    expectFindings(rbt(result, 'RBT005'), [{ host: 'master', messageId: 'asFound', kind: 'note' }]);
  });

  it('keepalived not enabled: RBT002 says so, the VIP stays on backup (RBT004, caused by RBT002), and hagrade starts it again', async () => {
    const pair = new SimulatedRebootPair({ keepalivedEnabled: false, sysctlConf: TASK_SYSCTL });
    const result = await probe(pair);
    expect(statuses(result)).to.deep.equal(['RBT001:pass', 'RBT002:fail', 'RBT003:pass', 'RBT004:fail', 'RBT005:pass']);
    expectFindings(rbt(result, 'RBT002'), [
      { host: 'master', messageId: 'notEnabled' },
      { host: 'master', messageId: 'startedByBoot', kind: 'note' }, // haproxy, enabled, came back
    ]);
    expectFindings(rbt(result, 'RBT004'), [{ host: 'master', messageId: 'notBackWithCause' }]);
    const rbt004 = rbt(result, 'RBT004').findings[0]!;
    expect(rbt004.message)
      .to.contain('backup')
      .and.contain('RBT002: after the reboot keepalived is inactive: it is disabled');
    expectFindings(rbt(result, 'RBT005'), [{ host: 'master', messageId: 'restarted', kind: 'note' }]);
    expect(pair.running.keepalived).to.equal(true);
  });

  it('kernel settings applied only by hand: RBT003 names each one lost and says the file lacks it', async () => {
    const pair = new SimulatedRebootPair({ keepalivedEnabled: true, sysctlConf: '# nothing here\n' });
    const result = await probe(pair);
    expect(statuses(result)).to.deep.equal(['RBT001:pass', 'RBT002:pass', 'RBT003:fail', 'RBT004:pass', 'RBT005:pass']);
    const lost = result.results.find((r) => r.id === 'RBT003')!.findings.filter((f) => f.kind === 'fail');
    // The ones whose task value is not the kernel default come back wrong; arp_filter on all is 0 either way.
    expect(lost.map((f) => f.data!.key).sort()).to.deep.equal(
      Object.keys(DEFAULT_PROFILE.sysctl)
        .filter((k) => DEFAULT_PROFILE.sysctl[k] !== '0')
        .sort(),
    );
    expectFindings(
      rbt(result, 'RBT003'),
      lost.map(() => ({ host: 'master', messageId: 'notPersisted' })),
    );
  });

  it('a master that does not come back is an ERROR that says what to do, and nothing else is touched', async () => {
    const pair = new SimulatedRebootPair({ keepalivedEnabled: true, sysctlConf: TASK_SYSCTL, neverBack: true });
    const result = await probe(pair);
    expect(statuses(result)).to.deep.equal([
      'RBT001:pass',
      'RBT002:error',
      'RBT003:error',
      'RBT004:error',
      'RBT005:error',
    ]);
    expectFindings(result.results[1]!, [{ host: 'master', messageId: 'masterNotBack', kind: 'error' }]);
    const error = result.results[1]!.findings[0]!;
    expect(error.message).to.contain('within 2 s').and.contain('connection refused').and.contain('console');
    const afterDown = pair.log.slice(pair.log.indexOf('master:reboot-master') + 1);
    expect(afterDown.filter((l) => l.startsWith('backup:') && !/ip-addr|log-/.test(l))).to.deep.equal([]);
    expect(result.exitCode).to.equal(3);
  });

  it('touches nothing when the pair is not healthy to begin with', async () => {
    const pair = new SimulatedRebootPair({ keepalivedEnabled: true, sysctlConf: TASK_SYSCTL });
    pair.vipOn = 'backup';
    const result = await probe(pair);
    expect(statuses(result)).to.deep.equal(['RBT001:skip', 'RBT002:skip', 'RBT003:skip', 'RBT004:skip', 'RBT005:skip']);
    for (const r of result.results) expectFindings(r, [{ messageId: 'vipNotOnMasterOnly', kind: 'skip' }]);
    expect(pair.log).to.not.include('master:reboot-master');
  });
});
