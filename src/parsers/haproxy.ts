// Our own haproxy.cfg parser, faithful to how HAProxy reads the file (see shared/GRAMMAR.md §A).
// It never throws: whatever HAProxy would refuse or warn about becomes a diagnostic with its line.
import { lexLine, MAX_WORDS, type LexErrorCode } from './haproxy-lexer.js';
import {
  GLOBAL_KEYWORDS,
  NAMED_DEFAULTS_ONLY,
  PREDEFINED_ACLS,
  SERVER_FLAG_PARAMS,
  SERVER_VALUE_PARAMS,
  PROXY_KEYWORDS,
  REMOVED_KEYWORDS,
  SECTION_KEYWORDS,
  TWO_WORD_KEYWORDS,
  versionAtLeast,
} from './haproxy-keywords.js';

/** The newest behaviour, used when the caller does not say which HAProxy reads the file. */
export const LATEST_HAPROXY = '3.5';

/** Every diagnostic code the parser emits (HAP001 has a message for each). */
export const HAPROXY_DIAGNOSTIC_CODES = [
  'strayNul',
  'unmatchedQuote',
  'badHexEscape',
  'badVarName',
  'unmatchedBrace',
  'badWordExpand',
  'tooManyWords',
  'emptyArgument',
  'negationNotSupported',
  'outOfSection',
  'unterminatedIf',
  'missingFinalLf',
  'tooManyNestedIf',
  'loneElif',
  'elifAfterElse',
  'loneElse',
  'secondElse',
  'loneEndif',
  'unexpectedArgument',
  'alertDirective',
  'warningDirective',
  'unknownDirective',
  'conditionAssumed',
  'sectionNotInVersion',
  'missingProxyName',
  'invalidProxyName',
  'tooManyArgs',
  'addressOnSectionLine',
  'extraWordsIgnored',
  'fromNotInVersion',
  'defaultsNotFound',
  'removedKeyword',
  'unknownKeyword',
  'unknownOption',
  'unknownTimeout',
  'optionNotNegatable',
  'notAllowedInDefaults',
  'namedDefaultsOnly',
  'noCapability',
  'duplicateProxy',
  'frontendBackendSameName',
  'unknownMode',
  'unknownBalance',
  'forwardforUnknownArg',
  'forwardforMissingValue',
  'removedNoReplacement',
  'emptyScope',
  'badScope',
  'noCurrentProxy',
  'unknownServerKeyword',
  'unknownAcl',
] as const;
export type HaproxyDiagnosticCode = (typeof HAPROXY_DIAGNOSTIC_CODES)[number];

export interface HaproxyDiagnostic {
  severity: 'error' | 'warning';
  /** Stable code; checks translate it (args fill the placeholders). */
  code: HaproxyDiagnosticCode;
  args: Record<string, string | number>;
  /** English, in HAProxy's own wording where it has one. */
  message: string;
  file: string;
  line: number;
}

export interface HaproxyDirective {
  /** The keyword, after a `no`/`default` prefix was taken off. */
  keyword: string;
  /** The words after the keyword, unquoted and unescaped (`${VAR}` kept as written). */
  args: string[];
  prefix?: 'no' | 'default';
  file: string;
  line: number;
  /** The line as written (without its line end). */
  raw: string;
  /** Conditions of enclosing `.if` blocks that we could not evaluate and assumed true. */
  assumed?: string[];
  /** HAProxy ignores it here (e.g. `balance` in a frontend: "has no backend capability"). */
  ignored?: boolean;
  /** HAProxy refuses this line (a fatal error): the configuration does not load. Its message. */
  refused?: string;
}

export type ProxyKind = 'frontend' | 'backend' | 'listen';

export interface HaproxySection {
  /** The section keyword: global, defaults, frontend, backend, listen, peers, ... */
  kind: string;
  /** The section's name ('' for `global` and anonymous `defaults`). */
  name: string;
  /** `from <defaults>` on the section line. */
  from?: string;
  /** The section line itself. */
  header: HaproxyDirective;
  directives: HaproxyDirective[];
}

