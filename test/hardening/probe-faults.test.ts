// Faults met by the probe and the live checks, reproduced without the lab (the lab tests show them
// for real): a host that stops answering while the probe waits, systemctl that cannot run, and a
// program that is there but cannot be executed. Each is undecided (ERROR or a skip that says so),
// never a FAIL, and never a false statement about the student's pair.
import { expect } from 'chai';
import FOV001 from '../../checks/FOV001.js';
import FOV002 from '../../checks/FOV002.js';
import FOV003 from '../../checks/FOV003.js';
import { runChecks } from '../../src/engine/run.js';
import { commandProblem } from '../../src/facts/live.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import type { Check, RunResult } from '../../src/model/check.js';
import type { Command, CommandResult, Host } from '../../src/hosts/host.js';
import type { Role } from '../../src/model/basics.js';

const VIP = '203.0.113.10';
const LOST: CommandResult = {
  command: 'sim',
  exitCode: null,
  stdout: '',
  stderr: '',
  unavailable: true,
  error: 'the connection to master was lost',
};

/** Fast timers, so the probe's deadline is a few seconds. */
const keepalivedConf = (state: string, priority: number) => `vrrp_script chk { script "/usr/bin/killall -0 haproxy"
interval 0.1
fall 1
rise 1
weight -20 }
vrrp_instance VI_1 { state ${state}
interface eth0
virtual_router_id 51
priority ${priority}
advert_int 0.1
virtual_ipaddress { ${VIP}/24 brd 203.0.113.255 dev eth0 label eth0:10 }
track_script { chk } }
`;

/** A healthy pair whose hosts answer as `answer` says, else as a healthy pair would. */
function pair(
  answer: (role: Role, cmd: Command, state: { stopped: boolean }) => CommandResult | undefined,
): Record<Role, Host> {
  const state = { stopped: false };
  const host = (role: Role): Host => ({
    role,
    label: role,
    kind: 'ssh',
    async readFile(path) {
      if (path !== DEFAULT_PROFILE.keepalivedConfPath)
        return { ok: false, path, reason: 'missing', message: 'not simulated' };
      return {
        ok: true,
        path,
        content: Buffer.from(role === 'master' ? keepalivedConf('MASTER', 110) : keepalivedConf('BACKUP', 100)),
      };
    },
    async listDir() {
      return null;
    },
    async run(cmd) {
      if (cmd.key === 'probe-stop-haproxy') state.stopped = true;
      const special = answer(role, cmd, state);
      if (special) return special;
      const ok = (stdout = ''): CommandResult => ({ command: 'sim', exitCode: 0, stdout, stderr: '' });
      if (cmd.key === 'ip-addr')
        return ok(role === 'master' ? `2: eth0    inet ${VIP}/24 brd 203.0.113.255 scope global eth0:10\n` : '');
      if (cmd.key.startsWith('systemctl-is-active')) return ok('active\n');
      return ok();
    },
    async close() {},
  });
  return { master: host('master'), backup: host('backup') };
}

function probe(hosts: Record<Role, Host>): Promise<RunResult> {
  return runChecks({
    checks: [FOV001, FOV002, FOV003] as Check[],
    hosts,
    target: { master: { address: VIP }, backup: { address: '203.0.113.20' } },
    profile: DEFAULT_PROFILE,
    options: { lang: 'en', failover: true, live: true },
  });
}

const statuses = (r: RunResult) => r.results.map((x) => `${x.id}:${x.status}`);
const messages = (r: RunResult, id: string) =>
  r.results.find((x) => x.id === id)!.findings.map((f) => `${f.kind}:${f.messageId}: ${f.message}`);

describe('probe faults (simulated)', function () {
  this.timeout(30_000);

  it('master stops answering while the probe waits for failover: FOV001 is an ERROR, not a FAIL; FOV003 gives the command to run', async () => {
    const result = await probe(
      pair((role, cmd, state) =>
        role === 'master' && state.stopped && cmd.key !== 'probe-stop-haproxy' ? LOST : undefined,
      ),
    );
    expect(statuses(result)).to.deep.equal(['FOV001:error', 'FOV002:skip', 'FOV003:error']);
    expect(messages(result, 'FOV001').join('\n')).to.match(/did not answer.*deadline.*unknown/);
    expect(
      result.results
        .find((x) => x.id === 'FOV003')!
        .findings.map((f) => `${f.message} ${f.hint ?? ''}`)
        .join(' '),
    ).to.contain('systemctl start haproxy');
  });

  it('systemctl cannot run on master: the probe stops nothing and says why, instead of calling haproxy inactive', async () => {
    const broken: CommandResult = {
      command: 'sim',
      exitCode: 126,
      stdout: '',
      stderr: "timeout: failed to run command 'systemctl': Permission denied",
    };
    let stopped = false;
    const result = await probe(
      pair((role, cmd, state) => {
        stopped ||= state.stopped;
        return role === 'master' && cmd.key.startsWith('systemctl') ? broken : undefined;
      }),
    );
    expect(stopped).to.equal(false);
    for (const id of ['FOV001', 'FOV002', 'FOV003'])
      expect(messages(result, id)).to.deep.equal([
        `skip:serviceUnknown: could not read the state of haproxy with 'systemctl is-active' on master, so nothing was stopped`,
      ]);
  });

  it('a program that is there but cannot be executed (exit 126) is a grader-side ERROR naming the reason', () => {
    const problem = commandProblem(
      {
        command: 'haproxy -c -f /etc/haproxy/haproxy.cfg',
        exitCode: 126,
        stdout: '',
        stderr: "timeout: failed to run command 'haproxy': Permission denied\n",
      },
      false,
    );
    expect(problem).to.deep.equal({
      kind: 'error',
      messageId: 'commandNotRun',
      data: {
        command: 'haproxy -c -f /etc/haproxy/haproxy.cfg',
        reason: "timeout: failed to run command 'haproxy': Permission denied",
      },
    });
  });
});
