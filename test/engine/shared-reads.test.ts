// One memo of reads per host for a grading (src/hosts/shared-reads.ts): in a batch, the snapshot,
// the warm-up and the checks together run each read-only command and read each file once, with the
// same verdicts; the probes (disruptive checks) and anything after a stream or a reboot go to the
// host afresh.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gradeOpenedPair, readOnlyCommandFilter, type OpenedPair } from '../../src/engine/grade.js';
import { loadCatalogue } from '../../src/engine/registry.js';
import { resolveVip, runChecks } from '../../src/engine/run.js';
import { commandsFor, findCommand } from '../../src/facts/commands.js';
import { scriptStatCommand } from '../../src/facts/script-files.js';
import { warmUp } from '../../src/facts/warmup.js';
import { MemoryHost } from '../../src/hosts/memory.js';
import { SharedReads, commandIdentity } from '../../src/hosts/shared-reads.js';
import { SnapshotHost, openSnapshot } from '../../src/hosts/snapshot.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { captureSnapshot } from '../../src/snapshot/capture.js';
import { FIXTURES_DIR } from '../../src/self/paths.js';
import type { Command, CommandResult, FileRead, Host, StreamHandle } from '../../src/hosts/host.js';
import type { Role } from '../../src/model/basics.js';
import type { Check, CheckResult, RunResult } from '../../src/model/check.js';

const LIVE_CORRECT = join(FIXTURES_DIR, 'live-correct');

/** A live-looking host (kind 'fake', so live checks run) answering from a snapshot, counting every request. */
class CountingHost implements Host {
  readonly kind = 'fake' as const;
  readonly label: string;
  /** Requests that reached this host: `run <identity>`, `read <path>`, `list <path>`. */
  readonly counts = new Map<string, number>();
  private readonly inner: SnapshotHost;

  constructor(
    readonly role: Role,
    dir: string,
  ) {
    this.inner = new SnapshotHost(role, dir);
    this.label = `counting:${role}`;
  }

  private count(what: string): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
  }

  countOf(cmd: Command): number {
    return this.counts.get(`run ${commandIdentity(cmd)}`) ?? 0;
  }

  readFile(path: string, opts?: { maxBytes?: number; maxLines?: number }): Promise<FileRead> {
    this.count(`read ${path}`);
    return this.inner.readFile(path, opts);
  }

  listDir(path: string): Promise<string[] | null> {
    this.count(`list ${path}`);
    return this.inner.listDir(path);
  }

  run(cmd: Command): Promise<CommandResult> {
    this.count(`run ${commandIdentity(cmd)}`);
    return this.inner.run(cmd);
  }

  async close(): Promise<void> {}
}

function countingPair(): { opened: OpenedPair; hosts: Record<Role, CountingHost> } {
  const hosts = { master: new CountingHost('master', LIVE_CORRECT), backup: new CountingHost('backup', LIVE_CORRECT) };
  const opened: OpenedPair = {
    target: openSnapshot(LIVE_CORRECT).target,
    hosts,
    unreachable: {},
    secrets: [],
    handshakes: () => 2,
  };
  return { opened, hosts };
}

/** What a verdict is, without the time it took. */
const verdicts = (r: RunResult) => r.results.map(({ durationMs: _, ...rest }: CheckResult) => rest);

const OPTIONS = { profile: DEFAULT_PROFILE, lang: 'en' as const, failover: false, serviceClient: null };

