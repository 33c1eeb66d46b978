// LIV003-LIV004 on real captured outputs: the VIP as `ip addr` shows it, and HTTPS through the VIP. Valid and
// invalid cases, every finding matched on host, message id and kind. LIV001-LIV002 are in liv001-liv002.test.ts.
import { expect } from 'chai';
import LIV003 from '../../checks/LIV003.js';
import LIV004 from '../../checks/LIV004.js';
import { expectFindings, runCheck, testCheck } from '../support/check-tester.js';
import { capture, commandsWith, unavailable } from './live-captures.js';

const ip = (name: string) => ({ 'ip-addr': capture('ip-addr', name) });

testCheck(LIV003, {
  valid: [
    {
      name: 'the VIP on master as `inet VIP/24 brd B scope global eth0:10`, not on backup',
      commands: commandsWith({}),
    },
    {
      name: 'the VIP as keepalived itself added it on a lab pair',
      commands: commandsWith({ master: ip('lab-keepalived-master'), backup: ip('lab-keepalived-backup') }),
    },
    {
      name: "`secondary` when the VIP is in the primary address's subnet",
      commands: commandsWith({ master: ip('samenet-master-good'), backup: ip('samenet-backup-good') }),
    },
  ],
  invalid: [
    {
      name: 'no brd',
      commands: commandsWith({ master: ip('cloud-master-nobrd') }),
      findings: [{ host: 'master', messageId: 'noBroadcast' }],
    },
    {
      name: 'label eth0:1',
      commands: commandsWith({ master: ip('cloud-master-eth0-1') }),
      findings: [{ host: 'master', messageId: 'wrongLabel' }],
    },
    {
      name: 'no label (the interface name shows)',
      commands: commandsWith({ master: ip('cloud-master-nolabel') }),
      findings: [{ host: 'master', messageId: 'noLabel' }],
    },
    {
      name: 'another broadcast',
      commands: commandsWith({ master: ip('vip-wrong-brd') }),
      findings: [{ host: 'master', messageId: 'wrongBroadcast' }],
    },
    {
      name: '/16 with its own broadcast',
      commands: commandsWith({ master: ip('vip-16') }),
      findings: [
        { host: 'master', messageId: 'wrongBroadcast' },
        { host: 'master', messageId: 'wrongPrefix' },
      ],
    },
    {
      name: '/32 without brd or label',
      commands: commandsWith({ master: ip('vip-32') }),
      findings: [
        { host: 'master', messageId: 'noBroadcast' },
        { host: 'master', messageId: 'noLabel' },
        { host: 'master', messageId: 'wrongPrefix' },
      ],
    },
    {
      name: 'scope link',
      commands: commandsWith({ master: ip('vip-scope-link') }),
      findings: [{ host: 'master', messageId: 'wrongScope' }],
    },
    {
      name: 'on eth1 with label eth1:10',
      commands: commandsWith({ master: ip('vip-eth1') }),
      findings: [
        { host: 'master', messageId: 'wrongInterface' },
        { host: 'master', messageId: 'wrongLabel' },
      ],
    },
    {
      name: 'split brain, the VIP on both hosts',
      commands: commandsWith({ backup: ip('cloud-backup-vip') }),
      findings: [{ host: 'backup', messageId: 'splitBrain' }],
    },
    {
      name: 'the VIP on backup only',
      commands: commandsWith({ master: ip('cloud-master-novip'), backup: ip('cloud-backup-vip') }),
      findings: [
        { host: 'backup', messageId: 'vipOnBackup' },
        { host: 'master', messageId: 'vipMissing' },
      ],
    },
    {
      name: 'the VIP nowhere',
      commands: commandsWith({ master: ip('cloud-master-novip') }),
      findings: [{ host: 'master', messageId: 'vipMissing' }],
    },
    {
      name: 'skip: no VIP known (master named by host name, no --vip)',
      target: { master: { address: 'master.lab' }, vip: undefined },
      commands: commandsWith({}),
      findings: [{ messageId: 'noVip', kind: 'skip' }],
      status: 'skip',
    },
    {
      name: 'skip when backup cannot be seen, even though master is right',
      commands: commandsWith({ backup: { 'ip-addr': unavailable } }),
      findings: [{ host: 'backup', messageId: 'commandUnavailable', kind: 'skip' }],
      status: 'skip',
    },
    {
      name: 'error: ip fails',
      commands: commandsWith({
        master: { 'ip-addr': { stdout: '', stderr: 'Cannot open netlink socket: Permission denied\n', exitCode: 1 } },
      }),
      findings: [{ host: 'master', messageId: 'commandFailed', kind: 'error' }],
      status: 'error',
    },
    {
      name: 'error: output with no address at all',
      commands: commandsWith({ master: { 'ip-addr': { stdout: 'garbage\n', stderr: '', exitCode: 0 } } }),
      findings: [{ host: 'master', messageId: 'unreadable', kind: 'error' }],
      status: 'error',
    },
  ],
});

