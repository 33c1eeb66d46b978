// Snapshots as overlays (src/hosts/snapshot-tree.ts): a directory with overlay.yaml reads as its
// base with its own files on top, minus what it declares absent; a bad declaration is an input
// error that says what is wrong, never a crash, and never reads outside the overlay's parent.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MemoryHost } from '../../src/hosts/memory.js';
import {
  listSnapshotFiles,
  openSnapshot,
  readSnapshotFile,
  SnapshotError,
  SnapshotHost,
} from '../../src/hosts/snapshot.js';
import { MAX_OVERLAY_DEPTH } from '../../src/hosts/snapshot-tree.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { captureSnapshot } from '../../src/snapshot/capture.js';
import { loadHostFiles } from '../support/check-tester.js';
import { CLI } from '../support/cli-path.js';

describe('snapshot overlays', () => {
  let root: string;

  /** Write files under root: { 'base/master/etc/a': 'text' }. */
  function write(files: Record<string, string>): void {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
  }

  /** The SnapshotError message opening DIR gives (fails when it opens). */
  function openError(dir: string): string {
    try {
      openSnapshot(join(root, dir));
    } catch (e) {
      expect(e, String(e)).to.be.instanceOf(SnapshotError);
      return (e as Error).message;
    }
    expect.fail(`${dir} opened without an error`);
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'hagrade-overlay-'));
    write({
      'base/hosts.yaml': 'master: {address: 203.0.113.10}\nbackup: {address: 203.0.113.20}\nvip: 203.0.113.10\n',
      'base/expected.yaml': 'description: the base\n',
      'base/master/etc/haproxy/haproxy.cfg': 'base master cfg\n',
      'base/master/etc/haproxy/rebrain.pem': 'base master pem\n',
      'base/master/etc/passwd': 'root:x:0:0::/root:/bin/sh\n',
      'base/master/commands/ip-addr.txt': 'base ip addr\n',
      'base/master/commands/sysctl.txt': 'base sysctl\n',
      'base/master/commands/sysctl.exit': '3\n',
      'base/backup/etc/haproxy/haproxy.cfg': 'base backup cfg\n',
      'base/backup/etc/haproxy/rebrain.pem': 'base backup pem\n',
    });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("a file of the overlay wins over the base's, the base gives the rest, directories merge", async () => {
    write({
      'over/overlay.yaml': 'base: base\n',
      'over/master/etc/haproxy/haproxy.cfg': 'overlay master cfg\n',
      'over/master/etc/haproxy/extra.cfg': 'only in the overlay\n',
    });
    const { target, hosts } = openSnapshot(join(root, 'over'));
    expect(target).to.deep.include({ master: { address: '203.0.113.10' }, vip: '203.0.113.10' });
    expect(await hosts.master.readFile('/etc/haproxy/haproxy.cfg')).to.deep.include({
      ok: true,
      content: Buffer.from('overlay master cfg\n'),
    });
    expect(await hosts.master.readFile('/etc/haproxy/rebrain.pem')).to.deep.include({
      ok: true,
      content: Buffer.from('base master pem\n'),
    });
    expect(await hosts.backup.readFile('/etc/haproxy/haproxy.cfg')).to.deep.include({
      ok: true,
      content: Buffer.from('base backup cfg\n'),
    });
    expect(await hosts.master.listDir('/etc/haproxy')).to.deep.equal(['extra.cfg', 'haproxy.cfg', 'rebrain.pem']);
    expect(await hosts.master.listDir('/etc')).to.deep.equal(['haproxy', 'passwd']);
    expect(await hosts.master.listDir('/etc/nothing')).to.equal(null);
    expect(await hosts.master.readFile('/etc/nothing')).to.deep.include({ ok: false, reason: 'missing' });
    expect(await hosts.master.run({ key: 'sysctl', argv: ['sysctl'] })).to.deep.include({
      exitCode: 3,
      stdout: 'base sysctl\n',
    });
    expect(hosts.master.hasCommands()).to.equal(true);
    expect(hosts.backup.hasCommands()).to.equal(false);
    // `..` climbs no further than the host's root, in the overlay as in the base.
    expect(await hosts.master.readFile('/../../base/expected.yaml')).to.deep.include({ ok: false, reason: 'missing' });
    expect(await hosts.master.readFile('../master/etc/passwd')).to.deep.include({ ok: false, reason: 'missing' });
    expect(listSnapshotFiles(join(root, 'over'))).to.deep.equal([
      'backup/etc/haproxy/haproxy.cfg',
      'backup/etc/haproxy/rebrain.pem',
      'hosts.yaml',
      'master/commands/ip-addr.txt',
      'master/commands/sysctl.exit',
      'master/commands/sysctl.txt',
      'master/etc/haproxy/extra.cfg',
      'master/etc/haproxy/haproxy.cfg',
      'master/etc/haproxy/rebrain.pem',
      'master/etc/passwd',
    ]);
    expect(readSnapshotFile(join(root, 'over'), 'master/etc/haproxy/haproxy.cfg').toString()).to.equal(
      'overlay master cfg\n',
    );
    expect(readSnapshotFile(join(root, 'over'), '/backup/etc/haproxy/rebrain.pem').toString()).to.equal(
      'base backup pem\n',
    );
  });

  it("only the snapshot is inherited: a fixture's expected.yaml is its own", () => {
    write({ 'over/overlay.yaml': 'base: base\n' });
    expect(() => readSnapshotFile(join(root, 'over'), 'expected.yaml')).to.throw(SnapshotError, /no expected\.yaml/);
    expect(readSnapshotFile(join(root, 'over'), 'hosts.yaml').toString()).to.contain('203.0.113.20');
  });

  it('bases stack: an overlay on an overlay reads through both', async () => {
    write({
      'mid/overlay.yaml': 'base: base\n',
      'mid/master/etc/haproxy/haproxy.cfg': 'mid cfg\n',
      'mid/master/etc/passwd': 'mid passwd\n',
      'top/overlay.yaml': 'base: mid\n',
      'top/master/etc/passwd': 'top passwd\n',
    });
    const { hosts } = openSnapshot(join(root, 'top'));
    expect(await hosts.master.readFile('/etc/passwd')).to.deep.include({ content: Buffer.from('top passwd\n') });
    expect(await hosts.master.readFile('/etc/haproxy/haproxy.cfg')).to.deep.include({
      content: Buffer.from('mid cfg\n'),
    });
    expect(await hosts.master.readFile('/etc/haproxy/rebrain.pem')).to.deep.include({
      content: Buffer.from('base master pem\n'),
    });
  });

  it('absent: a file or a whole directory of the base is not there, whatever the base holds', async () => {
    write({
      'over/overlay.yaml': 'base: base\nabsent:\n  - backup/etc/haproxy/rebrain.pem\n  - master/commands\n',
    });
    const { hosts } = openSnapshot(join(root, 'over'));
    expect(await hosts.backup.readFile('/etc/haproxy/rebrain.pem')).to.deep.include({
      ok: false,
      reason: 'missing',
      message: '/etc/haproxy/rebrain.pem does not exist',
    });
    expect(await hosts.backup.listDir('/etc/haproxy')).to.deep.equal(['haproxy.cfg']);
    expect(await hosts.master.readFile('/etc/haproxy/rebrain.pem')).to.deep.include({ ok: true });
    expect(hosts.master.hasCommands()).to.equal(false);
    expect(await hosts.master.listDir('/commands')).to.equal(null);
    expect(await hosts.master.listDir('/')).to.deep.equal(['etc']);
    expect(await hosts.master.run({ key: 'ip-addr', argv: ['ip'] })).to.deep.include({ unavailable: true });
    expect(listSnapshotFiles(join(root, 'over'), 'master')).to.deep.equal([
      'master/etc/haproxy/haproxy.cfg',
      'master/etc/haproxy/rebrain.pem',
      'master/etc/passwd',
    ]);
    expect(() => readSnapshotFile(join(root, 'over'), 'backup/etc/haproxy/rebrain.pem')).to.throw(
      SnapshotError,
      /no backup\/etc\/haproxy\/rebrain\.pem/,
    );
  });

  it('an absent file stays absent through an overlay above it, and that overlay may bring it back', async () => {
    write({
      'mid/overlay.yaml': 'base: base\nabsent: [master/etc/passwd]\n',
      'top/overlay.yaml': 'base: mid\n',
      'again/overlay.yaml': 'base: mid\n',
      'again/master/etc/passwd': 'brought back\n',
    });
    expect(await openSnapshot(join(root, 'top')).hosts.master.readFile('/etc/passwd')).to.deep.include({
      reason: 'missing',
    });
    expect(await openSnapshot(join(root, 'again')).hosts.master.readFile('/etc/passwd')).to.deep.include({
      content: Buffer.from('brought back\n'),
    });
  });

  it('a file in the overlay where the base has a directory hides the directory, as on a host', async () => {
    write({ 'over/overlay.yaml': 'base: base\n', 'over/master/commands': 'a file\n' });
    const host = openSnapshot(join(root, 'over')).hosts.master;
    expect(await host.listDir('/commands')).to.equal(null);
    expect(await host.readFile('/commands/ip-addr.txt')).to.deep.include({ reason: 'missing' });
  });

  it('a snapshot without overlay.yaml is exactly its own directory', async () => {
    write({ 'plain/master/etc/passwd': 'plain\n', 'plain/backup/etc/passwd': 'plain\n' });
    const { hosts } = openSnapshot(join(root, 'plain'));
    expect(await hosts.master.readFile('/etc/haproxy/haproxy.cfg')).to.deep.include({ reason: 'missing' });
    expect(await hosts.master.listDir('/etc')).to.deep.equal(['passwd']);
    expect(new SnapshotHost('master', join(root, 'base')).label).to.equal(`${join(root, 'base')}/master`);
  });

  describe('a bad declaration is a clear input error', () => {
    const cases: Array<{ name: string; files: Record<string, string>; open?: string; error: RegExp }> = [
      {
        name: 'its own base',
        files: { 'over/overlay.yaml': 'base: over\n' },
        error: /overlays form a loop: .*over → .*over/,
      },
      {
        name: 'a loop of two',
        files: { 'a/overlay.yaml': 'base: b\n', 'b/overlay.yaml': 'base: a\n' },
        open: 'a',
        error: /b\/overlay\.yaml: overlays form a loop: .*a → .*b → .*a$/,
      },
      {
        name: 'a missing base',
        files: { 'over/overlay.yaml': 'base: nosuch\n' },
        error: /over\/overlay\.yaml: its base 'nosuch' does not exist/,
      },
      {
        name: 'a base above the parent',
        files: { 'over/overlay.yaml': 'base: ../base\n' },
        error: /'base' must name a directory next to this one .* not "\.\.\/base"/,
      },
      {
        name: 'an absolute base',
        files: { 'over/overlay.yaml': 'base: /etc\n' },
        error: /'base' must name a directory next to this one .* not "\/etc"/,
      },
      {
        name: 'a base of ..',
        files: { 'over/overlay.yaml': 'base: ..\n' },
        error: /'base' must name a directory next to this one/,
      },
      {
        name: 'a base of .',
        files: { 'over/overlay.yaml': 'base: .\n' },
        error: /'base' must name a directory next to this one/,
      },
      {
        name: 'a base that is a path inside a sibling',
        files: { 'over/overlay.yaml': 'base: base/master\n' },
        error: /'base' must name a directory next to this one/,
      },
      {
        name: 'no base',
        files: { 'over/overlay.yaml': 'absent: [master/etc/passwd]\n' },
        error: /'base' must name a directory next to this one .* not nothing/,
      },
      {
        name: 'a base that is a number',
        files: { 'over/overlay.yaml': 'base: [1, 2]\n' },
        error: /'base' must name a directory next to this one .* not \[1,2\]/,
      },
      {
        name: 'a base that is a file',
        files: { 'over/overlay.yaml': 'base: file\n', file: 'x\n' },
        error: /its base 'file' is not a directory/,
      },
      {
        name: 'a misspelt key',
        files: { 'over/overlay.yaml': 'base: base\nwhiteout: [master/etc/passwd]\n' },
        error: /unknown key 'whiteout' \(an overlay has only 'base' and 'absent'\)/,
      },
      {
        name: 'not a mapping',
        files: { 'over/overlay.yaml': '- base\n' },
        error: /must be a mapping such as `base: correct`/,
      },
      { name: 'empty', files: { 'over/overlay.yaml': '' }, error: /must be a mapping/ },
      {
        name: 'not YAML',
        files: { 'over/overlay.yaml': 'base: [unclosed\n' },
        error: /over\/overlay\.yaml: not valid YAML/,
      },
      {
        name: 'absent not a list',
        files: { 'over/overlay.yaml': 'base: base\nabsent: master/etc/passwd\n' },
        error: /'absent' must be a list of paths/,
      },
      {
        name: 'absent climbing out',
        files: { 'over/overlay.yaml': 'base: base\nabsent: [../base/master/etc/passwd]\n' },
        error: /'absent' entry '\.\.\/base\/master\/etc\/passwd' must be a path inside the snapshot/,
      },
      {
        name: 'absent with a leading /',
        files: { 'over/overlay.yaml': 'base: base\nabsent: [/master/etc/passwd]\n' },
        error: /'absent' entry '\/master\/etc\/passwd' must be a path inside the snapshot/,
      },
      {
        name: 'absent outside the snapshot',
        files: { 'over/overlay.yaml': 'base: base\nabsent: [expected.yaml]\n' },
        error: /'absent' entry 'expected\.yaml' must be a path inside the snapshot/,
      },
      {
        name: 'absent naming what the base lacks',
        files: { 'over/overlay.yaml': 'base: base\nabsent: [master/etc/nosuch]\n' },
        error: /'absent' names master\/etc\/nosuch, which its base 'base' does not have either/,
      },
      {
        name: 'absent naming what the overlay has',
        files: { 'over/overlay.yaml': 'base: base\nabsent: [master/etc/passwd]\n', 'over/master/etc/passwd': 'mine\n' },
        error: /'absent' names master\/etc\/passwd, which this directory has itself/,
      },
      {
        name: "an error in the base's declaration",
        files: { 'mid/overlay.yaml': 'base: nosuch\n', 'over/overlay.yaml': 'base: mid\n' },
        error: /mid\/overlay\.yaml: its base 'nosuch' does not exist/,
      },
      {
        name: 'overlay.yaml a directory',
        files: { 'over/overlay.yaml/x': '' },
        error: /over\/overlay\.yaml: is a directory, not a regular file/,
      },
      {
        name: 'overlay.yaml too large',
        files: { 'over/overlay.yaml': `base: base\n#${'x'.repeat(70_000)}\n` },
        error: /over the 65536-byte limit/,
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        write({ 'over/master/.keep': '', 'over/backup/.keep': '', ...c.files });
        expect(openError(c.open ?? 'over')).to.match(c.error);
      });
    }

    it('a base that is a symbolic link (it could lead anywhere)', () => {
      const outside = mkdtempSync(join(tmpdir(), 'hagrade-overlay-outside-'));
      try {
        write({ 'over/overlay.yaml': 'base: link\n' });
        symlinkSync(join(root, 'base'), join(root, 'link'));
        expect(openError('over')).to.match(/its base 'link' is a symbolic link/);
        symlinkSync(outside, join(root, 'link2'));
        write({ 'over/overlay.yaml': 'base: link2\n' });
        expect(openError('over')).to.match(/its base 'link2' is a symbolic link/);
      } finally {
        rmSync(outside, { recursive: true, force: true });
      }
    });

    it(`more than ${MAX_OVERLAY_DEPTH} overlays stacked`, () => {
      write({ 'o0/overlay.yaml': 'base: base\n' });
      for (let i = 1; i <= MAX_OVERLAY_DEPTH; i++) write({ [`o${i}/overlay.yaml`]: `base: o${i - 1}\n` });
      expect(openError(`o${MAX_OVERLAY_DEPTH}`)).to.match(
        new RegExp(`overlays are stacked more than ${MAX_OVERLAY_DEPTH} deep`),
      );
      expect(() => openSnapshot(join(root, `o${MAX_OVERLAY_DEPTH - 1}`))).not.to.throw();
    });

    it('the CLI says it in one line and exits 2, never a stack trace', () => {
      write({ 'a/overlay.yaml': 'base: b\n', 'b/overlay.yaml': 'base: a\n', 'c/overlay.yaml': 'base: ../base\n' });
      for (const [dir, error] of [
        ['a', /^hagrade: .*b\/overlay\.yaml: overlays form a loop: .*a → .*b → .*a\n$/],
        ['c', /^hagrade: .*c\/overlay\.yaml: 'base' must name a directory next to this one/],
      ] as const) {
        const r = spawnSync(process.execPath, [CLI, 'check', '--snapshot', join(root, dir)], {
          encoding: 'utf8',
          env: { ...process.env, NO_COLOR: '1' },
        });
        expect(r.status, r.stderr).to.equal(2);
        expect(r.stderr).to.match(error);
        expect(r.stderr).not.to.match(/internal error|\n\s+at /);
      }
    });
  });

  it('hagrade snapshot writes a full directory of its own, and refuses to write into an overlay', async () => {
    write({
      'over/overlay.yaml': 'base: base\nabsent: [backup/etc/haproxy/rebrain.pem]\n',
      'over/master/etc/passwd': 'overlay passwd\n',
    });
    const { target, hosts } = openSnapshot(join(root, 'over'));
    await captureSnapshot(hosts, target, DEFAULT_PROFILE, join(root, 'captured'));
    expect(existsSync(join(root, 'captured', 'overlay.yaml'))).to.equal(false);
    const captured = openSnapshot(join(root, 'captured'));
    expect(await captured.hosts.master.readFile('/etc/passwd')).to.deep.include({
      content: Buffer.from('overlay passwd\n'),
    });
    expect(await captured.hosts.master.readFile('/etc/haproxy/haproxy.cfg')).to.deep.include({
      content: Buffer.from('base master cfg\n'),
    });
    expect(await captured.hosts.backup.readFile('/etc/haproxy/rebrain.pem')).to.deep.include({ reason: 'missing' });
    const memory = {
      master: new MemoryHost('master', loadHostFiles(join(root, 'over'), 'master')),
      backup: new MemoryHost('backup', loadHostFiles(join(root, 'over'), 'backup')),
    };
    let refused: unknown;
    try {
      await captureSnapshot(memory, target, DEFAULT_PROFILE, join(root, 'over'));
    } catch (e) {
      refused = e;
    }
    expect(refused).to.be.instanceOf(SnapshotError);
    expect((refused as Error).message).to.match(
      /is an overlay on another snapshot \(it has overlay\.yaml\): capture into a new directory/,
    );
    expect(listSnapshotFiles(join(root, 'over'), 'master')).to.include('master/etc/passwd');
  });
});
