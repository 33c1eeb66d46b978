// Our own haproxy.cfg parser, faithful to how HAProxy reads the file (see shared/GRAMMAR.md §A).
// It never throws: whatever HAProxy would refuse or warn about becomes a diagnostic with its line.
// This module reads the lines (NULs, the final LF, scopes, words, `no`/`default`, empty arguments);
//   haproxy-conditions  `.if` blocks and the other dot-directives
//   haproxy-sections    section lines, `from`, duplicate proxies
//   haproxy-validate    what HAProxy accepts in each section, by version
// haproxy-resolve then applies defaults sections to each proxy.
import { ConditionalBlocks } from './haproxy-conditions.js';
import { HaproxyDiagnostics } from './haproxy-diagnostics.js';
import { SECTION_KEYWORDS, versionAtLeast } from './haproxy-keywords.js';
import { lexLine, MAX_WORDS, type LexErrorCode } from './haproxy-lexer.js';
import { Sections } from './haproxy-sections.js';
import {
  LATEST_HAPROXY,
  PROXY_NAME,
  type HaproxyConfig,
  type HaproxyDirective,
  type HaproxySection,
  type HaproxyStatement,
  type ParseOptions,
} from './haproxy-types.js';
import { validateKeyword } from './haproxy-validate.js';

export { HAPROXY_DIAGNOSTIC_CODES, LATEST_HAPROXY, sectionLabel } from './haproxy-types.js';
export type * from './haproxy-types.js';

const NEGATABLE = new Set([
  'option',
  'log',
  'busy-polling',
  'set-dumpable',
  'strict-limits',
  'insecure-fork-wanted',
  'numa-cpu-mapping',
]);

const LEX_MESSAGES: Record<LexErrorCode, string> = {
  unmatchedQuote: 'unmatched quote at position {column}',
  badHexEscape: 'truncated or invalid hexadecimal sequence at position {column}',
  badVarName: 'forbidden first char in environment variable name at position {column}',
  unmatchedBrace: 'unmatched brace in environment variable name at position {column}',
  badWordExpand: 'incomplete word expansion sequence at position {column}',
};

