// SshHost against a real sshd: host keys (trust on first use, unknown, changed, several types),
// authentication (wrong key, passphrase, ssh-agent), sudo, and ProxyJump.
import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SshHost, type NewHostKey } from '../../src/hosts/ssh.js';
import { sudoProblem } from '../../src/hosts/ssh-command-line.js';
import { startSshd } from '../support/sshd.js';
import { sleep, sshError, useSshd } from './ssh-harness.js';

/** A user other than root with a login shell, to log in as someone sudo does not trust. */
function unprivilegedUser(): string | undefined {
  const passwd = readFileSync('/etc/passwd', 'utf8');
  const shells = readFileSync('/etc/shells', 'utf8');
  for (const line of passwd.split('\n')) {
    const [name, , uid, , , , shell] = line.split(':');
    if (name && Number(uid) >= 100 && shell && /(ba|da)?sh$/.test(shell) && shells.includes(shell)) {
      // sudo must not let it in without a password, or the test would prove nothing
      try {
        execFileSync('runuser', ['-u', name, '--', 'sudo', '-n', 'true'], { stdio: 'ignore' });
      } catch {
        return name;
      }
    }
  }
  return undefined;
}

describe('SshHost against a real sshd @lab', function () {
  this.timeout(30_000);
  const ssh = useSshd();

  describe('host keys', () => {
    it('trusts an unknown key on first use into its own file, and knows it next time', async () => {
      const own = join(ssh.work, 'tofu', 'known_hosts');
      const seen: NewHostKey[] = [];
      const first = ssh.host({ knownHostsFile: own, strictHostKeys: false, onNewHostKey: (k) => seen.push(k) });
      await first.connect();
      expect(seen).to.have.length(1);
      expect(seen[0]).to.include({
        host: '127.0.0.1',
        port: ssh.sshd.port,
        keyType: 'ssh-ed25519',
        file: own,
        line: 1,
      });
      expect(readFileSync(own, 'utf8')).to.equal(`${ssh.sshd.knownHostsLines()[0]}\n`);
      const second = new SshHost({ ...ssh.options({ strictHostKeys: true }), knownHostsFile: own });
      ssh.hosts.push(second);
      await second.connect();
    });

    it('refuses an unknown key when strict', async () => {
      const empty = join(ssh.work, 'empty_known_hosts');
      const h = new SshHost({ ...ssh.options(), knownHostsFile: empty });
      ssh.hosts.push(h);
      const err = await sshError(h.connect());
      expect(err.code).to.equal('hostkey-unknown');
      expect(err.text.en).to.contain('ssh-keyscan');
      expect(existsSync(empty)).to.equal(false);
    });

    it('refuses a changed key, even without strict checking, naming the file and line to fix', async () => {
      const other = join(ssh.work, 'other_host_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
      const file = join(ssh.work, 'changed_known_hosts');
      const otherKey = readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
      writeFileSync(file, `# managed by hand\n[127.0.0.1]:${ssh.sshd.port} ${otherKey}\n`);
      const h = new SshHost({
        ...ssh.options({ strictHostKeys: false }),
        knownHostsFile: join(ssh.work, 'unused'),
        userKnownHostsFiles: [file],
      });
      ssh.hosts.push(h);
      const err = await sshError(h.connect());
      expect(err.code).to.equal('hostkey-changed');
      expect(err.message).to.contain('REMOTE HOST IDENTIFICATION HAS CHANGED');
      expect(err.message).to.contain(`ssh-keygen -f "${file}" -R "[127.0.0.1]:${ssh.sshd.port}"`);
      expect(err.message).to.contain(`line 2 of ${file}`);
      expect(err.text.ru).to.contain('КЛЮЧ УДАЛЁННОГО СЕРВЕРА ИЗМЕНИЛСЯ');
      const run = await h.run({ key: 'x', argv: ['true'] });
      expect(run.unavailable).to.equal(true);
    });

    it('negotiates the key type it knows when the host has several', async () => {
      const multi = await startSshd({ hostKeyTypes: ['ed25519', 'ecdsa'] });
      try {
        const ecdsaOnly = join(ssh.work, 'ecdsa_known_hosts');
        writeFileSync(
          ecdsaOnly,
          `${multi
            .knownHostsLines()
            .filter((l) => l.includes('ecdsa'))
            .join('\n')}\n`,
        );
        const h = new SshHost({
          ...ssh.options(),
          spec: { host: '127.0.0.1', port: multi.port, user: 'root', key: multi.clientKey },
          knownHostsFile: ecdsaOnly,
        });
        ssh.hosts.push(h);
        expect((await h.run({ key: 'x', argv: ['true'] })).exitCode).to.equal(0);
      } finally {
        await Promise.all(ssh.hosts.map((h) => h.close()));
        await multi.stop();
      }
    });
  });

  describe('authentication', () => {
    it('refuses a wrong key with code auth and says what it tried', async () => {
      const wrong = join(ssh.work, 'wrong_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrong]);
      const passwordAsked: string[] = [];
      const h = ssh.host({
        spec: { host: '127.0.0.1', port: ssh.sshd.port, user: 'root', key: wrong },
        agentSocket: join(ssh.work, 'no-agent.sock'),
        promptPassword: async ({ user }) => (passwordAsked.push(user), 'secret'),
      });
      const err = await sshError(h.connect());
      expect(err.code).to.equal('auth');
      expect(err.text.en).to.contain(`tried: key ${wrong}, ssh-agent`);
      // This sshd takes keys only: nobody is asked for a password it would refuse anyway.
      expect(passwordAsked).to.deep.equal([]);
    });

    it('asks for the passphrase of an encrypted key', async () => {
      const encrypted = join(ssh.work, 'encrypted_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'correct horse', '-f', encrypted]);
      writeFileSync(join(ssh.sshd.dir, 'authorized_keys'), readFileSync(`${encrypted}.pub`), { flag: 'a' });
      const asked: string[] = [];
      const h = ssh.host({
        spec: { host: '127.0.0.1', port: ssh.sshd.port, user: 'root', key: encrypted },
        promptPassphrase: async (file) => (asked.push(file), 'correct horse'),
      });
      await h.connect();
      expect(asked).to.deep.equal([encrypted]);
    });

    it('uses ssh-agent when no key file works', async () => {
      const socket = join(ssh.work, 'agent.sock');
      const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
      try {
        for (let i = 0; i < 50 && !existsSync(socket); i++) await sleep(20);
        execFileSync('ssh-add', ['-q', ssh.sshd.clientKey], {
          env: { ...process.env, SSH_AUTH_SOCK: socket },
          stdio: 'ignore',
        });
        const h = ssh.host({
          spec: { host: '127.0.0.1', port: ssh.sshd.port, user: 'root', key: join(ssh.work, 'no-such-key') },
          agentSocket: socket,
        });
        await h.connect();
        expect(h.handshakes).to.equal(1);
      } finally {
        agent.kill();
      }
    });
  });

  describe('sudo', () => {
    const user = unprivilegedUser();

    it('maps a real "sudo -n" password prompt to a message naming the fix', async function () {
      if (!user) this.skip();
      const r = await ssh.host().run({ key: 'sudo', argv: ['sudo', '-n', 'true'], asUser: user });
      expect(r.exitCode).to.equal(1);
      expect(r.stderr).to.contain('sudo: a password is required');
      const text = sudoProblem(r.stderr, user!, 'vm1');
      expect(text?.en).to.contain(`${user} ALL=(ALL) NOPASSWD: ALL`);
      expect(text?.ru).to.contain('без пароля');
      expect(sudoProblem('cat: x: No such file or directory', user!, 'vm1')).to.equal(undefined);
    });

    it('logged in as a user without sudo rights: connect() says sudo-password, root commands are unavailable', async function () {
      if (!user) this.skip();
      const h = ssh.host({ spec: { host: '127.0.0.1', port: ssh.sshd.port, user: user!, key: ssh.sshd.clientKey } });
      const err = await sshError(h.connect());
      expect(err.code).to.equal('sudo-password');
      expect(err.text.en).to.contain('NOPASSWD');
      const plain = await h.run({ key: 'id', argv: ['id', '-un'] });
      expect(plain.stdout).to.equal(`${user}\n`);
      const asRoot = await h.run({ key: 'id', argv: ['id', '-un'], root: true });
      expect(asRoot).to.include({ unavailable: true, command: 'sudo -n -- id -un' });
      expect(asRoot.error).to.contain('NOPASSWD');
      expect(await h.readFile('/etc/hostname')).to.deep.include({ ok: false, reason: 'unavailable' });
    });

    it('without sudo, a file the login user cannot read is denied', async function () {
      if (!user) this.skip();
      const secret = join(ssh.work, 'secret');
      writeFileSync(secret, 'x', { mode: 0o600 });
      const h = ssh.host({
        spec: { host: '127.0.0.1', port: ssh.sshd.port, user: user!, key: ssh.sshd.clientKey },
        useSudo: false,
      });
      expect(await h.readFile(secret)).to.deep.include({ ok: false, reason: 'denied' });
    });
  });

  describe('ProxyJump', () => {
    it('reaches the host through a jump host named in ~/.ssh/config', async () => {
      const config = join(ssh.work, 'ssh_config');
      writeFileSync(
        config,
        [
          `Host target`,
          `  HostName 127.0.0.1`,
          `  Port ${ssh.sshd.port}`,
          `  ProxyJump root@127.0.0.1:${ssh.sshd.port}`,
          `Host *`,
          `  IdentityFile ${ssh.sshd.clientKey}`,
        ].join('\n'),
      );
      const h = ssh.host({ spec: { host: 'target', user: 'root' }, sshConfigFile: config });
      const r = await h.run({ key: 'x', argv: ['sh', '-c', 'echo "$SSH_CONNECTION"'] });
      expect(h.handshakes, r.error).to.equal(1);
      // The target saw a connection whose client end belongs to sshd itself: the jump host's forwarding.
      const clientPort = r.stdout.split(' ')[1];
      const owner = execFileSync('ss', ['-Htnp', 'state', 'established', `( sport = :${clientPort} )`]).toString();
      expect(owner).to.contain('sshd');
      expect(owner).not.to.contain('node');
    });
  });
});
