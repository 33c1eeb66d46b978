// Differential test against the real `keepalived -t` (runs only where keepalived is installed and we
// are root): random soups of keepalived words, braces, quotes and comments must give the same
// reading problems, line for line, as the union of what keepalived's processes print.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseKeepalived } from '../../src/parsers/keepalived.js';

const WORDS = [
  'global_defs',
  'vrrp_script chk',
  'virtual_ipaddress',
  'track_script',
  'authentication',
  'auth_pass x',
  'auth_type PASS',
  'state MASTER',
  'priority 100',
  'virtual_router_id 5',
  'interface eth0',
  'script "true"',
  'router_id r',
  'bogus',
  'user root',
  'weight -2',
  'notify_master "/bin/true"',
  'unicast_peer',
  '10.0.0.1/24',
  'virtual_server 10.0.0.1 80',
  'real_server 10.0.0.2 80',
  'HTTP_GET',
  'url',
  'path /',
  'TCP_CHECK',
  'connect_timeout 3',
  'vrrp_sync_group G',
  'static_ipaddress',
  'nopreempt',
  'advert_int 1',
];
const PUNCTUATION = ['{', '}', '{', '}', '# c', '! c', '"q w"', '\n', '\n', '\n', '\n'];
/** The reading problems both sides report, as `line message`. */
const READING =
  /Line (\d+)\) (?:\*\*\* )?(Unknown keyword '.*'|Unexpected '\{' - ignoring|Extra '\}' found|Missing '\{' at beginning of configuration block|Configuration line starting `[^`]*`)/g;
const CODES = new Set(['unknownKeyword', 'unexpectedOpen', 'extraClose', 'missingOpen', 'missingParameter']);

/** A small deterministic generator (xorshift), so a failure can be replayed. */
function soup(seed: number): string {
  let x = seed;
  const next = (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  let text = '';
  let instances = 0;
  for (let i = 0, n = 5 + next(40); i < n; i++) {
    text +=
      next(2) === 0
        ? WORDS[next(WORDS.length)]
        : next(3) === 0
          ? `vrrp_instance VI_${instances++}`
          : PUNCTUATION[next(PUNCTUATION.length)];
    text += next(3) === 0 ? ' ' : '\n';
  }
  return text.endsWith('\n') ? text : `${text}\n`;
}

describe('keepalived parser against keepalived -t', function () {
  this.timeout(120_000);
  before(function () {
    const installed = spawnSync('keepalived', ['--version']).status === 0;
    if (!installed || process.getuid?.() !== 0) this.skip();
  });

  it('agrees on the reading problems of 200 random configs (keepalived quirks aside)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hagrade-kaoracle-'));
    const file = join(dir, 'keepalived.conf');
    const differing: string[] = [];
    try {
      for (let seed = 1; seed <= 200; seed++) {
        const text = soup(seed * 7919);
        writeFileSync(file, text);
        const run = spawnSync('keepalived', ['-t', '-n', '-l', '-i', 'none', '-f', file], {
          encoding: 'latin1',
          timeout: 10_000,
        });
        const ours = parseKeepalived(text, file, { configId: 'none' });
        const stop = ours.fatal?.line ?? Infinity;
        const real = new Set(
          [...`${run.stdout}${run.stderr}`.matchAll(READING)]
            .map((m) => `${m[1]} ${m[2]}`)
            .filter((l) => Number(l.split(' ')[0]) <= stop),
        );
        const mine = new Set(
          ours.diagnostics
            .filter((d) => CODES.has(d.code) && d.line <= stop)
            .map((d) => `${d.line} ${d.fatal ? `Configuration line starting \`${d.args[0]}\`` : d.message}`),
        );
        if ([...real].some((l) => !mine.has(l)) || [...mine].some((l) => !real.has(l)))
          differing.push(`seed ${seed * 7919}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // keepalived's own output varies: its child processes do not always all report before it exits
    // (seen with the same file run twice), and one of them reads freed memory after a skipped
    // vrrp_sync_group. We model neither; a handful of the 200 may differ, no more.
    expect(differing.length, differing.join(', ')).to.be.at.most(3);
  });
});
