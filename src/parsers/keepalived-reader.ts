// keepalived's line reader (lib/parser.c read_line), rebuilt: physical lines -> logical lines.
// It strips comments, expands `$NAME` definitions, `@id` conditional lines, `~SEQ`/`~LST`
// repetitions and `include` files, and splits `{`/`}` onto lines of their own, as keepalived does.
// Strings are handled as latin1 (one char per byte) so lengths match keepalived's byte buffers;
// `display()` turns them back into readable UTF-8 for messages.

import { posix as path } from 'node:path';

/** keepalived's buffer size: a physical line of MAXBUF - 1 bytes or more is ignored. */
export const MAXBUF = 1024;
/** Our own bound (keepalived has none): a definition cycle `$A=$A` would loop for ever. */
const MAX_SUBSTITUTIONS_PER_LINE = 100;
/** Our own bound on `~SEQ`/`~LST` output, so a huge sequence cannot hang the grader. */
const MAX_GENERATED_LINES = 100_000;
const MAX_INCLUDE_DEPTH = 32;
/** Our own bounds on what includes may pull in: a file including itself twice would otherwise grow without end. */
const MAX_INCLUDED_FILES = 1000;
const MAX_INCLUDED_BYTES = 64 * 1024 * 1024;

export type Severity = 'error' | 'warning';

export interface KeepalivedDiagnostic {
  severity: Severity;
  /** Stable code for tests and checks, e.g. 'unknownKeyword', 'missingParameter'. */
  code: string;
  args: string[];
  /** English, in keepalived's own wording (without the `(Line N)` prefix). */
  message: string;
  file: string;
  line: number;
  /** That line as written. */
  text: string;
  /** keepalived exits on this one (a missing parameter). */
  fatal?: true;
  /**
   * syntax: reading the file (keywords, braces, quotes, includes); config: what a handler or the final checks say about
   * a value.
   */
  stage: 'syntax' | 'config';
}

/** Where a logical line came from: the physical line being read at the time, as written. */
export interface Origin {
  file: string;
  line: number;
  text: string;
}

export interface LogicalLine {
  /** latin1 text, decommented, definitions expanded, at most one `{`/`}` and only alone. */
  text: string;
  origin: Origin;
}

export interface IncludedFile {
  file: string;
  text: string | Buffer;
}

/** Resolve an include pattern (absolute, may hold globs and `{a,b}`) to files, in glob order. */
export type IncludeReader = (pattern: string, fromFile: string) => IncludedFile[];

export interface ReaderOptions {
  readInclude?: IncludeReader;
  /** keepalived's config-id (`-i`, default the host name up to the first dot), for `@id` lines. */
  configId?: string;
}

/** latin1 (byte) string -> readable text; invalid UTF-8 becomes U+FFFD. */
export function display(bytes: string): string {
  return /[\x80-\xff]/.test(bytes) ? Buffer.from(bytes, 'latin1').toString('utf8') : bytes;
}

/** Input -> latin1 byte string. */
export function toBytes(text: string | Buffer): string {
  return (typeof text === 'string' ? Buffer.from(text, 'utf8') : text).toString('latin1');
}

interface Definition {
  name: string;
  /** Lines of a multi-line definition are separated by '\n' (keepalived's DEF_LINE_END). */
  value: string;
  multiline: boolean;
  /** Standard definitions computed when used (_PWD, _RANDOM…). */
  compute?: (params: string | undefined) => string;
  maxParams: number;
}

interface Sequence {
  variable: string;
  text: string;
  /** ~SEQ */
  next: number;
  step: number;
  last: number;
  hex: boolean;
  /** ~LST: parameter names and the sets of values still to produce. */
  listParams?: string[];
  listValues?: string[][];
}

interface FileFrame {
  file: string;
  lines: string[];
  index: number;
  opened: boolean;
}

interface PendingMultiline {
  value: string;
  pos: number;
}

type Report = (severity: Severity, code: string, message: string, args: string[], fatal?: boolean) => void;