/** One non-empty line as HAProxy tokenized it, active or not: what HAP012 compares. */
export interface HaproxyStatement {
  words: string[];
  file: string;
  line: number;
  raw: string;
}

export interface HaproxyConfig {
  file: string;
  version: string;
  sections: HaproxySection[];
  statements: HaproxyStatement[];
  diagnostics: HaproxyDiagnostic[];
  /** Number of lines in the file. */
  lineCount: number;
  /** HAProxy stopped reading the file here (a fatal error that aborts parsing, or a NUL from 2.3). */
  stoppedAt?: { line: number; message: string };
}

export interface ParseOptions {
  /** The HAProxy version that reads the file (e.g. "2.6"): decides what is fatal. Default: the newest. */
  version?: string;
}

const PROXY_KINDS: ReadonlySet<string> = new Set(['frontend', 'backend', 'listen']);
const NEGATABLE = new Set([
  'option',
  'log',
  'busy-polling',
  'set-dumpable',
  'strict-limits',
  'insecure-fork-wanted',
  'numa-cpu-mapping',
]);
/**
 * Options with arguments: `no`/`default` before them is fatal (cfgparse-listen.c, "negation/default is not supported").
 */
const NON_NEGATABLE_OPTIONS = new Set([
  'external-check',
  'forwardfor',
  'http-restrict-req-hdr-names',
  'httpchk',
  'httplog',
  'httpslog',
  'ldap-check',
  'mysql-check',
  'originalto',
  'pgsql-check',
  'redis-check',
  'smtpchk',
  'spop-check',
  'ssl-hello-chk',
  'tcp-check',
  'tcplog',
]);
/** `balance` algorithms (any version); `hdr`, `rdp-cookie` and `random` take an optional `(...)` suffix. */
const BALANCE_ALGORITHM =
  /^(roundrobin|static-rr|leastconn|first|source|uri|url_param|hash|log-hash|sticky|hdr\(.*\)|rdp-cookie(\(.*\))?|random(\(.*\))?)$/;
const PROXY_NAME = /^[A-Za-z0-9_.:-]+$/;
const MAX_NESTED_CONDITIONS = 100;

const LEX_MESSAGES: Record<LexErrorCode, string> = {
  unmatchedQuote: 'unmatched quote at position {column}',
  badHexEscape: 'truncated or invalid hexadecimal sequence at position {column}',
  badVarName: 'forbidden first char in environment variable name at position {column}',
  unmatchedBrace: 'unmatched brace in environment variable name at position {column}',
  badWordExpand: 'incomplete word expansion sequence at position {column}',
};

/** One level of `.if` nesting. */
interface ConditionFrame {
  parentActive: boolean;
  active: boolean;
  /** A branch of this block was already taken. */
  taken: boolean;
  seenElse: boolean;
  /** The condition assumed true for the active branch, when it could not be evaluated. */
  assumed?: string;
}

const fill = (template: string, args: Record<string, string | number>) =>
  template.replace(/\{(\w+)\}/g, (_, k: string) => String(args[k] ?? `{${k}}`));

/** `0` / a non-zero integer are decided; any predicate is not (we do not know the target's environment). */
function evaluateCondition(words: string[]): boolean | undefined {
  const expr = words.join(' ').trim();
  if (expr === '') return false;
  if (/^-?\d+$/.test(expr)) return Number(expr) !== 0;
  return undefined;
}