describe('LIV003 findings', () => {
  it('say which label the VIP has, and quote the line', async () => {
    const result = await runCheck(LIV003, { commands: commandsWith({ master: ip('cloud-master-eth0-1') }) });
    expectFindings(result, [{ host: 'master', messageId: 'wrongLabel' }]);
    expect(result.findings[0]!.message).to.equal('the VIP has the label eth0:1; expected eth0:10');
    expect(result.findings[0]!.excerpt).to.equal(
      '3: eth0    inet 203.0.113.10/24 brd 203.0.113.255 scope global eth0:1',
    );
    expect(result.findings[0]!.hint).to.equal(
      'Write the VIP in virtual_ipaddress as `203.0.113.10/24 brd 203.0.113.255 dev eth0 label eth0:10` and restart keepalived.',
    );
  });

  it('take the VIP, prefix, label and interface from the target and the profile', async () => {
    const result = await runCheck(LIV003, {
      profile: { vipLabel: 'eth0:1' },
      commands: commandsWith({ master: ip('cloud-master-eth0-1') }),
    });
    expectFindings(result, []);
    expect(result.status).to.equal('pass');
    const other = await runCheck(LIV003, {
      target: { vip: '198.51.100.10' },
      commands: commandsWith({ master: ip('vip-secondary') }),
    });
    expectFindings(other, []);
    expect(other.status).to.equal('pass');
  });

  it('say in Russian what is wrong', async () => {
    const result = await runCheck(LIV003, { lang: 'ru', commands: commandsWith({ master: ip('cloud-master-nobrd') }) });
    expectFindings(result, [{ host: 'master', messageId: 'noBroadcast' }]);
    expect(result.findings[0]!.message).to.equal(
      'у виртуального IP нет широковещательного адреса (нет brd); ожидается brd 203.0.113.255',
    );
  });
});

const https = (name: string) => ({ 'https-vip': capture('https-vip', name) });

testCheck(LIV004, {
  valid: [
    { name: '200 and the backend echoes the client IP in X-Forwarded-For', commands: commandsWith({}) },
    {
      name: 'a backend that shows no request headers',
      commands: commandsWith({
        master: {
          'https-vip': {
            stdout: 'HTTP/1.1 200 OK\r\ncontent-type: text/html\r\n\r\n<h1>rebrain_01</h1>\n',
            stderr: '',
            exitCode: 0,
          },
        },
      }),
      findings: [{ host: 'master', messageId: 'forwardedForUnseen', kind: 'note' }],
    },
    {
      name: 'a redirect counts as an answer',
      commands: commandsWith({
        master: { 'https-vip': { stdout: 'HTTP/1.1 302 Found\r\nlocation: /login\r\n\r\n', stderr: '', exitCode: 0 } },
      }),
      findings: [{ host: 'master', messageId: 'forwardedForUnseen', kind: 'note' }],
    },
  ],
  invalid: [
    {
      name: 'the backend received no X-Forwarded-For',
      commands: commandsWith({ master: https('no-xff') }),
      findings: [{ host: 'master', messageId: 'noForwardedFor' }],
    },
    {
      name: '503, no server up',
      commands: commandsWith({ master: https('status-503') }),
      findings: [{ host: 'master', messageId: 'badStatus' }],
    },
    {
      name: 'connection refused',
      commands: commandsWith({ master: https('refused') }),
      findings: [{ host: 'master', messageId: 'noAnswer' }],
    },
    {
      name: 'not HTTP',
      commands: commandsWith({
        master: { 'https-vip': { stdout: 'SSH-2.0-OpenSSH_9.2p1\r\n', stderr: '', exitCode: 0 } },
      }),
      findings: [{ host: 'master', messageId: 'notHttp' }],
    },
    {
      name: 'skip: no VIP known',
      target: { master: { address: 'master.lab' }, vip: undefined },
      commands: commandsWith({}),
      findings: [{ messageId: 'noVip', kind: 'skip' }],
      status: 'skip',
    },
    {
      name: 'skip: no captured output',
      commands: commandsWith({ master: { 'https-vip': unavailable } }),
      findings: [{ host: 'master', messageId: 'commandUnavailable', kind: 'skip' }],
      status: 'skip',
    },
    {
      name: 'error: curl is not installed',
      commands: commandsWith({
        master: { 'https-vip': { stdout: '', stderr: 'sh: 1: curl: not found\n', exitCode: 127 } },
      }),
      findings: [{ host: 'master', messageId: 'commandNotFound', kind: 'error' }],
      status: 'error',
    },
  ],
});

describe('LIV004 findings', () => {
  it("quote curl's own reason when the VIP does not answer", async () => {
    const result = await runCheck(LIV004, { commands: commandsWith({ master: https('refused') }) });
    expectFindings(result, [{ host: 'master', messageId: 'noAnswer' }]);
    expect(result.findings[0]!.message).to.equal(
      "https://203.0.113.10:443/ does not answer: curl: (7) Failed to connect to 203.0.113.10 port 443 after 0 ms: Couldn't connect to server",
    );
  });
});
