// The CLI as users run it: exit codes, formats, usage errors, help.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../../src/self/paths.js';
import { CLI } from '../support/cli-path.js';

function hagrade(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', LANG: 'C' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli', function () {
  this.timeout(30_000);

  it('check --snapshot of the correct fixture passes every static check: exit 0', () => {
    const r = hagrade('check', '--snapshot', join(FIXTURES_DIR, 'correct'), '--no-failover');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('All checks passed.');
  });

  it('a failing fixture exits 1 and the JSON report names the failure', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hagrade-cli-'));
    try {
      const out = join(dir, 'r.json');
      const r = hagrade(
        'check',
        '--snapshot',
        join(FIXTURES_DIR, 'hap005-no-forwardfor'),
        '--format',
        'json',
        '--out',
        out,
      );
      expect(r.code).to.equal(1);
      const report = JSON.parse(readFileSync(out, 'utf8')) as { results: Array<{ id: string; status: string }> };
      expect(report.results.find((x) => x.id === 'HAP005')!.status).to.equal('fail');
      expect(r.stdout).to.contain('HAP005');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('usage errors exit 2 with one clear line, never a stack trace', () => {
    for (const args of [
      ['check'],
      ['check', '--snapshot', '/nonexistent/dir'],
      ['check', '--snapshot', `${FIXTURES_DIR}/correct`, '--master', 'a'],
      ['check', '--snapshot', `${FIXTURES_DIR}/correct`, '--lang', 'fr'],
      ['check', '--snapshot', `${FIXTURES_DIR}/correct`, '--only', 'XYZ'],
      ['check', '--snapshot', `${FIXTURES_DIR}/correct`, '--format', 'xml'],
      ['explain', 'NOPE01'],
      ['check', '--inventory', '/nonexistent/inventory.yaml'],
      ['check', '--master', 'root@127.0.0.1', '--backup', 'root@127.0.0.2', '--vip', '$(touch /tmp/x)'],
    ]) {
      const r = hagrade(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).to.equal(2);
      expect(r.stderr, args.join(' ')).to.not.match(/\n\s+at /);
      expect(r.stderr.trim(), args.join(' ')).to.not.equal('');
    }
  });

  it('an unreachable host is an ERROR (exit 3), not a FAIL', () => {
    // Port 1 on loopback refuses at once: both hosts unreachable.
    const r = hagrade(
      'check',
      '--master',
      'root@127.0.0.1:1',
      '--backup',
      'root@127.0.0.1:1',
      '--no-failover',
      '--format',
      'json',
    );
    expect(r.code, r.stderr).to.equal(3);
    const report = JSON.parse(r.stdout) as { summary: { fail: number; error: number } };
    expect(report.summary.fail).to.equal(0);
    expect(report.summary.error).to.be.above(0);
  });

  it('--reboot says what it will do and, without a terminal to ask on, refuses unless --yes (before connecting)', () => {
    const r = hagrade('check', '--master', 'root@127.0.0.1:1', '--backup', 'root@127.0.0.1:1', '--reboot');
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('will reboot master (root@127.0.0.1:1) for real').and.contain('add --yes');
    expect(r.stderr).to.not.match(/connecting to/);
    // With --yes it goes ahead: both hosts unreachable, an ERROR run, nothing rebooted.
    const yes = hagrade(
      'check',
      '--master',
      'root@127.0.0.1:1',
      '--backup',
      'root@127.0.0.1:1',
      '--reboot',
      '--yes',
      '--format',
      'json',
    );
    expect(yes.code, yes.stderr).to.equal(3);
    const rbt = (JSON.parse(yes.stdout) as { results: Array<{ id: string; status: string }> }).results.filter((x) =>
      x.id.startsWith('RBT'),
    );
    expect(rbt.map((x) => x.status)).to.deep.equal(['error', 'error', 'error', 'error', 'error']);
    expect(hagrade('check', '--snapshot', join(FIXTURES_DIR, 'correct'), '--reboot', '--yes').stderr).to.contain(
      '--reboot needs live hosts',
    );
    expect(hagrade('check', '--snapshot', join(FIXTURES_DIR, 'correct'), '--reboot-timeout', '5').code).to.equal(2);
  });

  it('without --reboot the reboot checks are not part of the run (opt-in), yet listed in the catalogue', () => {
    const r = hagrade('check', '--snapshot', join(FIXTURES_DIR, 'correct'), '--format', 'json');
    const ids = (JSON.parse(r.stdout) as { results: Array<{ id: string }> }).results.map((x) => x.id);
    expect(ids).to.include('FOV001').and.not.include('RBT001');
    expect(hagrade('checks').stdout).to.contain('RBT001');
  });

  it('explain prints the doc in both languages', () => {
    const en = hagrade('explain', 'HAP005');
    expect(en.code).to.equal(0);
    expect(en.stdout).to.match(/Failing example:[\s\S]*Passing example:[\s\S]*How to fix:/);
    const ru = hagrade('explain', 'hap005', '--lang', 'ru');
    expect(ru.stdout).to.match(/Пример с ошибкой:[\s\S]*Как исправить:/);
  });

  it('checks --json lists the whole catalogue', () => {
    const r = hagrade('checks', '--json');
    const list = JSON.parse(r.stdout) as Array<{ id: string }>;
    expect(list.map((c) => c.id)).to.include.members(['CRT001', 'HAP005', 'KAD007', 'FOV001', 'LIV003']);
  });

  it('--help answers with commands, examples and exit codes', () => {
    expect(hagrade('--help').stdout).to.match(/Exit codes:[\s\S]*3 +some checks could not be decided/);
    expect(hagrade('check', '--help').stdout).to.match(/Examples:[\s\S]*--snapshot/);
  });
});