describe('one memo of reads per host for a grading', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'hagrade-shared-reads-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('a batch grading (snapshot + checks) runs each read-only command and reads each file once, same verdicts', async () => {
    const { opened, hosts } = countingPair();
    const vip = resolveVip(opened.target);
    const shared = await gradeOpenedPair(opened, { ...OPTIONS, snapshotDir: join(tmp, 'snapshot') });

    for (const role of ['master', 'backup'] as const) {
      // Every registry command: captured into the snapshot and read by the checks, run once.
      const registry = commandsFor(role, DEFAULT_PROFILE, vip);
      expect(registry.length).to.be.greaterThan(8);
      for (const command of registry) expect(hosts[role].countOf(command), `${role} ${command.key}`).to.equal(1);
      // And nothing else went to the host twice either: no file, no listing, no other command.
      const twice = [...hosts[role].counts].filter(([, n]) => n !== 1);
      expect(twice, role).to.deep.equal([]);
      // The snapshot holds what the checks were given (a command the host answered).
      const captured = readdirSync(join(tmp, 'snapshot', role, 'commands'));
      expect(captured).to.include('sysctl.txt').and.to.include('ip-addr.txt');
      expect([...hosts[role].counts.keys()].some((k) => k.startsWith('read /etc/haproxy/'))).to.equal(true);
    }

    // The same verdicts as the checks alone on the same hosts, each reading for itself.
    const alone = countingPair();
    const before = await runChecks({
      checks: await loadCatalogue(),
      hosts: alone.opened.hosts,
      target: alone.opened.target,
      profile: DEFAULT_PROFILE,
      options: { lang: 'en', failover: false, live: true },
      warmUp,
    });
    expect(verdicts(shared)).to.deep.equal(verdicts(before));
    expect(shared.summary).to.deep.equal(before.summary);
    expect(shared.summary.fail).to.equal(0);
    expect(shared.summary.pass).to.be.greaterThan(20);
  });

  it('without the shared memo the snapshot and the checks ran every read-only command twice (the cost it saves)', async () => {
    const { opened, hosts } = countingPair();
    const vip = resolveVip(opened.target);
    await captureSnapshot(opened.hosts, opened.target, DEFAULT_PROFILE, join(tmp, 'snapshot'));
    await runChecks({
      checks: await loadCatalogue(),
      hosts: opened.hosts,
      target: opened.target,
      profile: DEFAULT_PROFILE,
      options: { lang: 'en', failover: false, live: true },
      warmUp,
    });
    for (const role of ['master', 'backup'] as const) {
      for (const command of commandsFor(role, DEFAULT_PROFILE, vip)) {
        expect(hosts[role].countOf(command), `${role} ${command.key}`).to.be.at.least(2);
      }
    }
  });

  it('stops serving before the first disruptive check: a probe reads the hosts afresh, every time', async () => {
    const { opened, hosts } = countingPair();
    const vip = resolveVip(opened.target);
    const ipAddr = findCommand(DEFAULT_PROFILE, vip, 'ip-addr') as Command;
    const seen: string[] = [];
    const probe: Check = {
      ...(await loadCatalogue()).find((c) => c.id === 'FOV003')!,
      id: 'TST001',
      run: async (ctx) => {
        // As the failover probe polls: the same read-only command, again and again.
        for (let i = 0; i < 3; i++) seen.push((await ctx.host('master').run(ipAddr)).stdout);
        await ctx.host('master').readFile(DEFAULT_PROFILE.haproxyCfgPath);
      },
    };
    const checks = [...(await loadCatalogue()).filter((c) => c.mode !== 'disruptive'), probe];
    const result = await gradeOpenedPair(opened, {
      ...OPTIONS,
      failover: true,
      checks,
      snapshotDir: join(tmp, 'snapshot'),
    });
    expect(result.results.find((r) => r.id === 'TST001')!.status).to.equal('pass');
    expect(seen).to.have.length(3);
    // Once for the snapshot and the checks, then each of the probe's three polls.
    expect(hosts.master.countOf(ipAddr)).to.equal(1 + 3);
    expect(hosts.master.counts.get(`read ${DEFAULT_PROFILE.haproxyCfgPath}`)).to.equal(1 + 1);
  });
});

/** A MemoryHost that streams and can be waited for, as a live host can. */
class LiveMemoryHost extends MemoryHost {
  reads = 0;
  override async readFile(path: string, opts?: { maxBytes?: number; maxLines?: number }): Promise<FileRead> {
    this.reads += 1;
    return super.readFile(path, opts);
  }
  async stream(): Promise<StreamHandle> {
    return { stop: async () => {} };
  }
  async waitForReturn(): Promise<{ ok: true }> {
    return { ok: true };
  }
}

