// keepalived's process_stream(), rebuilt: the logical lines become a tree of statements, walked
// block by block once per keepalived process (each reads its own top-level blocks and skips the
// others' by counting braces), unknown keywords reported with their line as `keepalived -t`
// prints them, value blocks (virtual_ipaddress, track_script…) read as raw entries.
// The braces are matched once (BraceIndex) for the four walks: a walk skips another process's
// block in one step, to the `}` that matches its `{`, which is what counting the braces word by
// word finds. So a `~SEQ` that makes 100 000 lines is read by one walk, not four.

import type { AddDiagnostic, Severity } from './keepalived-diagnostics.js';
import { KEEPALIVED_KEYWORDS, KEEPALIVED_PROCESSES, ROOT_READERS, type KeywordTable } from './keepalived-keywords.js';
import { BraceIndex } from './keepalived-braces.js';
import type { LogicalLines } from './keepalived-reader.js';
import { HIGH_BYTE, display, splitQuotedEscaped, splitWords } from './keepalived-words.js';
import type { SourceRef } from './source-ref.js';

export interface KeepalivedStatement extends SourceRef {
  keyword: string;
  /** The words after the keyword, split as keepalived does at keyword level (only "" group). */
  args: string[];
  /**
   * Script keywords (script, notify*…): the words after the keyword as their handler re-reads the line (' and " quote,
   * escapes).
   */
  quotedArgs?: string[];
  /** false: keepalived does not know this keyword here and ignores it ("Unknown keyword"). */
  known: boolean;
  /** The block of a block keyword (vrrp_instance, authentication…). */
  children?: KeepalivedStatement[];
  /** The raw entries of a value block (virtual_ipaddress, track_script…), one per line. */
  entries?: KeepalivedEntry[];
  /** keepalived skipped this block (e.g. a vrrp_instance without a name). */
  skipped?: true;
  /** Reading order across all files. */
  order: number;
}

export interface KeepalivedEntry extends SourceRef {
  words: string[];
  order: number;
}

/**
 * The statements keepalived's processes read: every process walks the same lines with its own view
 * of which top-level blocks are its, and the views are merged into one tree.
 */
export function readStatements(lines: LogicalLines, end: SourceRef, add: AddDiagnostic): KeepalivedStatement[] {
  const index = new BraceIndex(lines);
  const views = KEEPALIVED_PROCESSES.map((process) => {
    const statements: KeepalivedStatement[] = [];
    const readsBlock = (keyword: string) => (ROOT_READERS[keyword] ?? []).includes(process);
    new TreeBuilder(index, end, add, readsBlock).block(ROOT_KEYWORDS, false, 0, statements);
    return statements;
  });
  return mergeViews(views);
}

/**
 * One tree from the processes' trees: each top-level statement comes from a process that reads it
 * (the VRRP child first, for blocks both children read); unknown ones once, from any process.
 */
function mergeViews(views: KeepalivedStatement[][]): KeepalivedStatement[] {
  const byOrder = new Map<number, KeepalivedStatement>();
  const [parent, vrrp, checker, bfd] = views;
  for (const view of [vrrp, checker, parent, bfd])
    for (const st of view) if (!byOrder.has(st.order)) byOrder.set(st.order, st);
  return [...byOrder.values()].sort((a, b) => a.order - b.order);
}

/** A keyword of a block: what keepalived does with its line. */
interface Keyword {
  /** The block it opens, if any. */
  readonly sub?: Keywords;
  readonly valueBlock: boolean;
  readonly raw: boolean;
  readonly arg: boolean;
}
/** KEEPALIVED_KEYWORDS as Maps: a lookup per line, one shape, nothing inherited to rule out. */
type Keywords = ReadonlyMap<string, Keyword>;

function toKeywords(table: KeywordTable): Keywords {
  return new Map(
    Object.entries(table).map(([name, spec]) => [
      name,
      {
        ...(spec.sub ? { sub: toKeywords(spec.sub) } : {}),
        valueBlock: !!spec.valueBlock,
        raw: !!spec.raw,
        arg: !!spec.arg,
      },
    ]),
  );
}
const ROOT_KEYWORDS = toKeywords(KEEPALIVED_KEYWORDS);

/** Top-level blocks whose handler wants exactly one new name, else skips the block (keepalived's wording). */
const NAMED_BLOCKS: Record<string, { noName: string; duplicate: string }> = {
  vrrp_instance: { noName: 'vrrp_instance must have a name', duplicate: 'vrrp instance %s already defined' },
  vrrp_sync_group: {
    noName: 'vrrp_sync_group must have a name - skipping',
    duplicate: 'vrrp sync group %s already defined',
  },
  track_group: { noName: 'track_group must have a name - skipping', duplicate: 'track_group %s already defined' },
};