/** Parse haproxy.cfg text. Never throws; linear in the input size. */
export function parseHaproxy(text: string | Buffer, file: string, options: ParseOptions = {}): HaproxyConfig {
  const version = options.version ?? LATEST_HAPROXY;
  const source = typeof text === 'string' ? text : text.toString('utf8');
  const config: HaproxyConfig = { file, version, sections: [], statements: [], diagnostics: [], lineCount: 0 };
  const diag = (
    severity: 'error' | 'warning',
    code: HaproxyDiagnosticCode,
    line: number,
    template: string,
    args: Record<string, string | number> = {},
  ) => config.diagnostics.push({ severity, code, args, message: fill(template, args), file, line });

  /** A fatal error after which HAProxy reads no further (ERR_ABORT). */
  const abort = (
    code: HaproxyDiagnosticCode,
    line: number,
    template: string,
    args: Record<string, string | number> = {},
  ) => {
    diag('error', code, line, template, args);
    stopped = 'abort';
    config.stoppedAt ??= { line, message: fill(template, args) };
  };

  const lines = source.split('\n');
  const endsWithLf = source.endsWith('\n');
  if (endsWithLf) lines.pop();
  config.lineCount = lines.length;

  let truncatedLine: { line: number; position: number } | undefined;
  /** HAProxy stopped reading: a fatal "abort" error, or (2.3+) a NUL. */
  let stopped: 'abort' | 'nul' | undefined;
  const conditions: ConditionFrame[] = [];
  const isActive = () => conditions.length === 0 || conditions[conditions.length - 1].active;
  let current: HaproxySection | undefined;
  /** The last section keyword seen, even when its section could not be created. */
  let currentKind: string | undefined;
  let orphanReported = false;
  const defaultsByName = new Map<string, HaproxySection>();

  for (let index = 0; index < lines.length; index++) {
    const lineNo = index + 1;
    const raw = lines[index].endsWith('\r') ? lines[index].slice(0, -1) : lines[index];
    // A NUL truncates its line; HAProxy notices when it reads the next one (2.2 warns, 2.3+ stops reading the file).
    if (truncatedLine) {
      const fatal = versionAtLeast(version, '2.3');
      if (versionAtLeast(version, '2.2')) {
        diag(
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
        stopped = 'nul';
        config.stoppedAt ??= { line: lineNo - 1, message: config.diagnostics[config.diagnostics.length - 1]!.message };
        break;
      }
    }
    const nul = raw.indexOf('\0');
    if (nul >= 0) truncatedLine = { line: lineNo, position: nul + 1 };

    // `[name]` alone on its line selects a scope (for filter configs); it is read before any tokenizing.
    const scope = /^\s*\[([^\]]*)(\]?)(.*)$/.exec(raw.split('\0')[0]);
    if (scope) {
      checkScope(scope[1], scope[2] === ']', scope[3], lineNo);
      config.statements.push({ words: [raw.trim()], file, line: lineNo, raw });
      if (stopped) break;
      continue;
    }

    const lexed = lexLine(raw);
    if (lexed.error) {
      diag('error', lexed.error.code, lineNo, LEX_MESSAGES[lexed.error.code], { column: lexed.error.column });
      continue;
    }
    if (lexed.words.length === 0) continue;
    if (lexed.tooManyWords) {
      diag('error', 'tooManyWords', lineNo, 'too many words, truncating after word {max}.', { max: MAX_WORDS });
    }
    config.statements.push({ words: lexed.words.map((w) => w.text), file, line: lineNo, raw });

    let words = lexed.words.map((w) => w.text);
    const keyword = words[0];

    if (keyword.startsWith('.')) {
      handleDirective(keyword, words.slice(1), lineNo);
      if (stopped) break;
      continue;
    }
    if (!isActive()) continue;

    // An empty argument ends the argument list (a warning in 3.2, fatal from 3.3).
    const empty = lexed.words.findIndex((w, i) => i > 0 && w.text === '' && w.quoted);
    if (empty > 0) {
      if (empty < words.length - 1) {
        const fatal = versionAtLeast(version, '3.3');
        diag(
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
        diag(
          'error',
          'negationNotSupported',
          lineNo,
          'negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.',
        );
      }
    }
    const assumed = conditions.flatMap((c) => (c.assumed ? [c.assumed] : []));
    const directive: HaproxyDirective = {
      keyword: words[0],
      args: words.slice(1),
      ...(prefix ? { prefix } : {}),
      file,
      line: lineNo,
      raw,
      ...(assumed.length ? { assumed } : {}),
    };

    if (SECTION_KEYWORDS.has(directive.keyword) && !prefix) {
      currentKind = directive.keyword;
      current = openSection(directive);
      orphanReported = false;
      if (stopped) break;
      continue;
    }
    if (!current) {
      // HAProxy repeats this error for every line of a refused section; once per section is enough.
      if (!currentKind)
        diag('error', 'outOfSection', lineNo, "unknown keyword '{keyword}' out of section.", {
          keyword: directive.keyword,
        });
      else if (!orphanReported) diag('error', 'noCurrentProxy', lineNo, "'listen' or 'defaults' expected.");
      orphanReported = true;
      continue;
    }
    const before = config.diagnostics.length;
    validateKeyword(current, directive);
    if (stopped) {
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

  if (stopped !== 'abort' && conditions.length)
    diag('error', 'unterminatedIf', lines.length, "non-terminated '.if' block.");
  // The last line ends at a NUL or without LF: HAProxy reports a missing LF (fatal from 2.3, a warning in 2.2).
  const unterminated = stopped
    ? undefined
    : (truncatedLine?.position ?? (source.length > 0 && !endsWithLf ? lines[lines.length - 1].length + 1 : undefined));
  if (unterminated !== undefined && versionAtLeast(version, '2.2')) {
    const fatal = versionAtLeast(version, '2.3');
    diag(
      fatal ? 'error' : 'warning',
      'missingFinalLf',
      lines.length,
      'Missing LF on last line, file might have been truncated at position {position}.' +
        (fatal ? '' : ' This will become a hard error in HAProxy 2.3.'),
      { position: unterminated },
    );
  }
  reportDuplicateProxies();
  return config;

  function checkScope(name: string, closed: boolean, rest: string, lineNo: number): void {
    if (!closed || name === '') {
      diag('error', 'emptyScope', lineNo, 'empty scope name is forbidden.');
      return;
    }
    const bad = [...name].find((c) => !PROXY_NAME.test(c));
    if (bad) {
      abort('badScope', lineNo, "character '{char}' is not permitted in a scope name.", { char: bad });
      return;
    }
    const after = rest.trimStart();
    if (after !== '' && !after.startsWith('#') && !after.startsWith('\r')) {
      abort('badScope', lineNo, "character '{char}' is not permitted after scope declaration.", { char: after[0] });
    }
  }

  function handleDirective(name: string, args: string[], lineNo: number): void {
    const top = conditions[conditions.length - 1];
    switch (name) {
      case '.if': {
        if (conditions.length >= MAX_NESTED_CONDITIONS) {
          abort('tooManyNestedIf', lineNo, "too many nested '.if', max is {max}.", { max: MAX_NESTED_CONDITIONS });
          return;
        }
        conditions.push(
          enterBranch({ parentActive: isActive(), active: false, taken: false, seenElse: false }, args, lineNo),
        );
        return;
      }
      case '.elif':
        if (!top) return void abort('loneElif', lineNo, "lone '.elif' with no matching '.if'.");
        if (top.seenElse) return void abort('elifAfterElse', lineNo, "'.elif' after '.else' is not permitted.");
        if (top.taken) {
          top.active = false;
          top.assumed = undefined;
        } else {
          enterBranch(top, args, lineNo);
        }
        return;
      case '.else':
        if (!top) return void abort('loneElse', lineNo, "lone '.else' with no matching '.if'.");
        if (args.length)
          return void abort('unexpectedArgument', lineNo, "Unexpected argument '{arg}' for '{directive}'.", {
            arg: args[0],
            directive: name,
          });
        if (top.seenElse) return void abort('secondElse', lineNo, "'.else' after '.else' is not permitted.");
        top.seenElse = true;
        top.active = top.parentActive && !top.taken;
        top.assumed = undefined;
        top.taken = true;
        return;
      case '.endif':
        if (!top) return void abort('loneEndif', lineNo, "lone '.endif' with no matching '.if'.");
        if (args.length)
          return void abort('unexpectedArgument', lineNo, "Unexpected argument '{arg}' for '{directive}'.", {
            arg: args[0],
            directive: name,
          });
        conditions.pop();
        return;
      case '.diag':
      case '.notice':
      case '.warning':
      case '.alert':
        if (!isActive()) return;
        if (args.length > 1) {
          diag(
            'error',
            'unexpectedArgument',
            lineNo,
            "Unexpected argument '{arg}' for '{directive}'. Use quotes if the message should contain spaces.",
            { arg: args[1], directive: name },
          );
        } else if (name === '.alert') {
          abort('alertDirective', lineNo, '{message}', { message: args[0] ?? '' });
        } else if (name === '.warning') {
          diag('warning', 'warningDirective', lineNo, '{message}', { message: args[0] ?? '' });
        }
        return;
      default:
        if (isActive()) abort('unknownDirective', lineNo, "unknown directive '{directive}'.", { directive: name });
    }
  }

  function enterBranch(frame: ConditionFrame, args: string[], lineNo: number): ConditionFrame {
    const value = evaluateCondition(args);
    frame.active = frame.parentActive && value !== false;
    frame.taken = frame.active;
    frame.assumed = undefined;
    if (value === undefined && frame.parentActive) {
      const condition = args.join(' ');
      frame.assumed = condition;
      diag(
        'warning',
        'conditionAssumed',
        lineNo,
        "cannot evaluate the condition '{condition}' without the target's environment; assuming it is true.",
        { condition },
      );
    }
    return frame;
  }

  /** The new section, or undefined when HAProxy refuses to create the proxy (its lines then have no proxy). */
  function openSection(header: HaproxyDirective): HaproxySection | undefined {
    const kind = header.keyword;
    const lineNo = header.line;
    const known = SECTION_KEYWORDS.get(kind)!;
    if (
      (known.since && !versionAtLeast(version, known.since)) ||
      (known.until && versionAtLeast(version, known.until))
    ) {
      diag('error', 'sectionNotInVersion', lineNo, "section '{section}' is not supported by HAProxy {version}.", {
        section: kind,
        version,
      });
    }
    const section: HaproxySection = { kind, name: '', header, directives: [] };
    const args = header.args;
    if (kind === 'defaults') {
      // defaults [<name>] [from <defaults>], and "defaults from <defaults>" without a name.
      let rest = args;
      if (rest[0] !== undefined && !(rest[0] === 'from' && rest.length === 2)) {
        section.name = rest[0];
        rest = rest.slice(1);
      }
      if (!readFrom(section, rest, lineNo)) return undefined;
      if (section.name) defaultsByName.set(section.name, section);
    } else if (PROXY_KINDS.has(kind)) {
      if (!args[0]) {
        abort('missingProxyName', lineNo, "'{section}' expects an <id> argument", { section: kind });
        return undefined;
      } else {
        section.name = args[0];
        const bad = [...args[0]].find((c) => !PROXY_NAME.test(c));
        if (bad) {
          diag(
            'error',
            'invalidProxyName',
            lineNo,
            "character '{char}' is not permitted in '{section}' name '{name}'.",
            { char: bad, section: kind, name: args[0] },
          );
        }
        if (args.length > 1 && args[1] !== 'from') {
          if (kind === 'backend') {
            diag('error', 'tooManyArgs', lineNo, "'{section}' cannot handle unexpected argument '{arg}'.", {
              section: kind,
              arg: args[1],
            });
          } else {
            diag('error', 'addressOnSectionLine', lineNo, "please use the 'bind' keyword for listening addresses.");
          }
          return undefined;
        }
        if (!readFrom(section, args.slice(1), lineNo)) return undefined;
      }
    } else if (args[0] !== undefined) {
      section.name = args[0];
    }
    config.sections.push(section);
    return section;
  }

  /** Read `from <defaults>` after the name; false when the section cannot be created. */
  function readFrom(section: HaproxySection, rest: string[], lineNo: number): boolean {
    if (rest.length === 0) return true;
    if (section.kind === 'defaults' && rest[0] !== 'from') {
      // HAProxy silently ignores them; say so, since the author surely meant something.
      diag('warning', 'extraWordsIgnored', lineNo, "the words after '{section} {name}' are ignored.", {
        section: section.kind,
        name: section.name,
      });
      return true;
    }
    if (rest[0] !== 'from' || rest.length !== 2) {
      diag('error', 'tooManyArgs', lineNo, "'{section}' cannot handle unexpected argument '{arg}'.", {
        section: section.kind,
        arg: rest[rest.length > 2 ? 2 : 0],
      });
      return false;
    }
    if (!versionAtLeast(version, '2.4')) {
      diag('error', 'fromNotInVersion', lineNo, "'from' on a section line is not supported by HAProxy {version}.", {
        version,
      });
    }
    section.from = rest[1];
    if (!defaultsByName.has(rest[1])) {
      abort('defaultsNotFound', lineNo, "defaults section '{from}' not found for {section} '{name}'.", {
        from: rest[1],
        section: section.kind,
        name: section.name,
      });
      return false;
    }
    return true;
  }

  function validateKeyword(section: HaproxySection, d: HaproxyDirective): void {
    const kw = d.keyword;
    const scope = section.kind === 'global' ? 'global' : 'proxy';
    const removedKey = REMOVED_KEYWORDS.has(`${scope}:${kw}`) ? kw : `${kw} ${d.args[0]}`;
    const removed = REMOVED_KEYWORDS.get(`${scope}:${removedKey}`);
    if (removed && versionAtLeast(version, removed.since)) {
      if (removed.use) {
        diag(
          'error',
          'removedKeyword',
          d.line,
          "The '{keyword}' directive is not supported anymore since HAProxy {since}. Use '{use}' instead.",
          { keyword: removedKey, since: removed.since, use: removed.use },
        );
      } else {
        diag(
          'error',
          'removedNoReplacement',
          d.line,
          "The '{keyword}' directive is not supported anymore since HAProxy {since}. Please just remove it.",
          { keyword: removedKey, since: removed.since },
        );
      }
      d.ignored = true;
      return;
    }
    if (removed) return; // still known to this older version
    if (section.kind === 'global') {
      if (!GLOBAL_KEYWORDS.has(kw) && !kw.startsWith('tune.')) {
        diag('error', 'unknownKeyword', d.line, "unknown keyword '{keyword}' in '{section}' section", {
          keyword: kw,
          section: 'global',
        });
      }
      return;
    }
    if (section.kind !== 'defaults' && !PROXY_KINDS.has(section.kind)) return; // other sections: not validated

    let label = kw;
    let caps: string | undefined;
    if (TWO_WORD_KEYWORDS.has(kw) && d.args[0] !== undefined) {
      label = `${kw} ${d.args[0]}`;
      caps = PROXY_KEYWORDS.get(label);
      if (caps === undefined && kw === 'option') {
        diag('error', 'unknownOption', d.line, "unknown option '{option}'.", { option: d.args[0] });
        d.ignored = true;
        return;
      }
      if (caps === undefined && kw === 'timeout') {
        diag(
          'error',
          'unknownTimeout',
          d.line,
          "'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '{timeout}')",
          { timeout: d.args[0] },
        );
        d.ignored = true;
        return;
      }
    }
    if (kw === 'option' && d.prefix && NON_NEGATABLE_OPTIONS.has(d.args[0])) {
      diag('error', 'optionNotNegatable', d.line, "negation/default is not supported for option '{option}'.", {
        option: d.args[0],
      });
      d.ignored = true;
      return;
    }
    caps ??= PROXY_KEYWORDS.get(kw) ?? (TWO_WORD_KEYWORDS.has(kw) ? 'dflb' : undefined);
    if (caps === undefined) {
      diag('error', 'unknownKeyword', d.line, "unknown keyword '{keyword}' in '{section}' section", {
        keyword: kw,
        section: section.kind,
      });
      d.ignored = true;
      return;
    }
    if (section.kind === 'defaults') {
      if (!caps.includes('d')) {
        diag('error', 'notAllowedInDefaults', d.line, "'{keyword}' not allowed in 'defaults' section.", {
          keyword: label,
        });
        d.ignored = true;
      } else if (NAMED_DEFAULTS_ONLY.has(kw) && !section.name) {
        diag('error', 'namedDefaultsOnly', d.line, "'{keyword}' not allowed in anonymous 'defaults' section.", {
          keyword: label,
        });
        d.ignored = true;
      }
      if (!d.ignored) validateValues(d);
      return;
    }
    const letter = section.kind === 'frontend' ? 'f' : section.kind === 'backend' ? 'b' : 'l';
    if (!caps.includes(letter)) {
      const missing = section.kind === 'frontend' ? 'backend' : 'frontend';
      const fatal =
        kw === 'server' ||
        kw === 'server-template' ||
        label === 'tcp-request connection' ||
        label === 'tcp-request session';
      diag(
        fatal ? 'error' : 'warning',
        'noCapability',
        d.line,
        fatal
          ? "'{keyword}' not allowed because {section} '{name}' has no {missing} capability."
          : "'{keyword}' ignored because {section} '{name}' has no {missing} capability.",
        { keyword: label, section: section.kind, name: section.name, missing },
      );
      d.ignored = true;
      return;
    }
    validateValues(d);
  }

  /**
   * The values HAProxy checks while parsing the keywords the checks rely on (mode, balance, option forwardfor, server,
   * conditions).
   */
  function validateValues(d: HaproxyDirective): void {
    const [first, ...rest] = d.args;
    if (d.keyword === 'server' || d.keyword === 'default-server') validateServerWords(d);
    validateCondition(d);
    if (d.keyword === 'mode' && first !== undefined) {
      const known = first === 'http' || first === 'tcp' || (first === 'spop' && versionAtLeast(version, '3.1'));
      if (!known) {
        diag('error', 'unknownMode', d.line, "unknown proxy mode '{mode}'.", { mode: first });
        d.ignored = true;
      }
    } else if (d.keyword === 'balance' && first !== undefined && !BALANCE_ALGORITHM.test(first)) {
      diag(
        'error',
        'unknownBalance',
        d.line,
        "balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options.",
        { algorithm: first },
      );
      d.ignored = true;
    } else if (d.keyword === 'option' && first === 'forwardfor' && !d.prefix) {
      for (let i = 0; i < rest.length; i++) {
        if (rest[i] === 'if-none') continue;
        if (rest[i] !== 'except' && rest[i] !== 'header') {
          diag(
            'error',
            'forwardforUnknownArg',
            d.line,
            "'option forwardfor' only supports optional values: 'except', 'header' and 'if-none'.",
            { arg: rest[i] },
          );
        } else if (rest[i + 1] === undefined) {
          diag('error', 'forwardforMissingValue', d.line, "'option forwardfor {arg}' expects an argument.", {
            arg: rest[i],
          });
        } else {
          i++;
          continue;
        }
        d.ignored = true;
        return;
      }
    }
  }

  /**
   * Server keywords are case-sensitive: `Backup` is "unknown keyword 'Backup'; did you mean 'backup'
   * maybe ?" (haproxy -c 2.6), fatal. Only case variants of known keywords are reported here.
   */
  function validateServerWords(d: HaproxyDirective): void {
    const words = d.keyword === 'server' ? d.args.slice(2) : d.args;
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (SERVER_VALUE_PARAMS.has(w)) {
        i++;
        continue;
      }
      if (SERVER_FLAG_PARAMS.has(w)) continue;
      const lower = w.toLowerCase();
      if (SERVER_VALUE_PARAMS.has(lower) || SERVER_FLAG_PARAMS.has(lower)) {
        const name = d.keyword === 'server' ? `${current?.name ?? ''}/${d.args[0] ?? ''}` : (current?.name ?? '');
        diag(
          'error',
          'unknownServerKeyword',
          d.line,
          "'{keyword} {name}' : unknown keyword '{word}'; did you mean '{lower}' maybe ?",
          { keyword: d.keyword, name, word: w, lower },
        );
        return;
      }
    }
  }

  /**
   * ACL names in `if`/`unless` conditions are case-sensitive: `if true` is "no such ACL : 'true'"
   * (haproxy -c 2.6), fatal. Reported for case variants of the predefined ACLs (src/acl.c) that no
   * `acl` line of the section defines.
   */
  function validateCondition(d: HaproxyDirective): void {
    const at = d.args.findIndex((w) => w === 'if' || w === 'unless');
    if (
      at < 0 ||
      !['http-request', 'http-response', 'use_backend', 'redirect', 'tcp-request', 'http-after-response'].includes(
        d.keyword,
      )
    )
      return;
    const defined = new Set((current?.directives ?? []).filter((x) => x.keyword === 'acl').map((x) => x.args[0]));
    for (const term of d.args.slice(at + 1)) {
      const name = term.replace(/^!/, '');
      if (name === '' || defined.has(name) || PREDEFINED_ACLS.has(name)) continue;
      if (PREDEFINED_ACLS.has(name.toUpperCase())) {
        // A rule HAProxy cannot parse ends the reading of the file (ERR_ABORT): nothing after it is reported.
        abort('unknownAcl', d.line, "error detected while parsing an '{keyword}' condition : no such ACL : '{acl}'.", {
          keyword: `${d.keyword} ${d.args[0] ?? ''}`,
          acl: name,
          upper: name.toUpperCase(),
        });
        return;
      }
    }
  }

  function reportDuplicateProxies(): void {
    const seen = new Map<string, HaproxySection>();
    for (const s of config.sections) {
      if (!PROXY_KINDS.has(s.kind) || !s.name) continue;
      const sameCap = (['frontend', 'backend'] as const).filter((cap) => s.kind === cap || s.kind === 'listen');
      for (const cap of sameCap) {
        const key = `${cap}:${s.name}`;
        const earlier = seen.get(key);
        if (earlier) {
          diag(
            'error',
            'duplicateProxy',
            s.header.line,
            "{section} '{name}' has the same name as {other} '{name}' declared at {file}:{line}.",
            { section: s.kind, name: s.name, other: earlier.kind, file, line: earlier.header.line },
          );
          break;
        }
      }
      for (const cap of sameCap) if (!seen.has(`${cap}:${s.name}`)) seen.set(`${cap}:${s.name}`, s);
      // A frontend and a backend sharing a name: accepted up to 3.0, warned in 3.1/3.2, fatal from 3.3.
      const other =
        s.kind === 'frontend'
          ? seen.get(`backend:${s.name}`)
          : s.kind === 'backend'
            ? seen.get(`frontend:${s.name}`)
            : undefined;
      if (other && other !== s && other.kind !== 'listen' && versionAtLeast(version, '3.1')) {
        const fatal = versionAtLeast(version, '3.3');
        diag(
          fatal ? 'error' : 'warning',
          'frontendBackendSameName',
          s.header.line,
          "{section} '{name}' has the same name as {other} '{name}' declared at {file}:{line}." +
            (fatal ? ' This is no longer supported as of 3.3.' : ''),
          { section: s.kind, name: s.name, other: other.kind, file, line: other.header.line },
        );
      }
    }
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

/** Label of a section as a user reads it: `frontend front_cluster`, `defaults`, `defaults web`. */
export function sectionLabel(section: HaproxySection): string {
  return section.name ? `${section.kind} ${section.name}` : section.kind;
}
