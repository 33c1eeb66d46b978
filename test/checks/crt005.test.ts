// CRT005: the certificate served on VIP:443 is the one in master's rebrain.pem.
import { expect } from 'chai';
import CRT005 from '../../checks/CRT005.js';
import { CERT_ONLY_PEM, SELF_SIGNED_PEM } from '../../src/facts/cert-examples.js';
import { expectFindings, runCheck, testCheck } from '../support/check-tester.js';
import { capture, commandsWith } from './live-captures.js';

const served = (name: string) => ({ 'tls-vip-cert': capture('tls-vip-cert', name) });
const anotherCert = { 'tls-vip-cert': { stdout: CERT_ONLY_PEM, stderr: '', exitCode: 0 } };
const noOpenssl = { 'tls-vip-cert': { stdout: '', stderr: 'sh: 1: openssl: not found\n', exitCode: 127 } };
const PEM = '/etc/haproxy/rebrain.pem';

testCheck(CRT005, {
  valid: [
    { name: "the served certificate is the file's", commands: commandsWith({}) },
    {
      name: 'the same certificate, the file with another key order (key first)',
      master: {
        [PEM]: SELF_SIGNED_PEM.split(/(?=-----BEGIN PRIVATE KEY-----)/)
          .reverse()
          .join(''),
      },
      commands: commandsWith({ master: anotherCert }),
    },
  ],
  invalid: [
    {
      // The fixture's rebrain.pem begins with its certificate: the finding points at line 1.
      name: 'another certificate is served (the file was replaced, haproxy not reloaded)',
      commands: commandsWith({ master: anotherCert }),
      findings: [{ host: 'master', messageId: 'differentCertificate', line: 1 }],
    },
    {
      name: 'nothing listens on VIP:443',
      commands: commandsWith({ master: served('refused') }),
      findings: [{ host: 'master', messageId: 'noCertificateServed' }],
    },
    {
      name: "skip: master's certificate file is missing (CRT001 says so)",
      master: { [PEM]: null },
      commands: commandsWith({}),
      findings: [{ host: 'master', messageId: 'fileMissing', kind: 'skip' }],
      status: 'skip',
    },
    {
      name: 'skip: no VIP known',
      target: { master: { address: 'master.lab' }, vip: undefined },
      commands: commandsWith({}),
      findings: [{ messageId: 'noVip', kind: 'skip' }],
      status: 'skip',
    },
    {
      name: 'skip: no captured output',
      commands: commandsWith({ master: { 'tls-vip-cert': null } }),
      findings: [{ host: 'master', messageId: 'commandUnavailable', kind: 'skip' }],
      status: 'skip',
    },
    {
      name: 'error: openssl is missing on master',
      commands: commandsWith({ master: noOpenssl }),
      findings: [{ host: 'master', messageId: 'commandNotFound', kind: 'error' }],
      status: 'error',
    },
  ],
});

describe('CRT005 messages', () => {
  it("names the missing program from the shell's message, not the first word of the pipeline", async () => {
    const result = await runCheck(CRT005, { commands: commandsWith({ master: noOpenssl }) });
    expectFindings(result, [{ host: 'master', messageId: 'commandNotFound', kind: 'error' }]);
    expect(result.findings[0]!.message).to.match(/^`openssl` is not installed/);
  });

  it('names both certificates by subject and fingerprint, pointing at the file', async () => {
    const result = await runCheck(CRT005, { commands: commandsWith({ master: anotherCert }) });
    expectFindings(result, [{ host: 'master', messageId: 'differentCertificate', line: 1 }]);
    const [finding] = result.findings;
    expect(finding).to.deep.include({ file: PEM, line: 1 });
    expect(finding!.message).to.match(
      /^203\.0\.113\.10:443 serves another certificate \(CN=rebrain\.lab, SHA-256 [0-9a-f]{64}\) than \/etc\/haproxy\/rebrain\.pem \(CN=rebrain\.lab, SHA-256 8fafa579/,
    );
  });
});
