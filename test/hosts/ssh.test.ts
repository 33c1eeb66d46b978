import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_OUTPUT_LIMITS } from '../../src/hosts/limits.js';
import { SshError, SshHost, type NewHostKey, type SshHostOptions } from '../../src/hosts/ssh.js';
import { sudoProblem } from '../../src/hosts/ssh-command-line.js';
import { startSshd, type TestSshd } from '../support/sshd.js';

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

async function sshError(promise: Promise<unknown>): Promise<SshError> {
  try {
    await promise;
  } catch (e) {
    expect(e).to.be.instanceOf(SshError);
    return e as SshError;
  }
  throw new Error('expected an SshError');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('SshHost against a real sshd @lab', function () {
  this.timeout(30_000);
  let sshd: TestSshd;
  let work: string;
  let hosts: SshHost[] = [];
  let counter = 0;

  /** Options for a root login with the test key, a fresh known_hosts that already knows sshd, and nothing from ~. */
  const options = (over: Partial<SshHostOptions> = {}): SshHostOptions => {
    const knownHostsFile = join(work, `known_hosts_${counter++}`);
    writeFileSync(knownHostsFile, `${sshd.knownHostsLines().join('\n')}\n`);
    return {
      role: 'master',
      spec: { host: '127.0.0.1', port: sshd.port, user: 'root', key: sshd.clientKey },
      knownHostsFile,
      userKnownHostsFiles: [],
      sshConfigFile: false,
      agentSocket: false,
      strictHostKeys: true,
      connectTimeoutMs: 5000,
      ...over,
    };
  };
  const host = (over: Partial<SshHostOptions> = {}): SshHost => {
    const h = new SshHost(options(over));
    hosts.push(h);
    return h;
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'hagrade-ssh-test-'));
    chmodSync(work, 0o755);
    sshd = await startSshd();
  });
  after(async () => {
    await sshd?.stop();
    rmSync(work, { recursive: true, force: true });
  });
  afterEach(async () => {
    await Promise.all(hosts.map((h) => h.close()));
    hosts = [];
  });

  describe('commands', () => {
    it('returns exit codes, stdout and stderr, and shows the command as it ran', async () => {
      const h = host();
      const r = await h.run({ key: 't', argv: ['sh', '-c', 'echo out; echo err >&2; exit 3'] });
      expect(r).to.include({
        exitCode: 3,
        stdout: 'out\n',
        stderr: 'err\n',
        command: "sh -c 'echo out; echo err >&2; exit 3'",
      });
      expect(r.unavailable).to.equal(undefined);
      const shell = await h.run({ key: 's', shell: 'printf "%s|" "$0" "$#"' });
      expect(shell.stdout).to.equal('hagrade|0|');
      const stdin = await h.run({ key: 'stdin', argv: ['cat'], timeoutMs: 3000 });
      expect(stdin).to.include({ exitCode: 0, stdout: '' });
      expect(stdin.timedOut).to.equal(undefined);
    });

    it('runs commands in the C locale', async () => {
      const r = await host().run({ key: 'l', argv: ['sh', '-c', 'echo $LC_ALL'], root: true });
      expect(r.stdout).to.equal('C\n');
    });

    it('uses one connection for many commands, more at once than sshd allows sessions', async () => {
      const h = host();
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => h.run({ key: `n${i}`, argv: ['echo', String(i)] })),
      );
      expect(results.map((r) => r.stdout)).to.deep.equal(Array.from({ length: 30 }, (_, i) => `${i}\n`));
      expect(h.handshakes).to.equal(1);
    });

    it('returns output up to the limit whole, and cuts what goes past it (the command is then not judged)', async () => {
      const h = host();
      const whole = await h.run({
        key: 'big',
        argv: ['sh', '-c', `head -c ${DEFAULT_OUTPUT_LIMITS.maxBytes} /dev/zero | tr '\\0' a`],
      });
      expect(whole).to.include({ exitCode: 0, stdout: 'a'.repeat(DEFAULT_OUTPUT_LIMITS.maxBytes) });
      const endless = await h.run({ key: 'endless', argv: ['sh', '-c', "tr '\\0' a < /dev/zero"], timeoutMs: 30_000 });
      expect(endless).to.include({ exitCode: null, truncated: true });
      expect(endless.stdout).to.equal('a'.repeat(DEFAULT_OUTPUT_LIMITS.maxBytes));
      expect(endless.error).to.contain(`more than ${DEFAULT_OUTPUT_LIMITS.maxBytes} bytes`);
      expect((await h.run({ key: 'after', argv: ['true'] })).exitCode).to.equal(0);
    });

    it('times a command out, and the remote process does not outlive it', async () => {
      const h = host();
      const started = Date.now();
      const r = await h.run({ key: 'slow', argv: ['sh', '-c', 'sleep 31.7; echo never'], timeoutMs: 800 });
      expect(r.timedOut).to.equal(true);
      expect(r.exitCode).to.equal(null);
      expect(Date.now() - started).to.be.below(2500);
      await sleep(1500);
      const left = await h.run({ key: 'pgrep', argv: ['pgrep', '-f', '[s]leep 31.7'] });
      expect(left.exitCode, left.stdout).to.equal(1);
      // the connection is still usable
      expect((await h.run({ key: 'after', argv: ['true'] })).exitCode).to.equal(0);
    });

    it('passes hostile values as data: nothing they contain runs', async () => {
      const marker = join(work, 'pwned');
      const hostile = [
        `; touch ${marker}`,
        `$(touch ${marker})`,
        `\`touch ${marker}\``,
        `'; touch ${marker}; '`,
        `"; touch ${marker}; "`,
        `line\ntouch ${marker}`,
        '',
        'с пробелом и юникодом ✓',
        '*',
      ];
      const h = host();
      const r = await h.run({ key: 'q', argv: ['printf', '%s\\n', ...hostile], root: true });
      expect(r.stdout).to.equal(hostile.map((v) => `${v}\n`).join(''));
      const asUser = await h.run({ key: 'q2', argv: ['printf', '%s|', ...hostile], asUser: 'nobody' });
      expect(asUser.stdout).to.equal(hostile.map((v) => `${v}|`).join(''));
      // A fixed script gets values only as positional parameters.
      const script = await h.run({
        key: 'q3',
        shell: 'for v in "$@"; do printf "%s|" "$v"; done',
        argv: hostile,
        root: true,
      });
      expect(script.stdout).to.equal(hostile.map((v) => `${v}|`).join(''));
      const file = await h.readFile(`/nonexistent/$(touch ${marker})`);
      expect(file.ok).to.equal(false);
      expect(await h.listDir(`/nonexistent/\`touch ${marker}\``)).to.equal(null);
      expect(existsSync(marker)).to.equal(false);
    });

    it('runs as another user with asUser (runuser when logged in as root)', async () => {
      const r = await host().run({ key: 'who', argv: ['id', '-un'], asUser: 'nobody' });
      expect(r).to.include({ exitCode: 0, stdout: 'nobody\n', command: 'runuser -u nobody -- id -un' });
    });
  });

  describe('files', () => {
    let dir: string;
    before(() => {
      dir = join(work, 'files dir');
      mkdirSync(dir);
      writeFileSync(join(dir, 'haproxy.cfg'), 'global\n  daemon\n');
      writeFileSync(join(dir, 'файл с пробелом'), 'x');
      writeFileSync(join(dir, '.hidden'), '');
      writeFileSync(join(dir, 'new\nline'), '');
      writeFileSync(join(dir, 'big'), Buffer.alloc(2 * 1024 * 1024, 1));
    });

    it('reads a file byte for byte', async () => {
      const r = await host().readFile(join(dir, 'haproxy.cfg'));
      expect(r.ok && r.content.toString()).to.equal('global\n  daemon\n');
      const binary = await host().readFile(join(dir, 'big'), { maxBytes: 3 * 1024 * 1024 });
      expect(binary.ok && binary.content.equals(Buffer.alloc(2 * 1024 * 1024, 1))).to.equal(true);
    });

    it('says missing, too-large (default 1 MiB) and error', async () => {
      const h = host();
      expect(await h.readFile(join(dir, 'nope'))).to.deep.include({ ok: false, reason: 'missing' });
      const big = await h.readFile(join(dir, 'big'));
      expect(big).to.deep.include({
        ok: false,
        reason: 'too-large',
        message: `${join(dir, 'big')} is 2097152 bytes, over the 1048576-byte limit`,
      });
      expect(await h.readFile(join(dir, 'haproxy.cfg'), { maxBytes: 5 })).to.deep.include({
        ok: false,
        reason: 'too-large',
      });
      expect(await h.readFile(dir)).to.deep.include({ ok: false, reason: 'error' });
    });

    it('lists a directory with every kind of name, and null when it does not exist', async () => {
      const h = host();
      expect(await h.listDir(dir)).to.deep.equal(
        ['.hidden', 'big', 'haproxy.cfg', 'new\nline', 'файл с пробелом'].sort(),
      );
      expect(await h.listDir(join(dir, 'missing'))).to.equal(null);
      expect(await h.listDir(join(dir, 'haproxy.cfg'))).to.equal(null);
    });
  });

  describe('stream', () => {
    it('delivers lines as they come and stop() kills the remote process', async () => {
      const h = host();
      const lines: string[] = [];
      const handle = await h.stream(
        { key: 'tick', argv: ['sh', '-c', 'i=0; while :; do echo "tick-7f3 $i"; i=$((i+1)); sleep 0.1; done'] },
        (l) => lines.push(l),
      );
      while (lines.length < 3) await sleep(50);
      expect(lines.slice(0, 3)).to.deep.equal(['tick-7f3 0', 'tick-7f3 1', 'tick-7f3 2']);
      await handle.stop();
      await sleep(300);
      const left = await h.run({ key: 'pgrep', argv: ['pgrep', '-f', '[t]ick-7f3'] });
      expect(left.exitCode, left.stdout).to.equal(1);
      const count = lines.length;
      await sleep(300);
      expect(lines.length).to.equal(count);
    });

    it('stop() kills a remote process that is silent (it will never hit a closed pipe)', async () => {
      const h = host();
      const lines: string[] = [];
      const handle = await h.stream(
        { key: 'quiet', argv: ['sh', '-c', 'echo ready; exec sleep 45.3'], root: true },
        (l) => lines.push(l),
      );
      while (lines.length < 1) await sleep(50);
      expect(lines).to.deep.equal(['ready']);
      await handle.stop();
      await sleep(300);
      const left = await h.run({ key: 'pgrep', argv: ['pgrep', '-f', '[s]leep 45.3'] });
      expect(left.exitCode, left.stdout).to.equal(1);
    });

    it('streams a root command through ip monitor', async () => {
      // Its own namespace (a name no lab cleanup matches), so no address appears on this machine's interfaces.
      const ns = `sshhost-monitor-${process.pid}`;
      execFileSync('ip', ['netns', 'add', ns]);
      const h = host();
      const lines: string[] = [];
      try {
        const handle = await h.stream(
          { key: 'mon', argv: ['ip', '-n', ns, '-o', 'monitor', 'address'], root: true },
          (l) => lines.push(l),
        );
        await sleep(300);
        execFileSync('ip', ['-n', ns, 'address', 'add', '198.51.100.77/32', 'dev', 'lo']);
        execFileSync('ip', ['-n', ns, 'address', 'del', '198.51.100.77/32', 'dev', 'lo']);
        for (let i = 0; i < 40 && lines.length < 2; i++) await sleep(50);
        await handle.stop();
      } finally {
        execFileSync('ip', ['netns', 'del', ns]);
      }
      expect(
        lines.some((l) => /^\d+: lo +inet 198\.51\.100\.77\/32 /.test(l)),
        lines.join('\n'),
      ).to.equal(true);
      expect(
        lines.some((l) => l.startsWith('Deleted') && l.includes('198.51.100.77/32')),
        lines.join('\n'),
      ).to.equal(true);
    });
  });

  describe('host keys', () => {
    it('trusts an unknown key on first use into its own file, and knows it next time', async () => {
      const own = join(work, 'tofu', 'known_hosts');
      const seen: NewHostKey[] = [];
      const first = host({ knownHostsFile: own, strictHostKeys: false, onNewHostKey: (k) => seen.push(k) });
      await first.connect();
      expect(seen).to.have.length(1);
      expect(seen[0]).to.include({ host: '127.0.0.1', port: sshd.port, keyType: 'ssh-ed25519', file: own, line: 1 });
      expect(readFileSync(own, 'utf8')).to.equal(`${sshd.knownHostsLines()[0]}\n`);
      const second = new SshHost({ ...options({ strictHostKeys: true }), knownHostsFile: own });
      hosts.push(second);
      await second.connect();
    });

    it('refuses an unknown key when strict', async () => {
      const empty = join(work, 'empty_known_hosts');
      const h = new SshHost({ ...options(), knownHostsFile: empty });
      hosts.push(h);
      const err = await sshError(h.connect());
      expect(err.code).to.equal('hostkey-unknown');
      expect(err.text.en).to.contain('ssh-keyscan');
      expect(existsSync(empty)).to.equal(false);
    });

    it('refuses a changed key, even without strict checking, naming the file and line to fix', async () => {
      const other = join(work, 'other_host_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
      const file = join(work, 'changed_known_hosts');
      const otherKey = readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
      writeFileSync(file, `# managed by hand\n[127.0.0.1]:${sshd.port} ${otherKey}\n`);
      const h = new SshHost({
        ...options({ strictHostKeys: false }),
        knownHostsFile: join(work, 'unused'),
        userKnownHostsFiles: [file],
      });
      hosts.push(h);
      const err = await sshError(h.connect());
      expect(err.code).to.equal('hostkey-changed');
      expect(err.message).to.contain('REMOTE HOST IDENTIFICATION HAS CHANGED');
      expect(err.message).to.contain(`ssh-keygen -f "${file}" -R "[127.0.0.1]:${sshd.port}"`);
      expect(err.message).to.contain(`line 2 of ${file}`);
      expect(err.text.ru).to.contain('КЛЮЧ УДАЛЁННОГО СЕРВЕРА ИЗМЕНИЛСЯ');
      const run = await h.run({ key: 'x', argv: ['true'] });
      expect(run.unavailable).to.equal(true);
    });

    it('negotiates the key type it knows when the host has several', async () => {
      const multi = await startSshd({ hostKeyTypes: ['ed25519', 'ecdsa'] });
      try {
        const ecdsaOnly = join(work, 'ecdsa_known_hosts');
        writeFileSync(
          ecdsaOnly,
          `${multi
            .knownHostsLines()
            .filter((l) => l.includes('ecdsa'))
            .join('\n')}\n`,
        );
        const h = new SshHost({
          ...options(),
          spec: { host: '127.0.0.1', port: multi.port, user: 'root', key: multi.clientKey },
          knownHostsFile: ecdsaOnly,
        });
        hosts.push(h);
        expect((await h.run({ key: 'x', argv: ['true'] })).exitCode).to.equal(0);
      } finally {
        await Promise.all(hosts.map((h) => h.close()));
        await multi.stop();
      }
    });
  });

  describe('authentication', () => {
    it('refuses a wrong key with code auth and says what it tried', async () => {
      const wrong = join(work, 'wrong_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrong]);
      const passwordAsked: string[] = [];
      const h = host({
        spec: { host: '127.0.0.1', port: sshd.port, user: 'root', key: wrong },
        agentSocket: join(work, 'no-agent.sock'),
        promptPassword: async ({ user }) => (passwordAsked.push(user), 'secret'),
      });
      const err = await sshError(h.connect());
      expect(err.code).to.equal('auth');
      expect(err.text.en).to.contain(`tried: key ${wrong}, ssh-agent`);
      // This sshd takes keys only: nobody is asked for a password it would refuse anyway.
      expect(passwordAsked).to.deep.equal([]);
    });

    it('asks for the passphrase of an encrypted key', async () => {
      const encrypted = join(work, 'encrypted_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'correct horse', '-f', encrypted]);
      writeFileSync(join(sshd.dir, 'authorized_keys'), readFileSync(`${encrypted}.pub`), { flag: 'a' });
      const asked: string[] = [];
      const h = host({
        spec: { host: '127.0.0.1', port: sshd.port, user: 'root', key: encrypted },
        promptPassphrase: async (file) => (asked.push(file), 'correct horse'),
      });
      await h.connect();
      expect(asked).to.deep.equal([encrypted]);
    });

    it('uses ssh-agent when no key file works', async () => {
      const socket = join(work, 'agent.sock');
      const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
      try {
        for (let i = 0; i < 50 && !existsSync(socket); i++) await sleep(20);
        execFileSync('ssh-add', ['-q', sshd.clientKey], {
          env: { ...process.env, SSH_AUTH_SOCK: socket },
          stdio: 'ignore',
        });
        const h = host({
          spec: { host: '127.0.0.1', port: sshd.port, user: 'root', key: join(work, 'no-such-key') },
          agentSocket: socket,
        });
        await h.connect();
        expect(h.handshakes).to.equal(1);
      } finally {
        agent.kill();
      }
    });
  });

  describe('connection failures', () => {
    it('says unreachable quickly for a closed port', async () => {
      const closed = await new Promise<number>((resolve) => {
        const s = createServer().listen(0, '127.0.0.1', () => {
          const { port } = s.address() as { port: number };
          s.close(() => resolve(port));
        });
      });
      const started = Date.now();
      const err = await sshError(host({ spec: { host: '127.0.0.1', port: closed, user: 'root' } }).connect());
      expect(err.code).to.equal('unreachable');
      expect(Date.now() - started).to.be.below(1000);
    });

    it('times out a port that never speaks SSH', async () => {
      const silent: Server = createServer(() => undefined);
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      try {
        const { port } = silent.address() as { port: number };
        const started = Date.now();
        const h = host({ spec: { host: '127.0.0.1', port, user: 'root' }, connectTimeoutMs: 500 });
        const err = await sshError(h.connect());
        expect(err.code).to.equal('timeout');
        expect(Date.now() - started).to.be.within(450, 2000);
        // later commands do not try again and wait again: they are unavailable at once
        const r = await h.run({ key: 'x', argv: ['true'] });
        expect(r).to.include({ unavailable: true, exitCode: null });
        expect(r.error).to.contain('did not complete the SSH handshake');
      } finally {
        silent.close();
      }
    });

    it('reconnects once after the connection drops', async () => {
      const h = host();
      await h.connect();
      sshd.dropConnections();
      await sleep(300);
      const r = await h.run({ key: 'x', argv: ['echo', 'again'] });
      expect(r.stdout).to.equal('again\n');
      expect(h.handshakes).to.equal(2);
    });

    it('turns pending and later commands into unavailable results when sshd dies, without crashing', async () => {
      const h = host();
      await h.connect();
      const pending = h.run({ key: 'slow', argv: ['sleep', '10'] });
      const streamed: string[] = [];
      const stream = await h.stream({ key: 'mon', argv: ['sh', '-c', 'echo up; exec sleep 10'] }, (l) =>
        streamed.push(l),
      );
      await sleep(300);
      await sshd.kill();
      await stream.stop();
      expect(streamed).to.deep.equal(['up']);
      const r = await pending;
      expect(r).to.include({ unavailable: true, exitCode: null });
      expect(r.error).to.contain('lost');
      const later = await h.run({ key: 'later', argv: ['true'] });
      expect(later.unavailable).to.equal(true);
      expect(later.error).to.match(/cannot connect/);
      expect(await h.readFile('/etc/hostname')).to.deep.include({ ok: false, reason: 'unavailable' });
      await sshd.restart();
    });
  });

  describe('waiting for a host to come back (the reboot probe)', () => {
    it('after sshd was gone, connects afresh as soon as it listens again, even after the one reconnect was spent', async () => {
      const h = host();
      await h.connect();
      await sshd.kill();
      expect((await h.run({ key: 'down', argv: ['true'] })).unavailable).to.equal(true);
      setTimeout(() => void sshd.restart(), 700);
      const back = await h.waitForReturn(20_000, new AbortController().signal);
      expect(back).to.deep.equal({ ok: true });
      expect((await h.run({ key: 'up', argv: ['echo', 'back'] })).stdout).to.equal('back\n');
    });

    it('gives up at its bound with the last reason, and an abort ends it at once', async () => {
      const h = host();
      await h.connect();
      await sshd.kill();
      try {
        const gone = await h.waitForReturn(1500, new AbortController().signal);
        expect(gone.ok).to.equal(false);
        if (!gone.ok) expect(gone.reason.en).to.match(/cannot connect|refused/i);
        const abort = new AbortController();
        setTimeout(() => abort.abort(), 200);
        const aborted = await h.waitForReturn(600_000, abort.signal);
        expect(aborted).to.deep.equal({ ok: false, reason: { en: 'interrupted', ru: 'прервано' } });
      } finally {
        await sshd.restart();
      }
    });
  });

  describe('sudo', () => {
    const user = unprivilegedUser();

    it('maps a real "sudo -n" password prompt to a message naming the fix', async function () {
      if (!user) this.skip();
      const r = await host().run({ key: 'sudo', argv: ['sudo', '-n', 'true'], asUser: user });
      expect(r.exitCode).to.equal(1);
      expect(r.stderr).to.contain('sudo: a password is required');
      const text = sudoProblem(r.stderr, user!, 'vm1');
      expect(text?.en).to.contain(`${user} ALL=(ALL) NOPASSWD: ALL`);
      expect(text?.ru).to.contain('без пароля');
      expect(sudoProblem('cat: x: No such file or directory', user!, 'vm1')).to.equal(undefined);
    });

    it('logged in as a user without sudo rights: connect() says sudo-password, root commands are unavailable', async function () {
      if (!user) this.skip();
      const h = host({ spec: { host: '127.0.0.1', port: sshd.port, user: user!, key: sshd.clientKey } });
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
      const secret = join(work, 'secret');
      writeFileSync(secret, 'x', { mode: 0o600 });
      const h = host({
        spec: { host: '127.0.0.1', port: sshd.port, user: user!, key: sshd.clientKey },
        useSudo: false,
      });
      expect(await h.readFile(secret)).to.deep.include({ ok: false, reason: 'denied' });
    });
  });

  describe('ProxyJump', () => {
    it('reaches the host through a jump host named in ~/.ssh/config', async () => {
      const config = join(work, 'ssh_config');
      writeFileSync(
        config,
        [
          `Host target`,
          `  HostName 127.0.0.1`,
          `  Port ${sshd.port}`,
          `  ProxyJump root@127.0.0.1:${sshd.port}`,
          `Host *`,
          `  IdentityFile ${sshd.clientKey}`,
        ].join('\n'),
      );
      const h = host({ spec: { host: 'target', user: 'root' }, sshConfigFile: config });
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
