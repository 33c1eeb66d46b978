// What keepalived's read_line() does to a line between reading it and looking for `include`:
// `@id` conditional lines, `$NAME=value` definitions (multi-line ones too) and their substitution,
// and `~SEQ`/`~LST` repetitions. A multi-line definition or a sequence yields lines of its own,
// which the reader asks for before reading the file on (hasGeneratedLine, hasPendingLine).

import { posix as path } from 'node:path';
import {
  MAXBUF,
  decomment,
  display,
  isAlnumCode,
  isAlphaCode,
  isBlankCode,
  isDigitCode,
  trimBlanksEnd,
  trimBlanksStart,
} from './keepalived-words.js';
import type { Severity } from './keepalived-diagnostics.js';

/** Our own bound (keepalived has none): a definition cycle `$A=$A` would loop for ever. */
const MAX_SUBSTITUTIONS_PER_LINE = 100;
/** Our own bound on `~SEQ`/`~LST` output, so a huge sequence cannot hang the grader. */
const MAX_GENERATED_LINES = 100_000;

/** The text up to its first space (parameters hold only digits and spaces). */
const firstWord = (s: string) => {
  const space = s.indexOf(' ');
  return space < 0 ? s : s.slice(0, space);
};
const isNameStart = (c: number) => isAlphaCode(c) || c === 0x5f; /* _ */
const isNameChar = (c: number) => isAlnumCode(c) || c === 0x5f;

type Report = (severity: Severity, code: string, message: string, args: string[], fatal?: boolean) => void;

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

interface PendingMultiline {
  value: string;
  pos: number;
}

export class LineExpander {
  private readonly defs = new Map<string, Definition>();
  private readonly seqs: Sequence[] = [];
  private generated = 0;
  private multilineSeqDepth = 0;
  private pending: PendingMultiline | null = null;
  private readonly pendingStack: { pending: PendingMultiline; seqDepth: number }[] = [];
  private definingMultiline: Definition | null = null;

  constructor(
    /** keepalived's config-id, for `@id` lines. */
    private readonly configId: string | undefined,
    /** The file being read now (for `${_PWD}`). */
    private readonly currentFile: () => string,
    private readonly report: Report,
  ) {
    this.addStandardDefinitions();
  }

  /** A `~SEQ`/`~LST` has a line to give (and no multi-line definition started inside it is still giving lines). */
  hasGeneratedLine(): boolean {
    return this.seqs.length > 0 && this.seqs.length > this.multilineSeqDepth;
  }

  /** A multi-line definition used on a line has lines left to give. */
  hasPendingLine(): boolean {
    return this.pending !== null;
  }

  /** A definition ending in `\` is being read: the next lines are part of its value. */
  get defining(): boolean {
    return this.definingMultiline !== null;
  }

  // --- definitions: $NAME=value, ${NAME}, multi-line values ----------------------------------

  private addStandardDefinitions(): void {
    const std = (name: string, value: string, compute?: Definition['compute'], maxParams = 0) =>
      this.defs.set(name, { name, value, multiline: false, compute, maxParams });
    std('_PWD', '', () => path.dirname(this.currentFile()));
    std('_INSTANCE', '', () => '');
    // keepalived returns a random number; a grader must be deterministic, so take the minimum.
    std('_RANDOM', '', (params) => firstWord((params ?? '').trim()) || '0', 2);
    std('_HASH', '#');
    std('_BANG', '!');
  }

  /** keepalived's check_definition(): a line `$NAME=value` defines NAME (no blank before `=`). */
  private defineFrom(buf: string): boolean {
    if (!isNameStart(buf.charCodeAt(1))) return false;
    let p = 2;
    while (p < buf.length && buf.charCodeAt(p) !== 0x3d /* = */) {
      if (!isNameChar(buf.charCodeAt(p))) return false;
      p++;
    }
    if (p >= buf.length) return false;
    const name = buf.slice(1, p);
    let value = trimBlanksStart(buf.slice(p + 1));
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
  continueDefinition(buf: string): void {
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
  endDefinition(): void {
    const def = this.definingMultiline!;
    if (def.value.length === 0) def.multiline = false;
    def.value = def.value.replace(/\n$/, '');
    this.definingMultiline = null;
  }

  /** keepalived's find_definition() for a use `$NAME` / `${NAME}` / `${NAME params}` at `at` ($ excluded). */
  private findUse(buf: string, at: number): { def: Definition; end: number; params?: string } | null {
    const braces = buf.charCodeAt(at) === 0x7b /* { */;
    const start = braces ? at + 1 : at;
    if (!isNameStart(buf.charCodeAt(start))) return null;
    let p = start + 1;
    while (p < buf.length && isNameChar(buf.charCodeAt(p))) p++;
    const name = buf.slice(start, p);
    let params: string | undefined;
    if (braces) {
      const paramStart = p;
      for (let c = buf.charCodeAt(p); p < buf.length && (c === 0x20 || isDigitCode(c)); c = buf.charCodeAt(++p));
      if (p > paramStart) {
        const raw = buf.slice(paramStart, p);
        if (raw.trim()) {
          if (raw.endsWith(' ')) return null;
          params = raw.trim();
        }
      }
      if (buf.charCodeAt(p) !== 0x7d /* } */) return null;
      p++;
    } else if (p < buf.length) {
      const c = buf.charCodeAt(p);
      if (!(isBlankCode(c) || c === 0x2c /* , */ || c === 0x29) /* ) */) return null;
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
      if (trimBlanksStart(value).startsWith('~')) break;
      pos = buf.indexOf('$', pos);
    }
    if (found) {
      this.pendingStack.push(...saved);
      this.pending = nextPending;
      this.multilineSeqDepth = seqDepth;
    }
    return { buf, found };
  }

  /** The next line of the multi-line definition being used (then the one it interrupted, if any). */
  nextPendingLine(): string {
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
  expand(input: string, mayHaveDollar: boolean): string {
    let buf = input;
    let recheck: boolean;
    do {
      recheck = false;
      if (buf[0] === '@') {
        const reverse = buf[1] === '^';
        const offset = reverse ? 2 : 1;
        let blank = offset;
        while (blank < buf.length && !isBlankCode(buf.charCodeAt(blank))) blank++;
        if (blank === buf.length) return '';
        const id = buf.slice(offset, blank);
        const matches = this.configId !== undefined && id === this.configId;
        if (matches === reverse) return '';
        buf = trimBlanksStart(buf.slice(blank));
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

  /** The next line of the innermost `~SEQ`/`~LST`, its variables set for it. */
  nextGeneratedLine(): string {
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
}
