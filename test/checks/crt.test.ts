// CRT001-CRT004 through the CheckTester: each case puts a rebrain.pem (made by openssl, or a doc
// example) over the correct fixture and names every finding expected, by host, message id and line.
import { expect } from 'chai';
import CRT001 from '../../checks/CRT001.js';
import CRT002 from '../../checks/CRT002.js';
import CRT003 from '../../checks/CRT003.js';
import CRT004 from '../../checks/CRT004.js';
import { CA_SIGNED_PEM, CERT_ONLY_PEM, EXPIRED_PEM, SELF_SIGNED_PEM } from '../../src/facts/cert-examples.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { expectFindings, runCheck, testCheck, type TesterOptions } from '../support/check-tester.js';
import { OpensslWorkshop, opensslAvailable } from './crt-openssl.js';

const PEM = DEFAULT_PROFILE.certPath;
/**
 * rebrain.pem (and other files) on master. The openssl files exist only once `before` made them, so the contents
 * are getters, read when the case runs.
 */
const onMaster = (content: () => string | Buffer | null, extra: Record<string, () => string> = {}): TesterOptions => {
  const files: Record<string, string | Buffer | null> = {};
  for (const [path, read] of [[PEM, content] as const, ...Object.entries(extra)])
    Object.defineProperty(files, path, { get: read, enumerable: true });
  return { master: files };
};
const atMaster = <Id extends string>(messageId: Id, line?: number) => ({
  host: 'master' as const,
  messageId,
  ...(line === undefined ? {} : { line }),
});