const isBlank = (c: string | undefined) => c === ' ' || c === '\t';
/** Strip trailing spaces and tabs (only those, as keepalived does), in time proportional to what is stripped. */
function trimBlanksEnd(s: string): string {
  let end = s.length;
  while (end > 0 && isBlank(s[end - 1])) end--;
  return end === s.length ? s : s.slice(0, end);
}
const isSpace = (c: string | undefined) => c !== undefined && ' \t\f\n\r\v'.includes(c);
const isAlpha = (c: string | undefined) => c !== undefined && /[A-Za-z]/.test(c);
const isAlnum = (c: string | undefined) => c !== undefined && /[A-Za-z0-9]/.test(c);

/**
 * keepalived's decomment(): strip leading blanks, cut at the first `!` or `#` outside double
 * quotes, turn `\!` and `\#` outside quotes into the plain characters, strip trailing blanks.
 * A final `\` is kept as the continuation mark of a multi-line definition.
 */
export function decomment(str: string, onUnterminatedQuote?: (s: string) => void): string {
  let s = str.replace(/^[ \t]+/, '');
  let quote = false;
  let cont = false;
  let cut = -1;
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '"') {
      if (cut < 0) quote = !quote;
      i++;
    } else if (c === '\\') {
      if (i + 1 < s.length) {
        if (!quote && (s[i + 1] === '#' || s[i + 1] === '!')) {
          s = s.slice(0, i) + s.slice(i + 1);
          i++;
        } else i += 2;
      } else {
        s = s.slice(0, i);
        cont = true;
        break;
      }
    } else {
      if (!quote && cut < 0 && (c === '!' || c === '#')) cut = i;
      i++;
    }
  }
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
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) break;
    if (line[i] === '"') {
      const close = line.indexOf('"', i + 1);
      if (close < 0) {
        onUnmatchedQuote?.();
        break;
      }
      words.push(line.slice(i + 1, close));
      i = close + 1;
    } else {
      const start = i;
      while (i < n && !isSpace(line[i]) && line[i] !== '"') i++;
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
    while (i < n && isSpace(src[i])) i++;
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
      } else if (isSpace(c)) {
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

/** keepalived's is_include(): `include`, or `includer|m|w|b|a`, followed by white space. */
function includeKeyword(buf: string): { kind: string; rest: string } | null {
  if (!buf.startsWith('include') || buf.length < 8) return null;
  if (isSpace(buf[7])) return { kind: 'include', rest: buf.slice(8) };
  if ('rmwba'.includes(buf[7]) && isSpace(buf[8])) return { kind: `include${buf[7]}`, rest: buf.slice(9) };
  return null;
}

export class LineReader {
  /** `{` lines minus `}` lines, as keepalived counts them to find unbalanced blocks. */
  blockDepth = 0;
  /** Every file read, main file first, in the order they were opened. */
  readonly files: string[] = [];
  /** Logical lines returned so far: the reading order of statements and diagnostics. */
  count = 0;
  /** Every include pattern asked for, resolved to an absolute path (for loaders that fetch them). */
  readonly includeRequests: string[] = [];

  private readonly stack: FileFrame[] = [];
  private residue: string | null = null;
  /**
   * Whether the residue can hold a `$`: not if the line it came from had none (saves rescanning long lines of braces).
   */
  private residueHasDollar = false;
  private readonly defs = new Map<string, Definition>();
  private readonly seqs: Sequence[] = [];
  private generated = 0;
  private includedFiles = 0;
  private includedBytes = 0;
  private multilineSeqDepth = 0;
  private pending: PendingMultiline | null = null;
  private readonly pendingStack: { pending: PendingMultiline; seqDepth: number }[] = [];
  private definingMultiline: Definition | null = null;
  private current: Origin;

  constructor(
    text: string | Buffer,
    file: string,
    private readonly options: ReaderOptions,
    private readonly report: Report,
  ) {
    this.current = { file, line: 0, text: '' };
    this.pushFile(file, text);
    this.addStandardDefinitions();
  }

  /** The physical line being read now (what keepalived's `(Line N)` points at). */
  get origin(): Origin {
    return this.current;
  }

  /** The next logical line, or null at the end of all files. */
  next(): LogicalLine | null {
    let buf: string;
    let mayHaveDollar: boolean;
    for (;;) {
      mayHaveDollar = true;
      if (this.residue !== null) {
        buf = this.residue;
        mayHaveDollar = this.residueHasDollar;
        this.residue = null;
      } else if (this.seqs.length > 0 && this.seqs.length > this.multilineSeqDepth) {
        buf = this.nextGeneratedLine();
      } else if (this.pending) {
        buf = this.nextPendingLine();
      } else {
        const line = this.nextPhysicalLine();
        if (line === null) return null;
        buf = line;
      }

      if (this.definingMultiline) {
        this.continueDefinition(buf);
        continue;
      }
      if (buf.length === 0) continue;

      buf = this.expand(buf, mayHaveDollar);
      if (buf === '' || this.handleInclude(buf)) continue;
      break;
    }
    this.count++;
    return { text: this.splitBraces(buf, mayHaveDollar && buf.includes('$')), origin: this.current };
  }

  // --- physical lines ---------------------------------------------------------------------

  private pushFile(file: string, text: string | Buffer): void {
    const bytes = toBytes(text);
    const lines = bytes.split('\n');
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    this.stack.push({ file, lines, index: 0, opened: false });
  }

  /** Next non-empty decommented physical line; pops finished include files. */
  private nextPhysicalLine(): string | null {
    for (;;) {
      const frame = this.stack[this.stack.length - 1];
      if (!frame) return null;
      if (!frame.opened) {
        frame.opened = true;
        this.files.push(frame.file);
      }
      if (frame.index >= frame.lines.length) {
        this.stack.pop();
        continue;
      }
      const raw = frame.lines[frame.index++];
      // Our line numbers are physical lines; keepalived's differ by one on a last line without LF.
      this.current = { file: frame.file, line: frame.index, text: display(raw.replace(/\r+$/, '')) };
      let line = raw;
      // keepalived 2.4 ignores a too-long line's first MAXBUF - 1 bytes and reads the rest as a new
      // line (2.2 splits it silently); we ignore the whole physical line, as GRAMMAR.md §B1 states.
      if (line.length >= MAXBUF - 1) {
        this.report('error', 'lineTooLong', 'line too long - ignoring', []);
        line = '';
      } else if (line.includes('\0')) {
        this.report('error', 'embeddedNul', 'configuration appears to have embedded NULs - ignoring line', []);
        line = '';
      }
      line = line.replace(/[\r\n]+$/, '');
      if (line.length === 0) {
        if (this.definingMultiline) this.endDefinition();
        continue;
      }
      line = decomment(line, (s) =>
        this.report('error', 'unterminatedQuote', `Unterminated quote '${display(s)}'`, [display(s)]),
      );
      if (line.length > 0) return line;
    }
  }

  // --- definitions: $NAME=value, ${NAME}, multi-line values ----------------------------------

  private addStandardDefinitions(): void {
    const std = (name: string, value: string, compute?: Definition['compute'], maxParams = 0) =>
      this.defs.set(name, { name, value, multiline: false, compute, maxParams });
    std('_PWD', '', () => path.dirname(this.current.file));
    std('_INSTANCE', '', () => '');
    // keepalived returns a random number; a grader must be deterministic, so take the minimum.
    std('_RANDOM', '', (params) => (params ?? '').trim().split(/\s+/)[0] || '0', 2);
    std('_HASH', '#');
    std('_BANG', '!');
  }

  /** keepalived's check_definition(): a line `$NAME=value` defines NAME (no blank before `=`). */
  private defineFrom(buf: string): boolean {
    if (!(isAlpha(buf[1]) || buf[1] === '_')) return false;
    let p = 2;
    while (p < buf.length && buf[p] !== '=') {
      if (!(isAlnum(buf[p]) || buf[p] === '_')) return false;
      p++;
    }
    if (buf[p] !== '=') return false;
    const name = buf.slice(1, p);
    let value = buf.slice(p + 1).replace(/^[ \t]+/, '');
    let multiline = false;
    if (value.endsWith('\\')) {
      value = trimBlanksEnd(value.slice(0, -1));
      multiline = true;
      if (value.length > 0) value += '\n';
    }
    const def: Definition = { name, value, multiline, maxParams: 0 };
    this.defs.set(name, def);
    if (multiline) this.definingMultiline = def;
    return true;
  }

  /** A line read while a definition ends in `\`: it is part of the value; a line without `\` is its last. */
  private continueDefinition(buf: string): void {
    const def = this.definingMultiline!;
    const more = buf.endsWith('\\');
    const line = more ? `${trimBlanksEnd(buf.slice(0, -1))}\n` : buf;
    if (!more) {
      // keepalived decides "not multi-line after all" before it adds the last line.
      if (def.value.length === 0) def.multiline = false;
      this.definingMultiline = null;
    }
    if (line.length >= 2 || (line.length > 0 && !more)) def.value += line;
  }

  /** An empty line ends the definition: an empty value is a plain one. */
  private endDefinition(): void {
    const def = this.definingMultiline!;
    if (def.value.length === 0) def.multiline = false;
    def.value = def.value.replace(/\n$/, '');
    this.definingMultiline = null;
  }

  /** keepalived's find_definition() for a use `$NAME` / `${NAME}` / `${NAME params}` at `at` ($ excluded). */
  private findUse(buf: string, at: number): { def: Definition; end: number; params?: string } | null {
    const braces = buf[at] === '{';
    const start = braces ? at + 1 : at;
    if (!(isAlpha(buf[start]) || buf[start] === '_')) return null;
    let p = start + 1;
    while (p < buf.length && (isAlnum(buf[p]) || buf[p] === '_')) p++;
    const name = buf.slice(start, p);
    let params: string | undefined;
    if (braces) {
      const paramStart = p;
      while (p < buf.length && (buf[p] === ' ' || /[0-9]/.test(buf[p]))) p++;
      const raw = buf.slice(paramStart, p);
      if (raw.trim()) {
        if (raw.endsWith(' ')) return null;
        params = raw.trim();
      }
      if (buf[p] !== '}') return null;
      p++;
    } else if (p < buf.length && !' \t,)'.includes(buf[p])) {
      return null;
    }
    const def = this.defs.get(name);
    if (!def) return null;
    const atEnd = p === buf.length;
    if (def.multiline && !atEnd) return null;
    if (params !== undefined && !def.maxParams) return null;
    return { def, end: p, params };
  }

  /** keepalived's replace_param(): substitute every known `$NAME`, recursively, in place. */
  private replaceParams(buf: string): { buf: string; found: boolean } {
    let found = false;
    let pos = buf.indexOf('$');
    let substitutions = 0;
    // Multi-line expansions in progress are saved only when the line is done (a runaway line changes nothing).
    let nextPending = this.pending;
    let seqDepth = this.multilineSeqDepth;
    const saved: { pending: PendingMultiline; seqDepth: number }[] = [];
    while (pos >= 0 && pos + 1 < buf.length) {
      const use = this.findUse(buf, pos + 1);
      if (!use) {
        pos = buf.indexOf('$', pos + 1);
        continue;
      }
      if (++substitutions > MAX_SUBSTITUTIONS_PER_LINE) {
        this.report(
          'error',
          'substitutionLoop',
          `Parameter substitution on line '${display(buf)}' does not terminate`,
          [display(buf)],
        );
        return { buf, found: false };
      }
      found = true;
      const { def } = use;
      const value = def.compute ? def.compute(use.params) : def.value;
      let replacement = value;
      if (def.multiline) {
        if (nextPending) saved.push({ pending: nextPending, seqDepth });
        seqDepth = this.seqs.length;
        const end = value.indexOf('\n');
        replacement = end < 0 ? value : value.slice(0, end);
        nextPending = end < 0 ? null : { value, pos: end + 1 };
      }
      const replaced = buf.slice(0, pos) + replacement + buf.slice(use.end);
      if (replaced.length >= MAXBUF) {
        this.report(
          'warning',
          'substitutionTooLong',
          `Parameter substitution on line '${display(buf)}' would exceed maximum line length`,
          [display(buf)],
        );
        return { buf, found: false };
      }
      buf = replaced;
      if (value.replace(/^[ \t]+/, '').startsWith('~')) break;
      pos = buf.indexOf('$', pos);
    }
    if (found) {
      this.pendingStack.push(...saved);
      this.pending = nextPending;
      this.multilineSeqDepth = seqDepth;
    }
    return { buf, found };
  }

  private nextPendingLine(): string {
    const pending = this.pending!;
    const end = pending.value.indexOf('\n', pending.pos);
    if (end >= 0) {
      const line = pending.value.slice(pending.pos, end);
      pending.pos = end + 1;
      return line;
    }
    const line = pending.value.slice(pending.pos);
    const previous = this.pendingStack.pop();
    this.pending = previous?.pending ?? null;
    this.multilineSeqDepth = previous ? previous.seqDepth : 0;
    return line;
  }

  // --- @id lines, definitions, ~SEQ/~LST, substitution ---------------------------------------

  /** The part of read_line() between reading a line and looking for `include`. '' = consumed. */
  private expand(input: string, mayHaveDollar: boolean): string {
    let buf = input;
    let recheck: boolean;
    do {
      recheck = false;
      if (buf[0] === '@') {
        const reverse = buf[1] === '^';
        const offset = reverse ? 2 : 1;
        const blank = buf.slice(offset).search(/[ \t]/);
        if (blank < 0) return '';
        const id = buf.slice(offset, offset + blank);
        const matches = this.options.configId !== undefined && id === this.options.configId;
        if (matches === reverse) return '';
        buf = buf.slice(offset + blank).replace(/^[ \t]+/, '');
      }
      if (buf[0] === '$' && this.defineFrom(buf)) return '';
      if (buf.startsWith('~SEQ') || buf.startsWith('~LST')) {
        const ok = buf[1] === 'S' ? this.addSequence(buf) : this.addList(buf);
        if (!ok)
          this.report('error', 'invalidSequence', `Invalid ${buf.slice(0, 4)} specification '${display(buf)}'`, [
            display(buf),
          ]);
        return '';
      }
      if (buf[0] === '~') break;
      if (mayHaveDollar && buf.includes('$')) {
        const replaced = this.replaceParams(buf);
        if (!replaced.found) {
          buf = replaced.buf;
          break;
        }
        buf = decomment(replaced.buf);
        if (buf[0] === '@' || buf.includes('$')) recheck = true;
      }
    } while (recheck);
    return buf;
  }

  /** `~SEQ(var, [start,] [step,] end) text` / `~SEQx(…)`: repeat text with var = each value. */
  private addSequence(buf: string): boolean {
    const m = /^~SEQ(x?)[ \t]*\([ \t]*([^ \t,)]+)[ \t]*,([^)]*)\)[ \t]*(.*)$/.exec(buf);
    if (!m) return false;
    const [, hexFlag, variable, rawParams, text] = m;
    const params = this.replaceParams(rawParams)
      .buf.split(',')
      .map((s) => s.trim());
    const nums = params.map((s) => Number.parseInt(s, /^-?0x/i.test(s) ? 16 : 10) || 0);
    let start: number, step: number, end: number;
    if (nums.length === 1) {
      end = nums[0];
      step = end < 1 ? -1 : 1;
      start = end < 0 ? -1 : 1;
    } else if (nums.length === 2) {
      [start, end] = nums;
      step = start <= end ? 1 : -1;
    } else if (nums.length === 3) {
      [start, step, end] = nums;
      if (!step || (start < end && step < 0) || (start > end && step > 0)) return false;
    } else return false;
    if (hexFlag && (start < 0 || end < 0)) return false;
    this.seqs.push({ variable, text, next: start, step, last: end, hex: !!hexFlag });
    return true;
  }

  /** `~LST(var, v1, v2…) text` or `~LST({a,b}, {1,2}, {3,4}) text`. */
  private addList(buf: string): boolean {
    const m = /^~LST[ \t]*\(([^)]*)\)[ \t]*(.*)$/.exec(buf);
    if (!m) return false;
    const groups: string[][] = [];
    for (const g of m[1].matchAll(/\{([^}]*)\}|([^,{}]+)/g)) {
      if (g[1] === undefined && !g[2].trim()) continue;
      groups.push((g[1] ?? g[2]).split(',').map((s) => s.trim()));
    }
    if (groups.length < 2) return false;
    const [names, ...sets] = groups;
    if (sets.some((v) => v.length > names.length)) return false;
    this.seqs.push({
      variable: names[0],
      text: m[2],
      next: 0,
      step: 0,
      last: 0,
      hex: false,
      listParams: names,
      listValues: sets,
    });
    return true;
  }

  private nextGeneratedLine(): string {
    const seq = this.seqs[this.seqs.length - 1];
    if (++this.generated > MAX_GENERATED_LINES) {
      this.report(
        'error',
        'sequenceTooLong',
        `~SEQ/~LST produce more than ${MAX_GENERATED_LINES} lines - stopping`,
        [],
      );
      this.seqs.length = 0;
      return '';
    }
    if (seq.listParams && seq.listValues) {
      const set = seq.listValues.shift() ?? [];
      for (const [i, name] of seq.listParams.entries()) this.setDefinition(name, set[i] ?? '');
      if (seq.listValues.length === 0) this.seqs.pop();
      return seq.text;
    }
    this.setDefinition(seq.variable, seq.hex ? seq.next.toString(16) : String(seq.next));
    seq.next += seq.step;
    if ((seq.step > 0 && seq.next > seq.last) || (seq.step < 0 && seq.next < seq.last)) this.seqs.pop();
    return seq.text;
  }

  private setDefinition(name: string, value: string): void {
    this.defs.set(name, { name, value, multiline: false, maxParams: 0 });
  }

  // --- include ------------------------------------------------------------------------------

  private handleInclude(buf: string): boolean {
    const inc = includeKeyword(buf);
    if (!inc) return false;
    const pattern = inc.rest.replace(/^[ \t]+/, '');
    const shown = display(pattern);
    const absolute = shown.startsWith('/') ? shown : path.join(path.dirname(this.current.file), shown);
    this.includeRequests.push(absolute);
    if (this.stack.length >= MAX_INCLUDE_DEPTH) {
      this.report('error', 'includeDepth', `include nesting deeper than ${MAX_INCLUDE_DEPTH} - ignoring '${shown}'`, [
        shown,
      ]);
      return true;
    }
    const found = this.options.readInclude?.(absolute, this.current.file) ?? [];
    this.includedFiles += found.length;
    this.includedBytes += found.reduce((n, f) => n + f.text.length, 0);
    if (this.includedFiles > MAX_INCLUDED_FILES || this.includedBytes > MAX_INCLUDED_BYTES) {
      this.report(
        'error',
        'includeLimit',
        `more than ${MAX_INCLUDED_FILES} files or ${MAX_INCLUDED_BYTES} bytes included - ignoring '${shown}'`,
        [shown],
      );
      return true;
    }
    if (found.length === 0) {
      // Plain `include` only logs a missing file; includer and friends make it a config error.
      const severity: Severity = inc.kind === 'include' ? 'warning' : 'error';
      const wildcard = /[*?[]/.test(shown);
      const message = wildcard ? `No config files matched '${shown}'.` : `Config files missing '${shown}'.`;
      this.report(severity, 'includeMissing', message, [shown]);
      return true;
    }
    // The stack top is read first: push the matches last to first.
    for (const f of [...found].reverse()) this.pushFile(f.file, f.text);
    return true;
  }

  // --- braces -------------------------------------------------------------------------------

  /** Split the line at its first `{` or `}` outside double quotes; the rest is read next. */
  private splitBraces(input: string, hasDollar: boolean): string {
    let buf = input;
    let p = 0;
    if (buf[0] !== '{' && buf[0] !== '}') {
      p = -1;
      let i = 0;
      for (;;) {
        const m = buf.slice(i).search(/[{}"]/);
        if (m < 0) break;
        const at = i + m;
        if (buf[at] !== '"') {
          p = at;
          break;
        }
        const close = buf.indexOf('"', at + 1);
        if (close < 0) break;
        i = close + 1;
      }
    }
    if (p >= 0) {
      let skip = 0;
      if (p === 0) {
        skip = 1;
        while (isBlank(buf[p + skip])) skip++;
      }
      if (p + skip < buf.length) {
        this.residue = trimBlanksEnd(buf.slice(p + skip));
        this.residueHasDollar = hasDollar;
        buf = buf.slice(0, p + skip);
      }
    }
    buf = trimBlanksEnd(buf);
    if (buf === '{') this.blockDepth++;
    else if (buf === '}') {
      if (this.blockDepth-- < 1) {
        this.report('error', 'extraClose', "Extra '}' found", []);
        this.blockDepth = 0;
      }
    }
    return buf;
  }
}
