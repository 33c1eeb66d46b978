// A simulated HA pair for the failover probe's tests: keepalived's behaviour modelled in memory
// (the VIP moves when haproxy on master stops, and back when it starts), the network's clients,
// and the probe run against it.
import { runChecks } from '../../src/engine/run.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import type { Check, RunResult } from '../../src/model/check.js';
import type { Command, CommandResult, Host } from '../../src/hosts/host.js';
import type { Role } from '../../src/model/basics.js';
import FOV001 from '../../checks/FOV001.js';
import FOV002 from '../../checks/FOV002.js';
import FOV003 from '../../checks/FOV003.js';
import FOV004 from '../../checks/FOV004.js';
import type { LabProfile } from '../../src/model/target.js';
import type { ServiceAnswer, ServiceClient } from '../../src/model/service.js';

export const VIP = '203.0.113.10';

export interface PairBehaviour {
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
export class SimulatedPair {
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
export function networkClient(pair: SimulatedPair, network: 'l2' | 'cloud'): ServiceClient & { sent: number } {
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

export async function probe(
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

export const fov = (r: RunResult, id: string) => r.results.find((x) => x.id === id)!;

export const statuses = (r: RunResult) => r.results.filter((x) => x.id !== 'FOV004').map((x) => `${x.id}:${x.status}`);
