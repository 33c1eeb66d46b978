// SshHost against a real sshd: commands (exit codes, output limits, timeouts, hostile values,
// another user), reading files and folders, and streamed commands that stop() ends.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_OUTPUT_LIMITS } from '../../src/hosts/limits.js';
import { sleep, useSshd } from './ssh-harness.js';

describe('SshHost against a real sshd @lab', function () {
  this.timeout(30_000);
  const ssh = useSshd();

  describe('commands', () => {
    it('returns exit codes, stdout and stderr, and shows the command as it ran', async () => {
      const h = ssh.host();
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
      const r = await ssh.host().run({ key: 'l', argv: ['sh', '-c', 'echo $LC_ALL'], root: true });
      expect(r.stdout).to.equal('C\n');
    });

    it('uses one connection for many commands, more at once than sshd allows sessions', async () => {
      const h = ssh.host();
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => h.run({ key: `n${i}`, argv: ['echo', String(i)] })),
      );
      expect(results.map((r) => r.stdout)).to.deep.equal(Array.from({ length: 30 }, (_, i) => `${i}\n`));
      expect(h.handshakes).to.equal(1);
    });

    it('returns output up to the limit whole, and cuts what goes past it (the command is then not judged)', async () => {
      const h = ssh.host();
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
      const h = ssh.host();
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
      const marker = join(ssh.work, 'pwned');
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
      const h = ssh.host();
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
      const r = await ssh.host().run({ key: 'who', argv: ['id', '-un'], asUser: 'nobody' });
      expect(r).to.include({ exitCode: 0, stdout: 'nobody\n', command: 'runuser -u nobody -- id -un' });
    });
  });

  describe('files', () => {
    let dir: string;
    before(() => {
      dir = join(ssh.work, 'files dir');
      mkdirSync(dir);
      writeFileSync(join(dir, 'haproxy.cfg'), 'global\n  daemon\n');
      writeFileSync(join(dir, 'файл с пробелом'), 'x');
      writeFileSync(join(dir, '.hidden'), '');
      writeFileSync(join(dir, 'new\nline'), '');
      writeFileSync(join(dir, 'big'), Buffer.alloc(2 * 1024 * 1024, 1));
    });

    it('reads a file byte for byte', async () => {
      const r = await ssh.host().readFile(join(dir, 'haproxy.cfg'));
      expect(r.ok && r.content.toString()).to.equal('global\n  daemon\n');
      const binary = await ssh.host().readFile(join(dir, 'big'), { maxBytes: 3 * 1024 * 1024 });
      expect(binary.ok && binary.content.equals(Buffer.alloc(2 * 1024 * 1024, 1))).to.equal(true);
    });

    it('says missing, too-large (default 1 MiB) and error', async () => {
      const h = ssh.host();
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
      const h = ssh.host();
      expect(await h.listDir(dir)).to.deep.equal(
        ['.hidden', 'big', 'haproxy.cfg', 'new\nline', 'файл с пробелом'].sort(),
      );
      expect(await h.listDir(join(dir, 'missing'))).to.equal(null);
      expect(await h.listDir(join(dir, 'haproxy.cfg'))).to.equal(null);
    });
  });

  describe('stream', () => {
    it('delivers lines as they come and stop() kills the remote process', async () => {
      const h = ssh.host();
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
      const h = ssh.host();
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
      const h = ssh.host();
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
});
