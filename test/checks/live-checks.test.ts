// LIV001-LIV004 on real captured outputs: valid and invalid cases, every finding matched on host, message id,
// kind and line.
import { expect } from 'chai';
import LIV001 from '../../checks/LIV001.js';
import LIV002 from '../../checks/LIV002.js';
import LIV003 from '../../checks/LIV003.js';
import LIV004 from '../../checks/LIV004.js';
import { readFixtureFile } from '../support/fixtures.js';
import { expectFindings, runCheck, testCheck } from '../support/check-tester.js';
import { capture, commandsWith } from './live-captures.js';

const unavailable = null;

testCheck(LIV001, {
  valid: [
    { name: '"Configuration file is valid" on both', commands: commandsWith({}) },
    {
      name: 'warnings only (exit 0)',
      commands: commandsWith({ master: { 'haproxy-check': capture('haproxy-check', 'warnings') } }),
      findings: [{ host: 'master', messageId: 'warnings', kind: 'note' }],
    },
  ],
  invalid: [
    {
      name: 'the certificate is missing (fatal while parsing)',
      commands: commandsWith({ backup: { 'haproxy-check': capture('haproxy-check', 'nocert') } }),
      findings: [{ host: 'backup', messageId: 'alert', line: 17 }],
    },
    {
      name: 'a directive removed in HAProxy 2.1 (reqadd)',
      commands: commandsWith({
        master: { 'haproxy-check': capture('haproxy-check', 'reqadd') },
        backup: { 'haproxy-check': capture('haproxy-check', 'reqadd') },
      }),
      findings: [
        { host: 'backup', messageId: 'alert', line: 20 },
        { host: 'master', messageId: 'alert', line: 20 },
      ],
    },
    {
      name: 'the configuration file cannot be opened (ALERT without a line)',
      commands: commandsWith({ master: { 'haproxy-check': capture('haproxy-check', 'nocfg') } }),
      findings: [{ host: 'master', messageId: 'alert' }],
    },
    {
      name: 'a non-zero exit without any ALERT line',
      commands: commandsWith({
        master: { 'haproxy-check': { stdout: '', stderr: 'Segmentation fault\n', exitCode: 139 } },
      }),
      findings: [{ host: 'master', messageId: 'invalid' }],
    },
    {
      name: 'skip: no captured output',
      commands: commandsWith({ master: { 'haproxy-check': unavailable } }),
      findings: [{ host: 'master', messageId: 'commandUnavailable', kind: 'skip' }],
      status: 'skip',
    },
    {
      name: 'error, not fail: sudo asks for a password',
      commands: commandsWith({
        master: { 'haproxy-check': { stdout: '', stderr: 'sudo: a password is required\n', exitCode: 1 } },
      }),
      findings: [{ host: 'master', messageId: 'sudoRefused', kind: 'error' }],
      status: 'error',
    },
    {
      name: 'error, not fail: the host timed out',
      commands: commandsWith({
        backup: { 'haproxy-check': { stdout: '', stderr: '', exitCode: null, timedOut: true } },
      }),
      findings: [{ host: 'backup', messageId: 'commandTimedOut', kind: 'error' }],
      status: 'error',
    },
  ],
});

describe('LIV001 findings', () => {
  it('point at the line HAProxy names, quoting it from the host file', async () => {
    const result = await runCheck(LIV001, {
      commands: commandsWith({ backup: { 'haproxy-check': capture('haproxy-check', 'nocert') } }),
    });
    expectFindings(result, [{ host: 'backup', messageId: 'alert', line: 17 }]);
    const [finding] = result.findings;
    expect(finding).to.deep.include({
      host: 'backup',
      file: '/etc/haproxy/haproxy.cfg',
      line: 17,
      excerpt: '    bind *:443 ssl crt /etc/haproxy/rebrain.pem',
    });
    expect(finding!.message).to.include('unable to stat SSL certificate');
  });
});

