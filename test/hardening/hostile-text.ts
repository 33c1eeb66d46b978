// What a hostile host sends (issue 15), for the hardening tests: the escapes and the bidi trick it
// writes, the check that no output carries a raw control or bidi character, and FIFOs to read.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';

/** The escapes of the issue: set the terminal's title, clear the screen; a bidi override; a formula. */
export const TITLE_AND_CLEAR = '\x1b]0;pwned\x07\x1b[2J';
export const BIDI = '\u202egnp.\u2066x\u2069';

/** Raw C0 (but those allowed), DEL, C1, bidi controls and separators left after removing `allowed`. */
export function rawUnsafe(text: string, allowed: RegExp): string[] {
  const found = new Set<string>();
  for (const ch of text.replace(allowed, '')) {
    const c = ch.codePointAt(0)!;
    if (
      c < 0x20 ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069) ||
      c === 0x200e ||
      c === 0x200f ||
      c === 0x061c ||
      c === 0x2028 ||
      c === 0x2029
    ) {
      found.add(`U+${c.toString(16).padStart(4, '0')}`);
    }
  }
  return [...found];
}

export function mkfifo(path: string): void {
  expect(spawnSync('mkfifo', [path]).status).to.equal(0);
}
