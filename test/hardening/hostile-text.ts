// What a hostile host sends (issue 15), for the hardening tests: the escapes and the bidi trick it
// writes, and FIFOs to read (test/support/raw-unsafe.ts tells raw control or bidi characters).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';

/** The escapes of the issue: set the terminal's title, clear the screen; a bidi override; a formula. */
export const TITLE_AND_CLEAR = '\x1b]0;pwned\x07\x1b[2J';
export const BIDI = '\u202egnp.\u2066x\u2069';

export function mkfifo(path: string): void {
  expect(spawnSync('mkfifo', [path]).status).to.equal(0);
}