describe('SharedReads', () => {
  const profile = DEFAULT_PROFILE;
  const vip = '203.0.113.10';
  const ipAddr = findCommand(profile, vip, 'ip-addr') as Command;
  const filter = readOnlyCommandFilter(profile, vip);
  const host = () =>
    new LiveMemoryHost(
      'master',
      { '/etc/haproxy/haproxy.cfg': 'x'.repeat(2000), '/etc/passwd': 'root:x:0:0::/root:/bin/sh\n' },
      { 'ip-addr': { stdout: 'inet 203.0.113.10/24' }, 'log-mark': { stdout: '1\n' } },
    );
  const runsOf = (h: MemoryHost, key: string) => h.ran.filter((c) => c.key === key).length;

  it('serves the registry read-only commands (whatever their timeout) and a script stat; runs everything else each time', async () => {
    const inner = host();
    const h = new SharedReads(filter).wrap(inner);
    await h.run(ipAddr);
    await h.run({ ...ipAddr, timeoutMs: 5000 });
    expect((await h.run(ipAddr)).stdout).to.equal('inet 203.0.113.10/24');
    expect(runsOf(inner, 'ip-addr')).to.equal(1);
    // Same key, another command line: not the registry's command, so it runs.
    await h.run({ ...ipAddr, argv: ['ip', 'addr'] });
    expect(runsOf(inner, 'ip-addr')).to.equal(2);
    const mark = { key: 'log-mark', shell: 'date +%s', root: true };
    await h.run(mark);
    await h.run(mark);
    expect(runsOf(inner, 'log-mark')).to.equal(2);
    const stat = scriptStatCommand('/etc/keepalived/check.sh');
    expect(filter(stat)).to.equal(true);
    expect(filter({ ...stat, asUser: 'nobody' })).to.equal(false);
  });

  it('serves a file read within a narrower limit from a wider one, and leaves a refusal to the host', async () => {
    const inner = host();
    const h = new SharedReads(filter).wrap(inner);
    const wide = await h.readFile('/etc/haproxy/haproxy.cfg', { maxBytes: 1_000_000 });
    const narrow = await h.readFile('/etc/haproxy/haproxy.cfg', { maxBytes: 4096 });
    expect(wide.ok && narrow.ok).to.equal(true);
    expect(inner.reads).to.equal(1);
    // Over the narrower limit: the host's own refusal (and its words).
    const refused = await h.readFile('/etc/haproxy/haproxy.cfg', { maxBytes: 1000 });
    expect(refused).to.deep.include({ ok: false, reason: 'too-large' });
    expect(inner.reads).to.equal(2);
    // A missing file is missing whatever the limit.
    await h.readFile('/etc/nothing', { maxBytes: 10 });
    await h.readFile('/etc/nothing');
    expect(inner.reads).to.equal(3);
    // A file read whole is whole under any limit it fits: served.
    await h.readFile('/etc/passwd', { maxBytes: 100 });
    await h.readFile('/etc/passwd', { maxBytes: 200 });
    await h.readFile('/etc/passwd');
    expect(inner.reads).to.equal(4);
  });

  it('asks the host again after a file was refused under a narrower limit than the one asked for now', async () => {
    const inner = host();
    const h = new SharedReads(filter).wrap(inner);
    expect(await h.readFile('/etc/haproxy/haproxy.cfg', { maxBytes: 1000 })).to.deep.include({ reason: 'too-large' });
    expect(await h.readFile('/etc/haproxy/haproxy.cfg', { maxBytes: 1000 })).to.deep.include({ reason: 'too-large' });
    expect(inner.reads).to.equal(1);
    expect((await h.readFile('/etc/haproxy/haproxy.cfg', { maxBytes: 4096 })).ok).to.equal(true);
    expect((await h.readFile('/etc/haproxy/haproxy.cfg', { maxBytes: 3000 })).ok).to.equal(true);
    expect(inner.reads).to.equal(2);
  });

  for (const how of ['stopSharing', 'stream', 'waitForReturn'] as const) {
    it(`after ${how}, both hosts of the pair answer every read afresh`, async () => {
      const shared = new SharedReads(filter);
      const [master, backup] = [host(), host()];
      const [m, b] = [shared.wrap(master), shared.wrap(backup)];
      await Promise.all([m.run(ipAddr), b.run(ipAddr), m.readFile('/etc/passwd'), b.listDir('/etc')]);
      await Promise.all([m.run(ipAddr), b.run(ipAddr), m.readFile('/etc/passwd')]);
      expect([runsOf(master, 'ip-addr'), runsOf(backup, 'ip-addr'), master.reads]).to.deep.equal([1, 1, 1]);
      if (how === 'stopSharing') shared.stopSharing();
      else if (how === 'stream') await m.stream!(ipAddr, () => {});
      else await m.waitForReturn!(1000, new AbortController().signal);
      expect(shared.active).to.equal(false);
      await Promise.all([m.run(ipAddr), b.run(ipAddr), m.readFile('/etc/passwd')]);
      await Promise.all([m.run(ipAddr), b.run(ipAddr)]);
      expect([runsOf(master, 'ip-addr'), runsOf(backup, 'ip-addr'), master.reads]).to.deep.equal([3, 3, 2]);
    });
  }

  it('keeps the methods a host has, and only those', () => {
    const shared = new SharedReads(filter);
    expect(shared.wrap(host()).stream).to.be.a('function');
    expect(shared.wrap(host()).waitForReturn).to.be.a('function');
    const plain = shared.wrap(new MemoryHost('backup', {}));
    expect(plain.stream).to.equal(undefined);
    expect(plain.waitForReturn).to.equal(undefined);
    expect(plain.kind).to.equal('fake');
    expect(plain.role).to.equal('backup');
  });
});