/** keepalived's process_stream() and alloc_value_block(), building a tree instead of calling handlers. */
class TreeBuilder {
  /**
   * keepalived's skip_sublevel: -1 = skip the block that should start on the next line, n > 0 = depth being skipped.
   */
  private skipSublevel = 0;
  /** Names already used per named block keyword (a second one is skipped). */
  private readonly blockNames = new Map<string, Set<string>>();
  /** Lines read so far: the next line to read, and the reading order of what is reported. */
  private read = 0;
  /** The statements of the blocks being read, innermost last (see block()). */
  private readonly children: KeepalivedStatement[] = [];

  constructor(
    private readonly lines: BraceIndex,
    /** Where problems found after the last line are reported. */
    private readonly end: SourceRef,
    private readonly add: AddDiagnostic,
    /** Whether this process reads a top-level block; the others it skips by counting braces. */
    private readonly readsBlock: (keyword: string) => boolean,
  ) {}

  /** The line being read now (where a problem is reported). */
  private get origin(): SourceRef {
    return this.read > 0 ? this.lines.origins[this.read - 1] : this.end;
  }

  private report(severity: Severity, code: string, message: string, args: string[] = [], fatal?: boolean) {
    this.add(this.origin, this.read, severity, code, message, args, fatal);
  }

  /** The next line's index, or -1 at the end; says "Unmatched quote" for it as alloc_strvec_r would. */
  private nextLine(): number {
    if (this.read >= this.lines.texts.length) return -1;
    const i = this.read++;
    if (this.lines.unmatchedQuote[i]) this.reportUnmatchedQuote(i);
    return i;
  }

  private reportUnmatchedQuote(i: number): void {
    const text = display(this.lines.texts[i]);
    this.add(this.lines.origins[i], i + 1, 'error', 'unmatchedQuote', `Unmatched quote: '${text}'`, [text]);
  }

  /** The words as results show them (readable UTF-8), in a new array. */
  private shown(i: number, words: string[]): string[] {
    return HIGH_BYTE.test(this.lines.texts[i]) ? words.map(display) : words.slice();
  }

  /**
   * Skip from the `{` event `open` to its matching `}`, as counting braces word by word would: the
   * lines in between are only read for their unmatched quotes. Returns true when block() must
   * return (the block being skipped was its own, at level > 0).
   */
  private skipToClosing(open: number, level: number): boolean {
    const close = this.lines.closing[open];
    const last = close < 0 ? this.lines.texts.length - 1 : this.lines.eventLine[close];
    for (const i of this.lines.unmatchedBetween(this.read, last)) {
      this.read = i + 1;
      this.reportUnmatchedQuote(i);
    }
    this.read = last + 1;
    if (close < 0) return false; // never closed: the rest of the input is skipped
    this.skipSublevel = 0;
    return level > 0;
  }

