// The npm package ships what runs, and only that: packed from a copy of the checkout (as a clean
// checkout packs: `prepack` clears dist/, `prepare` compiles), installed from the tarball into an
// empty project, and run from there. Part of the unit run (not @lab): it needs npm and its
// registry (or cache) for the runtime dependencies, never root.
import { expect } from 'chai';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from '../../src/engine/registry.js';
import { REPO_ROOT } from '../../src/self/paths.js';
import { CLI } from '../support/cli-path.js';
import { copyFixture } from '../support/fixtures.js';

interface Report {
  exitCode: number;
  results: Array<{ id: string; status: string }>;
  summary: { pass: number; fail: number; error: number; skip: number };
}

/** A command, in an environment without the npm_* variables of an enclosing `npm test`. */
function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...env, NO_COLOR: '1', LANG: 'C' },
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  return r;
}

function statuses(report: Report): Record<string, string> {
  return Object.fromEntries(report.results.map((r) => [r.id, r.status]));
}

describe('@pack the npm package', function () {
  this.timeout(180_000);
  let tmp: string;
  let files: string[];
  let installed: string;

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'hagrade-pack-'));
    // A checkout: the sources without dist/ (but for one stale file, which must not be shipped).
    const checkout = join(tmp, 'checkout');
    const skip = new Set(['dist', 'node_modules', 'test-artifacts', '.git'].map((d) => join(REPO_ROOT, d)));
    cpSync(REPO_ROOT, checkout, { recursive: true, filter: (src) => !skip.has(src) && !src.endsWith('.tgz') });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(checkout, 'node_modules'));
    mkdirSync(join(checkout, 'dist', 'src'), { recursive: true });
    writeFileSync(join(checkout, 'dist', 'src', 'stale-module.js'), 'throw new Error("a module deleted from src/");\n');

    const pack = run('npm', ['pack', '--pack-destination', tmp, '--json'], checkout);
    expect(pack.status, pack.stderr).to.equal(0);
    const tarball = join(tmp, (JSON.parse(pack.stdout) as Array<{ filename: string }>)[0]!.filename);
    const list = run('tar', ['-tzf', tarball], tmp);
    expect(list.status, list.stderr).to.equal(0);
    files = list.stdout
      .trim()
      .split('\n')
      .map((f) => f.replace(/^package\//, ''));

    // An empty project installs the tarball; the runtime dependencies come from npm's cache or registry.
    // --ignore-scripts: ssh2's optional native binding (node-gyp) is not needed to grade a snapshot.
    const app = join(tmp, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{"name": "pack-probe", "version": "1.0.0", "private": true}\n');
    const install = run(
      'npm',
      ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'],
      app,
    );
    expect(install.status, install.stderr).to.equal(0);
    installed = join(app, 'node_modules', '.bin', 'hagrade');
  });

  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('holds the compiled sources and checks, the base fixture and the README: no tests, no source maps, nothing stale', async () => {
    expect(
      files.filter((f) => f.startsWith('dist/test/')),
      'compiled tests',
    ).to.deep.equal([]);
    expect(
      files.filter((f) => f.endsWith('.map')),
      'source maps',
    ).to.deep.equal([]);
    expect(files).not.to.include('dist/src/stale-module.js');
    const bin = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> })
      .bin.hagrade!;
    expect(files).to.include.members([
      bin,
      'package.json',
      'README.md',
      'fixtures/correct/hosts.yaml',
      'fixtures/correct/master/etc/haproxy/haproxy.cfg',
    ]);
    for (const check of await loadCatalogue()) expect(files, check.id).to.include(`dist/checks/${check.id}.js`);
    const outside = files.filter(
      (f) => !/^(dist\/src\/|dist\/checks\/|fixtures\/correct\/)/.test(f) && f !== 'package.json' && f !== 'README.md',
    );
    expect(outside).to.deep.equal([]);
  });

  it('the installed hagrade grades a full snapshot exactly as the checkout does', () => {
    const snapshots = join(tmp, 'snapshots');
    for (const [name, code] of [
      ['correct', 0],
      ['hap005-no-forwardfor', 1],
    ] as const) {
      const dir = join(snapshots, name);
      copyFixture(name, dir);
      const fromPackage = run(installed, ['check', '--snapshot', dir, '--format', 'json'], tmp);
      const fromCheckout = run(process.execPath, [CLI, 'check', '--snapshot', dir, '--format', 'json'], tmp);
      expect(fromPackage.status, `${name}: ${fromPackage.stderr}`).to.equal(code);
      const report = JSON.parse(fromPackage.stdout) as Report;
      expect(report.exitCode, name).to.equal(code);
      expect(statuses(report), name).to.deep.equal(statuses(JSON.parse(fromCheckout.stdout) as Report));
      const counted: Record<string, number> = {};
      for (const r of report.results) counted[r.status] = (counted[r.status] ?? 0) + 1;
      expect(report.summary, name).to.include({
        pass: counted.pass ?? 0,
        fail: counted.fail ?? 0,
        error: counted.error ?? 0,
        skip: counted.skip ?? 0,
      });
      if (code === 0) expect(report.summary.fail + report.summary.error, name).to.equal(0);
      else expect(statuses(report).HAP005, name).to.equal('fail');
    }
  });

  it("the installed hagrade finds its own files: the lab's base fixture, its version, a check's doc", () => {
    const shipped = join(tmp, 'app', 'node_modules', 'hagrade');
    const check = run(
      installed,
      ['check', '--snapshot', join(shipped, 'fixtures', 'correct'), '--format', 'json'],
      tmp,
    );
    expect(check.status, check.stderr).to.equal(0);
    const version = run(installed, ['--version'], tmp);
    expect(version.stdout.trim()).to.equal(
      (JSON.parse(readFileSync(join(shipped, 'package.json'), 'utf8')) as { version: string }).version,
    );
    const explain = run(installed, ['explain', 'HAP005'], tmp);
    expect(explain.status, explain.stderr).to.equal(0);
    expect(explain.stdout).to.contain('HAP005');
  });
});
