// CRT005: the certificate served on VIP:443 is the one in master's rebrain.pem.
import { expect } from 'chai';
import CRT005 from '../../checks/CRT005.js';
import { CERT_ONLY_PEM, SELF_SIGNED_PEM } from '../../src/facts/cert-examples.js';
import { capture, runLiveCase, type LiveCase } from './live-captures.js';

const served = (name: string) => ({ 'tls-vip-cert': capture('tls-vip-cert', name) });
const PEM = '/etc/haproxy/rebrain.pem';

const cases: LiveCase[] = [
  { name: "valid: the served certificate is the file's", status: 'pass', findings: [] },
  {
    name: 'valid: the same certificate, the file with another key order (key first)',
    options: {
      master: {
        [PEM]: SELF_SIGNED_PEM.split(/(?=-----BEGIN PRIVATE KEY-----)/)
          .reverse()
          .join(''),
      },
    },
    master: { 'tls-vip-cert': { stdout: CERT_ONLY_PEM, stderr: '', exitCode: 0 } },
    status: 'pass',
    findings: [],
  },
  {
    name: 'invalid: another certificate is served (the file was replaced, haproxy not reloaded)',
    master: { 'tls-vip-cert': { stdout: CERT_ONLY_PEM, stderr: '', exitCode: 0 } },
    status: 'fail',
    findings: ['master:differentCertificate'],
  },
  {
    name: 'invalid: nothing listens on VIP:443',
    master: served('refused'),
    status: 'fail',
    findings: ['master:noCertificateServed'],
  },
  {
    name: "skip: master's certificate file is missing (CRT001 says so)",
    options: { master: { [PEM]: null } },
    status: 'skip',
    findings: ['master:fileMissing'],
  },
  {
    name: 'skip: no VIP known',
    options: { target: { master: { address: 'master.lab' }, vip: undefined } },
    status: 'skip',
    findings: ['-:noVip'],
  },
  {
    name: 'skip: no captured output',
    master: { 'tls-vip-cert': null },
    status: 'skip',
    findings: ['master:commandUnavailable'],
  },
  {
    name: 'error: openssl is missing on master',
    master: { 'tls-vip-cert': { stdout: '', stderr: 'sh: 1: openssl: not found\n', exitCode: 127 } },
    status: 'error',
    findings: ['master:commandNotFound'],
  },
];

describe('CRT005', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const { got } = await runLiveCase(CRT005, c);
      expect(got).to.deep.equal({ status: c.status, findings: c.findings });
    });
  }

  it("names the missing program from the shell's message, not the first word of the pipeline", async () => {
    const { result } = await runLiveCase(CRT005, {
      name: '',
      master: { 'tls-vip-cert': { stdout: '', stderr: 'sh: 1: openssl: not found\n', exitCode: 127 } },
      status: 'error',
      findings: [],
    });
    expect(result.findings[0]!.message).to.match(/^`openssl` is not installed/);
  });

  it('names both certificates by subject and fingerprint, pointing at the file', async () => {
    const { result } = await runLiveCase(CRT005, {
      name: '',
      master: { 'tls-vip-cert': { stdout: CERT_ONLY_PEM, stderr: '', exitCode: 0 } },
      status: 'fail',
      findings: [],
    });
    const [finding] = result.findings;
    expect(finding).to.deep.include({ file: PEM, line: 1 });
    expect(finding!.message).to.match(
      /^203\.0\.113\.10:443 serves another certificate \(CN=rebrain\.lab, SHA-256 [0-9a-f]{64}\) than \/etc\/haproxy\/rebrain\.pem \(CN=rebrain\.lab, SHA-256 8fafa579/,
    );
  });
});
