// Edge cases of the rebrain.pem reader (src/facts/cert.ts) on files made by openssl: key kinds and
// encodings, chains, text around blocks, line endings, and the fingerprint CRT005 compares.
import { expect } from 'chai';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  certFingerprint,
  leafCertificate,
  normalizeFingerprint,
  readPemContents,
  splitPem,
} from '../../src/facts/cert.js';
import { SELF_SIGNED_PEM } from '../../src/facts/cert-examples.js';
import type { Check } from '../../src/model/check.js';
import { expectFindings, runCheck } from '../support/check-tester.js';
import { readFixtureFile } from '../support/fixtures.js';
import { OpensslWorkshop, opensslAvailable } from './crt-openssl.js';

const read = (text: string | Buffer) => readPemContents(Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1'));
const keyMatchesLeaf = (text: string | Buffer) => {
  const contents = read(text);
  const leaf = leafCertificate(contents)?.x509;
  const key = contents.keys[0]?.key;
  return Boolean(leaf && key && leaf.checkPrivateKey(key));
};

describe('certificate file reader: edge cases', () => {
  const ws = opensslAvailable() ? new OpensslWorkshop() : undefined;

  before(function () {
    if (!ws) return this.skip();
    this.timeout(60000);
    // EC key in SEC1 form, preceded by an EC PARAMETERS block (openssl ecparam -genkey).
    ws.run('ecparam', '-name', 'prime256v1', '-genkey', '-out', 'sec1.key');
    ws.selfSign('sec1');
    ws.run('genpkey', '-algorithm', 'ed25519', '-out', 'ed.key');
    ws.selfSign('ed');
    ws.run('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa8.key');
    ws.selfSign('rsa8');
    ws.ecKey('ca');
    ws.selfSign('ca', 36500, '/CN=Edge CA');
    ws.issue('leaf', 'ca');
    ws.run('pkey', '-in', 'rsa8.key', '-outform', 'der', '-out', 'rsa8.der');
  });

  after(() => ws?.cleanup());

  it('reads an EC key in SEC1 form and ignores the EC PARAMETERS block', () => {
    const text = ws!.read('sec1.key') + ws!.read('sec1.crt');
    expect(splitPem(text).map((b) => b.label)).to.deep.equal(['EC PARAMETERS', 'EC PRIVATE KEY', 'CERTIFICATE']);
    const contents = read(text);
    expect(contents.keys.map((k) => [k.label, k.key?.asymmetricKeyType])).to.deep.equal([['EC PRIVATE KEY', 'ec']]);
    expect(keyMatchesLeaf(text)).to.equal(true);
  });

  it('reads PKCS#8 keys: RSA and Ed25519', () => {
    expect(read(ws!.read('rsa8.key')).keys[0]).to.include({ label: 'PRIVATE KEY', encrypted: false });
    expect(keyMatchesLeaf(ws!.read('rsa8.crt') + ws!.read('rsa8.key'))).to.equal(true);
    expect(read(ws!.read('ed.key')).keys[0]!.key?.asymmetricKeyType).to.equal('ed25519');
    expect(keyMatchesLeaf(ws!.read('ed.crt') + ws!.read('ed.key'))).to.equal(true);
  });

  it('takes the first certificate of a concatenated chain as the leaf, whatever follows', () => {
    const chain = read(ws!.read('leaf.crt') + ws!.read('ca.crt') + ws!.read('leaf.key'));
    expect(chain.certificates.map((c) => c.x509?.subject)).to.deep.equal(['CN=rebrain.lab', 'CN=Edge CA']);
    expect(leafCertificate(chain)!.line).to.equal(1);
    expect(chain.certificates[0]!.x509!.checkIssued(chain.certificates[1]!.x509!)).to.equal(true);
    // CA first: then the CA is what HAProxy serves, and the key (the leaf's) does not match it.
    expect(keyMatchesLeaf(ws!.read('ca.crt') + ws!.read('leaf.crt') + ws!.read('leaf.key'))).to.equal(false);
  });

  it('ignores text around the blocks (pkcs12 "Bag Attributes", comments) and reads CRLF files', () => {
    const withText = `Bag Attributes\n    localKeyID: 01 02\nsubject=CN = rebrain.lab\n${SELF_SIGNED_PEM}trailing words\n`;
    expect(keyMatchesLeaf(withText)).to.equal(true);
    expect(leafCertificate(read(withText))!.line).to.equal(4);
    expect(keyMatchesLeaf(SELF_SIGNED_PEM.replace(/\n/g, '\r\n'))).to.equal(true);
  });

  it('recognises a binary DER key as DER, not as garbage', () => {
    const contents = read(ws!.readBuffer('rsa8.der'));
    expect(contents.format).to.equal('der');
    expect(contents.keys[0]!.key?.asymmetricKeyType).to.equal('rsa');
  });

  it('never throws, on arbitrary bytes or on PEM-like lines in any order', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => void read(Buffer.from(bytes))));
    const pemLines = fc.constantFrom(
      '-----BEGIN CERTIFICATE-----',
      '-----END CERTIFICATE-----',
      '-----BEGIN PRIVATE KEY-----',
      '-----END PRIVATE KEY-----',
      '-----BEGIN RSA PRIVATE KEY-----',
      'Proc-Type: 4,ENCRYPTED',
      '',
      'MIIBbroken==',
      ...SELF_SIGNED_PEM.split('\n'),
    );
    fc.assert(fc.property(fc.array(pemLines, { maxLength: 40 }), (lines) => void read(lines.join('\n'))));
    expect(read(Buffer.from([0x30, 0x82, 0xff, 0xff, 0x00])).format).to.equal('unknown');
    expect(read('-----BEGIN CERTIFICATE-----\n').certificates[0]!.error).to.match(/END CERTIFICATE/);
  });

  it('the leaf fingerprint equals the one openssl prints, whatever the notation', () => {
    const file = join(ws!.dir, 'leaf.crt');
    const fromOpenssl = execFileSync('openssl', ['x509', '-in', file, '-noout', '-fingerprint', '-sha256'], {
      encoding: 'utf8',
    });
    expect(fromOpenssl).to.match(/^sha256 Fingerprint=/i);
    const leaf = leafCertificate(read(ws!.read('leaf.crt')))!.x509!;
    expect(normalizeFingerprint(leaf.fingerprint256)).to.equal(normalizeFingerprint(fromOpenssl));
    expect(normalizeFingerprint(fromOpenssl)).to.match(/^[0-9a-f]{64}$/);
  });

  it('certFingerprint() gives CRT005 the fingerprint of the file on each host, or nothing', async () => {
    const pem = readFixtureFile('correct', 'master/etc/haproxy/rebrain.pem');
    const fromOpenssl = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], {
      input: pem,
      encoding: 'utf8',
    });
    const seen: Record<string, string> = {};
    const probe = {
      id: 'TST001',
      mode: 'static',
      title: { en: 'probe', ru: 'проба' },
      messages: {},
      async run(ctx) {
        seen.master = (await certFingerprint(ctx, 'master')) ?? 'none';
        seen.backup = (await certFingerprint(ctx, 'backup')) ?? 'none';
      },
    } as Partial<Check> as Check;
    expectFindings(await runCheck(probe, { backup: { '/etc/haproxy/rebrain.pem': null } }), []);
    expect(seen).to.deep.equal({ master: normalizeFingerprint(fromOpenssl), backup: 'none' });
  });
});
