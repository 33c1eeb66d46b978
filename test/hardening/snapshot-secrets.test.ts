// `hagrade snapshot` keeps no secret: private keys and keepalived passwords are replaced (src/snapshot/secrets.ts)
// in every captured file, and re-grading the snapshot offline still gives the verdicts the hosts got.
import { expect } from 'chai';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from '../../src/engine/registry.js';
import { runChecks } from '../../src/engine/run.js';
import { readPemContents, REDACTED_KEY_LABEL, splitPem } from '../../src/facts/cert.js';
import { MemoryHost, type FileMap } from '../../src/hosts/memory.js';
import { openSnapshot } from '../../src/hosts/snapshot.js';
import { FIXTURES_DIR } from '../../src/self/paths.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { DER_KEY_REMOVED, newSnapshotKey, redactPrivateKeys } from '../../src/snapshot/secrets.js';
import { captureSnapshot } from '../../src/snapshot/capture.js';
import type { Check, RunResult } from '../../src/model/check.js';
import type { Host } from '../../src/hosts/host.js';
import type { Role } from '../../src/model/basics.js';
import type { Target } from '../../src/model/target.js';
import { loadHostFiles } from '../support/check-tester.js';
import { OpensslWorkshop, opensslAvailable } from '../checks/crt-openssl.js';
import { listFixtures, readFixtureFile } from '../support/fixtures.js';

const CORRECT = join(FIXTURES_DIR, 'correct');
const KEEPALIVED = DEFAULT_PROFILE.keepalivedConfPath;
const CERT = DEFAULT_PROFILE.certPath;

/** Every file under a directory, with its content. */
function filesUnder(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.set(full, readFileSync(full));
    }
  };
  walk(dir);
  return out;
}

/**
 * The secrets a host's files hold: private key bodies, and auth_pass values as written and as keepalived reads them.
 */
