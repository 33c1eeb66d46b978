// Secrets never reach an output: keepalived passwords (mismatched, cut by `!`, truncated), private
// keys (in files and in command outputs) and SSH passwords, searched for in every format of
// `hagrade check` (pretty, json, junit, github; en and ru; the CLI's stdout and stderr) and in every
// file `hagrade batch` writes (report.json, snapshot/, summary.csv, gradebook.csv, class-report.html, batch.json).
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { runBatch } from '../../src/batch/runner.js';
import { render, FORMATS } from '../../src/commands/output.js';
import { loadCatalogue } from '../../src/engine/registry.js';
import { runChecks } from '../../src/engine/run.js';
import { MemoryHost, type CommandMap, type FileMap } from '../../src/hosts/memory.js';
import { FIXTURES_DIR } from '../../src/self/paths.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { captureSnapshot } from '../../src/snapshot/capture.js';
import type { Lang, Role } from '../../src/model/basics.js';
import type { RunResult } from '../../src/model/check.js';
import type { Target } from '../../src/model/target.js';
import { loadHostFiles } from '../support/check-tester.js';
import { copyFixture, readFixtureFile } from '../support/fixtures.js';
import { SELF_SIGNED_PEM } from '../../src/facts/cert-examples.js';
import { expectFindings } from '../support/check-tester.js';
import { CLI } from '../support/cli-path.js';

const run = promisify(execFile);
const CORRECT = join(FIXTURES_DIR, 'correct');
const TARGET: Target = {
  master: { address: '203.0.113.10' },
  backup: { address: '203.0.113.20' },
  vip: '203.0.113.10',
};

