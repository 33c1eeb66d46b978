// keepalived's process_stream(), rebuilt: the logical lines become a tree of statements, walked
// block by block once per keepalived process (each reads its own top-level blocks and skips the
// others' by counting braces), unknown keywords reported with their line as `keepalived -t`
// prints them, value blocks (virtual_ipaddress, track_script…) read as raw entries.

import type { AddDiagnostic, Severity } from './keepalived-diagnostics.js';
import { KEEPALIVED_KEYWORDS, KEEPALIVED_PROCESSES, ROOT_READERS, type KeywordTable } from './keepalived-keywords.js';
import type { LogicalLine } from './keepalived-reader.js';
import { display, splitQuotedEscaped, splitWords } from './keepalived-words.js';
import type { SourceRef } from './source-ref.js';

export interface KeepalivedStatement extends SourceRef {
  keyword: string;
  /** The words after the keyword, split as keepalived does at keyword level (only "" group). */
  args: string[];
  /** Script keywords (script, notify*…): the words after the keyword as their handler re-reads the line (' and " quote, escapes). */
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
export function readStatements(lines: LogicalLine[], end: SourceRef, add: AddDiagnostic): KeepalivedStatement[] {
  const views = KEEPALIVED_PROCESSES.map((process) => {
    const statements: KeepalivedStatement[] = [];
    const readsBlock = (keyword: string) => (ROOT_READERS[keyword] ?? []).includes(process);
    new TreeBuilder(new ReplayedLines(lines, end), add, readsBlock).block(KEEPALIVED_KEYWORDS, false, 0, statements);
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
  for (const view of [vrrp, checker, parent, bfd]) for (const st of view) if (!byOrder.has(st.order)) byOrder.set(st.order, st);
  return [...byOrder.values()].sort((a, b) => a.order - b.order);
}

/** Top-level blocks whose handler wants exactly one new name, else skips the block (keepalived's wording). */
const NAMED_BLOCKS: Record<string, { noName: string; duplicate: string }> = {
  vrrp_instance: { noName: 'vrrp_instance must have a name', duplicate: 'vrrp instance %s already defined' },
  vrrp_sync_group: { noName: 'vrrp_sync_group must have a name - skipping', duplicate: 'vrrp sync group %s already defined' },
  track_group: { noName: 'track_group must have a name - skipping', duplicate: 'track_group %s already defined' },
};

/** The logical lines read once, replayed for each process. */
class ReplayedLines {
  private index = 0;
  constructor(
    private readonly lines: LogicalLine[],
    private readonly end: SourceRef,
  ) {}
  next(): LogicalLine | null {
    return this.index < this.lines.length ? this.lines[this.index++] : null;
  }
  /** The line being read now (where a problem is reported). */
  get origin(): SourceRef {
    return this.index > 0 ? this.lines[this.index - 1].origin : this.end;
  }
  /** Lines read so far: the reading order. */
  get count(): number {
    return this.index;
  }
}

/** keepalived's process_stream() and alloc_value_block(), building a tree instead of calling handlers. */
class TreeBuilder {
  /** keepalived's skip_sublevel: -1 = skip the block that should start on the next line, n > 0 = depth being skipped. */
  private skipSublevel = 0;
  /** Names already used per named block keyword (a second one is skipped). */
  private readonly blockNames = new Map<string, Set<string>>();

  constructor(
    private readonly reader: ReplayedLines,
    private readonly add: AddDiagnostic,
    /** Whether this process reads a top-level block; the others it skips by counting braces. */
    private readonly readsBlock: (keyword: string) => boolean,
  ) {}

  private report(severity: Severity, code: string, message: string, args: string[] = [], fatal?: boolean) {
    this.add(this.reader.origin, this.reader.count, severity, code, message, args, fatal);
  }

  private words(text: string): string[] {
    return splitWords(text, () => this.report('error', 'unmatchedQuote', `Unmatched quote: '${display(text)}'`, [display(text)]));
  }

  /** Returns true when it stopped at the end of a skipped block (keepalived's ret_err). */
  block(table: KeywordTable, needBob: boolean, level: number, out: KeepalivedStatement[]): boolean {
    for (let line = this.reader.next(); line; line = this.reader.next()) {
      const words = this.words(line.text);
      if (words.length === 0) continue;
      let first = words[0];

      if (this.skipSublevel === -1) {
        if (first === '{') {
          this.skipSublevel = 1;
          needBob = false;
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

      const spec = Object.hasOwn(table, first) ? table[first] : undefined;
      if (spec && level === 0 && !this.readsBlock(first)) {
        // Another process's block: skip it, from its `{` to the matching `}`.
        this.skipSublevel = words.length > 1 && words[words.length - 1] === '{' ? 1 : -1;
        continue;
      }
      const origin = line.origin;
      const statement: KeepalivedStatement = {
        keyword: display(first),
        args: words.slice(1).map(display),
        known: spec !== undefined,
        file: origin.file,
        line: origin.line,
        text: origin.text,
        order: this.reader.count,
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
        const quoted = splitQuotedEscaped(line.text);
        if (quoted) statement.quotedArgs = quoted.slice(1).map(display);
        else this.report('error', 'unmatchedQuote', `String '${display(line.text)}': missing terminating quote`, [display(line.text)]);
      }
      if (level === 0 && Object.hasOwn(NAMED_BLOCKS, first)) this.checkBlockName(statement, NAMED_BLOCKS[first]);
      if (spec.valueBlock) statement.entries = this.valueBlock(words);
      if (spec.sub) {
        statement.children = [];
        this.block(spec.sub, bobNeeded, level + 1, statement.children);
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
  private valueBlock(keywordWords: string[]): KeepalivedEntry[] {
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
      let origin: SourceRef;
      if (firstWords) {
        words = firstWords;
        origin = this.reader.origin;
        firstWords = null;
      } else {
        const line = this.reader.next();
        if (!line) break;
        words = this.words(line.text);
        origin = line.origin;
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
        entries.push({ words: words.map(display), file: origin.file, line: origin.line, text: origin.text, order: this.reader.count });
      }
      if (hadEob) break;
    }
    return entries;
  }
}
