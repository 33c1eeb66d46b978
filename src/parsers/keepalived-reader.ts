// keepalived's line reader (lib/parser.c read_line), rebuilt: physical lines -> logical lines.
// It reads the main file and its `include`s, strips comments, lets LineExpander apply `@id`,
// definitions and `~SEQ`/`~LST`, and splits `{`/`}` onto lines of their own, as keepalived does.
// Strings are handled as latin1 (one char per byte) so lengths match keepalived's byte buffers.

import { posix as path } from 'node:path';
import type { Severity } from './keepalived-diagnostics.js';
import { LineExpander } from './keepalived-expand.js';
import { MAXBUF, decomment, display, isBlank, isSpace, toBytes, trimBlanksEnd } from './keepalived-words.js';
import type { SourceRef } from './source-ref.js';

const MAX_INCLUDE_DEPTH = 32;
/** Our own bounds on what includes may pull in: a file including itself twice would otherwise grow without end. */
const MAX_INCLUDED_FILES = 1000;
const MAX_INCLUDED_BYTES = 64 * 1024 * 1024;

export interface LogicalLine {
  /** latin1 text, decommented, definitions expanded, at most one `{`/`}` and only alone. */
  text: string;
  /** The physical line being read when this logical line was made. */
  origin: SourceRef;
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

type Report = (severity: Severity, code: string, message: string, args: string[], fatal?: boolean) => void;

/** keepalived's is_include(): `include`, or `includer|m|w|b|a`, followed by white space. */
function includeKeyword(buf: string): { kind: string; rest: string } | null {
  if (!buf.startsWith('include') || buf.length < 8) return null;
  if (isSpace(buf[7])) return { kind: 'include', rest: buf.slice(8) };
  if ('rmwba'.includes(buf[7]) && isSpace(buf[8])) return { kind: 'include' + buf[7], rest: buf.slice(9) };
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
  /** Whether the residue can hold a `$`: not if the line it came from had none (saves rescanning long lines of braces). */
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
        if (this.expander.defining) this.expander.endDefinition();
        continue;
      }
      line = decomment(line, (s) => this.report('error', 'unterminatedQuote', `Unterminated quote '${display(s)}'`, [display(s)]));
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
      this.report('error', 'includeDepth', `include nesting deeper than ${MAX_INCLUDE_DEPTH} - ignoring '${shown}'`, [shown]);
      return true;
    }
    const found = this.options.readInclude?.(absolute, this.current.file) ?? [];
    this.includedFiles += found.length;
    this.includedBytes += found.reduce((n, f) => n + f.text.length, 0);
    if (this.includedFiles > MAX_INCLUDED_FILES || this.includedBytes > MAX_INCLUDED_BYTES) {
      this.report('error', 'includeLimit', `more than ${MAX_INCLUDED_FILES} files or ${MAX_INCLUDED_BYTES} bytes included - ignoring '${shown}'`, [shown]);
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
