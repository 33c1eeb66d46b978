// SYS002 (keepalived enabled and active) and SYS003 (haproxy active) on real systemctl outputs.
import { expect } from 'chai';
import SYS002 from '../../checks/SYS002.js';
import SYS003 from '../../checks/SYS003.js';
import type { Check } from '../../src/model/check.js';
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

const enabled = (name: string) => ({ 'systemctl-is-enabled-keepalived': capture('systemctl-is-enabled', name) });
const kaActive = (name: string) => ({ 'systemctl-is-active-keepalived': capture('systemctl-is-active', name) });
const hapActive = (name: string) => ({ 'systemctl-is-active-haproxy': capture('systemctl-is-active', name) });

cases(SYS002, [
  { name: 'valid: enabled and active on both', status: 'pass', findings: [] },
  { name: 'invalid: disabled on backup', backup: enabled('disabled'), status: 'fail', findings: ['backup:notEnabled'] },
  { name: 'invalid: masked on master', master: enabled('masked'), status: 'fail', findings: ['master:notEnabled'] },
  {
    name: 'invalid: enabled but stopped',
    master: kaActive('inactive'),
    status: 'fail',
    findings: ['master:notActive'],
  },
  {
    name: 'invalid: disabled and failed, both reported',
    backup: { ...enabled('disabled'), ...kaActive('failed') },
    status: 'fail',
    findings: ['backup:notActive', 'backup:notEnabled'],
  },
  {
    name: 'invalid: no keepalived unit at all',
    master: enabled('not-found'),
    status: 'fail',
    findings: ['master:notInstalled'],
  },
  {
    name: 'error, not fail: systemd is not running (the state cannot be known)',
    master: kaActive('nosystemd'),
    status: 'error',
    findings: ['master:stateUnknown'],
  },
  {
    name: 'skip: nothing captured',
    master: { 'systemctl-is-enabled-keepalived': null, 'systemctl-is-active-keepalived': null },
    backup: { 'systemctl-is-enabled-keepalived': null, 'systemctl-is-active-keepalived': null },
    status: 'skip',
    findings: [
      'backup:commandUnavailable',
      'backup:commandUnavailable',
      'master:commandUnavailable',
      'master:commandUnavailable',
    ],
  },
]);

cases(SYS003, [
  { name: 'valid: active on both', status: 'pass', findings: [] },
  {
    name: 'invalid: inactive on master',
    master: hapActive('inactive'),
    status: 'fail',
    findings: ['master:notActive'],
  },
  {
    name: 'invalid: failed on both',
    master: hapActive('failed'),
    backup: hapActive('failed'),
    status: 'fail',
    findings: ['backup:notActive', 'master:notActive'],
  },
  {
    name: 'error, not fail: systemd is not running',
    backup: hapActive('nosystemd'),
    status: 'error',
    findings: ['backup:stateUnknown'],
  },
  {
    name: 'error: the transport failed',
    master: { 'systemctl-is-active-haproxy': { stdout: '', stderr: '', exitCode: null, error: 'SSH channel closed' } },
    status: 'error',
    findings: ['master:commandNotRun'],
  },
  {
    name: 'skip: no captured output',
    backup: { 'systemctl-is-active-haproxy': null },
    status: 'skip',
    findings: ['backup:commandUnavailable'],
  },
]);

describe('SYS002/SYS003 messages', () => {
  it('name the service from the profile and its state', async () => {
    const { result } = await runLiveCase(SYS003, {
      name: '',
      master: hapActive('inactive'),
      options: { profile: { haproxyService: 'haproxy-lab' } },
      status: 'fail',
      findings: [],
    });
    expect(result.findings[0]!.message).to.equal('the haproxy-lab service is inactive, not active');
    expect(result.findings[0]!.hint).to.include('systemctl start haproxy-lab');
  });

  it('speak Russian', async () => {
    const { result } = await runLiveCase(SYS002, {
      name: '',
      backup: enabled('disabled'),
      options: { lang: 'ru' },
      status: 'fail',
      findings: [],
    });
    expect(result.findings[0]!.message).to.equal(
      'сервис keepalived в состоянии disabled, а не enabled: после перезагрузки он не запустится',
    );
  });
});