function secretsIn(files: Iterable<Buffer>): string[] {
  const secrets = new Set<string>();
  for (const content of files) {
    const text = content.toString('latin1');
    for (const block of splitPem(text)) {
      if (!block.label.endsWith('PRIVATE KEY') || block.label === REDACTED_KEY_LABEL) continue;
      for (const line of block.text.split('\n').slice(1, -2))
        if (line.length >= 16 && !line.includes(':')) secrets.add(line.trim());
    }
    for (const m of text.matchAll(/\bauth_pass[ \t]+("([^"\n]*)"|(\S+))/g)) {
      const written = m[2] ?? m[3]!;
      const read = (m[2] ?? m[3]!.split(/(?<!\\)[!#]/)[0]!).replace(/\\([!#])/g, '$1');
      for (const value of [written, read]) if (value.length >= 3) secrets.add(value);
    }
    for (const m of text.matchAll(/(hunter\d+)/g)) secrets.add(m[1]!);
  }
  return [...secrets];
}

/** Files under `dir` that contain any of `secrets`, as "file: secret". */
function leaks(dir: string, secrets: string[]): string[] {
  const found: string[] = [];
  for (const [file, content] of filesUnder(dir)) {
    const text = content.toString('latin1');
    for (const secret of secrets) if (text.includes(secret)) found.push(`${file}: ${secret}`);
  }
  return found;
}

/** What a re-grading must keep: per check, the status and each finding's kind, host, messageId, file and line. */
function verdicts(result: RunResult): string[] {
  return result.results.map(
    (r) =>
      `${r.id} ${r.status} ${r.findings
        .map((f) => `${f.kind}:${f.host ?? ''}:${f.messageId}:${f.file ?? ''}:${f.line ?? ''}`)
        .sort()
        .join(' ')}`,
  );
}

let catalogue: Check[];
async function grade(hosts: Record<Role, Host>, target: Target, live: boolean): Promise<RunResult> {
  const checks = catalogue.filter((c) => c.mode === 'static' || (live && c.mode === 'live'));
  return runChecks({ checks, hosts, target, profile: DEFAULT_PROFILE, options: { lang: 'en', failover: false, live } });
}

const tmpDirs: string[] = [];
function captureDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hagrade-secrets-'));
  tmpDirs.push(dir);
  return join(dir, 'snap');
}

/**
 * Capture `hosts`, then check the snapshot holds none of `secrets` and grades as the hosts did
 * (`statusOnly`: the same statuses, for the one case where a finding is worded differently).
 */
async function captureAndRegrade(
  hosts: Record<Role, Host>,
  target: Target,
  live: boolean,
  secrets: string[],
  statusOnly = false,
): Promise<{ dir: string; original: RunResult; regraded: RunResult }> {
  const dir = captureDir();
  await captureSnapshot(hosts, target, DEFAULT_PROFILE, dir);
  expect(leaks(dir, secrets), 'secrets left in the snapshot').to.deep.equal([]);
  const original = await grade(hosts, target, live);
  const snap = openSnapshot(dir);
  const regraded = await grade(snap.hosts, snap.target, live);
  if (statusOnly) expect(regraded.results.map((r) => r.status)).to.deep.equal(original.results.map((r) => r.status));
  else expect(verdicts(regraded)).to.deep.equal(verdicts(original));
  return { dir, original, regraded };
}

function memoryPair(master: FileMap, backup: FileMap = loadHostFiles(CORRECT, 'backup')): Record<Role, Host> {
  return { master: new MemoryHost('master', master), backup: new MemoryHost('backup', backup) };
}

const withFiles = (role: Role, files: FileMap): FileMap => ({ ...loadHostFiles(CORRECT, role), ...files });
const keepalivedOf = (role: Role) => readFixtureFile('correct', `${role}/etc/keepalived/keepalived.conf`);
/** The correct keepalived.conf of a host with its auth_pass line replaced. */
const withAuthPass = (role: Role, line: string) => keepalivedOf(role).replace(/^\s*auth_pass .*$/m, `        ${line}`);
const statusOf = (result: RunResult, id: string) => result.results.find((r) => r.id === id)?.status;

describe('snapshots keep no secret and re-grade the same', () => {
  before(async () => {
    catalogue = await loadCatalogue();
  });
  after(() => {
    for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
  });

  describe('every fixture, captured again', () => {
    for (const fixture of listFixtures()) {
      it(fixture.name, async () => {
        const { target, hosts } = openSnapshot(fixture.dir);
        const live = hosts.master.hasCommands() || hosts.backup.hasCommands();
        const secrets = secretsIn(
          [
            ...Object.values(loadHostFiles(fixture.dir, 'master')),
            ...Object.values(loadHostFiles(fixture.dir, 'backup')),
          ].map((c) => Buffer.from(c)),
        );
        await captureAndRegrade(hosts, target, live, secrets);
      });
    }
  });

  describe('keepalived passwords', () => {
    const target: Target = openSnapshot(CORRECT).target;
    const pair = (masterLine: string, backupLine: string, extra: { master?: FileMap; backup?: FileMap } = {}) =>
      memoryPair(
        withFiles('master', { [KEEPALIVED]: withAuthPass('master', masterLine), ...extra.master }),
        withFiles('backup', { [KEEPALIVED]: withAuthPass('backup', backupLine), ...extra.backup }),
      );
    const cases: Array<{ name: string; master: string; backup: string; kad003: string }> = [
      {
        name: 'equal passwords stay equal',
        master: 'auth_pass Zq7pW3xa',
        backup: 'auth_pass Zq7pW3xa',
        kad003: 'pass',
      },
      {
        name: 'different passwords stay different',
        master: 'auth_pass Zq7pW3xa',
        backup: 'auth_pass Zq7pW3xb',
        kad003: 'fail',
      },
      {
        name: 'a quoted password with a space and a #',
        master: 'auth_pass "a b#c"',
        backup: 'auth_pass "a b#c"',
        kad003: 'pass',
      },
      {
        name: 'an escaped \\! equals a quoted !',
        master: 'auth_pass ab\\!cd12',
        backup: 'auth_pass "ab!cd12"',
        kad003: 'pass',
      },
      {
        name: 'a ! cuts one password short (both read "Zq7p")',
        master: 'auth_pass Zq7p!W3xa',
        backup: 'auth_pass Zq7p#hunter9',
        kad003: 'pass',
      },
      {
        name: 'a ! cuts one password short (master reads "Zq7p", backup all of it)',
        master: 'auth_pass Zq7p!W3xa',
        backup: 'auth_pass Zq7pW3xa',
        kad003: 'fail',
      },
      {
        name: 'only the first 8 bytes count',
        master: 'auth_pass Zq7pW3xaAAAA',
        backup: 'auth_pass Zq7pW3xaBBBBBB',
        kad003: 'pass',
      },
      {
        name: 'a comment after the password',
        master: 'auth_pass Zq7pW3xa # the old one was hunter22',
        backup: 'auth_pass Zq7pW3xa ! hunter33',
        kad003: 'pass',
      },
      { name: 'a password in Cyrillic', master: 'auth_pass пароль12', backup: 'auth_pass пароль12', kad003: 'pass' },
      {
        name: 'no value at all (the comment eats it)',
        master: 'auth_pass #hunter44',
        backup: 'auth_pass Zq7pW3xa',
        kad003: 'fail',
      },
    ];
    for (const c of cases) {
      it(`${c.name}: KAD003 ${c.kad003}, before and after`, async () => {
        const hosts = pair(c.master, c.backup);
        const secrets = secretsIn([Buffer.from(c.master), Buffer.from(c.backup)]);
        const { original } = await captureAndRegrade(hosts, target, false, secrets);
        expect(statusOf(original, 'KAD003')).to.equal(c.kad003);
      });
    }

    for (const c of [
      {
        name: 'auth_pass $PASS',
        define: '$PASS=Zq7pW3xa',
        use: 'auth_pass $PASS',
        backup: 'auth_pass Zq7pW3xa',
        kad003: 'pass',
      },
      {
        name: 'auth_pass ${PASS} with another password',
        define: '$PASS=Zq7pW3xa',
        use: 'auth_pass ${PASS}',
        backup: 'auth_pass Zq7pW3xb',
        kad003: 'fail',
      },
      {
        name: 'a definition holding the whole line',
        define: '$AUTH=auth_pass Zq7pW3xa',
        use: '$AUTH',
        backup: 'auth_pass Zq7pW3xa',
        kad003: 'pass',
      },
    ]) {
      it(`a password read through a definition (${c.name}): KAD003 ${c.kad003}, before and after`, async () => {
        const hosts = memoryPair(
          withFiles('master', { [KEEPALIVED]: `${c.define}\n${withAuthPass('master', c.use)}` }),
          withFiles('backup', { [KEEPALIVED]: withAuthPass('backup', c.backup) }),
        );
        const { original } = await captureAndRegrade(hosts, target, false, ['Zq7pW3xa', 'Zq7pW3xb']);
        expect(statusOf(original, 'KAD003')).to.equal(c.kad003);
      });
    }

    it('keeps line numbers and CRLF line ends, and masks auth_pass outside what keepalived reads', async () => {
      const crlf = `${withAuthPass('master', 'auth_pass Zq7pW3xa').replace(/\n/g, '\r\n')}# auth_pass hunter55\r\n`;
      const hosts = memoryPair(
        withFiles('master', {
          [KEEPALIVED]: crlf,
          '/etc/keepalived/old.conf.bak': 'vrrp_instance X {\n  authentication {\n    auth_pass hunter66\n  }\n}\n',
        }),
        withFiles('backup', { [KEEPALIVED]: withAuthPass('backup', 'auth_pass Zq7pW3xa') }),
      );
      const { dir } = await captureAndRegrade(hosts, target, false, ['Zq7pW3xa', 'hunter55', 'hunter66']);
      const captured = readFileSync(join(dir, 'master', KEEPALIVED), 'utf8');
      expect(captured.split('\n').length).to.equal(crlf.split('\n').length);
      expect(captured.split('\r\n').length).to.equal(crlf.split('\r\n').length);
      const line = crlf.split('\r\n').findIndex((l) => l.includes('auth_pass Zq7pW3xa'));
      expect(captured.split('\r\n')[line]).to.match(/^\s+auth_pass [A-Za-z0-9]{8}$/);
    });

    it('captures and redacts a file keepalived includes from outside /etc/keepalived', async () => {
      const withInclude = (role: Role) =>
        keepalivedOf(role).replace(/^\s*authentication \{[\s\S]*?\}\n/m, '    include /opt/lab/auth.conf\n');
      const auth = 'authentication {\n  auth_type PASS\n  auth_pass Zq7pW3xa\n}\n';
      const hosts = memoryPair(
        withFiles('master', { [KEEPALIVED]: withInclude('master'), '/opt/lab/auth.conf': auth }),
        withFiles('backup', {
          [KEEPALIVED]: withInclude('backup'),
          '/opt/lab/auth.conf': auth.replace('Zq7pW3xa', 'Zq7pW3xb'),
        }),
      );
      const { dir, original } = await captureAndRegrade(hosts, target, false, ['Zq7pW3xa', 'Zq7pW3xb']);
      expect(statusOf(original, 'KAD003')).to.equal('fail');
      expect(readFileSync(join(dir, 'master/opt/lab/auth.conf'), 'utf8')).to.match(/auth_pass [A-Za-z0-9]{8}\n/);
    });

    it('hashes with a new key for every snapshot', async () => {
      const hosts = pair('auth_pass Zq7pW3xa', 'auth_pass Zq7pW3xa');
      const passOf = async () => {
        const dir = captureDir();
        await captureSnapshot(hosts, target, DEFAULT_PROFILE, dir);
        return /auth_pass (\S+)/.exec(readFileSync(join(dir, 'master', KEEPALIVED), 'utf8'))![1];
      };
      expect(await passOf()).to.not.equal(await passOf());
    });
  });

  (opensslAvailable() ? describe : describe.skip)('private keys', () => {
    let ws: OpensslWorkshop;
    const target: Target = openSnapshot(CORRECT).target;
    // biome-ignore lint/suspicious/noDuplicateTestHooks: the rule misses the conditional describe's own scope
    before(() => {
      ws = new OpensslWorkshop();
      ws.run('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa.key');
      ws.selfSign('rsa');
      ws.run('genpkey', '-algorithm', 'ED25519', '-out', 'ed.key');
      ws.selfSign('ed');
      ws.ecKey('other');
      ws.run('pkey', '-in', 'rsa.key', '-aes256', '-passout', 'pass:hunter77', '-out', 'rsa-enc.key');
      ws.run('pkey', '-in', 'rsa.key', '-outform', 'DER', '-out', 'rsa.der');
      ws.run('rsa', '-in', 'rsa.key', '-traditional', '-out', 'rsa-pkcs1.key');
    });
    // biome-ignore lint/suspicious/noDuplicateTestHooks: as above
    after(() => rmSync(ws.dir, { recursive: true, force: true }));

    const cases: Array<{ name: string; pem: () => string | Buffer; crt002: string; extra?: () => FileMap }> = [
      { name: 'RSA key after its certificate', pem: () => ws.read('rsa.crt') + ws.read('rsa.key'), crt002: 'pass' },
      {
        name: 'RSA (PKCS#1) key before its certificate: the certificate keeps its line',
        pem: () => ws.read('rsa-pkcs1.key') + ws.read('rsa.crt'),
        crt002: 'pass',
      },
      { name: 'Ed25519 key, three lines', pem: () => ws.read('ed.crt') + ws.read('ed.key'), crt002: 'pass' },
      { name: 'a key of another certificate', pem: () => ws.read('rsa.crt') + ws.read('other.key'), crt002: 'fail' },
      { name: 'an encrypted key', pem: () => ws.read('rsa.crt') + ws.read('rsa-enc.key'), crt002: 'fail' },
      {
        name: 'a damaged key',
        pem: () => ws.read('rsa.crt') + ws.read('rsa.key').replace(/^M.{10}/m, 'M!!!!!!!!!!'),
        crt002: 'fail',
      },
      { name: 'a binary DER key as the whole file', pem: () => ws.readBuffer('rsa.der'), crt002: 'fail' },
      {
        name: 'the key in rebrain.pem.key beside it',
        pem: () => ws.read('rsa.crt'),
        crt002: 'fail',
        extra: () => ({ [`${CERT}.key`]: ws.read('rsa.key') }),
      },
    ];
    for (const c of cases) {
      it(`${c.name}: CRT002 ${c.crt002}, before and after`, async () => {
        const files = { [CERT]: c.pem(), ...c.extra?.() };
        const hosts = memoryPair(withFiles('master', files), withFiles('backup', files));
        const secrets = secretsIn(Object.values(files).map((f) => Buffer.from(f as string, 'latin1')));
        if (Buffer.isBuffer(files[CERT])) secrets.push((files[CERT] as Buffer).subarray(40, 80).toString('latin1'));
        // A binary DER key has no lines to keep: the file becomes a sentence saying so, which CRT002
        // calls "not PEM" instead of "DER" (the same failure, worded differently).
        const der = Buffer.isBuffer(files[CERT]);
        const { original, regraded } = await captureAndRegrade(hosts, target, false, secrets, der);
        expect(statusOf(original, 'CRT002')).to.equal(c.crt002);
        if (!der) {
          const messages = (r: RunResult) =>
            r.results.filter((x) => x.id.startsWith('CRT')).flatMap((x) => x.findings.map((f) => f.message));
          expect(messages(regraded)).to.deep.equal(messages(original));
        }
      });
    }

    it('a marker block reads back as the same key entry (label, line, public half)', () => {
      const pem = ws.read('rsa.crt') + ws.read('rsa.key');
      const redacted = redactPrivateKeys(Buffer.from(pem));
      expect(redacted.toString().split('\n').length).to.equal(pem.split('\n').length);
      const [before, after] = [readPemContents(Buffer.from(pem)).keys[0]!, readPemContents(redacted).keys[0]!];
      expect([after.line, after.label, after.encrypted]).to.deep.equal([before.line, before.label, false]);
      expect(after.key!.type).to.equal('public');
      expect(after.key!.export({ type: 'spki', format: 'der' })).to.deep.equal(
        createPublicKey(before.key!).export({ type: 'spki', format: 'der' }),
      );
      expect(redactPrivateKeys(Buffer.from(ws.read('rsa.crt'))).toString()).to.equal(ws.read('rsa.crt'));
      expect(redactPrivateKeys(ws.readBuffer('rsa.der')).toString()).to.equal(DER_KEY_REMOVED);
      expect(newSnapshotKey()).to.have.length(32);
    });
  });
});
