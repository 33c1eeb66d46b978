// CRT001-CRT004 through the CheckTester: each case puts a rebrain.pem (made by openssl, or a doc
// example) over the correct fixture and names the findings expected, by messageId.
import { expect } from 'chai';
import CRT001 from '../../checks/CRT001.js';
import CRT002 from '../../checks/CRT002.js';
import CRT003 from '../../checks/CRT003.js';
import CRT004 from '../../checks/CRT004.js';
import { CA_SIGNED_PEM, CERT_ONLY_PEM, EXPIRED_PEM, SELF_SIGNED_PEM } from '../../src/facts/cert-examples.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import type { Check } from '../../src/model/check.js';
import type { Status } from '../../src/model/basics.js';
import { messageIds, runCheck, type TesterOptions } from '../support/check-tester.js';
import { OpensslWorkshop, opensslAvailable } from './crt-openssl.js';

const PEM = DEFAULT_PROFILE.certPath;
const onMaster = (content: string | Buffer | null, extra: Record<string, string> = {}): TesterOptions => ({
  master: { [PEM]: content, ...extra },
});

interface Case {
  name: string;
  check: Check;
  opts: () => TesterOptions;
  status: Status;
  messages: string[];
  /** Expected line of the first finding. */
  line?: number;
}

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

  const cases: Case[] = [
    // CRT001
    { name: 'CRT001: the correct fixture', check: CRT001, opts: () => ({}), status: 'pass', messages: [] },
    {
      name: 'CRT001: missing on backup',
      check: CRT001,
      opts: () => ({ backup: { [PEM]: null } }),
      status: 'fail',
      messages: ['missing'],
    },
    { name: 'CRT001: empty file', check: CRT001, opts: () => onMaster(' \n'), status: 'fail', messages: ['empty'] },
    {
      name: 'CRT001: a 2 MB file',
      check: CRT001,
      opts: () => onMaster(Buffer.alloc(2 * 1024 * 1024, 65)),
      status: 'fail',
      messages: ['tooLarge'],
    },
    {
      name: 'CRT001: garbage still exists (CRT002 judges it)',
      check: CRT001,
      opts: () => onMaster('hello\n'),
      status: 'pass',
      messages: [],
    },

    // CRT002: valid forms
    { name: 'CRT002: the correct fixture', check: CRT002, opts: () => ({}), status: 'pass', messages: [] },
    {
      name: 'CRT002: key before certificate',
      check: CRT002,
      opts: () => onMaster(pem('ec.key', 'ec.crt')),
      status: 'pass',
      messages: [],
    },
    {
      name: 'CRT002: RSA key in PKCS#1 form',
      check: CRT002,
      opts: () => onMaster(pem('rsa1.crt', 'rsa1.key')),
      status: 'pass',
      messages: [],
    },
    {
      name: 'CRT002: a chain after the certificate: pass with a note',
      check: CRT002,
      opts: () => onMaster(pem('ec.crt', 'ec.key', 'rsa1.crt')),
      status: 'pass',
      messages: ['extraCertificates'],
    },
    // CRT002: broken
    {
      name: 'CRT002: certificate only',
      check: CRT002,
      opts: () => onMaster(CERT_ONLY_PEM),
      status: 'fail',
      messages: ['noKey'],
    },
    {
      name: 'CRT002: certificate only, key in rebrain.pem.key',
      check: CRT002,
      opts: () => onMaster(pem('ec.crt'), { [`${PEM}.key`]: pem('ec.key') }),
      status: 'fail',
      messages: ['keyInSeparateFile'],
    },
    {
      name: 'CRT002: key only',
      check: CRT002,
      opts: () => onMaster(pem('ec.key')),
      status: 'fail',
      messages: ['noCertificate'],
    },
    {
      name: 'CRT002: the key of another certificate',
      check: CRT002,
      opts: () => onMaster(CERT_ONLY_PEM + pem('other.key')),
      status: 'fail',
      messages: ['keyMismatch'],
      line: CERT_ONLY_PEM.trimEnd().split('\n').length + 1, // the key's BEGIN line
    },
    {
      name: 'CRT002: an RSA key with an EC certificate',
      check: CRT002,
      opts: () => onMaster(pem('ec.crt', 'rsa1.key')),
      status: 'fail',
      messages: ['keyMismatch'],
    },
    {
      name: 'CRT002: encrypted PKCS#8 key',
      check: CRT002,
      opts: () => onMaster(pem('ec.crt', 'ec-enc.key')),
      status: 'fail',
      messages: ['encryptedKey'],
    },
    {
      name: 'CRT002: encrypted traditional RSA key (Proc-Type: 4,ENCRYPTED)',
      check: CRT002,
      opts: () => onMaster(pem('rsa1.crt', 'rsa1-enc.key')),
      status: 'fail',
      messages: ['encryptedKey'],
    },
    {
      name: 'CRT002: not PEM at all',
      check: CRT002,
      opts: () => onMaster('hello world\n'),
      status: 'fail',
      messages: ['noPem'],
    },
    {
      name: 'CRT002: a DER certificate',
      check: CRT002,
      opts: () => {
        ws!.run('x509', '-in', 'ec.crt', '-outform', 'der', '-out', 'ec.der');
        return onMaster(ws!.readBuffer('ec.der'));
      },
      status: 'fail',
      messages: ['derFormat'],
    },
    {
      name: 'CRT002: a damaged certificate block',
      check: CRT002,
      opts: () => onMaster(`-----BEGIN CERTIFICATE-----\nMIIBbroken\n-----END CERTIFICATE-----\n${pem('ec.key')}`),
      status: 'fail',
      messages: ['badCertificate'],
      line: 1,
    },
    {
      name: 'CRT002: a key block without its END line',
      check: CRT002,
      opts: () => onMaster(pem('ec.crt') + pem('ec.key').replace(/-----END PRIVATE KEY-----\n/, '')),
      status: 'fail',
      messages: ['badKey'],
    },
    {
      name: 'CRT002: file missing: skip',
      check: CRT002,
      opts: () => onMaster(null),
      status: 'skip',
      messages: ['fileMissing'],
    },

    // CRT003
    { name: 'CRT003: the correct fixture', check: CRT003, opts: () => ({}), status: 'pass', messages: [] },
    {
      name: 'CRT003: issued by a CA',
      check: CRT003,
      opts: () => onMaster(CA_SIGNED_PEM),
      status: 'fail',
      messages: ['notSelfSigned'],
    },
    {
      name: 'CRT003: issuer = subject, but signed by another key',
      check: CRT003,
      opts: () => onMaster(pem('impostor.crt', 'impostor.key')),
      status: 'fail',
      messages: ['foreignSignature'],
    },
    {
      name: 'CRT003: key only: skip',
      check: CRT003,
      opts: () => onMaster(pem('ec.key')),
      status: 'skip',
      messages: ['noCertificate'],
    },
    { name: 'CRT003: empty: skip', check: CRT003, opts: () => onMaster(''), status: 'skip', messages: ['fileEmpty'] },

    // CRT004
    { name: 'CRT004: the correct fixture', check: CRT004, opts: () => ({}), status: 'pass', messages: [] },
    {
      name: 'CRT004: expired',
      check: CRT004,
      opts: () => onMaster(EXPIRED_PEM),
      status: 'fail',
      messages: ['expired'],
    },
    {
      name: 'CRT004: not valid before 2120',
      check: CRT004,
      opts: () => onMaster(pem('future.crt', 'future.key')),
      status: 'fail',
      messages: ['notYetValid'],
    },
    {
      name: 'CRT004: 10 days left: pass with a note',
      check: CRT004,
      opts: () => onMaster(pem('soon.crt', 'soon.key')),
      status: 'pass',
      messages: ['expiresSoon'],
    },
    {
      name: 'CRT004: 10 days left with certWarnDays 5: no note',
      check: CRT004,
      opts: () => ({ ...onMaster(pem('soon.crt', 'soon.key')), profile: { certWarnDays: 5 } }),
      status: 'pass',
      messages: [],
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const result = await runCheck(c.check, c.opts());
      expect(result.status, JSON.stringify(result.findings)).to.equal(c.status);
      expect(messageIds(result)).to.deep.equal(c.messages);
      if (c.line !== undefined) expect(result.findings[0]!.line).to.equal(c.line);
    });
  }

  it('findings name the host, the file, the subject and the dates', async () => {
    const result = await runCheck(CRT004, { backup: { [PEM]: EXPIRED_PEM } });
    const [finding] = result.findings;
    expect(finding).to.include({ host: 'backup', file: PEM, line: 1, kind: 'fail' });
    expect(finding!.message).to.match(
      /^the certificate CN=rebrain\.lab expired on 2021-01-01 00:00 UTC \(\d+ days ago\)$/,
    );
  });

  it('the doc examples are what the docs say: self-signed passes all four', async () => {
    for (const check of [CRT001, CRT002, CRT003, CRT004]) {
      expect(
        (await runCheck(check, { master: { [PEM]: SELF_SIGNED_PEM }, backup: { [PEM]: SELF_SIGNED_PEM } })).status,
      ).to.equal('pass');
    }
  });
});
