// Our own keepalived.conf parser. It reads the file the way keepalived 2.2–2.4 does (GRAMMAR.md §B):
// lines from LineReader, then keepalived's process_stream(): a keyword tree walked block by block,
// once per keepalived process (each reads its own blocks and skips the others'), unknown keywords
// reported with their line as `keepalived -t` prints them, value blocks read raw. The result keeps
// every statement's file, line and text, and a model of what keepalived would run.
// It never throws and stays linear: malformed input yields diagnostics.

import { KEEPALIVED_KEYWORDS, KEEPALIVED_PROCESSES, ROOT_READERS, type KeywordTable } from './keepalived-keywords.js';
import { buildModel, type KeepalivedModel } from './keepalived-model.js';
import {
  LineReader,
  display,
  splitQuotedEscaped,
  splitWords,
  type KeepalivedDiagnostic,
  type LogicalLine,
  type Origin,
  type ReaderOptions,
  type Severity,
} from './keepalived-reader.js';

export type { KeepalivedDiagnostic, IncludeReader, IncludedFile } from './keepalived-reader.js';
export type * from './keepalived-model.js';

/** A place in a file: path, 1-based line, and that physical line as written. */
export interface Located {
  file: string;
  line: number;
  text: string;
}

export interface KeepalivedStatement extends Located {
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

export interface KeepalivedEntry extends Located {
  words: string[];
  order: number;
}

export type ParseOptions = ReaderOptions & {
  /**
   * Whether a user exists on the host (getpwnam there): keepalived removes a vrrp_script that has
   * no user it can run as. Unknown (undefined) removes nothing.
   */
  userExists?: (name: string) => boolean;
};

export interface KeepalivedConfig extends KeepalivedModel {
  /** The main file. */
  file: string;
  /** Every file read, main file first. */
  files: string[];
  /** Every include pattern met, made absolute (for loaders that fetch included files first). */
  includeRequests: string[];
  statements: KeepalivedStatement[];
  /** In reading order. */
  diagnostics: KeepalivedDiagnostic[];
  /** The first fatal error: keepalived would exit here. Parsing goes on to tell the rest. */
  fatal?: KeepalivedDiagnostic;
}

/** `(Line 7) Unknown keyword 'user'`, or `(file: Line 7) …` for an included file, like keepalived. */
export function formatDiagnostic(d: KeepalivedDiagnostic, mainFile?: string): string {
  const where = mainFile === undefined || d.file === mainFile ? `Line ${d.line}` : `${d.file}: Line ${d.line}`;
  return `(${where}) ${d.fatal ? '*** ' : ''}${d.message}`;
}

/** Enough to show every real problem; a garbage file could otherwise produce millions. */
const MAX_DIAGNOSTICS = 10_000;

export function parseKeepalived(text: string | Buffer, file: string, opts: ParseOptions = {}): KeepalivedConfig {
  const collected = new Map<string, { order: number; diagnostic: KeepalivedDiagnostic }>();
  let firstFatal: KeepalivedDiagnostic | undefined;
  const reader: LineReader = new LineReader(text, file, opts, (severity, code, message, args, fatal) =>
    add(reader.origin, reader.count, severity, code, message, args, fatal),
  );
  let last: { at: Origin; code: string; message: string } | undefined;
  /** Each process reports its own problems; the same problem from two processes is shown once. */
  function add(
    at: Origin,
    order: number,
    severity: Severity,
    code: string,
    message: string,
    args: string[],
    fatal?: boolean,
    stage: KeepalivedDiagnostic['stage'] = 'syntax',
  ) {
    // The cheap test first: a line full of `{` repeats one problem hundreds of times.
    if (last && last.at === at && last.code === code && last.message === message) return;
    last = { at, code, message };
    const key = `${at.file}\0${at.line}\0${code}\0${message}`;
    if (collected.has(key)) return;
    const diagnostic: KeepalivedDiagnostic = {
      severity,
      code,
      args,
      message,
      file: at.file,
      line: at.line,
      text: at.text,
      stage,
    };
    if (fatal) {
      diagnostic.fatal = true;
      firstFatal ??= diagnostic;
    }
    if (collected.size < MAX_DIAGNOSTICS) collected.set(key, { order, diagnostic });
    else if (collected.size === MAX_DIAGNOSTICS) {
      const message = `more than ${MAX_DIAGNOSTICS} problems - the rest are not reported`;
      collected.set('', {
        order,
        diagnostic: {
          severity: 'error',
          code: 'tooManyProblems',
          args: [],
          message,
          file: at.file,
          line: at.line,
          text: at.text,
          stage: 'syntax',
        },
      });
    }
  }

  // Read once; every process then walks the same lines with its own view of which blocks are its.
  const lines: LogicalLine[] = [];
  for (let line = reader.next(); line; line = reader.next()) lines.push(line);
  if (reader.blockDepth > 0) {
    add(
      reader.origin,
      reader.count + 1,
      'error',
      'missingClose',
      `There are ${reader.blockDepth} missing '}'s or extra '{'s`,
      [String(reader.blockDepth)],
    );
  }
  const views = KEEPALIVED_PROCESSES.map((process) => {
    const statements: KeepalivedStatement[] = [];
    const readsBlock = (keyword: string) => (ROOT_READERS[keyword] ?? []).includes(process);
    new TreeBuilder(new ReplayedLines(lines, reader.origin), add, readsBlock).block(
      KEEPALIVED_KEYWORDS,
      false,
      0,
      statements,
    );
    return statements;
  });
  const statements = mergeViews(views);
  const model = buildModel(
    statements,
    (at, severity, code, message, args) => add(at, at.order + 0.5, severity, code, message, args, false, 'config'),
    opts.userExists,
  );

  const diagnostics = [...collected.values()].sort((a, b) => a.order - b.order).map((c) => c.diagnostic);
  return {
    file,
    files: reader.files,
    includeRequests: reader.includeRequests,
    statements,
    diagnostics,
    fatal: firstFatal,
    ...model,
  };
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

/** Top-level blocks whose handler wants exactly one new name, else skips the block (keepalived's wording). */
const NAMED_BLOCKS: Record<string, { noName: string; duplicate: string }> = {
  vrrp_instance: { noName: 'vrrp_instance must have a name', duplicate: 'vrrp instance %s already defined' },
  vrrp_sync_group: {
    noName: 'vrrp_sync_group must have a name - skipping',
    duplicate: 'vrrp sync group %s already defined',
  },
  track_group: { noName: 'track_group must have a name - skipping', duplicate: 'track_group %s already defined' },
};

/** The logical lines read once, replayed for each process. */
class ReplayedLines {
  private index = 0;
  constructor(
    private readonly lines: LogicalLine[],
    private readonly end: Origin,
  ) {}
  next(): LogicalLine | null {
    return this.index < this.lines.length ? this.lines[this.index++] : null;
  }
  /** The line being read now (where a problem is reported). */
  get origin(): Origin {
    return this.index > 0 ? this.lines[this.index - 1].origin : this.end;
  }
  /** Lines read so far: the reading order. */
  get count(): number {
    return this.index;
  }
}

type Add = (
  at: Origin,
  order: number,
  severity: Severity,
  code: string,
  message: string,
  args: string[],
  fatal?: boolean,
) => void;

/** keepalived's process_stream() and alloc_value_block(), building a tree instead of calling handlers. */
class TreeBuilder {
  /**
   * keepalived's skip_sublevel: -1 = skip the block that should start on the next line, n > 0 = depth being skipped.
   */
  private skipSublevel = 0;
  /** Names already used per named block keyword (a second one is skipped). */
  private readonly blockNames = new Map<string, Set<string>>();

  constructor(
    private readonly reader: ReplayedLines,
    private readonly add: Add,
    /** Whether this process reads a top-level block; the others it skips by counting braces. */
    private readonly readsBlock: (keyword: string) => boolean,
  ) {}

  private report(severity: Severity, code: string, message: string, args: string[] = [], fatal?: boolean) {
    this.add(this.reader.origin, this.reader.count, severity, code, message, args, fatal);
  }

  private words(text: string): string[] {
    return splitWords(text, () =>
      this.report('error', 'unmatchedQuote', `Unmatched quote: '${display(text)}'`, [display(text)]),
    );
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
        else
          this.report('error', 'unmatchedQuote', `String '${display(line.text)}': missing terminating quote`, [
            display(line.text),
          ]);
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
      let origin: Origin;
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
        entries.push({
          words: words.map(display),
          file: origin.file,
          line: origin.line,
          text: origin.text,
          order: this.reader.count,
        });
      }
      if (hadEob) break;
    }
    return entries;
  }
}
