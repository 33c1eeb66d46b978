// Certificates made with the openssl binary for the certificate tests: the grader itself only uses
// Node's crypto, so an independent tool makes the test inputs. Generated once per test run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export class OpensslWorkshop {
  readonly dir = mkdtempSync(join(tmpdir(), 'hagrade-crt-'));

  run(...args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  }

  read(name: string): string {
    return readFileSync(join(this.dir, name), 'latin1');
  }

  readBuffer(name: string): Buffer {
    return readFileSync(join(this.dir, name));
  }

  /** Self-signed certificate `<name>.crt` for an existing key `<name>.key`. */
  selfSign(name: string, days = 36500, subject = '/CN=rebrain.lab'): void {
    this.run('req', '-x509', '-key', `${name}.key`, '-days', String(days), '-subj', subject, '-out', `${name}.crt`);
  }

  ecKey(name: string): void {
    this.run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
  }

  /** A self-signed certificate with fixed dates (YYYYMMDDHHMMSSZ), via `openssl ca -selfsign`. */
  selfSignBetween(name: string, start: string, end: string): void {
    this.ecKey(name);
    this.run('req', '-new', '-key', `${name}.key`, '-subj', '/CN=rebrain.lab', '-out', `${name}.csr`);
    const db = `${name}-db`;
    writeFileSync(join(this.dir, `${db}.txt`), '');
    writeFileSync(join(this.dir, `${db}.serial`), '01\n');
    writeFileSync(
      join(this.dir, `${name}.cnf`),
      `[ca]\ndefault_ca = lab\n[lab]\ndatabase = ${db}.txt\nserial = ${db}.serial\nnew_certs_dir = .\ndefault_md = sha256\npolicy = any\nunique_subject = no\n[any]\ncommonName = supplied\n`,
    );
    this.run(
      'ca',
      '-batch',
      '-config',
      `${name}.cnf`,
      '-selfsign',
      '-keyfile',
      `${name}.key`,
      '-in',
      `${name}.csr`,
      '-startdate',
      start,
      '-enddate',
      end,
      '-notext',
      '-out',
      `${name}.crt`,
    );
  }

  /** `<name>.crt` for a new key `<name>.key`, issued by the certificate `<ca>.crt` / `<ca>.key`. */
  issue(name: string, ca: string, subject = '/CN=rebrain.lab'): void {
    this.ecKey(name);
    this.run('req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
    this.run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.crt`,
      '-CAkey',
      `${ca}.key`,
      '-set_serial',
      '2',
      '-days',
      '36500',
      '-out',
      `${name}.crt`,
    );
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
