// Our own keepalived.conf parser. It reads the file the way keepalived 2.2–2.4 does (GRAMMAR.md §B):
// lines from LineReader, then keepalived's process_stream(): a keyword tree walked block by block,
// unknown keywords reported with their line as `keepalived -t` does, value blocks read raw. The
// result keeps every statement's file, line and text, and a model of what keepalived would run.
// It never throws: malformed input yields diagnostics.

import { KEEPALIVED_KEYWORDS, type KeywordTable } from './keepalived-keywords.js';
import { buildModel, type KeepalivedModel } from './keepalived-model.js';
import {
  LineReader,
  display,
  splitQuotedEscaped,
  splitWords,
  type KeepalivedDiagnostic,
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

export interface KeepalivedEntry extends Located {
  words: string[];
  order: number;
}

export type ParseOptions = ReaderOptions;

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
  const collected: { order: number; diagnostic: KeepalivedDiagnostic }[] = [];
  let firstFatal: KeepalivedDiagnostic | undefined;
  const reader: LineReader = new LineReader(text, file, opts, (severity, code, message, args, fatal) =>
    add(reader.origin, reader.count, severity, code, message, args, fatal),
  );
  function add(at: Origin, order: number, severity: Severity, code: string, message: string, args: string[], fatal?: boolean, stage: KeepalivedDiagnostic['stage'] = 'syntax') {
    const diagnostic: KeepalivedDiagnostic = { severity, code, args, message, file: at.file, line: at.line, text: at.text, stage };
    if (fatal) {
      diagnostic.fatal = true;
      firstFatal ??= diagnostic;
    }
    if (collected.length < MAX_DIAGNOSTICS) collected.push({ order, diagnostic });
    else if (collected.length === MAX_DIAGNOSTICS) {
      const message = `more than ${MAX_DIAGNOSTICS} problems - the rest are not reported`;
      collected.push({ order, diagnostic: { severity: 'error', code: 'tooManyProblems', args: [], message, file: at.file, line: at.line, text: at.text, stage: 'syntax' } });
    }
  }

  const builder = new TreeBuilder(reader, add);
  const statements: KeepalivedStatement[] = [];
  builder.block(KEEPALIVED_KEYWORDS, false, 0, statements);
  if (reader.blockDepth > 0) {
    add(reader.origin, reader.count, 'error', 'missingClose', `There are ${reader.blockDepth} missing '}'s or extra '{'s`, [String(reader.blockDepth)]);
  }
  const model = buildModel(statements, (at, severity, code, message, args) => add(at, at.order + 0.5, severity, code, message, args, false, 'config'));

  const diagnostics = collected.sort((a, b) => a.order - b.order).map((c) => c.diagnostic);
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

type Add = (at: Origin, order: number, severity: Severity, code: string, message: string, args: string[], fatal?: boolean) => void;

/** keepalived's process_stream() and alloc_value_block(), building a tree instead of calling handlers. */
class TreeBuilder {
  /** keepalived's skip_sublevel: -1 = skip the block that should start on the next line, n > 0 = depth being skipped. */
  private skipSublevel = 0;
  private readonly instanceNames = new Set<string>();

  constructor(
    private readonly reader: LineReader,
    private readonly add: Add,
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
      if (first === 'vrrp_instance' && level === 0) this.checkInstanceName(statement);
      if (spec.valueBlock) statement.entries = this.valueBlock(words);
      if (spec.sub) {
        statement.children = [];
        this.block(spec.sub, bobNeeded, level + 1, statement.children);
      }
    }
    return false;
  }

  /** vrrp_handler(): an instance needs exactly one name, not used before; else its block is skipped. */
  private checkInstanceName(statement: KeepalivedStatement): void {
    const [name] = statement.args;
    if (statement.args.length !== 1) {
      this.report('error', 'instanceName', 'vrrp_instance must have a name');
    } else if (this.instanceNames.has(name)) {
      this.report('error', 'instanceDuplicate', `vrrp instance ${name} already defined`, [name]);
    } else {
      this.instanceNames.add(name);
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
            this.report('warning', 'missingOpen', `'{' missing from beginning of block ${kw}`, [kw]);
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
