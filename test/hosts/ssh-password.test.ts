// Password logins and the exact command lines SshHost sends, against an SSH server in this process
// (ssh2's server speaks the real protocol; OpenSSH cannot be given a password without changing the machine).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { SshError, SshHost, type SshHostOptions } from '../../src/hosts/ssh.js';

describe('SshHost: passwords and command lines', () => {
  let dir: string;
  let server: ssh2.Server;
  let port: number;
  let hostKeyLine: string;
  /** Every authentication attempt the server saw, as `method` (publickey queries included). */
  let attempts: string[];
  /** Every command line the server was asked to run. */
  let commands: string[];
  let hosts: SshHost[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hagrade-sshpw-'));
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host')]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client')]);
    server = new ssh2.Server({ hostKeys: [readFileSync(join(dir, 'host'))] }, (client) => {
      client.on('error', () => undefined);
      client.on('authentication', (ctx) => {
        attempts.push(ctx.method);
        if (ctx.method === 'password' && ctx.username === 'student' && ctx.password === 'right') return ctx.accept();
        ctx.reject(['publickey', 'password']);
      });
      client.on('ready', () => {
        client.on('session', (accept) => {
          accept().on('exec', (acceptExec, _reject, info) => {
            commands.push(info.command);
            const channel = acceptExec();
            channel.write('ok\n');
            channel.exit(0);
            channel.end();
          });
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    hostKeyLine = `[127.0.0.1]:${port} ${readFileSync(join(dir, 'host.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}\n`;
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    attempts = [];
    commands = [];
    hosts = [];
    delete process.env.HAGRADE_SSH_PASSWORD;
  });
  afterEach(async () => {
    delete process.env.HAGRADE_SSH_PASSWORD;
    await Promise.all(hosts.map((h) => h.close()));
  });

  const host = (over: Partial<SshHostOptions> = {}): SshHost => {
    const knownHostsFile = join(dir, 'known_hosts');
    writeFileSync(knownHostsFile, hostKeyLine);
    const h = new SshHost({
      role: 'backup',
      spec: { host: '127.0.0.1', port, user: 'student', key: join(dir, 'client') },
      knownHostsFile,
      userKnownHostsFiles: [],
      sshConfigFile: false,
      agentSocket: false,
      strictHostKeys: true,
      ...over,
    });
    hosts.push(h);
    return h;
  };

  it('tries the key first, then the inventory password', async () => {
    const h = host({ spec: { host: '127.0.0.1', port, user: 'student', key: join(dir, 'client'), password: 'right' } });
    await h.connect();
    expect(attempts).to.deep.equal(['publickey', 'password']);
  });

  it('takes the password from HAGRADE_SSH_PASSWORD before asking', async () => {
    process.env.HAGRADE_SSH_PASSWORD = 'right';
    let asked = 0;
    await host({ promptPassword: async () => (asked++, 'wrong') }).connect();
    expect(asked).to.equal(0);
  });

  it('asks for the password last, and the time spent typing does not count against the connect timeout', async () => {
    const asked: { user: string; host: string }[] = [];
    const h = host({
      connectTimeoutMs: 300,
      promptPassword: async (login) => {
        asked.push(login);
        await new Promise((r) => setTimeout(r, 700));
        return 'right';
      },
    });
    await h.connect();
    expect(asked).to.deep.equal([{ user: 'student', host: '127.0.0.1' }]);
  });

  it('says auth for a wrong password', async () => {
    const h = host({ spec: { host: '127.0.0.1', port, user: 'student', password: 'wrong' } });
    try {
      await h.connect();
      expect.fail('connected with a wrong password');
    } catch (e) {
      expect(e).to.be.instanceOf(SshError);
      expect((e as SshError).code).to.equal('auth');
      expect((e as SshError).text.en).to.contain('password');
    }
  });

  it('wraps root commands in sudo -n for a non-root login, with the locale and PATH set on both sides of sudo', async () => {
    const h = host({ spec: { host: '127.0.0.1', port, user: 'student', password: 'right' } });
    await h.connect(); // checks `sudo -n true` once
    const r = await h.run({ key: 'cfg', argv: ['cat', '/etc/haproxy/haproxy.cfg'], root: true, timeoutMs: 5000 });
    await h.run({ key: 'as', argv: ['pidof', 'haproxy'], asUser: 'keepalived_script', timeoutMs: 5000 });
    await h.run({ key: 'plain', shell: 'ip -o -4 addr show', timeoutMs: 5000 });
    expect(r.command).to.equal('sudo -n -- cat /etc/haproxy/haproxy.cfg');
    // The locale and the system's full PATH (a non-root login has no /usr/sbin) on both sides of sudo.
    const env = "env 'LC_ALL=C' 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'";
    expect(commands).to.deep.equal([
      `${env} sudo -n -- ${env} timeout -k 2 61 true`,
      `${env} sudo -n -- ${env} timeout -k 2 6 cat /etc/haproxy/haproxy.cfg`,
      `${env} sudo -n -u keepalived_script -- ${env} timeout -k 2 6 pidof haproxy`,
      `${env} timeout -k 2 6 sh -c 'ip -o -4 addr show' hagrade`,
    ]);
  });

  it('does not use sudo when told not to', async () => {
    const h = host({ spec: { host: '127.0.0.1', port, user: 'student', password: 'right' }, useSudo: false });
    await h.connect();
    const r = await h.run({ key: 'cfg', argv: ['cat', '/etc/haproxy/haproxy.cfg'], root: true, timeoutMs: 1000 });
    expect(r.command).to.equal('cat /etc/haproxy/haproxy.cfg');
    expect(commands).to.deep.equal([
      "env 'LC_ALL=C' 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' timeout -k 2 2 cat /etc/haproxy/haproxy.cfg",
    ]);
  });
});
