// Track scripts as keepalived runs them: shell text (sh -c and script files), keepalived's load-time
// checks (lib/notify.c v2.2.7 check_script_secure/check_security), and `hagrade snapshot` capturing
// the script file and its stat so that an offline re-grade reaches the same verdict.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from '../../src/engine/registry.js';
import { runChecks } from '../../src/engine/run.js';
import { judgeShell } from '../../src/facts/script-exec.js';
import { loadVerdict, parseScriptStat } from '../../src/facts/script-files.js';
import { scriptStatKey } from '../../src/facts/track-scripts.js';
import { keepalivedExample } from '../../src/facts/keepalived-examples.js';
import { MemoryHost } from '../../src/hosts/memory.js';
import { openSnapshot } from '../../src/hosts/snapshot.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { captureSnapshot } from '../../src/snapshot/capture.js';
import { expectFindings } from '../support/check-tester.js';

const root = { user: 'root', service: 'haproxy', keepalivedVersion: '2.2.7' };
const nobody = { ...root, user: 'nobody' };

describe('track scripts', () => {
  describe('shell text (sh -c and script files)', () => {
    const cases: [string, typeof root, string, string][] = [
      ['pgrep -x haproxy > /dev/null || exit 1', root, 'tracks', 'a pipe-free check whose || works in a shell'],
      ['pidof haproxy\nexit 0', root, 'neverFails', 'exit 0 last, no other exit'],
      ['if ! pidof haproxy; then\n  exit 1\nfi\nexit 0', root, 'tracks', 'exit 0 last, but an exit 1 before it'],
      ['killall -0 haproxy || true', root, 'neverFails', '|| true throws the status away'],
      ['killall -0 haproxy', nobody, 'neverSucceeds', 'signal 0 as non-root: EPERM'],
      ['killall -0 haproxy', root, 'tracks', 'signal 0 as root'],
      ['ps -e | grep -q [h]aproxy', nobody, 'tracks', 'grep [h]aproxy names it'],
      ['curl -sf http://127.0.0.1:81/', root, 'otherThing', 'the web server, not haproxy'],
      ['# pgrep haproxy\ncurl -sf http://127.0.0.1:81/', root, 'otherThing', 'haproxy only in a comment'],
      ['set -e\npidof haproxy\nexit 0', root, 'tracks', 'set -e: the failing pidof ends the script'],
    ];
    for (const [text, ctx, outcome, why] of cases) {
      it(`${why}: ${outcome}`, () => expect(judgeShell(`#!/bin/sh\n${text}\n`, ctx).outcome).to.equal(outcome));
    }
  });

  describe("keepalived's load-time checks", () => {
    const stat = (lines: string[]) =>
      parseScriptStat(['file|/etc/keepalived/c.sh', 'real|/etc/keepalived/c.sh', ...lines].join('\n'));
    const safe = ['L 0 0 755 directory|/', 'L 0 0 755 directory|/etc', 'L 0 0 755 directory|/etc/keepalived'];
    it('a root-owned 755 file in root-owned directories runs', () => {
      expect(
        loadVerdict(
          stat([...safe, 'L 0 0 755 regular file|/etc/keepalived/c.sh', 'F 0 0 755 regular file|/etc/keepalived/c.sh']),
          0,
          0,
          true,
        ),
      ).to.deep.equal({});
    });
    it('a group-writable file of a non-root group is unsafe under script security, insecure without', () => {
      const s = stat([
        ...safe,
        'L 0 1000 775 regular file|/etc/keepalived/c.sh',
        'F 0 1000 775 regular file|/etc/keepalived/c.sh',
      ]);
      expect(loadVerdict(s, 0, 0, true).drop).to.equal('unsafe');
      expect(loadVerdict(s, 0, 0, false)).to.have.property('insecure');
    });
    it('a sticky world-writable directory is exempt, a plain one is not (check_security)', () => {
      const file = ['L 0 0 755 regular file|/tmp/c.sh', 'F 0 0 755 regular file|/tmp/c.sh'];
      expect(
        loadVerdict(stat(['L 0 0 755 directory|/', 'L 0 0 1777 directory|/tmp', ...file]), 0, 0, true),
      ).to.deep.equal({});
      expect(
        loadVerdict(stat(['L 0 0 755 directory|/', 'L 0 0 777 directory|/tmp', ...file]), 0, 0, true).drop,
      ).to.equal('unsafe');
    });
    it('a script run as a non-root user is not checked for safety, only for its x bit', () => {
      const s = stat([
        ...safe,
        'L 1000 1000 700 regular file|/etc/keepalived/c.sh',
        'F 1000 1000 700 regular file|/etc/keepalived/c.sh',
      ]);
      expect(loadVerdict(s, 1000, 1000, true)).to.deep.equal({});
      expect(loadVerdict(s, 1001, 1001, true).drop).to.equal('notExecutable');
    });
  });

  it('hagrade snapshot captures the script file and its stat; the offline grade gives the same KAD008 verdict', async () => {
    const conf = keepalivedExample({
      script: ['script "/etc/keepalived/check_haproxy.sh"', 'interval 1', 'weight -20'],
    });
    const statOut =
      'file|/etc/keepalived/check_haproxy.sh\nreal|/etc/keepalived/check_haproxy.sh\nL 0 0 755 directory|/\nL 0 0 755 directory|/etc\nL 0 0 755 directory|/etc/keepalived\nL 0 0 644 regular file|/etc/keepalived/check_haproxy.sh\nF 0 0 644 regular file|/etc/keepalived/check_haproxy.sh\ninterp|/bin/sh\n';
    const host = (role: 'master' | 'backup') =>
      new MemoryHost(
        role,
        {
          '/etc/keepalived/keepalived.conf': conf,
          '/etc/keepalived/check_haproxy.sh': '#!/bin/sh\npgrep -x haproxy\n',
          '/etc/passwd': 'root:x:0:0:root:/root:/bin/bash\n',
        },
        { [scriptStatKey('/etc/keepalived/check_haproxy.sh')]: { stdout: statOut, exitCode: 0 } },
      );
    const dir = mkdtempSync(join(tmpdir(), 'hagrade-capture-'));
    try {
      const target = { master: { address: '203.0.113.10' }, backup: { address: '203.0.113.20' } };
      await captureSnapshot({ master: host('master'), backup: host('backup') }, target, DEFAULT_PROFILE, dir);
      expect(existsSync(join(dir, 'master/etc/keepalived/check_haproxy.sh'))).to.equal(true);
      expect(readdirSync(join(dir, 'master/commands')).some((f) => f.startsWith('script-stat-'))).to.equal(true);
      const snapshot = openSnapshot(dir);
      const kad008 = (await loadCatalogue()).filter((c) => c.id === 'KAD008');
      const result = await runChecks({
        checks: kad008,
        hosts: snapshot.hosts,
        target: snapshot.target,
        profile: DEFAULT_PROFILE,
        options: { lang: 'en', failover: false, live: true },
      });
      // Mode 644: "WARNING - script … is not executable for uid:gid 0:0 - disabling." (lib/notify.c v2.2.7:834)
      // On both hosts, at the script line of the example (8).
      expectFindings(result.results[0]!, [
        { host: 'master', messageId: 'scriptNotExecutable', line: 8 },
        { host: 'backup', messageId: 'scriptNotExecutable', line: 8 },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