describe('CRT001-CRT004 certificate checks', () => {
  const ws = opensslAvailable() ? new OpensslWorkshop() : undefined;
  let pem: (...names: string[]) => string = () => '';

  before(function () {
    if (!ws) return this.skip();
    this.timeout(60000);
    ws.ecKey('ec');
    ws.selfSign('ec');
    ws.run('genrsa', '-traditional', '-out', 'rsa1.key', '2048');
    ws.selfSign('rsa1');
    ws.ecKey('other');
    ws.run('pkcs8', '-topk8', '-in', 'ec.key', '-passout', 'pass:secret', '-out', 'ec-enc.key');
    ws.run('rsa', '-in', 'rsa1.key', '-aes128', '-traditional', '-passout', 'pass:secret', '-out', 'rsa1-enc.key');
    ws.ecKey('soon');
    ws.selfSign('soon', 10);
    ws.selfSignBetween('future', '21200101000000Z', '21250101000000Z');
    // Same name as the certificate it signs, but another key: issuer = subject, still not self-signed.
    ws.ecKey('namesake');
    ws.selfSign('namesake');
    ws.issue('impostor', 'namesake');
    pem = (...names) => names.map((n) => ws.read(n)).join('');
  });

  after(() => ws?.cleanup());

  testCheck(CRT001, {
    valid: [
      { name: 'the correct fixture' },
      { name: 'garbage still exists (CRT002 judges it)', ...onMaster(() => 'hello\n') },
    ],
    invalid: [
      { name: 'missing on backup', backup: { [PEM]: null }, findings: [{ host: 'backup', messageId: 'missing' }] },
      { name: 'empty file', ...onMaster(() => ' \n'), findings: [atMaster('empty')] },
      {
        name: 'a 2 MB file',
        ...onMaster(() => Buffer.alloc(2 * 1024 * 1024, 65)),
        findings: [atMaster('tooLarge')],
      },
    ],
  });

  // A certificate first in the file is pointed at on line 1; keys after an openssl-made certificate are not given
  // a line (the certificate's length in lines is openssl's).
  testCheck(CRT002, {
    valid: [
      { name: 'the correct fixture' },
      { name: 'key before certificate', ...onMaster(() => pem('ec.key', 'ec.crt')) },
      { name: 'RSA key in PKCS#1 form', ...onMaster(() => pem('rsa1.crt', 'rsa1.key')) },
      {
        name: 'a chain after the certificate: pass with a note',
        ...onMaster(() => pem('ec.crt', 'ec.key', 'rsa1.crt')),
        findings: [{ ...atMaster('extraCertificates'), kind: 'note' }],
      },
    ],
    invalid: [
      { name: 'certificate only', ...onMaster(() => CERT_ONLY_PEM), findings: [atMaster('noKey')] },
      {
        name: 'certificate only, key in rebrain.pem.key',
        ...onMaster(() => pem('ec.crt'), { [`${PEM}.key`]: () => pem('ec.key') }),
        findings: [atMaster('keyInSeparateFile')],
      },
      { name: 'key only', ...onMaster(() => pem('ec.key')), findings: [atMaster('noCertificate')] },
      {
        name: 'the key of another certificate',
        ...onMaster(() => CERT_ONLY_PEM + pem('other.key')),
        findings: [atMaster('keyMismatch', CERT_ONLY_PEM.trimEnd().split('\n').length + 1)], // the key's BEGIN line
      },
      {
        name: 'an RSA key with an EC certificate',
        ...onMaster(() => pem('ec.crt', 'rsa1.key')),
        findings: [atMaster('keyMismatch')],
      },
      {
        name: 'encrypted PKCS#8 key',
        ...onMaster(() => pem('ec.crt', 'ec-enc.key')),
        findings: [atMaster('encryptedKey')],
      },
      {
        name: 'encrypted traditional RSA key (Proc-Type: 4,ENCRYPTED)',
        ...onMaster(() => pem('rsa1.crt', 'rsa1-enc.key')),
        findings: [atMaster('encryptedKey')],
      },
      { name: 'not PEM at all', ...onMaster(() => 'hello world\n'), findings: [atMaster('noPem')] },
      {
        name: 'a DER certificate',
        ...onMaster(() => {
          ws!.run('x509', '-in', 'ec.crt', '-outform', 'der', '-out', 'ec.der');
          return ws!.readBuffer('ec.der');
        }),
        findings: [atMaster('derFormat')],
      },
      {
        name: 'a damaged certificate block',
        ...onMaster(() => `-----BEGIN CERTIFICATE-----\nMIIBbroken\n-----END CERTIFICATE-----\n${pem('ec.key')}`),
        findings: [atMaster('badCertificate', 1)],
      },
      {
        name: 'a key block without its END line',
        ...onMaster(() => pem('ec.crt') + pem('ec.key').replace(/-----END PRIVATE KEY-----\n/, '')),
        findings: [atMaster('badKey')],
      },
      {
        name: 'file missing: skip',
        ...onMaster(() => null),
        findings: [{ ...atMaster('fileMissing'), kind: 'skip' }],
        status: 'skip',
      },
    ],
  });

  testCheck(CRT003, {
    valid: [{ name: 'the correct fixture' }],
    invalid: [
      { name: 'issued by a CA', ...onMaster(() => CA_SIGNED_PEM), findings: [atMaster('notSelfSigned', 1)] },
      {
        name: 'issuer = subject, but signed by another key',
        ...onMaster(() => pem('impostor.crt', 'impostor.key')),
        findings: [atMaster('foreignSignature', 1)],
      },
      {
        name: 'key only: skip',
        ...onMaster(() => pem('ec.key')),
        findings: [{ ...atMaster('noCertificate'), kind: 'skip' }],
        status: 'skip',
      },
      {
        name: 'empty: skip',
        ...onMaster(() => ''),
        findings: [{ ...atMaster('fileEmpty'), kind: 'skip' }],
        status: 'skip',
      },
    ],
  });

  testCheck(CRT004, {
    valid: [
      { name: 'the correct fixture' },
      {
        name: '10 days left: pass with a note',
        ...onMaster(() => pem('soon.crt', 'soon.key')),
        findings: [{ ...atMaster('expiresSoon', 1), kind: 'note' }],
      },
      {
        name: '10 days left with certWarnDays 5: no note',
        ...onMaster(() => pem('soon.crt', 'soon.key')),
        profile: { certWarnDays: 5 },
      },
    ],
    invalid: [
      { name: 'expired', ...onMaster(() => EXPIRED_PEM), findings: [atMaster('expired', 1)] },
      {
        name: 'not valid before 2120',
        ...onMaster(() => pem('future.crt', 'future.key')),
        findings: [atMaster('notYetValid', 1)],
      },
    ],
  });

  it('findings name the host, the file, the subject and the dates', async () => {
    const result = await runCheck(CRT004, { backup: { [PEM]: EXPIRED_PEM } });
    expectFindings(result, [{ host: 'backup', messageId: 'expired', line: 1 }]);
    const [finding] = result.findings;
    expect(finding).to.include({ host: 'backup', file: PEM, line: 1, kind: 'fail' });
    expect(finding!.message).to.match(
      /^the certificate CN=rebrain\.lab expired on 2021-01-01 00:00 UTC \(\d+ days ago\)$/,
    );
  });

  it('the doc examples are what the docs say: self-signed passes all four', async () => {
    for (const check of [CRT001, CRT002, CRT003, CRT004]) {
      const result = await runCheck(check, { master: { [PEM]: SELF_SIGNED_PEM }, backup: { [PEM]: SELF_SIGNED_PEM } });
      expectFindings(result, []);
      expect(result.status, check.id).to.equal('pass');
    }
  });
});