// An EC key that belongs to no certificate here (CRT002 keyMismatch); its body lines are the secret.
const OTHER_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgV17YZbbKbnFQtUf5
WOJsYEn7Ma27oEn3C+U+qC44tmChRANCAASXYZCqFb1+ze3V+019tyebGwd7EQT/
zPWf9Uer6sNBRbWEuEaXgJ2WwhAQTNH/4DnKvhXpWG62GRbuw93ev37M
-----END PRIVATE KEY-----
`;
const KEY_LINES = OTHER_KEY.split('\n').filter((l) => /^[A-Za-z0-9+/]{40,}$/.test(l));
const CERT_ONLY = SELF_SIGNED_PEM.slice(0, SELF_SIGNED_PEM.indexOf('-----BEGIN PRIVATE KEY-----'));
const SELF_KEY_LINES = SELF_SIGNED_PEM.slice(CERT_ONLY.length)
  .split('\n')
  .filter((l) => /^[A-Za-z0-9+/]{40,}$/.test(l));
const SSH_PASSWORD = 'S5h-Pa55w0rd-77';
/** Master reads "Hunt" (cut by `!`), backup "Hunt3r02" (truncated): they differ, KAD003 fails and says so. */
const MASTER_PASS = 'Hunt!r01';
const BACKUP_PASS = 'Hunt3r02LONG';
const SECRETS = ['Hunt!r01', 'Hunt3r02', 'r02LONG', SSH_PASSWORD, ...KEY_LINES, ...SELF_KEY_LINES];

const keepalived = (role: Role, pass: string) =>
  readFixtureFile('correct', `${role}/etc/keepalived/keepalived.conf`).replace(/auth_pass \S+/, `auth_pass ${pass}`);

function hostFiles(role: Role): FileMap {
  return {
    ...loadHostFiles(CORRECT, role),
    [DEFAULT_PROFILE.keepalivedConfPath]: keepalived(role, role === 'master' ? MASTER_PASS : BACKUP_PASS),
    // master: the right key; backup: a key of another certificate.
    [DEFAULT_PROFILE.certPath]: role === 'master' ? SELF_SIGNED_PEM : CERT_ONLY + OTHER_KEY,
  };
}

/** Command outputs that echo secrets back, as a misconfigured host may: evidence must not. */
function hostCommands(role: Role): CommandMap {
  return {
    'keepalived-check': {
      exitCode: 1,
      stderr: `(Line 23) auth_pass ${role === 'master' ? MASTER_PASS : BACKUP_PASS}\n`,
    },
    'haproxy-check': { exitCode: 1, stderr: `unable to load ${DEFAULT_PROFILE.certPath}:\n${OTHER_KEY}` },
    'https-vip': { exitCode: 0, stdout: `HTTP/1.1 200 OK\r\n\r\nlogin ok, password=${SSH_PASSWORD}\n` },
    'ip-addr': {
      stdout: `2: eth0    inet 203.0.113.${role === 'master' ? 10 : 20}/24 brd 203.0.113.255 scope global eth0\n`,
    },
  };
}

const pair = () => ({
  master: new MemoryHost('master', hostFiles('master'), hostCommands('master')),
  backup: new MemoryHost('backup', hostFiles('backup'), hostCommands('backup')),
});

async function grade(lang: Lang): Promise<RunResult> {
  const checks = (await loadCatalogue()).filter((c) => c.mode !== 'disruptive');
  return runChecks({
    checks,
    hosts: pair(),
    target: TARGET,
    profile: DEFAULT_PROFILE,
    options: { lang, failover: false, live: true },
    secrets: [SSH_PASSWORD],
  });
}

function leaksIn(text: string): string[] {
  return SECRETS.filter((s) => text.includes(s));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) =>
    statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)) : [join(dir, name)],
  );
}

describe('secrets never reach an output', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hagrade-out-secrets-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('the run really meets the secrets: KAD003, CRT002 fail on them and evidence echoes them', async () => {
    const result = await grade('en');
    const kad003 = result.results.find((r) => r.id === 'KAD003')!;
    // auth_pass is line 23 of the fixture's keepalived.conf: master's is cut by `!`, backup's truncated, and the
    // pair judged on backup's line.
    expectFindings(kad003, [
      { host: 'master', messageId: 'authPassCut', kind: 'note', line: 23 },
      { host: 'backup', messageId: 'authPassTruncated', kind: 'note', line: 23 },
      { host: 'backup', messageId: 'authPassMismatch', line: 23 },
    ]);
    // backup's rebrain.pem: the certificate, then another certificate's key on the next line.
    expectFindings(result.results.find((r) => r.id === 'CRT002')!, [
      { host: 'backup', messageId: 'keyMismatch', line: CERT_ONLY.trimEnd().split('\n').length + 1 },
    ]);
    const evidence = result.results.flatMap((r) => r.evidence ?? []).map((e) => e.command);
    expect(evidence).to.include.members([
      'keepalived -t -f /etc/keepalived/keepalived.conf',
      'haproxy -c -f /etc/haproxy/haproxy.cfg',
    ]);
    // The messages still say what is wrong, without the values.
    expect(kad003.findings.find((f) => f.messageId === 'authPassCut')!.message).to.contain('(character 5)');
    expect(kad003.findings.find((f) => f.messageId === 'authPassTruncated')!.message).to.contain('12 bytes');
  });

  for (const lang of ['en', 'ru'] as const) {
    for (const format of FORMATS) {
      for (const color of format === 'pretty' ? [false, true] : [false]) {
        it(`${format}${color ? ' (colour)' : ''}, ${lang}`, async () => {
          const text = render(await grade(lang), format, color);
          expect(text.length).to.be.greaterThan(500);
          expect(leaksIn(text)).to.deep.equal([]);
        });
      }
    }
  }

  it('every file of a batch: reports, snapshots, summary.csv, gradebook.csv, class-report.html, batch.json', async () => {
    const outDir = join(tmp, 'batch');
    // What the CLI's batch grader does over SSH, here over the in-memory pair: capture, then grade.
    const outcome = await runBatch({
      entries: ['ivan', 'maria'].map((student) => ({
        student,
        master: { host: '203.0.113.10' },
        backup: { host: '203.0.113.20' },
      })),
      grade: async (entry, o) => {
        const hosts = pair();
        await captureSnapshot(hosts, { ...TARGET, student: entry.student }, o.profile, o.snapshotDir);
        const checks = (await loadCatalogue()).filter((c) => c.mode !== 'disruptive');
        return runChecks({
          checks,
          hosts,
          target: { ...TARGET, student: entry.student },
          profile: o.profile,
          options: { lang: o.lang, failover: false, live: true },
          secrets: [SSH_PASSWORD],
        });
      },
      outDir,
      concurrency: 2,
      failover: false,
      profile: DEFAULT_PROFILE,
      output: { lang: 'ru', gradebookIdColumn: 'ID number', maxGrade: 100 },
    });
    expect(outcome.records.map((r) => r.status)).to.deep.equal(['fail', 'fail']);
    const files = filesUnder(outDir);
    for (const name of [
      'summary.csv',
      'gradebook.csv',
      'class-report.html',
      'batch.json',
      'students/ivan/report.json',
      'students/ivan/snapshot/master/etc/haproxy/rebrain.pem',
    ]) {
      expect(files, name).to.include(join(outDir, name));
    }
    const found = files.flatMap((f) => leaksIn(readFileSync(f, 'latin1')).map((s) => `${f}: ${s}`));
    expect(found).to.deep.equal([]);
  });

  it('the CLI: stdout and stderr of hagrade check --snapshot, in every format', async () => {
    // A snapshot written by hand (not by hagrade): it holds the secrets, the reports must not.
    const snap = join(tmp, 'hand-made');
    copyFixture('correct', snap);
    for (const role of ['master', 'backup'] as const) {
      for (const [path, content] of Object.entries(hostFiles(role))) writeFileSync(join(snap, role, path), content);
      for (const [key, out] of Object.entries(hostCommands(role))) {
        const base = join(snap, role, 'commands', key);
        mkdirSync(dirname(base), { recursive: true });
        writeFileSync(`${base}.txt`, out.stdout ?? '');
        if (out.stderr) writeFileSync(`${base}.stderr`, out.stderr);
        if (out.exitCode) writeFileSync(`${base}.exit`, `${out.exitCode}\n`);
      }
    }
    for (const format of FORMATS) {
      for (const lang of ['en', 'ru']) {
        const child = await run('node', [CLI, 'check', '--snapshot', snap, '--format', format, '--lang', lang], {
          env: { ...process.env, FORCE_COLOR: '1' },
        }).catch((e: { stdout: string; stderr: string; code: number }) => e);
        expect(child.stdout.length, `${format} ${lang} printed a report`).to.be.greaterThan(500);
        expect(leaksIn(child.stdout + child.stderr), `${format} ${lang}`).to.deep.equal([]);
      }
    }
  });
});
