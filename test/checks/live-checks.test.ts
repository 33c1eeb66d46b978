// LIV001-LIV004 on real captured outputs: valid and invalid cases matched on host:messageId.
import { expect } from 'chai';
import LIV001 from '../../checks/LIV001.js';
import LIV002 from '../../checks/LIV002.js';
import LIV003 from '../../checks/LIV003.js';
import LIV004 from '../../checks/LIV004.js';
import type { Check } from '../../src/model/check.js';
import { readFixtureFile } from '../support/fixtures.js';
import { capture, runLiveCase, type LiveCase } from './live-captures.js';

function cases(check: Check, list: LiveCase[]): void {
  describe(check.id, () => {
    for (const c of list) {
      it(c.name, async () => {
        const { got } = await runLiveCase(check, c);
        expect(got).to.deep.equal({ status: c.status, findings: c.findings });
      });
    }
  });
}

const unavailable = null;

cases(LIV001, [
  { name: 'valid: "Configuration file is valid" on both', status: 'pass', findings: [] },
  {
    name: 'valid with a note: warnings only (exit 0)',
    master: { 'haproxy-check': capture('haproxy-check', 'warnings') },
    status: 'pass',
    findings: ['master:warnings'],
  },
  {
    name: 'invalid: the certificate is missing (fatal while parsing)',
    backup: { 'haproxy-check': capture('haproxy-check', 'nocert') },
    status: 'fail',
    findings: ['backup:alert'],
  },
  {
    name: 'invalid: a directive removed in HAProxy 2.1 (reqadd)',
    master: { 'haproxy-check': capture('haproxy-check', 'reqadd') },
    backup: { 'haproxy-check': capture('haproxy-check', 'reqadd') },
    status: 'fail',
    findings: ['backup:alert', 'master:alert'],
  },
  {
    name: 'invalid: the configuration file cannot be opened (ALERT without a line)',
    master: { 'haproxy-check': capture('haproxy-check', 'nocfg') },
    status: 'fail',
    findings: ['master:alert'],
  },
  {
    name: 'invalid: a non-zero exit without any ALERT line',
    master: { 'haproxy-check': { stdout: '', stderr: 'Segmentation fault\n', exitCode: 139 } },
    status: 'fail',
    findings: ['master:invalid'],
  },
  {
    name: 'skip: no captured output',
    master: { 'haproxy-check': unavailable },
    status: 'skip',
    findings: ['master:commandUnavailable'],
  },
  {
    name: 'error, not fail: sudo asks for a password',
    master: { 'haproxy-check': { stdout: '', stderr: 'sudo: a password is required\n', exitCode: 1 } },
    status: 'error',
    findings: ['master:sudoRefused'],
  },
  {
    name: 'error, not fail: the host timed out',
    backup: { 'haproxy-check': { stdout: '', stderr: '', exitCode: null, timedOut: true } },
    status: 'error',
    findings: ['backup:commandTimedOut'],
  },
]);

