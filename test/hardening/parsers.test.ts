// Both parsers under attack, beyond what test/parsers/* covers: structured hostile input (token soup
// of real keywords, quotes, escapes, conditionals, definitions) never throws and every node (not only
// diagnostics) points at a line inside the file; and parse time grows linearly with the input,
// measured as a ratio (8x the input must take less than 20x the time), so load on the machine does
// not make the test flaky. Then files over the size limit: every host kind refuses them the same
// way, and the checks turn that into a clear finding, never a crash.
import { expect } from 'chai';
import fc from 'fast-check';
import { loadCatalogue } from '../../src/engine/registry.js';
import { runChecks } from '../../src/engine/run.js';
import { DEFAULT_MAX_FILE_BYTES } from '../../src/hosts/limits.js';
import { MemoryHost } from '../../src/hosts/memory.js';
import { parseHaproxy } from '../../src/parsers/haproxy.js';
import { resolveHaproxy } from '../../src/parsers/haproxy-resolve.js';
import { parseKeepalived, type KeepalivedStatement } from '../../src/parsers/keepalived.js';
import { FIXTURES_DIR } from '../../src/self/paths.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { join } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { openSnapshot } from '../../src/hosts/snapshot.js';
import { captureSnapshot } from '../../src/snapshot/capture.js';
import type { Host } from '../../src/hosts/host.js';
import type { Role } from '../../src/model/basics.js';
import { loadHostFiles } from '../support/check-tester.js';

const HAP = '/etc/haproxy/haproxy.cfg';
const KAD = '/etc/keepalived/keepalived.conf';

const lineCountOf = (text: string) => text.split('\n').length;

// ---------------------------------------------------------------------------------------------
// Token soup

const HAPROXY_TOKENS = [
  'global',
  'defaults',
  'frontend',
  'backend',
  'listen',
  'peers',
  'userlist',
  'resolvers',
  'from',
  'front_cluster',
  'back_cluster',
  'mode',
  'http',
  'tcp',
  'bind',
  '*:443',
  ':443',
  'ssl',
  'crt',
  '/etc/haproxy/rebrain.pem',
  'option',
  'forwardfor',
  'no',
  'default',
  'balance',
  'roundrobin',
  'server',
  'default-server',
  'rebrain_01',
  '127.0.0.1:81',
  'maxconn',
  '20000',
  'http-request',
  'set-header',
  'X-Forwarded-For',
  '%[src]',
  'if',
  'unless',
  '!',
  '{',
  '}',
  '.if',
  '.elif',
  '.else',
  '.endif',
  '.notice',
  '.alert',
  'defined(X)',
  '[scope]',
  '[',
  ']',
  '"',
  "'",
  '\\',
  '\\x4',
  '\\xZZ',
  '\\x41',
  '#',
  '${HOME}',
  '"${X}"',
  '$X',
  '\0',
  '\r',
  '\t',
  ' ',
  '\n',
  '\n',
  '\n',
];
const KEEPALIVED_TOKENS = [
  'global_defs',
  'vrrp_script',
  'vrrp_instance',
  'vrrp_sync_group',
  'virtual_server',
  'real_server',
  'track_script',
  'track_process',
  'authentication',
  'auth_type',
  'PASS',
  'auth_pass',
  'state',
  'MASTER',
  'BACKUP',
  'priority',
  '255',
  '-1',
  'weight',
  'virtual_router_id',
  'virtual_ipaddress',
  '203.0.113.10/24',
  'brd',
  '+',
  'label',
  'eth0:10',
  'dev',
  'eth0',
  'script',
  'interval',
  'fall',
  'rise',
  'include',
  '/etc/keepalived/*.conf',
  '{',
  '}',
  '"',
  "'",
  '!',
  '#',
  '\\',
  '\\!',
  '$A',
  '$A=x',
  '$B=$B',
  '${A}',
  '@master',
  '@^backup',
  '~SEQ(i,1,3)',
  '${_HASH}',
  '\0',
  '\r',
  '\t',
  ' ',
  '\n',
  '\n',
  '\n',
];
const soup = (tokens: string[], maxLength: number) =>
  fc.array(fc.oneof(fc.constantFrom(...tokens), fc.string({ maxLength: 6 })), { maxLength }).map((t) => t.join(' '));

