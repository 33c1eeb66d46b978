import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { shellQuote, shellQuoteArg } from '../../src/hosts/quote.js';

/** Run `printf '%s\0' <quoted argv>` in a real shell and split what it printed back into words. */
function roundTrip(shell: string, argv: string[], cwd?: string): string[] {
  const out = execFileSync(shell, ['-c', `printf '%s\\0' ${shellQuote(argv)}`], { cwd });
  const words = out.toString('utf8').split('\0');
  words.pop(); // after the last NUL
  return words;
}

const HOSTILE = [
  '; touch /tmp/pwned',
  '$(touch pwned-subst)',
  '`touch pwned-backtick`',
  "it's",
  "'; touch pwned-quote; '",
  '"double" and \\backslash',
  'line one\nline two; touch pwned-newline',
  'with  spaces\tand tab',
  '',
  'привет, мир',
  '*',
  '~root',
  'A=1',
  '$HOME ${PATH}',
  '!event',
  '-rf',
  '#comment',
  '&& touch pwned-and || touch pwned-or | cat > pwned-pipe',
];

describe('shellQuote', () => {
  it('leaves plain words alone and quotes everything else', () => {
    expect(shellQuote(['cat', '/etc/haproxy/haproxy.cfg'])).to.equal('cat /etc/haproxy/haproxy.cfg');
    expect(shellQuoteArg('')).to.equal("''");
    expect(shellQuoteArg('a b')).to.equal("'a b'");
    expect(shellQuoteArg("it's")).to.equal(`'it'\\''s'`);
    expect(shellQuoteArg('A=1')).to.equal("'A=1'");
    expect(shellQuoteArg('~root')).to.equal("'~root'");
  });

  it('refuses a NUL byte, which no shell argument can hold', () => {
    expect(() => shellQuoteArg('a\0b')).to.throw(TypeError);
  });

  for (const shell of ['/bin/sh', '/bin/bash']) {
    it(`${shell} reads hostile values back unchanged and runs none of them`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'hagrade-quote-'));
      try {
        expect(roundTrip(shell, HOSTILE, dir)).to.deep.equal(HOSTILE);
        expect(readdirSync(dir)).to.deep.equal([]);
        expect(existsSync('/tmp/pwned')).to.equal(false);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it(`${shell} reads any string back unchanged (property)`, () => {
      const noNul = fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0'));
      fc.assert(
        fc.property(fc.array(noNul, { minLength: 1, maxLength: 4 }), (argv) => {
          expect(roundTrip(shell, argv)).to.deep.equal(argv);
        }),
        { numRuns: 150 },
      );
    });
  }
});
