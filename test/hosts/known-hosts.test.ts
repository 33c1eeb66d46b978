import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  changedKeyText,
  fingerprint,
  keyTypeOf,
  KnownHosts,
  knownHostName,
  parseKnownHosts,
  preferredHostKeyAlgorithms,
} from '../../src/hosts/known-hosts.js';

describe('known_hosts', () => {
  let dir: string;
  /** A fresh public key blob of this type, made by ssh-keygen. */
  const newKey = (type: string): { line: string; blob: Buffer } => {
    const file = join(dir, `k-${Math.random().toString(36).slice(2)}`);
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', file]);
    const line = readFileSync(`${file}.pub`, 'utf8').trim();
    return { line, blob: Buffer.from(line.split(' ')[1]!, 'base64') };
  };
  before(() => (dir = mkdtempSync(join(tmpdir(), 'hagrade-kh-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('names hosts as OpenSSH does', () => {
    expect(knownHostName('198.51.100.11', 22)).to.equal('198.51.100.11');
    expect(knownHostName('198.51.100.11', 2222)).to.equal('[198.51.100.11]:2222');
  });

  it('reads the key type and the fingerprint of a blob as ssh-keygen prints them', () => {
    const file = join(dir, 'fp');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
    const blob = Buffer.from(readFileSync(`${file}.pub`, 'utf8').split(' ')[1]!, 'base64');
    const printed = execFileSync('ssh-keygen', ['-l', '-f', `${file}.pub`])
      .toString()
      .split(' ')[1];
    expect(keyTypeOf(blob)).to.equal('ssh-ed25519');
    expect(fingerprint(blob)).to.equal(printed);
  });

  it('parses markers, patterns, hashed names and skips comments and broken lines', () => {
    const entries = parseKnownHosts(
      [
        '# comment',
        'vm1,198.51.100.11 ssh-ed25519 AAAA',
        '@revoked * ssh-rsa BBBB',
        'broken-line',
        '|1|c2FsdA==|aGFzaA== ecdsa-sha2-nistp256 CCCC',
      ].join('\n'),
      'kh',
    );
    expect(entries.map((e) => [e.line, e.marker, e.patterns, e.keyType, e.key])).to.deep.equal([
      [2, undefined, ['vm1', '198.51.100.11'], 'ssh-ed25519', 'AAAA'],
      [3, 'revoked', ['*'], 'ssh-rsa', 'BBBB'],
      [5, undefined, null, 'ecdsa-sha2-nistp256', 'CCCC'],
    ]);
  });

  it('finds a host under its plain, [host]:port, wildcard and ssh-keygen -H hashed entries', () => {
    const plain = newKey('ed25519');
    const ported = newKey('ed25519');
    const wild = newKey('ed25519');
    const hashedKey = newKey('ecdsa');
    const file = join(dir, 'known_hosts');
    writeFileSync(
      file,
      `${[
        `198.51.100.11 ${plain.line}`,
        `[198.51.100.11]:2222 ${ported.line}`,
        `*.lab.example ${wild.line}`,
        `[127.0.0.1]:2200 ${hashedKey.line}`,
      ].join('\n')}\n`,
    );
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'ignore' });
    expect(readFileSync(file, 'utf8')).to.match(/^\|1\|/m);
    const kh = new KnownHosts(join(dir, 'own'), [file]);
    expect(kh.check('198.51.100.11', 22, plain.blob).status).to.equal('known');
    expect(kh.check('198.51.100.11', 2222, ported.blob).status).to.equal('known');
    // The port-22 key is not the key of port 2222: same type, different key, so it changed.
    expect(kh.check('198.51.100.11', 2222, plain.blob).status).to.equal('changed');
    expect(kh.check('vm1.lab.example', 22, wild.blob).status).to.equal('known');
    expect(kh.check('127.0.0.1', 2200, hashedKey.blob).status).to.equal('known');
    expect(kh.knownTypes('127.0.0.1', 2200)).to.deep.equal(['ecdsa-sha2-nistp256']);
    // Another key type for a known host is not a change: it is unknown, as in OpenSSH.
    expect(kh.check('127.0.0.1', 2200, newKey('ed25519').blob).status).to.equal('unknown');
    expect(kh.check('192.0.2.99', 22, plain.blob).status).to.equal('unknown');
  });

  it('refuses a revoked key and reports a changed key with its file and line', () => {
    const good = newKey('ed25519');
    const bad = newKey('ed25519');
    const file = join(dir, 'kh2');
    writeFileSync(file, `# first\n[127.0.0.1]:2201 ${good.line}\n@revoked * ${bad.line}\n`);
    const kh = new KnownHosts(join(dir, 'own2'), [file]);
    expect(kh.check('127.0.0.1', 2201, bad.blob).status).to.equal('revoked');
    const other = newKey('ed25519');
    const verdict = kh.check('127.0.0.1', 2201, other.blob);
    expect(verdict.status).to.equal('changed');
    if (verdict.status !== 'changed') return;
    expect([verdict.entry.file, verdict.entry.line]).to.deep.equal([file, 2]);
    const text = changedKeyText('127.0.0.1', 2201, other.blob, verdict.entry);
    expect(text.en).to.contain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    expect(text.en).to.contain(`ssh-keygen -f "${file}" -R "[127.0.0.1]:2201"`);
    expect(text.en).to.contain(`line 2 of ${file}`);
    expect(text.ru).to.contain(`строку 2 файла ${file}`);
    expect(text.ru).to.contain(fingerprint(other.blob));
  });

  it('trusts on first use into its own file, which a new instance then reads', () => {
    const own = join(dir, 'sub', 'hagrade_known_hosts');
    const key = newKey('ed25519');
    const kh = new KnownHosts(own);
    expect(kh.check('127.0.0.1', 2202, key.blob).status).to.equal('unknown');
    expect(kh.add('127.0.0.1', 2202, key.blob)).to.deep.equal({ file: own, line: 1 });
    expect(kh.check('127.0.0.1', 2202, key.blob).status).to.equal('known');
    const second = newKey('ecdsa');
    expect(kh.add('127.0.0.1', 2203, second.blob).line).to.equal(2);
    const again = new KnownHosts(own);
    expect(again.check('127.0.0.1', 2202, key.blob).status).to.equal('known');
    expect(again.check('127.0.0.1', 2203, second.blob).status).to.equal('known');
    expect(readFileSync(own, 'utf8').split('\n')[0]).to.equal(
      `[127.0.0.1]:2202 ${key.line.split(' ').slice(0, 2).join(' ')}`,
    );
  });

  it('offers known key types first', () => {
    expect(preferredHostKeyAlgorithms(['ecdsa-sha2-nistp256']).slice(0, 2)).to.deep.equal([
      'ecdsa-sha2-nistp256',
      'ssh-ed25519',
    ]);
    expect(preferredHostKeyAlgorithms(['ssh-rsa']).slice(0, 4)).to.deep.equal([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
      'ssh-ed25519',
    ]);
    // Known by every key, in known_hosts' order ecdsa, ed25519, rsa: OpenSSH's order decides (ed25519 first).
    expect(preferredHostKeyAlgorithms(['ecdsa-sha2-nistp256', 'ssh-ed25519', 'ssh-rsa']).slice(0, 3)).to.deep.equal([
      'ssh-ed25519',
      'ecdsa-sha2-nistp256',
      'rsa-sha2-512',
    ]);
    expect(preferredHostKeyAlgorithms([])[0]).to.equal('ssh-ed25519');
  });
});
