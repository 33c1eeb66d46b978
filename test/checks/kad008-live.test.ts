// KAD008's live part: the track script is run on the host as keepalived would run it.
import { expect } from 'chai';
import KAD008 from '../../checks/KAD008.js';
import type { CommandMap } from '../../src/hosts/memory.js';
import { expectFindings, runCheck } from '../support/check-tester.js';
import { keepalivedExample } from '../../src/facts/keepalived-examples.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { scriptStatKey } from '../../src/facts/track-scripts.js';

/** What the script-stat command prints (src/facts/script-files.ts), for /usr/bin/killall with the given lines. */
const statOutput = (lines: string[]) =>
  ['file|/usr/bin/killall', 'real|/usr/bin/killall', ...lines, 'F 0 0 755 regular file|/usr/bin/killall'].join('\n');
const KILLALL = scriptStatKey('/usr/bin/killall');
/** The fixture's keepalived.conf has its script line at line 8, on both hosts: every KAD008 finding points there. */
const SCRIPT_LINE = 8;
const works = (host: 'master' | 'backup') => ({
  host,
  messageId: 'liveWorks',
  kind: 'note' as const,
  line: SCRIPT_LINE,
});

/** Live outputs for one host: haproxy active, and what the track script printed. */
function live(scriptExit: number, scriptStderr = ''): CommandMap {
  return {
    'systemctl-is-active-haproxy': { stdout: 'active\n', exitCode: 0 },
    'keepalived-version': { stdout: '', stderr: 'Keepalived v2.2.7 (01/16,2022)\n', exitCode: 0 },
    'track-script-check_haproxy': { stdout: '', stderr: scriptStderr, exitCode: scriptExit },
  };
}

describe('KAD008 live part', () => {
  it('a script that exits 0 as its user while haproxy runs passes, with the run as evidence', async () => {
    const result = await runCheck(KAD008, { commands: { master: live(0), backup: live(0) } });
    expect(result.status).to.equal('pass');
    expectFindings(result, [works('master'), works('backup')]);
    expect(result.evidence?.map((e) => e.exitCode)).to.include(0);
  });

  it('a script that fails on the host fails the check with its exit code and output', async () => {
    const eperm = 'haproxy(812): Operation not permitted\nhaproxy: no process found\n';
    const result = await runCheck(KAD008, { commands: { master: live(1, eperm), backup: live(0) } });
    expect(result.status).to.equal('fail');
    expectFindings(result, [{ host: 'master', messageId: 'liveFails', line: SCRIPT_LINE }, works('backup')]);
    const finding = result.findings.find((f) => f.messageId === 'liveFails')!;
    expect(finding.message).to.contain('exits 1');
    expect(finding.message).to.contain('Operation not permitted');
  });

  it('a run that gives no exit code in time is an ERROR, not a FAIL', async () => {
    const slow = {
      ...live(0),
      'track-script-check_haproxy': { stdout: '', stderr: '', exitCode: null, timedOut: true },
    };
    const result = await runCheck(KAD008, { commands: { master: slow, backup: live(0) } });
    expect(result.status).to.equal('error');
    expectFindings(result, [
      { host: 'master', messageId: 'liveNoAnswer', kind: 'error', line: SCRIPT_LINE },
      works('backup'),
    ]);
  });

  it('is not run while haproxy is stopped (the script would rightly fail)', async () => {
    const stopped = { ...live(1), 'systemctl-is-active-haproxy': { stdout: 'inactive\n', exitCode: 3 } };
    const result = await runCheck(KAD008, { commands: { master: stopped, backup: live(0) } });
    expect(result.status).to.equal('pass');
    expectFindings(result, [works('backup')]); // nothing on master
  });

  it('a snapshot without the script run judges from the config alone', async () => {
    const noScript = live(0);
    delete noScript['track-script-check_haproxy'];
    const result = await runCheck(KAD008, { commands: { master: noScript, backup: noScript } });
    expect(result.status).to.equal('pass');
    expectFindings(result, []);
  });

  it('a script path a non-root user can change is disabled under enable_script_security', async () => {
    // lib/notify.c check_security() (v2.2.7:640-690): a component owned by a non-root user is unsafe.
    const stat = statOutput([
      'L 0 0 755 directory|/',
      'L 0 0 755 directory|/usr',
      'L 0 0 755 directory|/usr/bin',
      'L 1000 1000 775 regular file|/usr/bin/killall',
    ]);
    const result = await runCheck(KAD008, {
      commands: { master: { ...live(0), [KILLALL]: { stdout: stat, exitCode: 0 } }, backup: live(0) },
    });
    expect(result.status).to.equal('fail');
    // keepalived would not run the script on master at all: no liveWorks there.
    expectFindings(result, [{ host: 'master', messageId: 'scriptUnsafe', line: SCRIPT_LINE }, works('backup')]);
    const finding = result.findings.find((f) => f.messageId === 'scriptUnsafe')!;
    expect(finding.message).to.contain('/usr/bin/killall');
    expect(finding.message).to.contain('uid 1000');
  });

  it('a sticky world-writable directory on the way is no problem, as for keepalived', async () => {
    const stat = statOutput([
      'L 0 0 755 directory|/',
      'L 0 0 1777 directory|/usr',
      'L 0 0 755 directory|/usr/bin',
      'L 0 0 755 regular file|/usr/bin/killall',
    ]);
    const result = await runCheck(KAD008, {
      commands: { master: { ...live(0), [KILLALL]: { stdout: stat, exitCode: 0 } }, backup: live(0) },
    });
    expectFindings(result, [works('master'), works('backup')]);
  });
});

describe('KAD008 scripts that cannot fail', () => {
  for (const script of [
    '"/bin/echo haproxy"',
    '"/bin/sh -c \'pgrep -x haproxy || true\'"',
    '"/bin/sh -c \'killall -0 haproxy; exit 0\'"',
  ]) {
    it(`flags script ${script}`, async () => {
      const conf = keepalivedExample({ script: [`script ${script}`, 'interval 1', 'fall 2', 'rise 2', 'weight -20'] });
      const result = await runCheck(KAD008, { master: { [DEFAULT_PROFILE.keepalivedConfPath]: conf } });
      expectFindings(result, [{ host: 'master', messageId: 'cannotFail', line: SCRIPT_LINE }]);
    });
  }

  it('does not flag a shell script that keeps the exit status', async () => {
    const conf = keepalivedExample({
      script: ['script "/bin/sh -c \'pgrep -x haproxy >/dev/null\'"', 'interval 1', 'fall 2', 'rise 2', 'weight -20'],
    });
    const result = await runCheck(KAD008, { master: { [DEFAULT_PROFILE.keepalivedConfPath]: conf } });
    expectFindings(result, []);
    expect(result.status).to.equal('pass');
  });
});