function* allStatements(statements: readonly KeepalivedStatement[]): Generator<KeepalivedStatement> {
  for (const st of statements) {
    yield st;
    if (st.children) yield* allStatements(st.children);
  }
}

describe('parsers under attack', () => {
  describe('structured hostile input', () => {
    it('haproxy.cfg: never throws (parse and resolve), every section, directive, statement and diagnostic on a line of the file', () => {
      fc.assert(
        fc.property(soup(HAPROXY_TOKENS, 300), fc.constantFrom('2.2', '2.6', '3.0'), (text, version) => {
          const c = parseHaproxy(text, HAP, { version });
          resolveHaproxy(c, { version });
          const lines = lineCountOf(text);
          const within = (line: number) => Number.isInteger(line) && line >= 1 && line <= lines;
          const nodes = [...c.sections.flatMap((s) => [s.header, ...s.directives]), ...c.statements, ...c.diagnostics];
          for (const node of nodes) expect(within(node.line), `line ${node.line} of ${lines}`).to.equal(true);
        }),
        { numRuns: 400 },
      );
    });

    it('keepalived.conf: never throws, every statement, entry and diagnostic on a line of the file', () => {
      fc.assert(
        fc.property(soup(KEEPALIVED_TOKENS, 300), (text) => {
          const c = parseKeepalived(text, KAD, { configId: 'master', readInclude: () => [] });
          const lines = lineCountOf(text);
          const within = (line: number) => Number.isInteger(line) && line >= 1 && line <= lines;
          for (const st of allStatements(c.statements)) {
            expect(within(st.line), `statement ${st.keyword} at ${st.line} of ${lines}`).to.equal(true);
            for (const e of st.entries ?? []) expect(within(e.line), `entry at ${e.line} of ${lines}`).to.equal(true);
          }
          for (const d of c.diagnostics)
            expect(within(d.line), `diagnostic ${d.code} at ${d.line} of ${lines}`).to.equal(true);
        }),
        { numRuns: 400 },
      );
    });

    it('keepalived.conf: included files keep their own names and line numbers', () => {
      fc.assert(
        fc.property(soup(KEEPALIVED_TOKENS, 120), soup(KEEPALIVED_TOKENS, 120), (main, included) => {
          const text = `include /etc/keepalived/part.conf\n${main}`;
          const c = parseKeepalived(text, KAD, {
            readInclude: () => [{ file: '/etc/keepalived/part.conf', text: included }],
          });
          const lines: Record<string, number> = {
            [KAD]: lineCountOf(text),
            '/etc/keepalived/part.conf': lineCountOf(included),
          };
          for (const st of allStatements(c.statements)) expect(st.line).to.be.within(1, lines[st.file] ?? 0);
          for (const d of c.diagnostics) expect(d.line).to.be.within(1, lines[d.file] ?? 0);
        }),
        { numRuns: 200 },
      );
    });
  });

  describe('time grows linearly with the input (8x the input, under 20x the time)', function () {
    this.timeout(60_000);

    /** The fastest of a few runs: the least disturbed by other work on the machine. */
    function fastest(run: () => void): number {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        run();
        best = Math.min(best, performance.now() - t);
      }
      return best;
    }

    /** Parse `make(n)` and `make(8n)`; n grows until the small one takes a few ms, so timer noise does not matter. */
    function expectLinear(make: (n: number) => string, parse: (text: string) => void): void {
      let n = 50;
      let small = fastest(() => parse(make(n)));
      while (small < 15 && n < 1_000_000) {
        n *= 2;
        small = fastest(() => parse(make(n)));
      }
      const inputs = make(8 * n);
      const large = fastest(() => parse(inputs));
      expect(large / small, `n=${n}: ${small.toFixed(1)} ms, 8n: ${large.toFixed(1)} ms`).to.be.below(20);
    }

    const haproxy = (text: string) => resolveHaproxy(parseHaproxy(text, HAP, { version: '2.6' }), { version: '2.6' });
    const keepalived = (text: string) => parseKeepalived(text, KAD, { readInclude: () => [] });
    const HAP_CASES: Record<string, (n: number) => string> = {
      'many proxies and servers': (n) =>
        Array.from(
          { length: n },
          (_, i) =>
            `backend b${i}\n  balance roundrobin\n  server s${i} 127.0.0.1:81 maxconn 20000\n  option forwardfor\n`,
        ).join(''),
      'one long line of quotes and escapes': (n) => `global\n  description ${'"a\\"b" \'c\' \\x41 '.repeat(n)}\n`,
      'nested .if blocks': (n) => `${'.if defined(X)\n'.repeat(n)}global\n  daemon\n${'.endif\n'.repeat(n)}`,
      'defaults chains with from': (n) =>
        Array.from(
          { length: n },
          (_, i) =>
            `defaults d${i}${i ? ` from d${i - 1}` : ''}\n  mode http\nfrontend f${i} from d${i}\n  bind :${1000 + (i % 60000)}\n`,
        ).join(''),
      'unknown keywords everywhere': (n) => `global\n${'  bogus_keyword a b c\n'.repeat(n)}`,
    };
    for (const [name, make] of Object.entries(HAP_CASES)) it(`haproxy.cfg: ${name}`, () => expectLinear(make, haproxy));

    const KAD_CASES: Record<string, (n: number) => string> = {
      'many instances': (n) =>
        Array.from(
          { length: n },
          (_, i) =>
            `vrrp_instance V${i} {\n  state BACKUP\n  interface eth0\n  virtual_router_id ${i % 255}\n  priority 100\n  virtual_ipaddress {\n    203.0.113.${i % 250}/24\n  }\n}\n`,
        ).join(''),
      'braces on one line': (n) => `vrrp_instance V {${' {'.repeat(n)}${' }'.repeat(n)} }\n`,
      'deeply nested blocks': (n) => `${'vrrp_sync_group G {\n'.repeat(n)}${'}\n'.repeat(n)}`,
      'definitions used many times': (n) =>
        `$A=auth_pass secret1\n${'vrrp_instance V {\nauthentication {\n$A\n}\n}\n'.repeat(n)}`,
      'comments and escapes': (n) => `${'auth_pass a\\!b!c#d "e!f" \\#g\n'.repeat(n)}`,
      'unknown keywords everywhere': (n) => `global_defs {\n${'  bogus_keyword a b c\n'.repeat(n)}}\n`,
    };
    for (const [name, make] of Object.entries(KAD_CASES))
      it(`keepalived.conf: ${name}`, () => expectLinear(make, keepalived));
  });
});

