// The keepalived corpus (shared/corpus/keepalived, real files from public repositories): every file
// parses, every diagnostic points inside its file, no keyword real keepalived accepts is called
// unknown, and the special files of GRAMMAR.md §C give the right results. When keepalived itself is
// installed (and we are root), every file is also compared with `keepalived -t`.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/self/paths.js';
import { parseKeepalived, type KeepalivedConfig } from '../../src/parsers/keepalived.js';

const CORPUS = join(REPO_ROOT, '..', 'shared', 'corpus', 'keepalived');
const files = existsSync(CORPUS)
  ? readdirSync(CORPUS)
      .filter((f) => f.endsWith('.conf'))
      .sort()
  : [];
/** No `@id` line of the corpus names this, so conditional lines resolve as on an unrelated host. */
const CONFIG_ID = 'hagrade-none';

/** What `keepalived -t -i hagrade-none` 2.2.7 calls unknown in the corpus (the oracle test below re-derives it). */
const UNKNOWN_BY_KEEPALIVED: Record<string, string[]> = {
  '002.conf': ['9 garp_master_delay'],
  '053.conf': ['1 lizx01@22app121p:/etc/keepalived$'],
  '097.conf': ['2 VI_1'],
  '110.conf': ['10 lvs_id'],
  '121.conf': ['27 nopreempt', '28 garp_master_delay', '34 nb_get_retry', '44 nb_get_retry'],
};
/** Where keepalived 2.2.7 exits on a missing parameter. */
const FATAL_BY_KEEPALIVED: Record<string, number> = { '034.conf': 25, '044.conf': 6, '050.conf': 16, '100.conf': 8 };

/** Included files are looked up in the corpus directory; none of them is there, so includes resolve to nothing. */
const parsed = new Map<string, KeepalivedConfig>();
function parse(name: string): KeepalivedConfig {
  let c = parsed.get(name);
  if (!c) {
    c = parseKeepalived(readFileSync(join(CORPUS, name)), join(CORPUS, name), {
      configId: CONFIG_ID,
      readInclude: () => [],
    });
    parsed.set(name, c);
  }
  return c;
}

/** `line keyword` of the unknown keywords in the main file, up to where keepalived would exit. */
function unknownKeywords(c: KeepalivedConfig): string[] {
  const stop = c.fatal?.line ?? Infinity;
  return [
    ...new Set(
      c.diagnostics
        .filter((d) => d.code === 'unknownKeyword' && d.file === c.file && d.line <= stop)
        .map((d) => `${d.line} ${d.args[0]}`),
    ),
  ];
}

