// Differential tests of track scripts against the real programs and the real `keepalived -t` (root,
// with keepalived, psmisc and procps installed; skipped elsewhere).
// 1. Execution: each command is exec'd without a shell, as keepalived's child does (lib/notify.c
//    v2.2.7:201-214, execve of the split words), with a process named haproxy running and then
//    without it, as root and as nobody; the exit statuses must agree with our predicted outcome.
// 2. Loading: `keepalived -t` must remove or disable exactly the scripts we say it does.
import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judgeArgv } from '../../src/facts/script-exec.js';
import { loadVerdict, parseScriptStat, scriptStatCommand } from '../../src/facts/script-files.js';
import { parsePasswd } from '../../src/facts/passwd.js';
import { parseKeepalived } from '../../src/parsers/keepalived.js';
import { splitQuotedEscaped } from '../../src/parsers/keepalived-words.js';

const installed = (cmd: string, arg = '--version') =>
  spawnSync(cmd, [arg]).status !== null && !spawnSync(cmd, [arg]).error;
const ready = process.getuid?.() === 0 && installed('killall', '-V') && installed('pgrep', '-V');

/**
 * Scripts as written inside `script "…"`, none of which is `sh -c` (that is judged as shell text).
 * `haproxy` is replaced by SERVICE, a name no other process on this machine has (lab hosts run real
 * haproxy processes that this PID namespace sees), and the service name is told to the judgement.
 */
const SERVICE = 'hgfakeproxy';
const COMMANDS = [
  'killall -0 haproxy',
  'killall -0 haproxy || exit 1',
  'killall -0 haproxy && exit 0',
  'killall -0 haproxy > /dev/null',
  'killall -0 haproxy* ',
  'killall -0 $SERVICE',
  'killall',
  'pgrep -x haproxy',
  'pgrep haproxy > /dev/null',
  'pgrep -x haproxy || exit 1',
  'pgrep haproxy | wc -l',
  'pgrep $SERVICE',
  'pgrep -x nginx',
  'pkill -0 haproxy',
  'pkill -0 haproxy || exit 1',
  'test -n $(pidof haproxy)',
  '[ -n $(pidof haproxy) ]',
  "[ -n '$(pidof haproxy)' ]",
  "[ -z '$(pidof haproxy)' ]",
  '[ -n `pidof haproxy` ]',
  'echo haproxy',
  'false',
  'kill -0 $(cat /run/haproxy.pid)',
  'ps -C haproxy | grep haproxy',
];

/** Exit status of argv exec'd directly (no shell), as `user`. */
function exec(argv: string[], uid?: number): number | null {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    stdio: 'ignore',
    timeout: 10_000,
    ...(uid === undefined ? {} : { uid, gid: uid }),
  });
  return r.error ? 127 : r.status;
}

