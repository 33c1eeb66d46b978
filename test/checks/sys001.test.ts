// SYS001 through the CheckTester: valid and invalid cases over the correct fixture, every finding matched on host,
// message id and line.
import { expect } from 'chai';
import SYS001 from '../../checks/SYS001.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import {
  type ExpectedFinding,
  expectFindings,
  runCheck,
  type TesterOptions,
  testCheck,
} from '../support/check-tester.js';

const CONF = DEFAULT_PROFILE.sysctlPath;
const TASK = Object.entries(DEFAULT_PROFILE.sysctl).map(([k, v]) => `${k} = ${v}`);
const without = (needle: string) => TASK.filter((l) => !l.includes(needle));
const onBoth = (files: Record<string, string | null>): TesterOptions => ({ master: files, backup: files });
/** What `sysctl KEY...` prints when everything is in effect. */
const IN_EFFECT = `${TASK.join('\n')}\n`;

const both = <Id extends string>(messageId: Id, more: Omit<ExpectedFinding, 'messageId' | 'host'> = {}) =>
  (['master', 'backup'] as const).map((host) => ({ host, messageId, ...more }));

describe('SYS001 kernel settings', () => {
  testCheck(SYS001, {
    valid: [
      { name: 'the correct fixture' },
      {
        name: 'settings in sysctl.d and none in sysctl.conf: passes with a note',
        ...onBoth({ [CONF]: '# empty\n', '/etc/sysctl.d/60-lab.conf': TASK.join('\n') }),
        findings: both('otherFile', { kind: 'note' }),
      },
      {
        name: 'a wrong value in sysctl.d, the right one in sysctl.conf (read last)',
        ...onBoth({ '/etc/sysctl.d/99-zz.conf': 'net.ipv4.ip_nonlocal_bind = 0\n' }),
      },
      {
        name: 'a glob line sets the eth0 key',
        ...onBoth({ [CONF]: [...without('eth0'), 'net.ipv4.conf.eth*.arp_filter = 1'].join('\n') }),
      },
      {
        name: 'live: every value in effect',
        commands: { master: { sysctl: { stdout: IN_EFFECT } }, backup: { sysctl: { stdout: IN_EFFECT } } },
      },
    ],
    invalid: [
      {
        name: 'a key is missing',
        ...onBoth({ [CONF]: without('arp_ignore').join('\n') }),
        findings: both('missing'),
      },
      {
        name: 'sysctl.conf missing and no sysctl.d: every key is missing',
        master: { [CONF]: null },
        findings: TASK.map(() => ({ host: 'master' as const, messageId: 'missing' as const })),
      },
      {
        name: 'a line without "=" names the line',
        master: { [CONF]: [...without('ip_nonlocal_bind'), 'net.ipv4.ip_nonlocal_bind 1'].join('\n') },
        findings: [{ host: 'master', messageId: 'invalidSyntax', line: 7 }],
      },
      {
        name: 'a wrong value, on its line',
        backup: { [CONF]: [...without('ip_nonlocal_bind'), 'net.ipv4.ip_nonlocal_bind = 0'].join('\n') },
        findings: [{ host: 'backup', messageId: 'wrongValue', line: 7 }],
      },
      {
        name: 'the right line in sysctl.d overridden by sysctl.conf, which is read last',
        master: {
          '/etc/sysctl.d/60-lab.conf': 'net.ipv4.ip_nonlocal_bind = 1\n',
          [CONF]: [...without('ip_nonlocal_bind'), 'net.ipv4.ip_nonlocal_bind = 0'].join('\n'),
        },
        findings: [{ host: 'master', messageId: 'overridden', line: 7 }],
      },
      {
        name: 'the right line overridden by a later line',
        master: { [CONF]: [...TASK, 'net.ipv4.conf.all.arp_filter = 1'].join('\n') },
        findings: [{ host: 'master', messageId: 'overridden', line: 8 }],
      },
      {
        name: 'live: a value not applied yet',
        commands: {
          master: { sysctl: { stdout: IN_EFFECT.replace('ip_nonlocal_bind = 1', 'ip_nonlocal_bind = 0') } },
        },
        findings: [{ host: 'master', messageId: 'liveWrong' }],
      },
      {
        name: 'live: the kernel has no eth0',
        commands: {
          master: {
            sysctl: {
              stdout: without('eth0').join('\n'),
              stderr: 'sysctl: cannot stat /proc/sys/net/ipv4/conf/eth0/arp_filter: No such file or directory\n',
              exitCode: 255,
            },
          },
        },
        findings: [{ host: 'master', messageId: 'liveUnknown' }],
      },
      {
        name: 'live: the command timed out',
        commands: { backup: { sysctl: { exitCode: null, timedOut: true } } },
        findings: [{ host: 'backup', messageId: 'liveError', kind: 'error' }],
        status: 'error',
      },
    ],
  });

  it('asks the host for exactly the profile keys, under the stable key "sysctl"', async () => {
    const result = await runCheck(SYS001, { commands: { master: { sysctl: { stdout: IN_EFFECT } } } });
    expect(result.evidence?.map((e) => e.command)).to.deep.equal([
      `sysctl ${Object.keys(DEFAULT_PROFILE.sysctl).join(' ')}`,
    ]);
  });

  it('follows the profile: another expected value makes the correct fixture fail', async () => {
    const result = await runCheck(SYS001, { profile: { sysctl: { 'net.ipv4.ip_nonlocal_bind': '0' } } });
    expectFindings(result, both('wrongValue', { line: 5 })); // the fixture's sysctl.conf sets it on line 5
    expect(result.findings[0]!.excerpt).to.equal('net.ipv4.ip_nonlocal_bind = 1');
  });

  it('says where the value is wrong, in Russian too', async () => {
    const result = await runCheck(SYS001, { lang: 'ru', backup: { [CONF]: 'net.ipv4.ip_nonlocal_bind = 0\n' } });
    // backup's sysctl.conf now holds only that line: the six other keys are missing there.
    expectFindings(result, [
      { host: 'backup', messageId: 'wrongValue', line: 1 },
      ...TASK.filter((l) => !l.includes('ip_nonlocal_bind')).map(() => ({
        host: 'backup' as const,
        messageId: 'missing',
      })),
    ]);
    const wrong = result.findings.find((f) => f.messageId === 'wrongValue')!;
    expect(wrong).to.include({ host: 'backup', file: CONF, line: 1 });
    expect(wrong.message).to.equal('net.ipv4.ip_nonlocal_bind = 0, а нужно 1');
  });
});
