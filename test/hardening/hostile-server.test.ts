// The graded machine belongs to the student (issue 15): a hostile or broken SSH server, and a host
// that sends escapes, endless and dripping output, FIFOs and device links. Every case must end in
// bounded time with an ERROR or FAIL that says what happened. Loopback only (test/support/hostile-ssh.ts).
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_OUTPUT_LIMITS } from '../../src/hosts/limits.js';
import { SshError, SshHost } from '../../src/hosts/ssh.js';
import {
  RAW,
  startHostileHost,
  startRawServer,
  type HostileHostOptions,
  type Listening,
} from '../support/hostile-ssh.js';
import { mkfifo, TITLE_AND_CLEAR } from './hostile-text.js';

function hostFor(port: number, dir: string, connectTimeoutMs = 2000): SshHost {
  return new SshHost({
    role: 'master',
    spec: { host: '127.0.0.1', port, user: 'root', password: 'x' },
    knownHostsFile: join(dir, 'known_hosts'),
    userKnownHostsFiles: [],
    sshConfigFile: false,
    agentSocket: false,
    connectTimeoutMs,
  });
}

async function connectError(h: SshHost): Promise<SshError> {
  try {
    await h.connect();
  } catch (e) {
    expect(e).to.be.instanceOf(SshError);
    return e as SshError;
  } finally {
    await h.close();
  }
  throw new Error('connect() succeeded against a hostile server');
}

describe('a hostile or broken SSH server (issue 15)', function () {
  this.timeout(60_000);
  let dir: string;
  const servers: Listening[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hagrade-hostile-'));
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });
  const serve = async (s: Promise<Listening>) => {
    const l = await s;
    servers.push(l);
    return l;
  };

  it('an endless banner of lines, or one line without end, is a protocol ERROR, not a hang or a heap', async () => {
    for (const behave of [RAW.endlessBannerLines, RAW.endlessBannerLine]) {
      const { port } = await serve(startRawServer(behave));
      const err = await connectError(hostFor(port, dir));
      expect(['protocol', 'timeout']).to.include(err.code);
      expect(err.text.en).to.contain(`127.0.0.1:${port}`);
    }
  });

  it('a handshake that drips a byte at a time ends at the connect timeout, saying so', async () => {
    const { port } = await serve(startRawServer(RAW.drippingHandshake));
    const err = await connectError(hostFor(port, dir, 1500));
    expect(err.code).to.equal('timeout');
    expect(err.text.en).to.contain('did not complete the SSH handshake within 1.5 s');
  });

  describe('after login', () => {
    let root: string;
    const table: HostileHostOptions['commands'] = [
      { match: /^echo hi$/, reply: { stdout: 'hi\n' } },
      { match: /^endless-out$/, reply: { endless: 'y\x1b[2J' } },
      { match: /^endless-lines$/, reply: { endless: 'y\n' } },
      { match: /^endless-err$/, reply: { endless: 'e', stderr: true } },
      { match: /^drip$/, reply: { drip: 'active\n', everyMs: 100 } },
      { match: /^silent$/, reply: { silent: true } },
    ];
    beforeEach(() => {
      root = join(dir, 'root');
      mkdirSync(join(root, 'etc'), { recursive: true });
      mkfifo(join(root, 'etc', 'fifo.cfg'));
      symlinkSync('/dev/zero', join(root, 'etc', 'zero.cfg'));
      writeFileSync(join(root, 'etc', 'lines.cfg'), '#\n'.repeat(200_000));
    });

    it('channels it never asked for and a huge banner are ignored: commands still answer', async () => {
      const { port } = await serve(
        startHostileHost({
          root,
          commands: table,
          unsolicited: true,
          banner: `${TITLE_AND_CLEAR}${'b'.repeat(30_000)}`,
        }),
      );
      const h = hostFor(port, dir);
      try {
        await h.connect();
        const r = await h.run({ key: 'e', argv: ['echo', 'hi'], timeoutMs: 10_000 });
        expect(r.stdout).to.equal('hi\n');
        expect((await h.run({ key: 'e2', argv: ['echo', 'hi'], timeoutMs: 10_000 })).stdout).to.equal('hi\n');
      } finally {
        await h.close();
      }
    });

    it('an exit status sent before the output (and another after) neither hangs nor loses the output', async () => {
      const { port } = await serve(startHostileHost({ root, commands: table, earlyExit: true }));
      const h = hostFor(port, dir);
      try {
        const r = await h.run({ key: 'e', argv: ['echo', 'hi'], timeoutMs: 10_000 });
        expect(r.stdout).to.equal('hi\n');
        expect(r.timedOut).to.equal(undefined);
        expect([0, 7]).to.include(r.exitCode);
      } finally {
        await h.close();
      }
    });

    it('endless output is cut at the limit and is not judged; dripping and silent commands end at their timeout', async () => {
      const { port } = await serve(startHostileHost({ root, commands: table }));
      const h = hostFor(port, dir);
      try {
        const [out, lines, err, drip, silent] = await Promise.all([
          h.run({ key: 'a', argv: ['endless-out'], timeoutMs: 30_000 }),
          h.run({ key: 'b', argv: ['endless-lines'], timeoutMs: 30_000 }),
          h.run({ key: 'c', argv: ['endless-err'], timeoutMs: 30_000 }),
          h.run({ key: 'd', argv: ['drip'], timeoutMs: 1000 }),
          h.run({ key: 'e', argv: ['silent'], timeoutMs: 1000 }),
        ]);
        expect(out).to.include({ exitCode: null, truncated: true });
        expect(out.stdout.length).to.be.at.most(DEFAULT_OUTPUT_LIMITS.maxBytes);
        expect(out.error).to.contain('stdout went on past the limit');
        expect(lines).to.include({ exitCode: null, truncated: true });
        expect(lines.stdout.split('\n').length - 1).to.equal(DEFAULT_OUTPUT_LIMITS.maxLines);
        expect(err).to.include({ exitCode: null, truncated: true });
        expect(err.error).to.contain('stderr went on past the limit');
        expect(drip).to.include({ exitCode: null, timedOut: true });
        expect(silent).to.include({ exitCode: null, timedOut: true });
        // The connection is still good.
        expect((await h.run({ key: 'f', argv: ['echo', 'hi'], timeoutMs: 10_000 })).stdout).to.equal('hi\n');
      } finally {
        await h.close();
      }
    });

    it('a config that is a FIFO or a link to a device is refused after stat; one with too many lines is too-large', async () => {
      const { port } = await serve(startHostileHost({ root, commands: table }));
      const h = hostFor(port, dir);
      try {
        expect(await h.readFile('/etc/fifo.cfg')).to.deep.include({
          ok: false,
          reason: 'error',
          message: '/etc/fifo.cfg is not a regular file (fifo): hagrade does not read it',
        });
        expect(await h.readFile('/etc/zero.cfg')).to.deep.include({
          ok: false,
          reason: 'error',
          message: '/etc/zero.cfg is not a regular file (character special file): hagrade does not read it',
        });
        expect(await h.readFile('/etc/lines.cfg', { maxLines: 1000 })).to.deep.include({
          ok: false,
          reason: 'too-large',
          message: '/etc/lines.cfg has more than 1000 lines, over the 1000-line limit',
        });
      } finally {
        await h.close();
      }
    });
  });
});
