// Verdicts that depend on the daemon's version use the version the host reports (live, or captured
// in a snapshot), and say which version they assumed (issue 11, point 5).
import { expect } from 'chai';
import HAP001 from '../../checks/HAP001.js';
import KAD008 from '../../checks/KAD008.js';
import { keepalivedExample } from '../../src/facts/keepalived-examples.js';
import { haproxyExample } from '../../src/facts/haproxy-examples.js';
import { parseHaproxyVersion, parseKeepalivedVersion } from '../../src/facts/versions.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { expectFindings, runCheck } from '../support/check-tester.js';

const CFG = DEFAULT_PROFILE.haproxyCfgPath;
const KCONF = DEFAULT_PROFILE.keepalivedConfPath;

describe('daemon versions', () => {
  it('reads the versions as the daemons print them', () => {
    expect(parseHaproxyVersion('HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/\n')).to.equal(
      '2.6.12',
    );
    expect(parseHaproxyVersion('HA-Proxy version 1.8.19-1+deb10u3 2020/08/01\n')).to.equal('1.8.19');
    expect(parseKeepalivedVersion('Keepalived v2.2.7 (01/16,2022)\n')).to.equal('2.2.7');
    expect(parseKeepalivedVersion('nothing here')).to.equal(undefined);
  });

  // "Missing LF on last line" is a warning in 2.2 and fatal from 2.3 (cfgparse.c; commit f92afb732).
  const noFinalLf = { [CFG]: haproxyExample().trimEnd() };
  it("parses haproxy.cfg as the host's HAProxy: 2.2 only warns about a missing final LF", async () => {
    const v22 = { 'haproxy-version': { stdout: 'HA-Proxy version 2.2.9-2+deb11u5 2023/04/10\n', exitCode: 0 } };
    const result = await runCheck(HAP001, {
      master: noFinalLf,
      backup: noFinalLf,
      commands: { master: v22, backup: v22 },
    });
    expect(result.status).to.equal('pass');
    // The last line, server rebrain_03, is line 27 of the reference config; a note on 2.2.
    expectFindings(result, [
      { host: 'master', messageId: 'missingFinalLfWarned', kind: 'note', line: 27 },
      { host: 'backup', messageId: 'missingFinalLfWarned', kind: 'note', line: 27 },
    ]);
    expect(result.findings[0]!.message).to.contain('2.2.9 (as the host reports)');
  });
  it('without an answer from the host, the profile version is assumed and said to be', async () => {
    const result = await runCheck(HAP001, { master: noFinalLf, backup: noFinalLf });
    expect(result.status).to.equal('fail');
    expectFindings(result, [
      { host: 'master', messageId: 'missingFinalLf', kind: 'fail', line: 27 },
      { host: 'backup', messageId: 'missingFinalLf', kind: 'fail', line: 27 },
    ]);
    expect(result.findings[0]!.message).to.contain('2.6 (assumed: the host did not say)');
  });

  it('a direct pidof fails under the keepalived the host reports (2.2.7) and says which version', async () => {
    const conf = { [KCONF]: keepalivedExample({ script: ['script "/usr/bin/pidof haproxy"', 'weight -20'] }) };
    const v = { 'keepalived-version': { stdout: '', stderr: 'Keepalived v2.2.7 (01/16,2022)\n', exitCode: 0 } };
    const result = await runCheck(KAD008, { master: conf, backup: conf, commands: { master: v, backup: v } });
    const pidofOnBoth = [
      { host: 'master' as const, messageId: 'pidofSymlink', line: 8 }, // the script line of the example
      { host: 'backup' as const, messageId: 'pidofSymlink', line: 8 },
    ];
    expectFindings(result, pidofOnBoth);
    expect(result.findings[0]!.message).to.contain('2.2.7 (as the host reports)');
    const assumed = await runCheck(KAD008, { master: conf, backup: conf });
    expectFindings(assumed, pidofOnBoth);
    expect(assumed.findings[0]!.message).to.contain('2.2.7 (assumed: the host did not say)');
  });
});
