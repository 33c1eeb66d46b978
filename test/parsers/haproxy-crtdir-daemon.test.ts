// `crt DIR` against the real `haproxy -c` (skipped where haproxy or openssl is missing): HAProxy loads
// every file of the directory as a certificate, so HAP001 must fail exactly when haproxy -c does.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import HAP001 from '../../checks/HAP001.js';
import { runCheck } from '../support/check-tester.js';

const have = (cmd: string, arg: string) => !spawnSync(cmd, [arg]).error;

describe('crt naming a directory, against haproxy -c', function () {
  this.timeout(60_000);
  let dir = '';
  let pem = '';
  before(function () {
    if (!have('haproxy', '-v') || !have('openssl', 'version')) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'hagrade-crtdir-'));
    const r = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'k'),
        '-out',
        join(dir, 'c'),
        '-days',
        '2',
        '-subj',
        '/CN=t',
      ],
      { stdio: 'ignore' },
    );
    if (r.status !== 0) this.skip();
    pem = readFileSync(join(dir, 'c'), 'utf8') + readFileSync(join(dir, 'k'), 'utf8');
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  const layouts: Record<string, Record<string, string>> = {
    'certificates only': { 'a.pem': 'PEM' },
    'a dotfile and a .key file (skipped)': { 'a.pem': 'PEM', '.notes': 'x', 'a.pem.key': 'KEY' },
    'a README': { 'a.pem': 'PEM', README: 'my certificates\n' },
    'the haproxy.cfg itself': { 'a.pem': 'PEM', 'haproxy.cfg': 'CFG' },
    'a .ocsp and a .issuer (skipped)': { 'a.pem': 'PEM', 'a.ocsp': 'x', 'a.issuer': 'x' },
  };
  let n = 0;
  for (const [name, layout] of Object.entries(layouts)) {
    it(`${name}: HAP001 agrees with haproxy -c`, async () => {
      const root = join(dir, `case${n++}`);
      const certs = join(root, 'certs');
      mkdirSync(certs, { recursive: true });
      const cfgPath = join(certs, 'haproxy.cfg');
      const cfg = `defaults\n  mode http\n  timeout connect 5s\n  timeout client 5s\n  timeout server 5s\nfrontend f\n  bind 127.0.0.1:8443 ssl crt ${certs}\n  default_backend b\nbackend b\n  server s 127.0.0.1:81\n`;
      const cfgFile = layout['haproxy.cfg'] ? cfgPath : join(root, 'haproxy.cfg');
      for (const [file, what] of Object.entries(layout)) {
        if (what !== 'CFG')
          writeFileSync(
            join(certs, file),
            what === 'PEM' ? pem : what === 'KEY' ? pem.slice(pem.indexOf('-----BEGIN PRIVATE')) : what,
          );
      }
      writeFileSync(cfgFile, cfg);
      const theirs = spawnSync('haproxy', ['-c', '-f', cfgFile], { encoding: 'utf8' }).status === 0;
      const files: Record<string, Buffer> = { [cfgFile]: readFileSync(cfgFile) };
      for (const f of readdirSync(certs)) files[join(certs, f)] = readFileSync(join(certs, f));
      const result = await runCheck(HAP001, { master: files, backup: files, profile: { haproxyCfgPath: cfgFile } });
      const ours = !result.findings.some((f) => f.kind === 'fail');
      expect(ours, result.findings.map((f) => f.message).join('\n')).to.equal(theirs);
    });
  }
});
