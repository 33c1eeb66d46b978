// keepalived in its own words: reading its log output, picking the decisive lines, and what they
// say about a VIP that did not move (confirming or correcting the cause the configs suggest).
import { expect } from 'chai';
import {
  decisiveLines,
  failoverCause,
  lastScriptVerdict,
  messageOf,
  parseLogOutput,
  quoteFindings,
  timeOf,
} from '../../src/facts/keepalived-log.js';
import { reportPhase } from '../../src/probe/report.js';
import type { ProbeOutcome } from '../../src/probe/failover.js';
import type { CheckContext, CheckResult, FindingInput } from '../../src/model/check.js';

// Lines as keepalived 2.2.7 and killall5 write them on Debian 12, in `journalctl -o short-iso-precise`.
const at = (s: number, host: string, text: string) =>
  `2026-12-03T10:00:${String(s).padStart(2, '0')}.250000+0000 ${host} ${text}`;
const STARTED = at(0, 'master', 'Keepalived_vrrp[41]: Starting VRRP child process, pid=41');
const RETURNING_1 = at(1, 'master', 'Keepalived_vrrp[41]: Script `check_haproxy` now returning 1');
const FAILED = at(1, 'master', 'Keepalived_vrrp[41]: VRRP_Script(check_haproxy) failed (exited with status 1)');
const PRIORITY = at(2, 'master', 'Keepalived_vrrp[41]: (VI_1) Changing effective priority from 110 to 90');
const SUCCEEDED = at(3, 'master', 'Keepalived_vrrp[41]: VRRP_Script(check_haproxy) succeeded');
const KILLALL5 = at(1, 'master', 'killall5[77]: only one argument, a signal number, allowed');
const OWNER = at(
  0,
  'master',
  'Keepalived_vrrp[41]: (VI_1) ignoring tracked script check_haproxy with weights due to address_owner',
);
const BACKUP_MASTER = at(4, 'backup', 'Keepalived_vrrp[40]: (VI_1) Entering MASTER STATE');
const ADVERT = at(2, 'backup', 'Keepalived_vrrp[40]: (VI_1) Sending/queueing gratuitous ARPs on eth0 for 203.0.113.10');

describe("keepalived's log", () => {
  it("reads the source line and drops journalctl's own markers", () => {
    const log = parseLogOutput(
      { command: 'x', exitCode: 0, stdout: `# source: journal\n-- No entries --\n${FAILED}\n\n`, stderr: '' },
      'cmd',
    );
    expect(log).to.deep.equal({ source: 'journal', lines: [FAILED], command: 'cmd' });
    expect(
      parseLogOutput({ command: 'x', exitCode: 0, stdout: '# source: none\n', stderr: '' }, 'cmd').source,
    ).to.equal('none');
    const failed = parseLogOutput(
      { command: 'x', exitCode: null, stdout: '', stderr: '', unavailable: true, error: 'connection lost' },
      'cmd',
    );
    expect(failed).to.include({ source: 'none', unavailable: 'connection lost' });
  });

  it('keeps the decisive lines: scripts, priorities, states and errors, not start-up chatter or ARPs', () => {
    expect(decisiveLines([STARTED, RETURNING_1, FAILED, ADVERT, PRIORITY, KILLALL5, BACKUP_MASTER])).to.deep.equal([
      RETURNING_1,
      FAILED,
      PRIORITY,
      KILLALL5,
      BACKUP_MASTER,
    ]);
    expect(decisiveLines([RETURNING_1, FAILED, PRIORITY], 2)).to.deep.equal([FAILED, PRIORITY]);
  });

  it('quotes the message with its time, in journal and classic syslog form', () => {
    expect(messageOf(FAILED)).to.equal('Keepalived_vrrp: VRRP_Script(check_haproxy) failed (exited with status 1)');
    expect(timeOf(FAILED)).to.equal('10:00:01.250');
    const classic = 'Dec  3 10:00:01 master Keepalived_vrrp[41]: (VI_1) Entering BACKUP STATE';
    expect([timeOf(classic), messageOf(classic)]).to.deep.equal([
      '10:00:01',
      'Keepalived_vrrp: (VI_1) Entering BACKUP STATE',
    ]);
  });

  it('knows the script verdict the lines end on', () => {
    expect(lastScriptVerdict([RETURNING_1, FAILED])).to.equal('failing');
    expect(lastScriptVerdict([FAILED, SUCCEEDED])).to.equal('ok');
    expect(lastScriptVerdict([PRIORITY])).to.equal(undefined);
  });

  describe('the cause of a VIP that did not reach backup', () => {
    it("killall5 refusing pidof's argument: KAD008", () => {
      expect(failoverCause({ before: [], during: [KILLALL5] }, { during: [] })).to.include({
        checkId: 'KAD008',
        messageId: 'logKillall5',
        line: KILLALL5,
      });
    });
    it('a script failing since keepalived started, silent during the probe (EPERM): KAD008', () => {
      expect(failoverCause({ before: [RETURNING_1, FAILED], during: [] }, { during: [] })).to.include({
        checkId: 'KAD008',
        messageId: 'logScriptAlreadyFailing',
        line: FAILED,
      });
    });
    it('the script failed during the probe but backup never became MASTER (weight, nopreempt): KAD007', () => {
      expect(failoverCause({ before: [SUCCEEDED], during: [FAILED, PRIORITY, SUCCEEDED] }, { during: [] })).to.include({
        checkId: 'KAD007',
        messageId: 'logScriptFailedNoTakeover',
      });
    });
    it('the address owner ignores the script: KAD007', () => {
      expect(failoverCause({ before: [OWNER], during: [] }, { during: [] })).to.include({
        checkId: 'KAD007',
        messageId: 'logAddressOwner',
      });
    });
    it('says nothing when the lines show a normal failover, or nothing at all', () => {
      expect(failoverCause({ before: [SUCCEEDED], during: [FAILED, PRIORITY] }, { during: [BACKUP_MASTER] })).to.equal(
        undefined,
      );
      expect(failoverCause({ before: [], during: [] }, { during: [] })).to.equal(undefined);
    });
  });

  it('reads a line attributed both to the unit and to its own name once', () => {
    const log = parseLogOutput(
      { command: 'x', exitCode: 0, stdout: `# source: journal\n${KILLALL5}\n${KILLALL5}\n${FAILED}\n`, stderr: '' },
      'cmd',
    );
    expect(log.lines).to.deep.equal([KILLALL5, FAILED]);
  });

  it('quotes a message repeated every second once, with how often and from when to when', () => {
    const again = (s: number) => at(s, 'master', 'killall5[9]: only one argument, a signal number, allowed');
    const notes = quoteFindings('master', {
      source: 'journal',
      lines: [again(1), again(2), again(3), PRIORITY, again(4)],
      command: 'c',
    });
    expect(notes.map((n) => [n.messageId, n.data])).to.deep.equal([
      [
        'keepalivedRepeated',
        {
          line: 'killall5: only one argument, a signal number, allowed',
          at: '10:00:01.250',
          last: '10:00:03.250',
          count: 3,
        },
      ],
      [
        'keepalivedLine',
        { line: 'Keepalived_vrrp: (VI_1) Changing effective priority from 110 to 90', at: '10:00:02.250' },
      ],
      ['keepalivedLine', { line: 'killall5: only one argument, a signal number, allowed', at: '10:00:04.250' }],
    ]);
  });

  it('says so when no log could be read, or when it holds nothing decisive', () => {
    expect(quoteFindings('master', { source: 'none', lines: [], command: 'c' })).to.deep.equal([
      { kind: 'note', host: 'master', messageId: 'keepalivedNoLog', data: { reason: '' } },
    ]);
    expect(quoteFindings('backup', { source: '/var/log/syslog', lines: [STARTED], command: 'c' })[0]).to.include({
      messageId: 'keepalivedSilent',
    });
  });
});