describe('keepalived corpus', () => {
  before(function () {
    if (files.length === 0) this.skip();
  });

  it('holds the corpus files', () => {
    expect(files.length).to.be.at.least(80);
  });

  it('every file parses, fast, with every diagnostic and statement inside its file', () => {
    const problems: string[] = [];
    for (const name of files) {
      const started = Date.now();
      const c = parse(name);
      const lines = readFileSync(join(CORPUS, name), 'latin1').split('\n').length;
      if (Date.now() - started > 1000) problems.push(`${name}: took ${Date.now() - started} ms`);
      for (const d of c.diagnostics)
        if (d.file === c.file && (d.line < 1 || d.line > lines))
          problems.push(`${name}: diagnostic at line ${d.line} of ${lines}`);
      const walk = (ss: KeepalivedConfig['statements']) => {
        for (const s of ss) {
          if (s.file === c.file && (s.line < 1 || s.line > lines))
            problems.push(`${name}: ${s.keyword} at line ${s.line}`);
          walk(s.children ?? []);
        }
      };
      walk(c.statements);
    }
    expect(problems).to.deep.equal([]);
  });

  it('calls unknown exactly what keepalived 2.2.7 calls unknown', () => {
    const got = Object.fromEntries(files.map((f) => [f, unknownKeywords(parse(f))]).filter(([, u]) => u.length > 0));
    expect(got).to.deep.equal(UNKNOWN_BY_KEEPALIVED);
  });

  it('stops where keepalived stops: a missing parameter is fatal', () => {
    const got = Object.fromEntries(files.filter((f) => parse(f).fatal).map((f) => [f, parse(f).fatal!.line]));
    expect(got).to.deep.equal(FATAL_BY_KEEPALIVED);
    expect(parse('100.conf').fatal?.args).to.deep.equal(['unicast_src_ip']);
  });

  it('110: `auth_pass Test123!` is the password Test123', () => {
    const auth = parse('110.conf').instances[0].authentication;
    expect([auth?.pass, auth?.cutFrom]).to.deep.equal(['Test123', 'Test123!']);
  });

  it('100: `auth_pass #…` has no value at all; the second VI_1 (line 26) is skipped whole', () => {
    const c = parse('100.conf');
    const missing = c.diagnostics.filter((d) => d.code === 'missingParameter').map((d) => `${d.line} ${d.args[0]}`);
    expect(missing).to.deep.equal(['8 unicast_src_ip', '15 auth_pass']);
    expect(c.diagnostics.filter((d) => d.code === 'blockDuplicate').map((d) => d.line)).to.deep.equal([26]);
  });

  it('020: `state MASTER priority 200` on one line is state MASTER with priority 255', () => {
    const vrrp = parse('020.conf').instances[0];
    expect([vrrp.initialState, vrrp.priority, vrrp.priorityAt]).to.deep.equal(['MASTER', 255, undefined]);
  });

  it('029: priority only on @nfs1/@nfs2 lines is 255 for any other config-id, 101 for nfs1', () => {
    expect(parse('029.conf').instances[0].priority).to.equal(255);
    const nfs1 = parseKeepalived(readFileSync(join(CORPUS, '029.conf')), join(CORPUS, '029.conf'), {
      configId: 'nfs1',
    });
    expect(nfs1.instances[0].priority).to.equal(101);
  });

  it("061: `script 'killall -0 haproxy'` runs killall with its arguments", () => {
    expect(parse('061.conf').scripts[0].argv).to.deep.equal(['killall', '-0', 'haproxy']);
  });

  it('079-082, 094: include paths are resolved from the corpus directory (globs, braces, ${_PWD})', () => {
    const requests = (f: string) => [...new Set(parse(f).includeRequests)];
    expect(requests('079.conf')).to.deep.equal(['/etc/keepalived/vrrp_instance_configs/*.conf']);
    expect(requests('080.conf')).to.include.members(['/tmp/bert/{fred,joe}.conf', join(CORPUS, '1756-incl.conf')]);
    expect(requests('082.conf')).to.deep.equal([join(CORPUS, 'namespace_setup.conf')]);
    expect(requests('094.conf')).to.deep.equal([
      join(CORPUS, 'prio.conf'),
      join(CORPUS, 'conf.d/*.conf'),
      join(CORPUS, 'conf.d/cloud/*.conf'),
    ]);
    // 094 sets every priority in prio.conf: without it, state MASTER means 255.
    expect(new Set(parse('094.conf').instances.map((i) => i.priority))).to.deep.equal(new Set([255]));
  });

  describe('against the real keepalived -t', function () {
    this.timeout(120_000);
    before(function () {
      const installed = spawnSync('keepalived', ['--version']).status === 0;
      if (!installed || process.getuid?.() !== 0) this.skip();
    });

    it('reports the same unknown keywords and fatal lines for every corpus file', () => {
      const dir = mkdtempSync(join(tmpdir(), 'hagrade-kacorpus-'));
      const problems: string[] = [];
      try {
        for (const name of files) {
          const copy = join(dir, name);
          copyFileSync(join(CORPUS, name), copy);
          const run = spawnSync('keepalived', ['-t', '-n', '-l', '-i', CONFIG_ID, '-f', copy], {
            encoding: 'latin1',
            timeout: 10_000,
          });
          const out = `${run.stdout}${run.stderr}`;
          const real = new Set([...out.matchAll(/Line (\d+)\) Unknown keyword '(.*)'/g)].map((m) => `${m[1]} ${m[2]}`));
          const fatal = /Line (\d+)\) \*\*\* Configuration line starting/.exec(out)?.[1];
          const ours = parseKeepalived(readFileSync(copy), copy, { configId: CONFIG_ID, readInclude: () => [] });
          const mine = unknownKeywords(ours);
          if (JSON.stringify([...real].sort()) !== JSON.stringify([...mine].sort()))
            problems.push(`${name}: keepalived [${[...real]}] ours [${mine}]`);
          if ((fatal === undefined ? undefined : Number(fatal)) !== ours.fatal?.line)
            problems.push(`${name}: fatal at ${fatal} vs ours ${ours.fatal?.line}`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      expect(problems).to.deep.equal([]);
    });
  });
});
