// The dead-man switch's own scripts, run by the shells hosts really have (dash is Debian's sh), with a
// stand-in systemctl that records what it was asked: armed, it starts the service by itself after the
// delay; disarmed, it never does. (Found on the lab: dash's kill rejected `--`, so disarming failed
// silently and an old switch restarted haproxy in the middle of the next probe.)
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { armCommand, disarmCommand } from '../../src/probe/deadman.js';
import type { Command } from '../../src/hosts/host.js';

const SHELLS = ['/bin/dash', '/bin/bash'].filter((s) => existsSync(s));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('dead-man switch scripts', function () {
  this.timeout(20_000);
  let dir: string;
  let pidFile: string;
  let started: string;

  /**
   * Run a hagrade Command as a host does: `SHELL -c SCRIPT hagrade ARGV...`, with the stand-in systemctl first on PATH.
   */
  function run(shell: string, cmd: Command): void {
    const argv = cmd.argv!.map((a) => (a === '/run/hagrade-deadman.pid' ? pidFile : a));
    execFileSync(shell, ['-c', cmd.shell!, 'hagrade', ...argv], {
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
      stdio: 'ignore',
    });
  }

  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
    } catch {
      return false;
    }
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hagrade-deadman-'));
    pidFile = join(dir, 'deadman.pid');
    started = join(dir, 'started');
    writeFileSync(join(dir, 'systemctl'), `#!/bin/sh\necho "$@" >> ${started}\n`, { mode: 0o755 });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const shell of SHELLS) {
    it(`${shell}: armed, it starts the service by itself after the delay`, async () => {
      run(shell, armCommand(1, 'haproxy'));
      expect(existsSync(pidFile)).to.equal(true);
      await sleep(1800);
      expect(readFileSync(started, 'utf8')).to.equal('start haproxy\n');
      expect(existsSync(pidFile), 'it removes its pid file once it fired').to.equal(false);
    });

    it(`${shell}: disarmed, its process is gone and the service is never started`, async () => {
      run(shell, armCommand(1, 'haproxy'));
      const pid = Number(readFileSync(pidFile, 'utf8'));
      expect(alive(pid)).to.equal(true);
      run(shell, disarmCommand());
      await sleep(1800);
      expect(alive(pid), 'the switch still runs').to.equal(false);
      expect(existsSync(started), 'the switch started the service after being disarmed').to.equal(false);
      expect(existsSync(pidFile)).to.equal(false);
    });
  }
});