describe("FOV001's cause: confirmed or corrected by keepalived's log", () => {
  /** A minimal context: the named cause comes from a failed KAD check of the same run. */
  function run(
    named: { id: string; message: string } | undefined,
    masterDuring: string[],
    before: string[] = [],
  ): FindingInput[] {
    const reported: FindingInput[] = [];
    const result = named
      ? ({
          id: named.id,
          status: 'fail',
          findings: [{ kind: 'fail', messageId: 'x', message: named.message }],
        } as unknown as CheckResult)
      : undefined;
    const ctx = {
      options: { lang: 'en' },
      report: (f: FindingInput) => reported.push(f),
      resultOf: (id: string) => (id === named?.id ? result : undefined),
    } as unknown as CheckContext<string>;
    const log = (lines: string[]) => ({ source: 'journal' as const, lines, command: 'c' });
    const outcome = {
      logs: {
        master: { before: log(before), failover: log(masterDuring) },
        backup: { before: log([]), failover: log([]) },
      },
    } as unknown as ProbeOutcome;
    reportPhase(ctx, { status: 'fail', ms: 9000, reason: 'deadline', state: 'master (eth0:10)' }, 'moved', 'notMoved', {
      outcome,
      which: 'failover',
    });
    return reported;
  }

  it('confirms a cause the configs named when the log says the same', () => {
    const f = run({ id: 'KAD008', message: 'killall -0 runs as keepalived_script: EPERM' }, [], [FAILED]);
    expect(f[0]).to.deep.include({
      messageId: 'notMovedWithCause',
      data: { seconds: '9.0', state: 'master (eth0:10)', cause: 'KAD008: killall -0 runs as keepalived_script: EPERM' },
    });
    expect(f.map((x) => x.messageId)).to.include('logConfirms');
  });

  it('corrects it when the log points at another check', () => {
    const f = run({ id: 'KAD007', message: 'weight too small' }, [KILLALL5]);
    expect(String(f[0]!.data!.cause)).to.match(/^KAD008: keepalived ran pidof as killall5/);
    expect(f.find((x) => x.messageId === 'logCorrects')!.data).to.include({ named: 'KAD007' });
  });

  it('keeps the named cause when the log says nothing about it', () => {
    const f = run({ id: 'KAD007', message: 'weight too small' }, [ADVERT]);
    expect(f[0]!.data!.cause).to.equal('KAD007: weight too small');
    expect(f.map((x) => x.messageId).filter((id) => id.startsWith('log'))).to.deep.equal([]);
  });
});
