// @lab: the registry's `ip -o -4 addr show` run for real in a scratch network namespace, the VIP added
// exactly as keepalived adds it, read back by LIV003. Needs root and `ip netns`; skips otherwise.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import LIV003 from '../../checks/LIV003.js';
import { findCommand } from '../../src/facts/commands.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import type { CommandResult } from '../../src/hosts/host.js';
import { type ExpectedFinding, expectFindings, runCheck } from '../support/check-tester.js';
import { commandsWith } from './live-captures.js';

const NS = `hgf-live-${process.pid}`;
const VIP = '203.0.113.10';

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `ip -o -4 addr show` as the registry has it, run inside the namespace. */
function ipAddr(): Partial<CommandResult> {
  const argv = findCommand(DEFAULT_PROFILE, VIP, 'ip-addr')!.argv!;
  return { stdout: ip('netns', 'exec', NS, ...argv), stderr: '', exitCode: 0 };
}

describe('@lab live: LIV003 on addresses set up for real', () => {
  before(function () {
    try {
      ip('netns', 'add', NS);
      ip('-n', NS, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1');
      ip('-n', NS, 'link', 'set', 'eth0', 'up');
      ip('-n', NS, 'addr', 'add', '198.51.100.15/24', 'brd', '+', 'dev', 'eth0');
    } catch {
      this.skip(); // not root, or no network namespaces here
    }
  });

  after(() => {
    try {
      ip('netns', 'del', NS);
    } catch {
      // never created
    }
  });

  /** LIV003 on the namespace's addresses with the VIP added by `addArgs`: its status and every finding. */
  const withVip = async (addArgs: string[], status: string, findings: ExpectedFinding[]) => {
    ip('-n', NS, 'addr', 'add', ...addArgs);
    try {
      const result = await runCheck(LIV003, { commands: commandsWith({ master: { 'ip-addr': ipAddr() } }) });
      expectFindings(result, findings);
      expect(result.status).to.equal(status);
    } finally {
      ip('-n', NS, 'addr', 'del', addArgs[0]!, 'dev', 'eth0');
    }
  };

  it('passes the VIP keepalived adds from `VIP/24 brd B dev eth0 label eth0:10`', async () => {
    await withVip([`${VIP}/24`, 'brd', '203.0.113.255', 'dev', 'eth0', 'label', 'eth0:10'], 'pass', []);
  });

  it('fails the same VIP without brd, and with the label eth0:1', async () => {
    await withVip([`${VIP}/24`, 'dev', 'eth0', 'label', 'eth0:10'], 'fail', [
      { host: 'master', messageId: 'noBroadcast' },
    ]);
    await withVip([`${VIP}/24`, 'brd', '203.0.113.255', 'dev', 'eth0', 'label', 'eth0:1'], 'fail', [
      { host: 'master', messageId: 'wrongLabel' },
    ]);
  });

  it('fails a VIP that is not there', async () => {
    const result = await runCheck(LIV003, { commands: commandsWith({ master: { 'ip-addr': ipAddr() } }) });
    expectFindings(result, [{ host: 'master', messageId: 'vipMissing' }]);
    expect(result.status).to.equal('fail');
  });
});
