// keepalived's line reader (lib/parser.c read_line), rebuilt: physical lines -> logical lines.
// It reads the main file and its `include`s, strips comments, lets LineExpander apply `@id`,
// definitions and `~SEQ`/`~LST`, and splits `{`/`}` onto lines of their own, as keepalived does.
// Strings are handled as latin1 (one char per byte) so lengths match keepalived's byte buffers.

import { posix as path } from 'node:path';
import type { Severity } from './keepalived-diagnostics.js';
import { LineExpander } from './keepalived-expand.js';
import { MAXBUF, decomment, display, isBlankCode, isSpaceCode, toBytes, trimBlanksEnd } from './keepalived-words.js';
import type { SourceRef } from './source-ref.js';

const MAX_INCLUDE_DEPTH = 32;
/** Our own bounds on what includes may pull in: a file including itself twice would otherwise grow without end. */
const MAX_INCLUDED_FILES = 1000;
const MAX_INCLUDED_BYTES = 64 * 1024 * 1024;

/**
 * Every logical line of a configuration, in reading order: line i is texts[i], made while the
 * physical line origins[i] was read (lines from one physical line share its SourceRef). Two
 * arrays, not an object per line: a `~SEQ` can make 100 000 lines.
 */
export interface LogicalLines {
  /** latin1 text, decommented, definitions expanded, at most one `{`/`}` and only alone. */
  texts: string[];
  origins: SourceRef[];
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

interface FileFrame {
  file: string;
  lines: string[];
  index: number;
  opened: boolean;
}

/** The line without the `\r`s that end it (CRLF files). */
function withoutTrailingCr(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x0d) end--;
  return end === s.length ? s : s.slice(0, end);
}

type Report = (severity: Severity, code: string, message: string, args: string[], fatal?: boolean) => void;

/** keepalived's is_include(): `include`, or `includer|m|w|b|a`, followed by white space. */
function includeKeyword(buf: string): { kind: string; rest: string } | null {
  if (!buf.startsWith('include') || buf.length < 8) return null;
  if (isSpaceCode(buf.charCodeAt(7))) return { kind: 'include', rest: buf.slice(8) };
  if ('rmwba'.includes(buf[7]) && isSpaceCode(buf.charCodeAt(8)))
    return { kind: `include${buf[7]}`, rest: buf.slice(9) };
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
  private includedFiles = 0;
  private includedBytes = 0;
  private current: SourceRef;
  private readonly expander: LineExpander;

  constructor(
    text: string | Buffer,
    file: string,
    private readonly options: ReaderOptions,
    private readonly report: Report,
  ) {
    this.current = { file, line: 0, text: '' };
    this.expander = new LineExpander(options.configId, () => this.current.file, report);
    this.pushFile(file, text);
  }

  /** The physical line being read now (what keepalived's `(Line N)` points at). */
  get origin(): SourceRef {
    return this.current;
  }

  /** Every logical line up to the end of all files. */
  readAll(): LogicalLines {
    const lines: LogicalLines = { texts: [], origins: [] };
    for (let text = this.next(); text !== null; text = this.next()) {
      lines.texts.push(text);
      lines.origins.push(this.current);
    }
    return lines;
  }

  /** The next logical line (its origin is then `origin`), or null at the end of all files. */
  next(): string | null {
    let buf: string;
    let mayHaveDollar: boolean;
    for (;;) {
      mayHaveDollar = true;
      if (this.residue !== null) {
        buf = this.residue;
        mayHaveDollar = this.residueHasDollar;
        this.residue = null;
      } else if (this.expander.hasGeneratedLine()) {
        buf = this.expander.nextGeneratedLine();
      } else if (this.expander.hasPendingLine()) {
        buf = this.expander.nextPendingLine();
      } else {
        const line = this.nextPhysicalLine();
        if (line === null) return null;
        buf = line;
      }

      if (this.expander.defining) {
        this.expander.continueDefinition(buf);
        continue;
      }
      if (buf.length === 0) continue;

      buf = this.expander.expand(buf, mayHaveDollar);
      if (buf === '' || this.handleInclude(buf)) continue;
      break;
    }
    this.count++;
    return this.splitBraces(buf, mayHaveDollar && buf.includes('$'));
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
      let line = withoutTrailingCr(raw);
      // Our line numbers are physical lines; keepalived's differ by one on a last line without LF.
      this.current = { file: frame.file, line: frame.index, text: display(line) };
      // keepalived 2.4 ignores a too-long line's first MAXBUF - 1 bytes and reads the rest as a new
      // line (2.2 splits it silently); we ignore the whole physical line, as GRAMMAR.md §B1 states.
      if (raw.length >= MAXBUF - 1) {
        this.report('error', 'lineTooLong', 'line too long - ignoring', []);
        line = '';
      } else if (raw.includes('\0')) {
        this.report('error', 'embeddedNul', 'configuration appears to have embedded NULs - ignoring line', []);
        line = '';
      }
      if (line.length === 0) {
        if (this.expander.defining) this.expander.endDefinition();
        continue;
      }
      line = decomment(line, (s) =>
        this.report('error', 'unterminatedQuote', `Unterminated quote '${display(s)}'`, [display(s)]),
      );
      if (line.length > 0) return line;
    }
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
    const c0 = buf.charCodeAt(0);
    if (c0 !== 0x7b /* { */ && c0 !== 0x7d /* } */) {
      p = -1;
      for (let i = 0; i < buf.length; i++) {
        const c = buf.charCodeAt(i);
        if (c === 0x7b || c === 0x7d) {
          p = i;
          break;
        }
        if (c === 0x22 /* " */) {
          const close = buf.indexOf('"', i + 1);
          if (close < 0) break;
          i = close;
        }
      }
    }
    if (p >= 0) {
      let skip = 0;
      if (p === 0) {
        skip = 1;
        while (isBlankCode(buf.charCodeAt(p + skip))) skip++;
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