describe('track scripts against the real programs and keepalived -t', function () {
  this.timeout(120_000);
  let dir = '';
  let fake: ChildProcess | undefined;
  const nobody = parsePasswd(readFileSync('/etc/passwd', 'utf8')).get('nobody');

  before(function () {
    if (!ready || !nobody) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'hagrade-scripts-'));
  });
  after(() => {
    fake?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const startHaproxy = async () => {
    // A root-owned process whose name is haproxy: what pgrep, pidof and killall look for.
    const bin = join(dir, SERVICE);
    copyFileSync('/bin/sleep', bin);
    fake = spawn(bin, ['600'], { stdio: 'ignore' });
    for (let i = 0; i < 50 && spawnSync('pgrep', ['-x', SERVICE]).status !== 0; i++)
      await new Promise((r) => setTimeout(r, 20));
  };
  const stopHaproxy = async () => {
    fake?.kill('SIGKILL');
    for (let i = 0; i < 50 && spawnSync('pgrep', ['-x', SERVICE]).status === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    fake = undefined;
  };

  it('the predicted outcome of each command matches its exit status with haproxy up and down, as root and as nobody', async () => {
    const argv = (c: string) => splitQuotedEscaped(c.replaceAll('haproxy', SERVICE))!;
    const runs: Record<string, { up: number | null; down: number | null }> = {};
    const users = [
      { name: 'root', uid: undefined },
      { name: 'nobody', uid: nobody!.uid },
    ];
    await startHaproxy();
    for (const c of COMMANDS) for (const u of users) runs[`${u.name} ${c}`] = { up: exec(argv(c), u.uid), down: null };
    await stopHaproxy();
    for (const c of COMMANDS) for (const u of users) runs[`${u.name} ${c}`]!.down = exec(argv(c), u.uid);

    const wrong: string[] = [];
    for (const c of COMMANDS) {
      for (const u of users) {
        const { up, down } = runs[`${u.name} ${c}`]!;
        const j = judgeArgv(argv(c), { user: u.name, service: SERVICE, keepalivedVersion: '2.3.0' });
        const ok =
          j.outcome === 'tracks'
            ? up === 0 && down !== 0
            : j.outcome === 'neverSucceeds'
              ? up !== 0 && down !== 0
              : j.outcome === 'neverFails'
                ? up === 0 && down === 0
                : j.outcome === 'otherThing'
                  ? up === down
                  : true; // unknown claims nothing
        if (!ok) wrong.push(`${u.name}: ${c}: predicted ${j.outcome} (${j.why}), exit ${up} up / ${down} down`);
      }
    }
    expect(wrong, wrong.join('\n')).to.deep.equal([]);
    // And it decides most of them (an oracle that only says "unknown" proves nothing).
    const decided = COMMANDS.filter(
      (c) => judgeArgv(argv(c), { user: 'root', service: SERVICE, keepalivedVersion: '2.3.0' }).outcome !== 'unknown',
    );
    expect(decided.length).to.be.at.least(COMMANDS.length - 3);
  });

  it('keepalived -t removes or disables exactly the scripts we say it does', function () {
    if (!installed('keepalived')) this.skip();
    const users = parsePasswd(readFileSync('/etc/passwd', 'utf8'));
    mkdirSync(join(dir, 'open'), { mode: 0o777 });
    chmodSync(join(dir, 'open'), 0o777); // world-writable, no sticky bit: unsafe for keepalived
    writeFileSync(join(dir, 'open', 'check.sh'), '#!/bin/sh\npgrep -x haproxy\n', { mode: 0o755 });
    writeFileSync(join(dir, 'check.sh'), '#!/bin/sh\npgrep -x haproxy\n', { mode: 0o755 });
    chmodSync(dir, 0o755);
    const cases: { name: string; globalDefs: string[]; script: string; user?: string }[] = [
      {
        name: 'safe script file',
        globalDefs: ['enable_script_security', 'script_user root'],
        script: join(dir, 'check.sh'),
      },
      {
        name: 'unsafe directory',
        globalDefs: ['enable_script_security', 'script_user root'],
        script: join(dir, 'open', 'check.sh'),
      },
      {
        name: 'unsafe directory without script security',
        globalDefs: ['script_user root'],
        script: join(dir, 'open', 'check.sh'),
      },
      {
        name: 'missing file',
        globalDefs: ['enable_script_security', 'script_user root'],
        script: join(dir, 'nope.sh'),
      },
      {
        name: 'shell syntax as the program',
        globalDefs: ['enable_script_security', 'script_user root'],
        script: '$(pidof haproxy)',
      },
      {
        name: 'bare name on PATH',
        globalDefs: ['enable_script_security', 'script_user root'],
        script: 'pgrep -x haproxy || exit 1',
      },
      {
        name: 'no user under script security',
        globalDefs: ['enable_script_security'],
        script: '/usr/bin/pgrep -x haproxy',
      },
      {
        name: 'global script_user that does not exist',
        globalDefs: ['script_user hagrade_nosuchuser'],
        script: '/usr/bin/pgrep -x haproxy',
      },
      {
        name: 'vrrp_script user that does not exist',
        globalDefs: ['script_user root'],
        script: '/usr/bin/pgrep -x haproxy',
        user: 'hagrade_nosuchuser',
      },
    ];
    const wrong: string[] = [];
    for (const c of cases) {
      const text = [
        `global_defs {\n${c.globalDefs.map((l) => `    ${l}\n`).join('')}}`,
        `vrrp_script chk {\n    script "${c.script}"\n    weight -20\n${c.user ? `    user ${c.user}\n` : ''}}`,
        'vrrp_instance VI_1 {\n    state MASTER\n    interface lo\n    virtual_router_id 51\n    priority 110\n    virtual_ipaddress {\n        203.0.113.10/24\n    }\n    track_script {\n        chk\n    }\n}\n',
      ].join('\n');
      const file = join(dir, 'keepalived.conf');
      writeFileSync(file, text);
      const out = spawnSync('keepalived', ['-t', '-n', '-l', '-i', 'none', '-f', file], {
        encoding: 'utf8',
        timeout: 10_000,
      });
      const theirs =
        /Disabling track script chk|vrrp script chk - removing|Unable to set uid\/gid for script|track script chk not found/.test(
          `${out.stdout}${out.stderr}`,
        );
      const config = parseKeepalived(text, file, { userExists: (n) => users.has(n) });
      let ours = config.instances[0]!.trackScripts.length === 0;
      if (!ours) {
        const program = config.scripts[0]!.argv[0]!;
        const cmd = scriptStatCommand(program);
        const stat = parseScriptStat(
          spawnSync('sh', ['-c', cmd.shell!, 'hagrade', ...cmd.argv!], { encoding: 'utf8' }).stdout,
        );
        ours = !!loadVerdict(stat, 0, 0, config.globalDefs.enableScriptSecurity).drop || /[$(]/.test(program);
      }
      if (ours !== theirs)
        wrong.push(`${c.name}: keepalived ${theirs ? 'drops' : 'keeps'} it, we say it ${ours ? 'drops' : 'keeps'} it`);
    }
    expect(wrong, wrong.join('\n')).to.deep.equal([]);
  });
});
