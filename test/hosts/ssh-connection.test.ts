// SshHost against a real sshd when the connection fails: a closed port, a silent one, a dropped
// connection, sshd dying mid-command, and waiting for a host to come back (the reboot probe).
import { expect } from 'chai';
import { createServer, type Server } from 'node:net';
import { sleep, sshError, useSshd } from './ssh-harness.js';

describe('SshHost against a real sshd @lab', function () {
  this.timeout(30_000);
  const ssh = useSshd();

  describe('connection failures', () => {
    it('says unreachable quickly for a closed port', async () => {
      const closed = await new Promise<number>((resolve) => {
        const s = createServer().listen(0, '127.0.0.1', () => {
          const { port } = s.address() as { port: number };
          s.close(() => resolve(port));
        });
      });
      const started = Date.now();
      const err = await sshError(ssh.host({ spec: { host: '127.0.0.1', port: closed, user: 'root' } }).connect());
      expect(err.code).to.equal('unreachable');
      expect(Date.now() - started).to.be.below(1000);
    });

    it('times out a port that never speaks SSH', async () => {
      const silent: Server = createServer(() => undefined);
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      try {
        const { port } = silent.address() as { port: number };
        const started = Date.now();
        const h = ssh.host({ spec: { host: '127.0.0.1', port, user: 'root' }, connectTimeoutMs: 500 });
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
      const h = ssh.host();
      await h.connect();
      ssh.sshd.dropConnections();
      await sleep(300);
      const r = await h.run({ key: 'x', argv: ['echo', 'again'] });
      expect(r.stdout).to.equal('again\n');
      expect(h.handshakes).to.equal(2);
    });

    it('turns pending and later commands into unavailable results when sshd dies, without crashing', async () => {
      const h = ssh.host();
      await h.connect();
      const pending = h.run({ key: 'slow', argv: ['sleep', '10'] });
      const streamed: string[] = [];
      const stream = await h.stream({ key: 'mon', argv: ['sh', '-c', 'echo up; exec sleep 10'] }, (l) =>
        streamed.push(l),
      );
      await sleep(300);
      await ssh.sshd.kill();
      await stream.stop();
      expect(streamed).to.deep.equal(['up']);
      const r = await pending;
      expect(r).to.include({ unavailable: true, exitCode: null });
      expect(r.error).to.contain('lost');
      const later = await h.run({ key: 'later', argv: ['true'] });
      expect(later.unavailable).to.equal(true);
      expect(later.error).to.match(/cannot connect/);
      expect(await h.readFile('/etc/hostname')).to.deep.include({ ok: false, reason: 'unavailable' });
      await ssh.sshd.restart();
    });
  });

  describe('waiting for a host to come back (the reboot probe)', () => {
    it('after sshd was gone, connects afresh as soon as it listens again, even after the one reconnect was spent', async () => {
      const h = ssh.host();
      await h.connect();
      await ssh.sshd.kill();
      expect((await h.run({ key: 'down', argv: ['true'] })).unavailable).to.equal(true);
      setTimeout(() => void ssh.sshd.restart(), 700);
      const back = await h.waitForReturn(20_000, new AbortController().signal);
      expect(back).to.deep.equal({ ok: true });
      expect((await h.run({ key: 'up', argv: ['echo', 'back'] })).stdout).to.equal('back\n');
    });

    it('gives up at its bound with the last reason, and an abort ends it at once', async () => {
      const h = ssh.host();
      await h.connect();
      await ssh.sshd.kill();
      try {
        const gone = await h.waitForReturn(1500, new AbortController().signal);
        expect(gone.ok).to.equal(false);
        if (!gone.ok) expect(gone.reason.en).to.match(/cannot connect|refused/i);
        const abort = new AbortController();
        setTimeout(() => abort.abort(), 200);
        const aborted = await h.waitForReturn(600_000, abort.signal);
        expect(aborted).to.deep.equal({ ok: false, reason: { en: 'interrupted', ru: 'прервано' } });
      } finally {
        await ssh.sshd.restart();
      }
    });
  });
});
