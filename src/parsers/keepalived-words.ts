// How keepalived cuts a line into words (lib/parser.c): comments, keyword-level words where only
// double quotes group, and the re-reading of script lines where both quotes group and escapes count.
// Strings are latin1 (one char per byte) so lengths match keepalived's byte buffers; `display()`
// turns them back into readable UTF-8 for messages and results.

/** keepalived's buffer size: a physical line of MAXBUF - 1 bytes or more is ignored. */
export const MAXBUF = 1024;

/** latin1 (byte) string -> readable text; invalid UTF-8 becomes U+FFFD. */
export function display(bytes: string): string {
  return HIGH_BYTE.test(bytes) ? Buffer.from(bytes, 'latin1').toString('utf8') : bytes;
}
/** A byte that is not ASCII: only text holding one needs decoding for display. */
export const HIGH_BYTE = /[\x80-\xff]/;

/** Input -> latin1 byte string. */
export function toBytes(text: string | Buffer): string {
  return (typeof text === 'string' ? Buffer.from(text, 'utf8') : text).toString('latin1');
}

// Character classes on char codes: these run on every character of every line (and on the many
// lines a `~SEQ` or a multi-line definition makes), so no regex and no one-char strings.
/** Space or tab: what keepalived strips around a line. */
export const isBlankCode = (c: number) => c === 0x20 || c === 0x09;
/** C isspace(): space, \t, \n, \v, \f, \r. */
export const isSpaceCode = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);
export const isAlphaCode = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
export const isDigitCode = (c: number) => c >= 0x30 && c <= 0x39;
export const isAlnumCode = (c: number) => isAlphaCode(c) || isDigitCode(c);

/** Strip leading spaces and tabs (only those, as keepalived does). */
export function trimBlanksStart(s: string): string {
  let start = 0;
  while (start < s.length && isBlankCode(s.charCodeAt(start))) start++;
  return start === 0 ? s : s.slice(start);
}

/** Strip trailing spaces and tabs (only those, as keepalived does), in time proportional to what is stripped. */
export function trimBlanksEnd(s: string): string {
  let end = s.length;
  while (end > 0 && isBlankCode(s.charCodeAt(end - 1))) end--;
  return end === s.length ? s : s.slice(0, end);
}

/**
 * keepalived's decomment(): strip leading blanks, cut at the first `!` or `#` outside double
 * quotes, turn `\!` and `\#` outside quotes into the plain characters, strip trailing blanks.
 * A final `\` is kept as the continuation mark of a multi-line definition.
 */
export function decomment(str: string, onUnterminatedQuote?: (s: string) => void): string {
  const n = str.length;
  let start = 0;
  while (start < n && isBlankCode(str.charCodeAt(start))) start++;
  // The text is copied only where a `\!` or `\#` loses its backslash: `out` holds what comes before `from`.
  let out = '';
  let from = start;
  let end = n;
  let quote = false;
  let cont = false;
  /** Where the comment starts, as an index into the result. */
  let cut = -1;
  for (let i = start; i < n; ) {
    const c = str.charCodeAt(i);
    if (c === 0x22 /* " */) {
      if (cut < 0) quote = !quote;
      i++;
    } else if (c === 0x5c /* \ */) {
      if (i + 1 < n) {
        const next = str.charCodeAt(i + 1);
        if (!quote && (next === 0x23 /* # */ || next === 0x21) /* ! */) {
          out += str.slice(from, i);
          from = i + 1;
        }
        i += 2;
      } else {
        end = i;
        cont = true;
        break;
      }
    } else {
      if (!quote && cut < 0 && (c === 0x21 || c === 0x23)) cut = out.length + (i - from);
      i++;
    }
  }
  let s = out + str.slice(from, end);
  if (quote) onUnterminatedQuote?.(s);
  if (cut >= 0) s = s.slice(0, cut);
  s = trimBlanksEnd(s);
  return cont ? `${s}\\` : s;
}

/** keepalived's alloc_strvec_r(): keyword-level words; only double quotes group, and are removed. */
export function splitWords(line: string, onUnmatchedQuote?: () => void): string[] {
  const words: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpaceCode(line.charCodeAt(i))) i++;
    if (i >= n) break;
    if (line.charCodeAt(i) === 0x22 /* " */) {
      const close = line.indexOf('"', i + 1);
      if (close < 0) {
        onUnmatchedQuote?.();
        break;
      }
      words.push(line.slice(i + 1, close));
      i = close + 1;
    } else {
      const start = i;
      for (let c = line.charCodeAt(i); i < n && !isSpaceCode(c) && c !== 0x22; c = line.charCodeAt(++i));
      words.push(line.slice(start, i));
    }
  }
  return words;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/**
 * keepalived's alloc_strvec_quoted_escaped(): how script keywords re-read their raw line. Both
 * quote styles group, quote styles concatenate inside a word, backslash escapes are decoded.
 * Returns null when a quote is not closed (keepalived then drops the line).
 */
export function splitQuotedEscaped(src: string): string[] | null {
  const words: string[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    while (i < n && isSpaceCode(src.charCodeAt(i))) i++;
    if (i >= n) break;
    let word = '';
    let quote = '';
    while (i < n) {
      const c = src[i];
      if (c === '\\') {
        i++;
        if (i >= n) return null;
        const e = src[i];
        if (e === 'x' && /[0-9A-Fa-f]/.test(src[i + 1] ?? '')) {
          let code = 0;
          i++;
          while (i < n && /[0-9A-Fa-f]/.test(src[i])) code = ((code << 4) | parseInt(src[i++], 16)) & 0xff;
          word += String.fromCharCode(code);
        } else if (e === 'c' && i + 1 < n) {
          word += String.fromCharCode(src.charCodeAt(i + 1) & 0x1f);
          i += 2;
        } else if (e >= '0' && e <= '7') {
          let code = src.charCodeAt(i++) - 48;
          for (let k = 0; k < 2 && i < n && src[i] >= '0' && src[i] <= '7'; k++)
            code = (code << 3) + src.charCodeAt(i++) - 48;
          word += String.fromCharCode(code & 0xff);
        } else {
          word += SIMPLE_ESCAPES[e] ?? e;
          i++;
        }
      } else if (quote) {
        if (c === quote) quote = '';
        else word += c;
        i++;
      } else if (c === '"' || c === "'") {
        quote = c;
        i++;
      } else if (isSpaceCode(src.charCodeAt(i))) {
        break;
      } else {
        word += c;
        i++;
      }
    }
    if (quote) return null;
    words.push(word);
  }
  return words;
}