/** Parse haproxy.cfg text. Never throws; linear in the input size. */
export function parseHaproxy(text: string | Buffer, file: string, options: ParseOptions = {}): HaproxyConfig {
  const version = options.version ?? LATEST_HAPROXY;
  const source = typeof text === 'string' ? text : text.toString('utf8');
  const config: HaproxyConfig = { file, version, sections: [], statements: [], diagnostics: [], lineCount: 0 };
  const report = new HaproxyDiagnostics(config, version);

  const lines = source.split('\n');
  const endsWithLf = source.endsWith('\n');
  if (endsWithLf) lines.pop();
  config.lineCount = lines.length;

  let truncatedLine: { line: number; position: number } | undefined;
  const conditions = new ConditionalBlocks(report);
  const sections = new Sections(config, report);
  let current: HaproxySection | undefined;
  /** The last section keyword seen, even when its section could not be created. */
  let currentKind: string | undefined;
  let orphanReported = false;

  for (let index = 0; index < lines.length; index++) {
    const lineNo = index + 1;
    const raw = lines[index].endsWith('\r') ? lines[index].slice(0, -1) : lines[index];
    // A NUL truncates its line; HAProxy notices when it reads the next one (2.2 warns, 2.3+ stops reading the file).
    if (truncatedLine) {
      const fatal = versionAtLeast(version, '2.3');
      if (versionAtLeast(version, '2.2')) {
        report.diag(
          fatal ? 'error' : 'warning',
          'strayNul',
          truncatedLine.line,
          'Stray NUL character at position {position}.' +
            (fatal ? '' : ' This will become a hard error in HAProxy 2.3.'),
          { position: truncatedLine.position },
        );
      }
      truncatedLine = undefined;
      if (fatal) {
        report.stopped = 'nul';
        config.stoppedAt ??= { line: lineNo - 1, message: config.diagnostics[config.diagnostics.length - 1]!.message };
        break;
      }
    }
    const nul = raw.indexOf('\0');
    if (nul >= 0) truncatedLine = { line: lineNo, position: nul + 1 };

    // `[name]` alone on its line selects a scope (for filter configs); it is read before any tokenizing.
    const scope = /^\s*\[([^\]]*)(\]?)(.*)$/.exec(raw.split('\0')[0]);
    if (scope) {
      checkScope(report, scope[1], scope[2] === ']', scope[3], lineNo);
      config.statements.push({ words: [raw.trim()], file, line: lineNo, text: raw });
      if (report.stopped) break;
      continue;
    }

    const lexed = lexLine(raw);
    if (lexed.error) {
      report.diag('error', lexed.error.code, lineNo, LEX_MESSAGES[lexed.error.code], { column: lexed.error.column });
      continue;
    }
    if (lexed.words.length === 0) continue;
    if (lexed.tooManyWords) {
      report.diag('error', 'tooManyWords', lineNo, 'too many words, truncating after word {max}.', { max: MAX_WORDS });
    }
    config.statements.push({ words: lexed.words.map((w) => w.text), file, line: lineNo, text: raw });

    let words = lexed.words.map((w) => w.text);
    const keyword = words[0];

    if (keyword.startsWith('.')) {
      conditions.handle(keyword, words.slice(1), lineNo);
      if (report.stopped) break;
      continue;
    }
    if (!conditions.active) continue;

    // An empty argument ends the argument list (a warning in 3.2, fatal from 3.3).
    const empty = lexed.words.findIndex((w, i) => i > 0 && w.text === '' && w.quoted);
    if (empty > 0) {
      if (empty < words.length - 1) {
        const fatal = versionAtLeast(version, '3.3');
        report.diag(
          fatal ? 'error' : 'warning',
          'emptyArgument',
          lineNo,
          'argument number {number} is empty and marks the end of the argument list; the following arguments are ignored.',
          { number: empty },
        );
      }
      words = words.slice(0, empty);
    }

    let prefix: 'no' | 'default' | undefined;
    if ((keyword === 'no' || keyword === 'default') && words.length > 1) {
      prefix = keyword;
      words = words.slice(1);
      if (!NEGATABLE.has(words[0])) {
        report.diag(
          'error',
          'negationNotSupported',
          lineNo,
          'negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.',
        );
      }
    }
    const assumed = conditions.assumed();
    const directive: HaproxyDirective = {
      keyword: words[0],
      args: words.slice(1),
      ...(prefix ? { prefix } : {}),
      file,
      line: lineNo,
      text: raw,
      ...(assumed.length ? { assumed } : {}),
    };

    if (SECTION_KEYWORDS.has(directive.keyword) && !prefix) {
      currentKind = directive.keyword;
      current = sections.open(directive);
      orphanReported = false;
      if (report.stopped) break;
      continue;
    }
    if (!current) {
      // HAProxy repeats this error for every line of a refused section; once per section is enough.
      if (!currentKind)
        report.diag('error', 'outOfSection', lineNo, "unknown keyword '{keyword}' out of section.", {
          keyword: directive.keyword,
        });
      else if (!orphanReported) report.diag('error', 'noCurrentProxy', lineNo, "'listen' or 'defaults' expected.");
      orphanReported = true;
      continue;
    }
    const before = config.diagnostics.length;
    validateKeyword(current, directive, report);
    if (report.stopped) {
      directive.refused = config.diagnostics[config.diagnostics.length - 1]!.message;
      directive.ignored = true;
      current.directives.push(directive);
      break;
    }
    // A fatal error on the line: HAProxy refuses it, and with it the configuration (dependent checks say so).
    const fatal = config.diagnostics.slice(before).find((x) => x.severity === 'error' && x.line === lineNo);
    if (fatal) {
      directive.refused = fatal.message;
      directive.ignored = true;
    }
    current.directives.push(directive);
  }

  if (report.stopped !== 'abort' && conditions.open)
    report.diag('error', 'unterminatedIf', lines.length, "non-terminated '.if' block.");
  // The last line ends at a NUL or without LF: HAProxy reports a missing LF (fatal from 2.3, a warning in 2.2).
  const unterminated = report.stopped
    ? undefined
    : (truncatedLine?.position ?? (source.length > 0 && !endsWithLf ? lines[lines.length - 1].length + 1 : undefined));
  if (unterminated !== undefined && versionAtLeast(version, '2.2')) {
    const fatal = versionAtLeast(version, '2.3');
    report.diag(
      fatal ? 'error' : 'warning',
      'missingFinalLf',
      lines.length,
      'Missing LF on last line, file might have been truncated at position {position}.' +
        (fatal ? '' : ' This will become a hard error in HAProxy 2.3.'),
      { position: unterminated },
    );
  }
  sections.reportDuplicates();
  return config;
}

/** `[name]` alone on its line: a scope for filter configs (cfgparse.c:1042). */
function checkScope(report: HaproxyDiagnostics, name: string, closed: boolean, rest: string, lineNo: number): void {
  if (!closed || name === '') {
    report.diag('error', 'emptyScope', lineNo, 'empty scope name is forbidden.');
    return;
  }
  const bad = [...name].find((c) => !PROXY_NAME.test(c));
  if (bad) {
    report.abort('badScope', lineNo, "character '{char}' is not permitted in a scope name.", { char: bad });
    return;
  }
  const after = rest.trimStart();
  if (after !== '' && !after.startsWith('#') && !after.startsWith('\r')) {
    report.abort('badScope', lineNo, "character '{char}' is not permitted after scope declaration.", {
      char: after[0],
    });
  }
}

/** The first statement where two configs differ, ignoring comments, blank lines, whitespace and quoting. */
export interface HaproxyDifference {
  /** The statement in `a` (undefined: `a` ended first). */
  a?: HaproxyStatement;
  b?: HaproxyStatement;
}

/** Compare two parsed configs statement by statement; undefined when they are semantically equal. */
export function semanticDiff(a: HaproxyConfig, b: HaproxyConfig): HaproxyDifference | undefined {
  const n = Math.max(a.statements.length, b.statements.length);
  for (let i = 0; i < n; i++) {
    const x = a.statements[i];
    const y = b.statements[i];
    if (!x || !y || x.words.length !== y.words.length || x.words.some((w, k) => w !== y.words[k]))
      return { a: x, b: y };
  }
  return undefined;
}
