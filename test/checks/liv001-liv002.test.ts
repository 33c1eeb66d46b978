// LIV001-LIV002 on real captured outputs: `haproxy -c` and `keepalived -t` on both hosts. Valid and invalid
// cases, every finding matched on host, message id, kind and line. LIV003-LIV004 are in liv003-liv004.test.ts.
import { expect } from 'chai';
import LIV001 from '../../checks/LIV001.js';
import LIV002 from '../../checks/LIV002.js';
import { readFixtureFile } from '../support/fixtures.js';
import { expectFindings, runCheck, testCheck } from '../support/check-tester.js';
import { capture, commandsWith, unavailable } from './live-captures.js';

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
