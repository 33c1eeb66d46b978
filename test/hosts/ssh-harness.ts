// The setup of the SshHost tests against a real local sshd (test/support/sshd.ts): one sshd per
// suite that calls useSshd(), a work folder, and SshHosts that are closed after each test.
import { expect } from 'chai';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshError, SshHost, type SshHostOptions } from '../../src/hosts/ssh.js';
import { startSshd, type TestSshd } from '../support/sshd.js';

export interface SshdSuite {
  sshd: TestSshd;
  /** A fresh folder for the suite's files, readable by every user. */
  work: string;
  /** Hosts to close after the test. */
  hosts: SshHost[];
  /** Options for a root login with the test key, a fresh known_hosts that already knows sshd, and nothing from ~. */
  options(over?: Partial<SshHostOptions>): SshHostOptions;
  /** An SshHost on `options(over)`, closed after the test. */
  host(over?: Partial<SshHostOptions>): SshHost;
}

/** Registers the suite's sshd and work folder (before/after) and closes its hosts after each test. */
export function useSshd(): SshdSuite {
  let counter = 0;
  const suite: SshdSuite = {
    sshd: undefined as unknown as TestSshd,
    work: '',
    hosts: [],
    options(over = {}) {
      const knownHostsFile = join(suite.work, `known_hosts_${counter++}`);
      writeFileSync(knownHostsFile, `${suite.sshd.knownHostsLines().join('\n')}\n`);
      return {
        role: 'master',
        spec: { host: '127.0.0.1', port: suite.sshd.port, user: 'root', key: suite.sshd.clientKey },
        knownHostsFile,
        userKnownHostsFiles: [],
        sshConfigFile: false,
        agentSocket: false,
        strictHostKeys: true,
        connectTimeoutMs: 5000,
        ...over,
      };
    },
    host(over = {}) {
      const h = new SshHost(suite.options(over));
      suite.hosts.push(h);
      return h;
    },
  };

  before(async () => {
    suite.work = mkdtempSync(join(tmpdir(), 'hagrade-ssh-test-'));
    chmodSync(suite.work, 0o755);
    suite.sshd = await startSshd();
  });
  after(async () => {
    await suite.sshd?.stop();
    if (suite.work) rmSync(suite.work, { recursive: true, force: true });
  });
  afterEach(async () => {
    await Promise.all(suite.hosts.map((h) => h.close()));
    suite.hosts = [];
  });
  return suite;
}

/** The SshError `promise` rejects with; fails the test if it resolves or rejects with something else. */
export async function sshError(promise: Promise<unknown>): Promise<SshError> {
  try {
    await promise;
  } catch (e) {
    expect(e).to.be.instanceOf(SshError);
    return e as SshError;
  }
  throw new Error('expected an SshError');
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
