// Bounds against a hostile host (issue 15): byte and line caps, and files that are not files.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CappedOutput,
  DEFAULT_MAX_FILE_LINES,
  DEFAULT_OUTPUT_LIMITS,
  fileOverLineLimit,
} from '../../src/hosts/limits.js';
import { MemoryHost } from '../../src/hosts/memory.js';
import { SnapshotHost } from '../../src/hosts/snapshot.js';
import { READ_FILE_SCRIPT } from '../../src/hosts/ssh-files.js';

function mkfifo(path: string): void {
  const r = spawnSync('mkfifo', [path]);
  if (r.status !== 0) throw new Error(`mkfifo failed: ${r.stderr}`);
}

describe('host limits', () => {
  it('CappedOutput keeps exactly up to the byte limit and says it stopped', () => {
    const cap = new CappedOutput({ maxBytes: 10, maxLines: 100 });
    expect(cap.push(Buffer.from('12345'))).to.equal(true);
    expect(cap.push(Buffer.from('6789abcdef'))).to.equal(false);
    expect(cap.content.toString()).to.equal('123456789a');
    expect(cap.over).to.equal('more than 10 bytes');
    expect(cap.push(Buffer.from('more'))).to.equal(false);
    expect(cap.content.length).to.equal(10);
  });

  it('CappedOutput stops at the line limit, across chunks', () => {
    const cap = new CappedOutput({ maxBytes: 1000, maxLines: 3 });
    expect(cap.push(Buffer.from('a\nb\n'))).to.equal(true);
    expect(cap.push(Buffer.from('c\nd\ne\n'))).to.equal(false);
    expect(cap.content.toString()).to.equal('a\nb\nc\nd');
    expect(cap.over).to.equal('more than 3 lines');
  });

  it('a file with more lines than the limit is refused as too-large, naming the limit', () => {
    expect(fileOverLineLimit('/f', Buffer.from('a\n'.repeat(5)), 5)).to.equal(undefined);
    expect(fileOverLineLimit('/f', Buffer.from('a\n'.repeat(6)), 5)).to.deep.include({
      ok: false,
      reason: 'too-large',
      message: '/f has more than 5 lines, over the 5-line limit',
    });
  });

  it('MemoryHost applies the default line limit', async () => {
    const host = new MemoryHost('master', { '/etc/haproxy/haproxy.cfg': '\n'.repeat(DEFAULT_MAX_FILE_LINES + 1) });
    expect(await host.readFile('/etc/haproxy/haproxy.cfg', { maxBytes: 10 * 1024 * 1024 })).to.deep.include({
      ok: false,
      reason: 'too-large',
    });
  });

  describe('on disk: FIFOs, devices and links to them are refused after stat, never read', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'hagrade-limits-'));
      writeFileSync(join(dir, 'plain'), 'global\n');
      writeFileSync(join(dir, 'big'), 'x'.repeat(100));
      mkfifo(join(dir, 'fifo'));
      symlinkSync(join(dir, 'fifo'), join(dir, 'link-to-fifo'));
      symlinkSync('/dev/zero', join(dir, 'link-to-zero'));
      mkdirSync(join(dir, 'dir'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** The script SshHost runs on the host, run here under sh; the timeout only bounds a hang. */
    const readScript = (name: string, max = 1000) =>
      spawnSync('sh', ['-c', READ_FILE_SCRIPT, 'hagrade', join(dir, name), String(max)], {
        encoding: 'utf8',
        timeout: 20_000,
      });

    it("SshHost's read script: a regular file is read; FIFO, device link and directory are refused with their type", () => {
      expect(readScript('plain')).to.include({ status: 0, stdout: 'global\n' });
      expect(readScript('big', 10)).to.include({ status: 4, stderr: '100\n' });
      expect(readScript('missing').status).to.equal(3);
      for (const [name, type] of [
        ['fifo', 'fifo'],
        ['link-to-fifo', 'fifo'],
        ['link-to-zero', 'character special file'],
        ['dir', 'directory'],
      ]) {
        const r = readScript(name!);
        expect(r.error, `${name} must not hang`).to.equal(undefined);
        expect(r.status, name).to.equal(5);
        expect(r.stderr.trim(), name).to.equal(type);
      }
    });

    it('SnapshotHost refuses a FIFO, a link to one and a link to a device, and reads the rest', async () => {
      const root = join(dir, 'snap');
      mkdirSync(join(root, 'master', 'etc', 'haproxy'), { recursive: true });
      mkfifo(join(root, 'master', 'etc', 'haproxy', 'haproxy.cfg'));
      symlinkSync(join(dir, 'fifo'), join(root, 'master', 'etc', 'haproxy', 'fifo-link.cfg'));
      symlinkSync('/dev/urandom', join(root, 'master', 'etc', 'haproxy', 'rebrain.pem'));
      writeFileSync(join(root, 'master', 'etc', 'haproxy', 'ok.cfg'), 'defaults\n');
      const host = new SnapshotHost('master', root);
      expect(await host.readFile('/etc/haproxy/haproxy.cfg')).to.deep.include({
        ok: false,
        reason: 'error',
        message: '/etc/haproxy/haproxy.cfg is a FIFO, not a regular file: hagrade does not read it',
      });
      expect(await host.readFile('/etc/haproxy/fifo-link.cfg')).to.deep.include({ ok: false, reason: 'error' });
      expect(await host.readFile('/etc/haproxy/rebrain.pem')).to.deep.include({
        ok: false,
        reason: 'error',
        message: '/etc/haproxy/rebrain.pem is a device, not a regular file: hagrade does not read it',
      });
      expect(await host.readFile('/etc/haproxy/ok.cfg')).to.deep.include({ ok: true });
    });

    it('SnapshotHost replays a command output past the limits as truncated, never as the whole output', async () => {
      const commands = join(dir, 'snap', 'master', 'commands');
      mkdirSync(commands, { recursive: true });
      writeFileSync(join(commands, 'ip-addr.txt'), 'y\n'.repeat(DEFAULT_OUTPUT_LIMITS.maxLines + 5));
      writeFileSync(join(commands, 'sysctl.txt'), 'z'.repeat(DEFAULT_OUTPUT_LIMITS.maxBytes * 3));
      mkfifo(join(commands, 'haproxy-version.txt'));
      writeFileSync(join(commands, 'keepalived-version.txt'), 'ok\n');
      writeFileSync(join(commands, 'keepalived-version.exit'), 'truncated\n');
      const host = new SnapshotHost('master', join(dir, 'snap'));
      const lines = await host.run({ key: 'ip-addr', argv: ['ip'] });
      expect(lines).to.include({ exitCode: null, truncated: true });
      expect(lines.stdout.split('\n').length - 1).to.equal(DEFAULT_OUTPUT_LIMITS.maxLines);
      expect(lines.error).to.contain(`more than ${DEFAULT_OUTPUT_LIMITS.maxLines} lines`);
      const bytes = await host.run({ key: 'sysctl', argv: ['sysctl'] });
      expect(bytes).to.include({ exitCode: null, truncated: true });
      expect(bytes.stdout.length).to.equal(DEFAULT_OUTPUT_LIMITS.maxBytes);
      expect(await host.run({ key: 'haproxy-version', argv: ['haproxy', '-v'] })).to.include({
        exitCode: null,
        truncated: true,
      });
      expect(await host.run({ key: 'keepalived-version', argv: ['keepalived'] })).to.include({
        exitCode: null,
        truncated: true,
        stdout: 'ok\n',
      });
    });
  });
});