// ---------------------------------------------------------------------------------------------
// Files over the size limit

describe('files over the size limit', () => {
  const CORRECT = join(FIXTURES_DIR, 'correct');
  const huge = Buffer.alloc(DEFAULT_MAX_FILE_BYTES + 1, '#');
  // The configuration checks allow 16 MiB (facts/haproxy.ts, facts/keepalived.ts), rebrain.pem 1 MiB (facts/cert.ts).
  const hugeConfig = Buffer.alloc(16 * 1024 * 1024 + 1, '#');
  const files = (role: Role) => ({
    ...loadHostFiles(CORRECT, role),
    [HAP]: hugeConfig,
    [KAD]: hugeConfig,
    [DEFAULT_PROFILE.certPath]: huge,
  });

  async function gradeWith(hosts: Record<Role, Host>) {
    const checks = (await loadCatalogue()).filter((c) => c.mode === 'static');
    return runChecks({
      checks,
      hosts,
      target: openSnapshot(CORRECT).target,
      profile: DEFAULT_PROFILE,
      options: { lang: 'en', failover: false, live: false },
    });
  }

  it('every host kind refuses them with the same reason', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'hagrade-huge-'));
    try {
      mkdirSync(join(tmp, 'master/etc/haproxy'), { recursive: true });
      writeFileSync(join(tmp, 'master', HAP), huge);
      mkdirSync(join(tmp, 'backup'));
      const fromSnapshot = await openSnapshot(tmp).hosts.master.readFile(HAP);
      const fromMemory = await new MemoryHost('master', { [HAP]: huge }).readFile(HAP);
      for (const read of [fromSnapshot, fromMemory]) {
        expect(read).to.deep.include({ ok: false, reason: 'too-large' });
        expect(!read.ok && read.message).to.equal(
          `${HAP} is ${huge.length} bytes, over the ${DEFAULT_MAX_FILE_BYTES}-byte limit`,
        );
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('the checks say the file is too large, with the limit, never a crash or a FAIL about its content', async () => {
    const result = await gradeWith({
      master: new MemoryHost('master', files('master')),
      backup: new MemoryHost('backup', loadHostFiles(CORRECT, 'backup')),
    });
    const crashed = result.results.filter((r) => r.findings.some((f) => f.messageId === 'crashed')).map((r) => r.id);
    expect(crashed).to.deep.equal([]);
    const byId = (id: string) => result.results.find((r) => r.id === id)!;
    // Each check that reads one of the files: its master finding names the limit.
    for (const id of ['HAP001', 'KAD001', 'CRT001', 'CRT002']) {
      const r = byId(id);
      const master = r.findings.filter((f) => f.host === 'master');
      expect(master.length, `${id}: ${JSON.stringify(r.findings)}`).to.be.greaterThan(0);
      expect(master.map((f) => f.message).join(' '), id).to.contain(`over the `);
      // CRT001 alone judges the size itself: a "certificate file" of over a megabyte is not one.
      if (id === 'CRT001') expect(master.map((f) => `${f.kind}:${f.messageId}`)).to.deep.equal(['fail:tooLarge']);
      else
        expect(
          master.map((f) => f.kind),
          id,
        ).to.not.include('fail');
    }
  });

  it('hagrade snapshot keeps a 2 MiB haproxy.cfg, which the checks read, so re-grading it gives the same HAP001', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'hagrade-big-snap-'));
    try {
      const cfg = `${loadHostFiles(CORRECT, 'master')[HAP]!.toString()}# ${'x'.repeat(2 * 1024 * 1024)}\n`;
      const hosts = {
        master: new MemoryHost('master', { ...loadHostFiles(CORRECT, 'master'), [HAP]: cfg }),
        backup: new MemoryHost('backup', loadHostFiles(CORRECT, 'backup')),
      };
      const totals = await captureSnapshot(hosts, openSnapshot(CORRECT).target, DEFAULT_PROFILE, join(tmp, 'snap'));
      expect(totals.missing.filter((m) => m.includes(HAP))).to.deep.equal([]);
      const status = async (h: Record<Role, Host>) =>
        (await gradeWith(h)).results.find((r) => r.id === 'HAP001')!.status;
      expect(await status(openSnapshot(join(tmp, 'snap')).hosts))
        .to.equal(await status(hosts))
        .and.to.equal('pass');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('hagrade snapshot leaves a too-large file out and lists it', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'hagrade-huge-snap-'));
    try {
      const hosts = {
        master: new MemoryHost('master', files('master')),
        backup: new MemoryHost('backup', loadHostFiles(CORRECT, 'backup')),
      };
      const totals = await captureSnapshot(hosts, openSnapshot(CORRECT).target, DEFAULT_PROFILE, join(tmp, 'snap'));
      expect(totals.missing).to.include.members([`master:${HAP} (too-large)`, `master:${KAD} (too-large)`]);
      // A 1 MiB rebrain.pem is kept: CRT001 re-judges its size from the snapshot as it did live.
      expect(totals.missing.filter((m) => m.includes(DEFAULT_PROFILE.certPath))).to.deep.equal([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