  /** Returns true when it stopped at the end of a skipped block (keepalived's ret_err). */
  block(table: Keywords, needBob: boolean, level: number, out: KeepalivedStatement[]): boolean {
    const { lines } = this;
    for (let i = this.nextLine(); i >= 0; i = this.nextLine()) {
      const words = splitWords(lines.texts[i]);
      if (words.length === 0) continue;
      let first = words[0];

      if (this.skipSublevel === -1) {
        if (first === '{') {
          this.skipSublevel = 1;
          needBob = false;
          // The rest of this line is not counted; with no other brace on it, skip to the match at once.
          if (lines.firstEvent[i + 1] - lines.firstEvent[i] === 1 && this.skipToClosing(lines.firstEvent[i], level))
            return true;
          continue;
        }
        this.skipSublevel = 0;
      }
      if (this.skipSublevel) {
        for (const w of words) {
          first = w;
          if (w === '{') this.skipSublevel++;
          else if (w === '}' && --this.skipSublevel === 0) break;
        }
        if (first === '}' && this.skipSublevel === 0 && level > 0) return true;
        continue;
      }

      if (needBob) {
        needBob = false;
        if (first === '{' && level > 0) continue;
        this.report('error', 'missingOpen', "Missing '{' at beginning of configuration block");
      } else if (first === '{') {
        this.report('error', 'unexpectedOpen', "Unexpected '{' - ignoring");
        continue;
      }
      if (first === '}' && level > 0) break;

      const spec = table.get(first);
      if (spec && level === 0 && !this.readsBlock(first)) {
        // Another process's block: skip it, from its `{` to the matching `}`.
        if (words.length > 1 && words[words.length - 1] === '{') {
          this.skipSublevel = 1;
          this.skipToClosing(lines.firstEvent[i + 1] - 1, level);
        } else this.skipSublevel = -1;
        continue;
      }
      const origin = lines.origins[i];
      const high = HIGH_BYTE.test(lines.texts[i]);
      const statement: KeepalivedStatement = {
        keyword: high ? display(first) : first,
        args: high ? words.slice(1).map(display) : words.slice(1),
        known: spec !== undefined,
        file: origin.file,
        line: origin.line,
        text: origin.text,
        order: this.read,
      };
      out.push(statement);
      if (!spec) {
        this.report('error', 'unknownKeyword', `Unknown keyword '${statement.keyword}'`, [statement.keyword]);
        continue;
      }

      let bobNeeded = true;
      if (spec.sub && words.length > 1 && words[words.length - 1] === '{') {
        statement.args.pop();
        bobNeeded = false;
      }
      if (spec.arg && statement.args.length === 0) {
        this.report(
          'error',
          'missingParameter',
          `Configuration line starting \`${statement.keyword}\` is missing a parameter after keyword \`${statement.keyword}\` at word position 2`,
          [statement.keyword],
          true,
        );
      }
      if (spec.raw) {
        const text = lines.texts[i];
        const quoted = splitQuotedEscaped(text);
        if (quoted) statement.quotedArgs = quoted.slice(1).map(display);
        else
          this.report('error', 'unmatchedQuote', `String '${display(text)}': missing terminating quote`, [
            display(text),
          ]);
      }
      if (level === 0 && Object.hasOwn(NAMED_BLOCKS, first)) this.checkBlockName(statement, NAMED_BLOCKS[first]);
      if (spec.valueBlock) statement.entries = this.valueBlock(i, words);
      if (spec.sub) {
        // Children are gathered on a shared stack and copied out at their exact size: a block of one
        // statement would otherwise keep a 17-slot array, and a `~SEQ` makes tens of thousands.
        const start = this.children.length;
        this.block(spec.sub, bobNeeded, level + 1, this.children);
        statement.children = this.children.slice(start);
        this.children.length = start;
      }
    }
    return false;
  }

  /** vrrp_handler() and the like: such a block needs exactly one name, not used before; else it is skipped whole. */
  private checkBlockName(statement: KeepalivedStatement, messages: { noName: string; duplicate: string }): void {
    const [name] = statement.args;
    const used = this.blockNames.get(statement.keyword) ?? new Set<string>();
    this.blockNames.set(statement.keyword, used);
    if (statement.args.length !== 1) {
      this.report('error', 'blockName', messages.noName, [statement.keyword]);
    } else if (used.has(name)) {
      this.report('error', 'blockDuplicate', messages.duplicate.replace('%s', name), [statement.keyword, name]);
    } else {
      used.add(name);
      return;
    }
    this.skipSublevel = -1;
    statement.skipped = true;
  }

  /** alloc_value_block(): the lines up to the matching `}` are entries, not keywords. */
  private valueBlock(keywordLine: number, keywordWords: string[]): KeepalivedEntry[] {
    const entries: KeepalivedEntry[] = [];
    let needBob = true;
    let firstWords: string[] | null = null;
    let hadEob = false;
    if (keywordWords.length > 1) {
      if (keywordWords[1] === '{') {
        needBob = false;
        if (keywordWords.length > 2) {
          firstWords = keywordWords.slice(2);
          if (firstWords[firstWords.length - 1] === '}') {
            firstWords.pop();
            hadEob = true;
          }
        }
      } else {
        const [kw, extra] = keywordWords.map(display);
        this.report('error', 'blockExtraParameters', `Block ${kw} has extra parameters ${extra} ...`, [kw, extra]);
      }
    }
    for (;;) {
      let words: string[];
      let at: number;
      if (firstWords) {
        words = firstWords;
        at = keywordLine;
        firstWords = null;
      } else {
        at = this.nextLine();
        if (at < 0) break;
        words = splitWords(this.lines.texts[at]);
        if (words.length === 0) continue;
        if (needBob) {
          needBob = false;
          if (words[0] === '{') {
            if (words.length === 1) continue;
            words = words.slice(1);
          } else {
            const kw = display(keywordWords[0]);
            this.report('warning', 'valueBlockMissingOpen', `'{' missing from beginning of block ${kw}`, [kw]);
          }
        }
        if (words[words.length - 1] === '}') {
          if (words.length === 1) break;
          hadEob = true;
          words = words.slice(0, -1);
        }
      }
      if (words.length > 0) {
        const origin = this.lines.origins[at];
        entries.push({
          words: this.shown(at, words),
          file: origin.file,
          line: origin.line,
          text: origin.text,
          order: this.read,
        });
      }
      if (hadEob) break;
    }
    return entries;
  }
}