testCheck(LIV002, {
  valid: [{ name: 'keepalived -t prints nothing on both', commands: commandsWith({}) }],
  invalid: [
    // Seen on the lab: keepalived 2.2.7's -t kills itself with SIGTERM when scripts run as keepalived_script.
    {
      name: 'skip, not error: keepalived -t killed by a signal without a word',
      commands: commandsWith({ master: { 'keepalived-check': { stdout: '', stderr: '', exitCode: null } } }),
      findings: [{ host: 'master', messageId: 'killedSilently', kind: 'skip' }],
      status: 'skip',
    },
    {
      name: 'an unknown keyword (user root in global_defs)',
      commands: commandsWith({ master: { 'keepalived-check': capture('keepalived-check', 'unknown-keyword') } }),
      findings: [{ host: 'master', messageId: 'problem', line: 3 }],
    },
    {
      name: 'a misspelt state and an out-of-range priority (3 lines)',
      commands: commandsWith({ backup: { 'keepalived-check': capture('keepalived-check', 'bad-state-priority') } }),
      findings: [
        { host: 'backup', messageId: 'problem', line: 16 },
        { host: 'backup', messageId: 'problem', line: 19 },
        { host: 'backup', messageId: 'problem', line: 19 },
      ],
    },
    {
      name: 'script security without a user to run the script as (keepalived drops the track script)',
      commands: commandsWith({ master: { 'keepalived-check': capture('keepalived-check', 'no-script-user') } }),
      findings: [
        { host: 'master', messageId: 'problem', line: 12 },
        { host: 'master', messageId: 'problem', line: 12 },
        { host: 'master', messageId: 'problem', line: 28 },
      ],
    },
    {
      name: 'scripts without script security (a line with no line number)',
      commands: commandsWith({ backup: { 'keepalived-check': capture('keepalived-check', 'no-script-security') } }),
      findings: [{ host: 'backup', messageId: 'problem' }],
    },
    {
      name: 'unclosed braces make keepalived repeat itself; at most 5 findings',
      commands: commandsWith({ master: { 'keepalived-check': capture('keepalived-check', 'unclosed-braces') } }),
      findings: [
        { host: 'master', messageId: 'problem', line: 7 },
        { host: 'master', messageId: 'problem', line: 7 },
        { host: 'master', messageId: 'problem', line: 8 },
        { host: 'master', messageId: 'problem', line: 9 },
        { host: 'master', messageId: 'problem', line: 10 },
      ],
    },
    {
      name: 'the configuration file is missing (keepalived exits 0 then)',
      commands: commandsWith({ master: { 'keepalived-check': capture('keepalived-check', 'config-missing') } }),
      findings: [{ host: 'master', messageId: 'configMissing' }],
    },
    {
      name: 'a non-zero exit without a message',
      commands: commandsWith({ master: { 'keepalived-check': { stdout: '', stderr: '', exitCode: 1 } } }),
      findings: [{ host: 'master', messageId: 'failedSilently' }],
    },
    {
      name: 'skip with the version: an old keepalived without -t',
      commands: commandsWith({
        master: {
          'keepalived-check': {
            stdout: '',
            stderr: "keepalived: invalid option -- 't'\nUsage: keepalived [OPTION...]\n",
            exitCode: 1,
          },
          'keepalived-version': { stdout: '', stderr: 'Keepalived v1.3.9 (10/21,2017)\n', exitCode: 0 },
        },
      }),
      findings: [{ host: 'master', messageId: 'unsupported', kind: 'skip' }],
      status: 'skip',
    },
    {
      name: 'skip: no captured output',
      commands: commandsWith({ backup: { 'keepalived-check': unavailable } }),
      findings: [{ host: 'backup', messageId: 'commandUnavailable', kind: 'skip' }],
      status: 'skip',
    },
    {
      name: 'error: keepalived is not installed',
      commands: commandsWith({
        backup: { 'keepalived-check': { stdout: '', stderr: 'sh: 1: keepalived: not found\n', exitCode: 127 } },
      }),
      findings: [{ host: 'backup', messageId: 'commandNotFound', kind: 'error' }],
      status: 'error',
    },
  ],
});

describe('LIV002 findings', () => {
  it('point at the main file and line keepalived names, quoting it', async () => {
    // The configuration the capture was made with: the correct one plus `user root` as line 3.
    const conf = readFixtureFile('correct', 'master/etc/keepalived/keepalived.conf').replace(
      'router_id master\n',
      'router_id master\n    user root\n',
    );
    const result = await runCheck(LIV002, {
      master: { '/etc/keepalived/keepalived.conf': conf },
      commands: commandsWith({ master: { 'keepalived-check': capture('keepalived-check', 'unknown-keyword') } }),
    });
    expectFindings(result, [{ host: 'master', messageId: 'problem', line: 3 }]);
    expect(result.findings[0]).to.deep.include({
      file: '/etc/keepalived/keepalived.conf',
      line: 3,
      excerpt: '    user root',
    });
    expect(result.findings[0]!.message).to.equal("keepalived -t says: (Line 3) Unknown keyword 'user'");
  });

  it('name the old version in the skip reason', async () => {
    const result = await runCheck(LIV002, {
      commands: commandsWith({
        master: {
          'keepalived-check': { stdout: '', stderr: "keepalived: invalid option -- 't'\n", exitCode: 1 },
          'keepalived-version': { stdout: '', stderr: 'Keepalived v1.3.9 (10/21,2017)\n', exitCode: 0 },
        },
      }),
    });
    expectFindings(result, [{ host: 'master', messageId: 'unsupported', kind: 'skip' }]);
    expect(result.findings[0]!.message).to.include('Keepalived v1.3.9');
  });
});

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
