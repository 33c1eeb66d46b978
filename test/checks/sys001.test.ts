// SYS001 through the CheckTester: valid and invalid cases over the correct fixture, matched on messageId.
import { expect } from 'chai';
import SYS001 from '../../checks/SYS001.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { messageIds, runCheck, type TesterOptions } from '../support/check-tester.js';

const CONF = DEFAULT_PROFILE.sysctlPath;
const TASK = Object.entries(DEFAULT_PROFILE.sysctl).map(([k, v]) => `${k} = ${v}`);
const without = (needle: string) => TASK.filter((l) => !l.includes(needle));
const onBoth = (files: Record<string, string | null>): TesterOptions => ({ master: files, backup: files });
/** What `sysctl KEY...` prints when everything is in effect. */
const IN_EFFECT = `${TASK.join('\n')}\n`;

interface Case {
  name: string;
  opts: TesterOptions;
  status: 'pass' | 'fail' | 'error';
  messages?: string[];
  line?: number;
}

const cases: Case[] = [
  { name: 'the correct fixture', opts: {}, status: 'pass', messages: [] },
  {
    name: 'settings in sysctl.d and none in sysctl.conf: passes with a note',
    opts: onBoth({ [CONF]: '# empty\n', '/etc/sysctl.d/60-lab.conf': TASK.join('\n') }),
    status: 'pass',
    messages: ['otherFile', 'otherFile'],
  },
  {
    name: 'a wrong value in sysctl.d, the right one in sysctl.conf (read last)',
    opts: onBoth({ '/etc/sysctl.d/99-zz.conf': 'net.ipv4.ip_nonlocal_bind = 0\n' }),
    status: 'pass',
    messages: [],
  },
  {
    name: 'a glob line sets the eth0 key',
    opts: onBoth({ [CONF]: [...without('eth0'), 'net.ipv4.conf.eth*.arp_filter = 1'].join('\n') }),
    status: 'pass',
    messages: [],
  },
  {
    name: 'a key is missing',
    opts: onBoth({ [CONF]: without('arp_ignore').join('\n') }),
    status: 'fail',
    messages: ['missing', 'missing'],
  },
  {
    name: 'sysctl.conf missing and no sysctl.d: every key is missing',
    opts: { master: { [CONF]: null } },
    status: 'fail',
    messages: TASK.map(() => 'missing'),
  },
  {
    name: 'a line without "=" names the line',
    opts: { master: { [CONF]: [...without('ip_nonlocal_bind'), 'net.ipv4.ip_nonlocal_bind 1'].join('\n') } },
    status: 'fail',
    messages: ['invalidSyntax'],
    line: 7,
  },
  {
    name: 'a wrong value, on its line',
    opts: { backup: { [CONF]: [...without('ip_nonlocal_bind'), 'net.ipv4.ip_nonlocal_bind = 0'].join('\n') } },
    status: 'fail',
    messages: ['wrongValue'],
    line: 7,
  },
  {
    name: 'the right line in sysctl.d overridden by sysctl.conf, which is read last',
    opts: {
      master: {
        '/etc/sysctl.d/60-lab.conf': 'net.ipv4.ip_nonlocal_bind = 1\n',
        [CONF]: [...without('ip_nonlocal_bind'), 'net.ipv4.ip_nonlocal_bind = 0'].join('\n'),
      },
    },
    status: 'fail',
    messages: ['overridden'],
    line: 7,
  },
  {
    name: 'the right line overridden by a later line',
    opts: { master: { [CONF]: [...TASK, 'net.ipv4.conf.all.arp_filter = 1'].join('\n') } },
    status: 'fail',
    messages: ['overridden'],
    line: 8,
  },
  {
    name: 'live: every value in effect',
    opts: { commands: { master: { sysctl: { stdout: IN_EFFECT } }, backup: { sysctl: { stdout: IN_EFFECT } } } },
    status: 'pass',
    messages: [],
  },
  {
    name: 'live: a value not applied yet',
    opts: {
      commands: { master: { sysctl: { stdout: IN_EFFECT.replace('ip_nonlocal_bind = 1', 'ip_nonlocal_bind = 0') } } },
    },
    status: 'fail',
    messages: ['liveWrong'],
  },
  {
    name: 'live: the kernel has no eth0',
    opts: {
      commands: {
        master: {
          sysctl: {
            stdout: without('eth0').join('\n'),
            stderr: 'sysctl: cannot stat /proc/sys/net/ipv4/conf/eth0/arp_filter: No such file or directory\n',
            exitCode: 255,
          },
        },
      },
    },
    status: 'fail',
    messages: ['liveUnknown'],
  },
  {
    name: 'live: the command timed out',
    opts: { commands: { backup: { sysctl: { exitCode: null, timedOut: true } } } },
    status: 'error',
    messages: ['liveError'],
  },
];

describe('SYS001 kernel settings', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const result = await runCheck(SYS001, c.opts);
      expect(result.status, JSON.stringify(result.findings)).to.equal(c.status);
      if (c.messages) expect(messageIds(result)).to.deep.equal([...c.messages].sort());
      if (c.line !== undefined) expect(result.findings.map((f) => f.line)).to.deep.equal([c.line]);
    });
  }

  it('asks the host for exactly the profile keys, under the stable key "sysctl"', async () => {
    const result = await runCheck(SYS001, { commands: { master: { sysctl: { stdout: IN_EFFECT } } } });
    expect(result.evidence?.map((e) => e.command)).to.deep.equal([
      `sysctl ${Object.keys(DEFAULT_PROFILE.sysctl).join(' ')}`,
    ]);
  });

  it('follows the profile: another expected value makes the correct fixture fail', async () => {
    const result = await runCheck(SYS001, { profile: { sysctl: { 'net.ipv4.ip_nonlocal_bind': '0' } } });
    expect(messageIds(result)).to.deep.equal(['wrongValue', 'wrongValue']);
    expect(result.findings[0]!.excerpt).to.equal('net.ipv4.ip_nonlocal_bind = 1');
  });

  it('says where the value is wrong, in Russian too', async () => {
    const result = await runCheck(SYS001, { lang: 'ru', backup: { [CONF]: 'net.ipv4.ip_nonlocal_bind = 0\n' } });
    const wrong = result.findings.find((f) => f.messageId === 'wrongValue')!;
    expect(wrong).to.include({ host: 'backup', file: CONF, line: 1 });
    expect(wrong.message).to.equal('net.ipv4.ip_nonlocal_bind = 0, а нужно 1');
  });
});
