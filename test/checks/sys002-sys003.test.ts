// SYS002 (keepalived enabled and active) and SYS003 (haproxy active) on real systemctl outputs.
import { expect } from 'chai';
import SYS002 from '../../checks/SYS002.js';
import SYS003 from '../../checks/SYS003.js';
import { expectFindings, runCheck, testCheck } from '../support/check-tester.js';
import { capture, commandsWith } from './live-captures.js';

const enabled = (name: string) => ({ 'systemctl-is-enabled-keepalived': capture('systemctl-is-enabled', name) });
const kaActive = (name: string) => ({ 'systemctl-is-active-keepalived': capture('systemctl-is-active', name) });
const hapActive = (name: string) => ({ 'systemctl-is-active-haproxy': capture('systemctl-is-active', name) });

testCheck(SYS002, {
  valid: [{ name: 'enabled and active on both', commands: commandsWith({}) }],
  invalid: [
    {
      name: 'disabled on backup',
      commands: commandsWith({ backup: enabled('disabled') }),
      findings: [{ host: 'backup', messageId: 'notEnabled' }],
    },
    {
      name: 'masked on master',
      commands: commandsWith({ master: enabled('masked') }),
      findings: [{ host: 'master', messageId: 'notEnabled' }],
    },
    {
      name: 'enabled but stopped',
      commands: commandsWith({ master: kaActive('inactive') }),
      findings: [{ host: 'master', messageId: 'notActive' }],
    },
    {
      name: 'disabled and failed, both reported',
      commands: commandsWith({ backup: { ...enabled('disabled'), ...kaActive('failed') } }),
      findings: [
        { host: 'backup', messageId: 'notEnabled' },
        { host: 'backup', messageId: 'notActive' },
      ],
    },
    {
      name: 'no keepalived unit at all (is-active is not asked then)',
      commands: commandsWith({ master: enabled('not-found') }),
      findings: [{ host: 'master', messageId: 'notInstalled' }],
    },
    {
      name: 'error, not fail: systemd is not running (the state cannot be known)',
      commands: commandsWith({ master: kaActive('nosystemd') }),
      findings: [{ host: 'master', messageId: 'stateUnknown', kind: 'error' }],
      status: 'error',
    },
    {
      name: 'skip: nothing captured (both commands, on both hosts)',
      commands: commandsWith({
        master: { 'systemctl-is-enabled-keepalived': null, 'systemctl-is-active-keepalived': null },
        backup: { 'systemctl-is-enabled-keepalived': null, 'systemctl-is-active-keepalived': null },
      }),
      findings: (['master', 'backup'] as const).flatMap((host) => [
        { host, messageId: 'commandUnavailable' as const, kind: 'skip' as const },
        { host, messageId: 'commandUnavailable' as const, kind: 'skip' as const },
      ]),
      status: 'skip',
    },
  ],
});

testCheck(SYS003, {
  valid: [{ name: 'active on both', commands: commandsWith({}) }],
  invalid: [
    {
      name: 'inactive on master',
      commands: commandsWith({ master: hapActive('inactive') }),
      findings: [{ host: 'master', messageId: 'notActive' }],
    },
    {
      name: 'failed on both',
      commands: commandsWith({ master: hapActive('failed'), backup: hapActive('failed') }),
      findings: [
        { host: 'master', messageId: 'notActive' },
        { host: 'backup', messageId: 'notActive' },
      ],
    },
    {
      name: 'error, not fail: systemd is not running',
      commands: commandsWith({ backup: hapActive('nosystemd') }),
      findings: [{ host: 'backup', messageId: 'stateUnknown', kind: 'error' }],
      status: 'error',
    },
    {
      name: 'error: the transport failed',
      commands: commandsWith({
        master: {
          'systemctl-is-active-haproxy': { stdout: '', stderr: '', exitCode: null, error: 'SSH channel closed' },
        },
      }),
      findings: [{ host: 'master', messageId: 'commandNotRun', kind: 'error' }],
      status: 'error',
    },
    {
      name: 'skip: no captured output',
      commands: commandsWith({ backup: { 'systemctl-is-active-haproxy': null } }),
      findings: [{ host: 'backup', messageId: 'commandUnavailable', kind: 'skip' }],
      status: 'skip',
    },
  ],
});

describe('SYS002/SYS003 messages', () => {
  it('name the service from the profile and its state', async () => {
    const result = await runCheck(SYS003, {
      commands: commandsWith({ master: hapActive('inactive') }),
      profile: { haproxyService: 'haproxy-lab' },
    });
    expectFindings(result, [{ host: 'master', messageId: 'notActive' }]);
    expect(result.findings[0]!.message).to.equal('the haproxy-lab service is inactive, not active');
    expect(result.findings[0]!.hint).to.include('systemctl start haproxy-lab');
  });

  it('speak Russian', async () => {
    const result = await runCheck(SYS002, { commands: commandsWith({ backup: enabled('disabled') }), lang: 'ru' });
    expectFindings(result, [{ host: 'backup', messageId: 'notEnabled' }]);
    expect(result.findings[0]!.message).to.equal(
      'сервис keepalived в состоянии disabled, а не enabled: после перезагрузки он не запустится',
    );
  });
});
