// The characters no output of hagrade may carry raw, written out here rather than taken from the
// module under test (src/report/safe-text.ts), so the tests judge its output independently.

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
