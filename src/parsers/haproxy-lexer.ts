// Splits one haproxy.cfg line into words the way HAProxy's parse_line() does (src/tools.c), without
// expanding environment variables: `"${VAR}"` stays as written, so checks see what the student wrote.

/** HAProxy's MAX_LINE_ARGS: a 65th word is a fatal "too many words". */
export const MAX_WORDS = 64;

export interface LexedWord {
  text: string;
  /** The word had quotes somewhere (so an empty text is a real empty argument, not a trailing blank). */
  quoted: boolean;
}

export type LexErrorCode = 'unmatchedQuote' | 'badHexEscape' | 'badVarName' | 'unmatchedBrace' | 'badWordExpand';

export interface LexResult {
  words: LexedWord[];
  /** Fatal tokenizer error: HAProxy drops the whole line. `column` is 1-based. */
  error?: { code: LexErrorCode; column: number };
  tooManyWords: boolean;
  /** The line contained a `${...}` reference (kept literally). */
  usesVariables: boolean;
}

const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const isAlpha = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isAlnum = (c: number) => isAlpha(c) || (c >= 0x30 && c <= 0x39);

/** Tokenize `line` (no LF). Stops at CR, NUL and an unquoted `#`, as HAProxy does. Linear time, never throws. */
export function lexLine(line: string): LexResult {
  const words: LexedWord[] = [];
  let current = '';
  let quoted = false;
  let inWord = false;
  let squote = false;
  let dquote = false;
  let quoteAt = -1;
  let usesVariables = false;
  let tooManyWords = false;
  let i = 0;
  const n = line.length;
  while (i < n && isSpace(line.charCodeAt(i)) && line[i] !== '\r') i++;

  const fail = (code: LexErrorCode, at: number): LexResult => ({
    words,
    error: { code, column: at + 1 },
    tooManyWords,
    usesVariables,
  });
  const endWord = () => {
    if (words.length < MAX_WORDS) words.push({ text: current, quoted });
    else tooManyWords = true;
    current = '';
    quoted = false;
    inWord = false;
  };

  while (i < n) {
    const ch = line[i];
    const c = line.charCodeAt(i);
    if (c === 0 || ch === '\n' || ch === '\r') break;
    if (ch === '#' && !squote && !dquote) break;
    if (ch === '"' && !squote) {
      dquote = !dquote;
      quoteAt = i;
      quoted = inWord = true;
      i++;
      continue;
    }
    if (ch === "'" && !dquote) {
      squote = !squote;
      quoteAt = i;
      quoted = inWord = true;
      i++;
      continue;
    }
    if (ch === '\\' && !squote) {
      const next = line[i + 1];
      inWord = true;
      switch (next) {
        case ' ':
        case '\\':
        case '#':
        case "'":
        case '"':
          current += next;
          i += 2;
          continue;
        case 't':
          current += '\t';
          i += 2;
          continue;
        case 'n':
          current += '\n';
          i += 2;
          continue;
        case 'r':
          current += '\r';
          i += 2;
          continue;
        case '$':
          // `\$` is an escape only inside double quotes; elsewhere the backslash stays.
          current += dquote ? '$' : '\\$';
          i += 2;
          continue;
        case 'x':
          if (!isHex(line.charCodeAt(i + 2)) || !isHex(line.charCodeAt(i + 3))) return fail('badHexEscape', i);
          current += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 4;
          continue;
        default:
          // Any other `\c` keeps its backslash (regexes rely on it); a trailing `\` is literal.
          current += '\\';
          i++;
          continue;
      }
    }
    if (isSpace(c) && !squote && !dquote) {
      while (i < n && isSpace(line.charCodeAt(i)) && line[i] !== '\r') i++;
      endWord();
      continue;
    }
    if (ch === '$' && dquote) {
      // A variable reference: validated like HAProxy does, but kept as written.
      const start = i;
      let j = i + 1;
      const brace = line[j] === '{';
      if (brace) j++;
      const first = line.charCodeAt(j);
      if (!isAlpha(first) && line[j] !== '_' && line[j] !== '.') return fail('badVarName', j);
      if (line[j] === '.') j++;
      while (j < n && (isAlnum(line.charCodeAt(j)) || line[j] === '_')) j++;
      if (brace) {
        if (line[j] === '[') {
          if (line[j + 1] !== '*' || line[j + 2] !== ']') return fail('badWordExpand', j);
          j += 3;
        }
        if (line[j] === '-') {
          while (j < n && line[j] !== '}' && line[j] !== '\n' && line[j] !== '\r') j++;
        }
        if (line[j] !== '}') return fail('unmatchedBrace', start + 1);
        j++;
      }
      usesVariables = true;
      current += line.slice(start, j);
      inWord = true;
      i = j;
      continue;
    }
    current += ch;
    inWord = true;
    i++;
  }
  if (squote || dquote) return fail('unmatchedQuote', quoteAt);
  if (inWord) endWord();
  return { words, tooManyWords, usesVariables };
}