describe('LIV001 findings', () => {
  it('point at the line HAProxy names, quoting it from the host file', async () => {
    const { result } = await runLiveCase(LIV001, {
      name: '',
      backup: { 'haproxy-check': capture('haproxy-check', 'nocert') },
      status: 'fail',
      findings: [],
    });
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

cases(LIV002, [
  { name: 'valid: keepalived -t prints nothing on both', status: 'pass', findings: [] },
  {
    // Seen on the lab: keepalived 2.2.7's -t kills itself with SIGTERM when scripts run as keepalived_script.
    name: 'skip, not error: keepalived -t killed by a signal without a word',
    master: { 'keepalived-check': { stdout: '', stderr: '', exitCode: null } },
    status: 'skip',
    findings: ['master:killedSilently'],
  },
  {
    name: 'invalid: an unknown keyword (user root in global_defs)',
    master: { 'keepalived-check': capture('keepalived-check', 'unknown-keyword') },
    status: 'fail',
    findings: ['master:problem'],
  },
  {
    name: 'invalid: a misspelt state and an out-of-range priority (3 lines)',
    backup: { 'keepalived-check': capture('keepalived-check', 'bad-state-priority') },
    status: 'fail',
    findings: ['backup:problem', 'backup:problem', 'backup:problem'],
  },
  {
    name: 'invalid: script security without a user to run the script as (keepalived drops the track script)',
    master: { 'keepalived-check': capture('keepalived-check', 'no-script-user') },
    status: 'fail',
    findings: ['master:problem', 'master:problem', 'master:problem'],
  },
  {
    name: 'invalid: scripts without script security (a line with no line number)',
    backup: { 'keepalived-check': capture('keepalived-check', 'no-script-security') },
    status: 'fail',
    findings: ['backup:problem'],
  },
  {
    name: 'invalid: unclosed braces make keepalived repeat itself; at most 5 findings',
    master: { 'keepalived-check': capture('keepalived-check', 'unclosed-braces') },
    status: 'fail',
    findings: Array(5).fill('master:problem'),
  },
  {
    name: 'invalid: the configuration file is missing (keepalived exits 0 then)',
    master: { 'keepalived-check': capture('keepalived-check', 'config-missing') },
    status: 'fail',
    findings: ['master:configMissing'],
  },
  {
    name: 'invalid: a non-zero exit without a message',
    master: { 'keepalived-check': { stdout: '', stderr: '', exitCode: 1 } },
    status: 'fail',
    findings: ['master:failedSilently'],
  },
  {
    name: 'skip with the version: an old keepalived without -t',
    master: {
      'keepalived-check': {
        stdout: '',
        stderr: "keepalived: invalid option -- 't'\nUsage: keepalived [OPTION...]\n",
        exitCode: 1,
      },
      'keepalived-version': { stdout: '', stderr: 'Keepalived v1.3.9 (10/21,2017)\n', exitCode: 0 },
    },
    status: 'skip',
    findings: ['master:unsupported'],
  },
  {
    name: 'skip: no captured output',
    backup: { 'keepalived-check': unavailable },
    status: 'skip',
    findings: ['backup:commandUnavailable'],
  },
  {
    name: 'error: keepalived is not installed',
    backup: { 'keepalived-check': { stdout: '', stderr: 'sh: 1: keepalived: not found\n', exitCode: 127 } },
    status: 'error',
    findings: ['backup:commandNotFound'],
  },
]);

describe('LIV002 findings', () => {
  it('point at the main file and line keepalived names, quoting it', async () => {
    // The configuration the capture was made with: the correct one plus `user root` as line 3.
    const conf = readFixtureFile('correct', 'master/etc/keepalived/keepalived.conf').replace(
      'router_id master\n',
      'router_id master\n    user root\n',
    );
    const { result } = await runLiveCase(LIV002, {
      name: '',
      master: { 'keepalived-check': capture('keepalived-check', 'unknown-keyword') },
      options: { master: { '/etc/keepalived/keepalived.conf': conf } },
      status: 'fail',
      findings: [],
    });
    expect(result.findings[0]).to.deep.include({
      file: '/etc/keepalived/keepalived.conf',
      line: 3,
      excerpt: '    user root',
    });
    expect(result.findings[0]!.message).to.equal("keepalived -t says: (Line 3) Unknown keyword 'user'");
  });

  it('name the old version in the skip reason', async () => {
    const { result } = await runLiveCase(LIV002, {
      name: '',
      master: {
        'keepalived-check': { stdout: '', stderr: "keepalived: invalid option -- 't'\n", exitCode: 1 },
        'keepalived-version': { stdout: '', stderr: 'Keepalived v1.3.9 (10/21,2017)\n', exitCode: 0 },
      },
      status: 'skip',
      findings: [],
    });
    expect(result.findings[0]!.message).to.include('Keepalived v1.3.9');
  });
});

const ip = (name: string) => ({ 'ip-addr': capture('ip-addr', name) });

cases(LIV003, [
  {
    name: 'valid: the VIP on master as `inet VIP/24 brd B scope global eth0:10`, not on backup',
    status: 'pass',
    findings: [],
  },
  {
    name: 'valid: the VIP as keepalived itself added it on a lab pair',
    master: ip('lab-keepalived-master'),
    backup: ip('lab-keepalived-backup'),
    status: 'pass',
    findings: [],
  },
  {
    name: "valid: `secondary` when the VIP is in the primary address's subnet",
    master: ip('samenet-master-good'),
    backup: ip('samenet-backup-good'),
    status: 'pass',
    findings: [],
  },
  { name: 'invalid: no brd', master: ip('cloud-master-nobrd'), status: 'fail', findings: ['master:noBroadcast'] },
  { name: 'invalid: label eth0:1', master: ip('cloud-master-eth0-1'), status: 'fail', findings: ['master:wrongLabel'] },
  {
    name: 'invalid: no label (the interface name shows)',
    master: ip('cloud-master-nolabel'),
    status: 'fail',
    findings: ['master:noLabel'],
  },
  {
    name: 'invalid: another broadcast',
    master: ip('vip-wrong-brd'),
    status: 'fail',
    findings: ['master:wrongBroadcast'],
  },
  {
    name: 'invalid: /16 with its own broadcast',
    master: ip('vip-16'),
    status: 'fail',
    findings: ['master:wrongBroadcast', 'master:wrongPrefix'],
  },
  {
    name: 'invalid: /32 without brd or label',
    master: ip('vip-32'),
    status: 'fail',
    findings: ['master:noBroadcast', 'master:noLabel', 'master:wrongPrefix'],
  },
  { name: 'invalid: scope link', master: ip('vip-scope-link'), status: 'fail', findings: ['master:wrongScope'] },
  {
    name: 'invalid: on eth1 with label eth1:10',
    master: ip('vip-eth1'),
    status: 'fail',
    findings: ['master:wrongInterface', 'master:wrongLabel'],
  },
  {
    name: 'invalid: split brain, the VIP on both hosts',
    backup: ip('cloud-backup-vip'),
    status: 'fail',
    findings: ['backup:splitBrain'],
  },
  {
    name: 'invalid: the VIP on backup only',
    master: ip('cloud-master-novip'),
    backup: ip('cloud-backup-vip'),
    status: 'fail',
    findings: ['backup:vipOnBackup', 'master:vipMissing'],
  },
  {
    name: 'invalid: the VIP nowhere',
    master: ip('cloud-master-novip'),
    status: 'fail',
    findings: ['master:vipMissing'],
  },
  {
    name: 'skip: no VIP known (master named by host name, no --vip)',
    options: { target: { master: { address: 'master.lab' }, vip: undefined } },
    status: 'skip',
    findings: ['-:noVip'],
  },
  {
    name: 'skip when backup cannot be seen, even though master is right',
    backup: { 'ip-addr': unavailable },
    status: 'skip',
    findings: ['backup:commandUnavailable'],
  },
  {
    name: 'error: ip fails',
    master: { 'ip-addr': { stdout: '', stderr: 'Cannot open netlink socket: Permission denied\n', exitCode: 1 } },
    status: 'error',
    findings: ['master:commandFailed'],
  },
  {
    name: 'error: output with no address at all',
    master: { 'ip-addr': { stdout: 'garbage\n', stderr: '', exitCode: 0 } },
    status: 'error',
    findings: ['master:unreadable'],
  },
]);

describe('LIV003 findings', () => {
  it('say which label the VIP has, and quote the line', async () => {
    const { result } = await runLiveCase(LIV003, {
      name: '',
      master: ip('cloud-master-eth0-1'),
      status: 'fail',
      findings: [],
    });
    expect(result.findings[0]!.message).to.equal('the VIP has the label eth0:1; expected eth0:10');
    expect(result.findings[0]!.excerpt).to.equal(
      '3: eth0    inet 203.0.113.10/24 brd 203.0.113.255 scope global eth0:1',
    );
    expect(result.findings[0]!.hint).to.equal(
      'Write the VIP in virtual_ipaddress as `203.0.113.10/24 brd 203.0.113.255 dev eth0 label eth0:10` and restart keepalived.',
    );
  });

  it('take the VIP, prefix, label and interface from the target and the profile', async () => {
    const { got } = await runLiveCase(LIV003, {
      name: '',
      master: ip('cloud-master-eth0-1'),
      options: { profile: { vipLabel: 'eth0:1' } },
      status: 'pass',
      findings: [],
    });
    expect(got).to.deep.equal({ status: 'pass', findings: [] });
    const other = await runLiveCase(LIV003, {
      name: '',
      master: ip('vip-secondary'),
      options: { target: { vip: '198.51.100.10' } },
      status: 'pass',
      findings: [],
    });
    expect(other.got).to.deep.equal({ status: 'pass', findings: [] });
  });

  it('say in Russian what is wrong', async () => {
    const { result } = await runLiveCase(LIV003, {
      name: '',
      master: ip('cloud-master-nobrd'),
      options: { lang: 'ru' },
      status: 'fail',
      findings: [],
    });
    expect(result.findings[0]!.message).to.equal(
      'у виртуального IP нет широковещательного адреса (нет brd); ожидается brd 203.0.113.255',
    );
  });
});

const https = (name: string) => ({ 'https-vip': capture('https-vip', name) });

cases(LIV004, [
  { name: 'valid: 200 and the backend echoes the client IP in X-Forwarded-For', status: 'pass', findings: [] },
  {
    name: 'valid with a note: a backend that shows no request headers',
    master: {
      'https-vip': {
        stdout: 'HTTP/1.1 200 OK\r\ncontent-type: text/html\r\n\r\n<h1>rebrain_01</h1>\n',
        stderr: '',
        exitCode: 0,
      },
    },
    status: 'pass',
    findings: ['master:forwardedForUnseen'],
  },
  {
    name: 'valid: a redirect counts as an answer',
    master: { 'https-vip': { stdout: 'HTTP/1.1 302 Found\r\nlocation: /login\r\n\r\n', stderr: '', exitCode: 0 } },
    status: 'pass',
    findings: ['master:forwardedForUnseen'],
  },
  {
    name: 'invalid: the backend received no X-Forwarded-For',
    master: https('no-xff'),
    status: 'fail',
    findings: ['master:noForwardedFor'],
  },
  { name: 'invalid: 503, no server up', master: https('status-503'), status: 'fail', findings: ['master:badStatus'] },
  { name: 'invalid: connection refused', master: https('refused'), status: 'fail', findings: ['master:noAnswer'] },
  {
    name: 'invalid: not HTTP',
    master: { 'https-vip': { stdout: 'SSH-2.0-OpenSSH_9.2p1\r\n', stderr: '', exitCode: 0 } },
    status: 'fail',
    findings: ['master:notHttp'],
  },
  {
    name: 'skip: no VIP known',
    options: { target: { master: { address: 'master.lab' }, vip: undefined } },
    status: 'skip',
    findings: ['-:noVip'],
  },
  {
    name: 'skip: no captured output',
    master: { 'https-vip': unavailable },
    status: 'skip',
    findings: ['master:commandUnavailable'],
  },
  {
    name: 'error: curl is not installed',
    master: { 'https-vip': { stdout: '', stderr: 'sh: 1: curl: not found\n', exitCode: 127 } },
    status: 'error',
    findings: ['master:commandNotFound'],
  },
]);

describe('LIV004 findings', () => {
  it("quote curl's own reason when the VIP does not answer", async () => {
    const { result } = await runLiveCase(LIV004, { name: '', master: https('refused'), status: 'fail', findings: [] });
    expect(result.findings[0]!.message).to.equal(
      "https://203.0.113.10:443/ does not answer: curl: (7) Failed to connect to 203.0.113.10 port 443 after 0 ms: Couldn't connect to server",
    );
  });
});
