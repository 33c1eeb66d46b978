// Text from a host is the student's: it must reach a terminal, a CI log, an XML, HTML or CSV file
// only as visible characters. This is the one place that decides what is shown how; every writer
// of output (reporters, progress, batch logs, class files) passes host text through it.
//
// Shown visibly, never emitted raw: C0 controls (but newline and tab in multi-line text), DEL, C1
// controls (U+0080–U+009F: U+009B is a one-byte CSI to some terminals), the Unicode bidirectional
// controls (U+202A–U+202E, U+2066–U+2069, and the marks U+200E, U+200F, U+061C) and the line and
// paragraph separators U+2028, U+2029. A backslash is left as it is, so making text safe twice
// changes nothing (the escapes are printable ASCII); `\x1b` in the output can therefore be either
// an ESC the host sent or those four characters as written.
import type { RunResult } from '../model/check.js';

const UNSAFE_MULTILINE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** Matches a character that safeLine would escape (newline and tab included): for tests and checks. */
export const UNSAFE_CHAR = new RegExp(UNSAFE_LINE.source);

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** How one unsafe character is shown: `\n`, `\r`, `\t`, `\x1b`, `\x9b`, `\u202e`. */
export function visibleChar(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Text that may span lines (messages, evidence output): newlines and tabs stay, the rest is shown visibly. */
export function safeText(text: string): string {
  return text.replace(UNSAFE_MULTILINE, visibleChar);
}

/** Text that must stay on one line (a progress line, a log line, a name): newlines and tabs are shown too. */
export function safeLine(text: string): string {
  return text.replace(UNSAFE_LINE, visibleChar);
}

/** Every string in a JSON-like value through `safe`; numbers, booleans and structure unchanged. */
export function safeDeep<T>(value: T, safe: (s: string) => string = safeText): T {
  if (typeof value === 'string') return safe(value) as T;
  if (Array.isArray(value)) return value.map((v) => safeDeep(v, safe)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, safeDeep(v, safe)])) as T;
  }
  return value;
}

/** The result as a reporter may print it: every string (host names, messages, excerpts, evidence) made safe. */
export function safeResult(result: RunResult): RunResult {
  return safeDeep(result);
}

/**
 * JSON whose every character outside ASCII controls is printable too: JSON.stringify escapes C0
 * itself, this escapes DEL, C1, the bidi controls and U+2028/U+2029 as `\uXXXX`. Same data once
 * parsed; safe to `cat`. Such characters can only stand inside JSON strings, so this is exact.
 */
export function safeJsonText(json: string): string {
  return json.replace(UNSAFE_MULTILINE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A CSV cell a spreadsheet will not run (OWASP, CSV injection): a cell that begins with `=`, `+`,
 * `-`, `@`, tab or CR gets a leading apostrophe, then control and bidi characters are shown
 * visibly. Only text is neutralized; numbers are written as numbers.
 */
export function safeCsvCell(text: string): string {
  const neutral = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return safeText(neutral);
}
