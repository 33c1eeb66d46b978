// What a track script's exit status follows when keepalived runs it. keepalived has no shell: it
// splits `script "…"` into words by its own quoting rules and calls execve() (lib/notify.c
// system_call_script(), v2.2.7 line 201; GRAMMAR.md §B3). So `|`, `||`, `&&`, `;`, `>`, `$(…)`,
// backticks, globs and `$VAR` reach the program as literal arguments. An explicit `sh -c '…'` (or
// a script file) is shell, judged by its shell text. Pure functions: the host facts (which file a
// name resolves to, what a script file holds) are read elsewhere (script-files.ts).
import { posix as path } from 'node:path';
import { versionAtLeast } from './versions.js';

/** What the exit status follows, as keepalived runs the command. */
export type Outcome =
  /** 0 while haproxy runs, non-zero when it does not. */
  | 'tracks'
  /** Never 0: keepalived sees a failure whether haproxy runs or not. */
  | 'neverSucceeds'
  /** Always 0: keepalived never sees haproxy stop. */
  | 'neverFails'
  /** It follows something other than haproxy (the web server, another process, a file). */
  | 'otherThing'
  /** Not decidable from the text. */
  | 'unknown';

/** Why, as a message id of KAD006/KAD008 (both languages there); `data` fills its placeholders. */
export type Why =
  | 'checksHaproxy'
  | 'eperm'
  | 'pidofSymlink'
  | 'literalNames'
  | 'extraPattern'
  | 'noOperand'
  | 'testSyntax'
  | 'testConstant'
  | 'alwaysSucceeds'
  | 'alwaysFails'
  | 'statusDiscarded'
  | 'curlLiteral'
  | 'webServerOnly'
  | 'otherProcess'
  | 'fileTest'
  | 'noHaproxy'
  | 'notInPath'
  | 'noShebang'
  | 'badInterpreter'
  | 'cannotTell';

export interface Judgement {
  outcome: Outcome;
  why: Why;
  data: Record<string, string>;
}

export interface ExecContext {
  /** The user keepalived runs it as. */
  user: string;
  /** The service's process name (profile: haproxy). */
  service: string;
  /** keepalived's version: before 2.3.0 argv[0] became the realpath, so Debian's pidof ran as killall5. */
  keepalivedVersion: string;
}

/** Words that a shell would have read as syntax: here they are plain arguments. */
const SHELL_SYNTAX =
  /^(\|\||&&|\||;|;;|&|>|>>|<|<<|2>&1|&>|>&|2>|1>|\(|\)|\{|\}|!|then|fi|do|done|exit|if)$|[|;&<>`]|\$[({A-Za-z_]/;
/** Shell built-ins and keywords that are no file on PATH: keepalived's path search cannot find them. */
const NOT_A_PROGRAM = new Set([
  'exit',
  'if',
  '[[',
  ':',
  'source',
  '.',
  'export',
  'cd',
  'return',
  'then',
  'fi',
  'function',
  'set',
  'eval',
  'exec',
  'builtin',
]);
const SHELLS = new Set(['sh', 'bash', 'dash', 'ksh', 'zsh', 'ash', 'busybox']);

export const isShellSyntax = (word: string): boolean => SHELL_SYNTAX.test(word);
const literalList = (words: string[]) => words.map((w) => `\`${w}\``).join(', ');

/** keepalived's path search needs a file name without `/`; these can never be one. */
export function cannotBeOnPath(program: string): boolean {
  return (
    !program.includes('/') && (NOT_A_PROGRAM.has(program) || /[$`|;&<>(){}*?[\]\s]/.test(program.replace(/^\[$/, '')))
  );
}

/** `sh -c TEXT …` -> TEXT; `sh FILE …` -> FILE; otherwise undefined. */
export function shellForm(argv: string[]): { text: string } | { file: string } | undefined {
  if (!SHELLS.has(path.basename(argv[0] ?? ''))) return undefined;
  const rest = argv[0] && path.basename(argv[0]) === 'busybox' ? argv.slice(2) : argv.slice(1);
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i];
    if (/^-[a-z]*c[a-z]*$/.test(w)) return rest[i + 1] === undefined ? undefined : { text: rest[i + 1] };
    if (w.startsWith('-') || w.startsWith('+')) continue;
    return { file: w };
  }
  return undefined;
}

/** Judge a command keepalived execs directly (no shell). `sh -c` goes to judgeShell. */
export function judgeArgv(argv: string[], ctx: ExecContext): Judgement {
  const program = argv[0] ?? '';
  const name = path.basename(program);
  const args = argv.slice(1);
  const svc = ctx.service;
  const literals = args.filter(isShellSyntax);
  const data = {
    program: name,
    command: argv.join(' '),
    literals: literalList(literals),
    service: svc,
    user: ctx.user,
  };
  const j = (outcome: Outcome, why: Why, extra: Record<string, string> = {}): Judgement => ({
    outcome,
    why,
    data: { ...data, ...extra },
  });

  if (cannotBeOnPath(program)) return j('neverSucceeds', 'notInPath');
  const shell = shellForm(argv);
  if (shell && 'text' in shell) return judgeShell(shell.text, ctx);

  switch (name) {
    case 'echo':
    case 'printf':
    case 'true':
    case 'logger':
    case 'sleep':
      return j('neverFails', 'alwaysSucceeds');
    case 'false':
      return j('neverSucceeds', 'alwaysFails');
    case 'killall':
      return judgeKillall(args, ctx, j, literals);
    case 'pgrep':
    case 'pkill':
      return judgePgrep(name, args, ctx, j);
    case 'pidof':
      return judgePidof(args, ctx, j, literals);
    case 'test':
    case '[':
      return judgeTest(args, name === '[', svc, j);
    case 'curl':
    case 'wget': {
      if (literals.length > 0) return j('neverSucceeds', 'curlLiteral');
      const urls = args.filter((a) => /^[a-z]+:\/\//i.test(a));
      if (urls.some((u) => u.startsWith('https://'))) return j('tracks', 'checksHaproxy');
      if (urls.length > 0) return j('otherThing', 'webServerOnly', { url: urls[0] });
      return j('unknown', 'cannotTell');
    }
    case 'kill': {
      const operands = args.filter((a) => !/^-/.test(a));
      if (operands.some((a) => !/^-?\d+$/.test(a)))
        return j('neverSucceeds', 'literalNames', {
          literals: literalList(operands.filter((a) => !/^-?\d+$/.test(a))),
        });
      return j('unknown', 'cannotTell');
    }
    case 'ps':
      if (literals.length > 0) return j('neverSucceeds', 'literalNames');
      break;
  }
  if (!argv.some((w) => w.includes(svc))) return j('otherThing', 'noHaproxy');
  return j('unknown', 'cannotTell');
}

type Make = (outcome: Outcome, why: Why, extra?: Record<string, string>) => Judgement;

/** Signal 0 still checks permission: as non-root, kill(2) on root's haproxy fails with EPERM (GRAMMAR.md §B5). */
const SIGNAL_ZERO = new Set(['-0', '-s0', '--signal=0', '-SIG0']);

/**
 * psmisc killall: every name must match a process it could signal, else "NAME: no process found"
 * and exit 1 (psmisc src/killall.c; verified with psmisc 23.6 on Debian 12). A shell word taken as a
 * process name therefore makes it fail whether haproxy runs or not.
 */
function judgeKillall(args: string[], ctx: ExecContext, j: Make, literals: string[]): Judgement {
  const withValue = new Set([
    '-s',
    '--signal',
    '-u',
    '--user',
    '-o',
    '--older-than',
    '-y',
    '--younger-than',
    '-Z',
    '--context',
    '-n',
    '--ns',
  ]);
  const names: string[] = [];
  let signalZero = false;
  let regex = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (SIGNAL_ZERO.has(a) || ((a === '-s' || a === '--signal') && args[i + 1] === '0')) signalZero = true;
    if (a === '-r' || a === '--regexp') regex = true;
    if (withValue.has(a)) i++;
    else if (!a.startsWith('-') || a === '-') names.push(a);
  }
  if (names.length === 0) return j('neverSucceeds', 'noOperand');
  const others = names.filter((n) => n !== ctx.service);
  if (others.length > 0 && !regex) {
    const kind = names.includes(ctx.service)
      ? 'literalNames'
      : literals.length > 0 || others.some((n) => /[*?$]/.test(n))
        ? 'literalNames'
        : 'otherProcess';
    if (kind === 'otherProcess') return j('otherThing', 'otherProcess', { names: literalList(others) });
    return j('neverSucceeds', 'literalNames', { literals: literalList(others) });
  }
  if (regex) return j('unknown', 'cannotTell');
  if (!signalZero || ctx.user === ctx.service) return j('unknown', 'cannotTell');
  return ctx.user === 'root' ? j('tracks', 'checksHaproxy') : j('neverSucceeds', 'eperm');
}

/** procps pgrep/pkill: one pattern only ("only one pattern can be provided", exit 2). */
function judgePgrep(name: string, args: string[], ctx: ExecContext, j: Make): Judgement {
  const withValue = new Set([
    '-d',
    '--delimiter',
    '-g',
    '--pgroup',
    '-G',
    '--group',
    '-P',
    '--parent',
    '-s',
    '--session',
    '-t',
    '--terminal',
    '-u',
    '--euid',
    '-U',
    '--uid',
    '-F',
    '--pidfile',
    '-r',
    '--runstates',
    '--signal',
    '--ns',
    '--nslist',
    '-O',
    '--older',
  ]);
  const patterns: string[] = [];
  let signalZero = false;
  let selector = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (SIGNAL_ZERO.has(a) || (a === '--signal' && args[i + 1] === '0')) signalZero = true;
    if (withValue.has(a)) {
      selector = true;
      i++;
    } else if (!a.startsWith('-') || a === '-') patterns.push(a);
  }
  if (patterns.length > 1) return j('neverSucceeds', 'extraPattern', { literals: literalList(patterns.slice(1)) });
  if (patterns.length === 0) return selector ? j('unknown', 'cannotTell') : j('neverSucceeds', 'noOperand');
  const pattern = patterns[0];
  // An extended regex: `$` before text anchors nothing that can follow it, so `$SVC` never matches.
  if (/\$[A-Za-z_{(]/.test(pattern)) return j('neverSucceeds', 'literalNames', { literals: literalList([pattern]) });
  if (!pattern.replace(/[[\]]/g, '').includes(ctx.service.slice(0, 15)) && !pattern.includes(ctx.service)) {
    return j('otherThing', 'otherProcess', { names: literalList([pattern]) });
  }
  if (name === 'pgrep') return j('tracks', 'checksHaproxy');
  // Signal 0 as the service's own user reaches its workers (`user haproxy` in haproxy.cfg): not EPERM.
  if (!signalZero || ctx.user === ctx.service) return j('unknown', 'cannotTell');
  return ctx.user === 'root' ? j('tracks', 'checksHaproxy') : j('neverSucceeds', 'eperm');
}

/**
 * pidof: before keepalived 2.3.0 argv[0] became the realpath, and Debian's pidof is a symlink to
 * killall5, which then refuses the name ("only one argument, a signal number, allowed"). From 2.3.0
 * it succeeds when any named program runs.
 */
function judgePidof(args: string[], ctx: ExecContext, j: Make, literals: string[]): Judgement {
  const names = args.filter((a, i) => !a.startsWith('-') && args[i - 1] !== '-o' && args[i - 1] !== '-d');
  if (!versionAtLeast(ctx.keepalivedVersion, '2.3'))
    return j('neverSucceeds', 'pidofSymlink', { version: ctx.keepalivedVersion });
  if (names.length === 0) return j('neverSucceeds', 'noOperand');
  if (names.includes(ctx.service)) return j('tracks', 'checksHaproxy');
  if (literals.length > 0 || names.some((n) => /[*?$]/.test(n)))
    return j('neverSucceeds', 'literalNames', { literals: literalList(names) });
  return j('otherThing', 'otherProcess', { names: literalList(names) });
}

const BINARY_TEST_OPS = new Set(['=', '==', '!=', '-eq', '-ne', '-lt', '-le', '-gt', '-ge', '-nt', '-ot', '-ef']);
const FILE_TESTS = new Set([
  '-e',
  '-f',
  '-d',
  '-s',
  '-r',
  '-w',
  '-x',
  '-L',
  '-h',
  '-p',
  '-S',
  '-b',
  '-c',
  '-g',
  '-u',
  '-k',
  '-O',
  '-G',
  '-N',
]);

/**
 * coreutils test/[ on the literal words (POSIX test, by argument count): `$(pidof haproxy)` is
 * text, not a command, so `-n` on it is always true and `[ -n $(pidof haproxy) ]` (three operands)
 * is a syntax error, exit 2 ("binary operator expected"; verified with coreutils 9.1, Debian 12).
 */
function judgeTest(args: string[], bracket: boolean, svc: string, j: Make): Judgement {
  let ops = args;
  if (bracket) {
    if (ops[ops.length - 1] !== ']') return j('neverSucceeds', 'testSyntax');
    ops = ops.slice(0, -1);
  }
  const constant = (value: boolean) =>
    j(value ? 'neverFails' : 'neverSucceeds', 'testConstant', { value: value ? 'true' : 'false' });
  if (ops.length === 0) return constant(false);
  if (ops.length === 1) return constant(ops[0] !== '');
  if (ops.length === 2) {
    const [op, x] = ops as [string, string];
    if (op === '-n') return constant(x !== '');
    if (op === '-z') return constant(x === '');
    if (op === '!') return constant(x === '');
    if (FILE_TESTS.has(op))
      return x.includes(svc) ? j('unknown', 'cannotTell') : j('otherThing', 'fileTest', { file: x });
    return j('neverSucceeds', 'testSyntax');
  }
  if (ops.length === 3) {
    const [a, op, b] = ops as [string, string, string];
    if (op === '=' || op === '==') return constant(a === b);
    if (op === '!=') return constant(a !== b);
    if (BINARY_TEST_OPS.has(op)) return j('unknown', 'cannotTell');
    if (a === '!' || (a === '(' && b === ')')) return j('unknown', 'cannotTell');
    return j('neverSucceeds', 'testSyntax');
  }
  return j('unknown', 'cannotTell');
}

// ---------------------------------------------------------------------------------------------
// Shell text: `sh -c '…'` and script files

/** The text without comments and the `#!` line, one statement per line (`;` split too). */
function statements(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    out.push(
      ...line
        .split(/;(?![^'"]*['"][^'"]*$)/)
        .map((s) => s.trim())
        .filter(Boolean),
    );
  }
  return out;
}

/** The simple commands of a shell text: each run between `|`, `||`, `&&`, `;`, `$(`, `` ` ``, keywords. */
function simpleCommands(text: string): string[][] {
  return text
    .split(/\|\||&&|\||;|\n|\$\(|`|\(|\)/)
    .map((part) =>
      part
        .replace(/(^|\s)#.*$/, '')
        .trim()
        .split(/\s+/)
        .filter(Boolean),
    )
    .map((words) => {
      while (words.length && /^(if|then|else|elif|while|until|do|!|exec|command|sudo|timeout|nice)$/.test(words[0])) {
        words.shift();
        if (words[0] && /^\d+$/.test(words[0])) words.shift(); // timeout 3 cmd
      }
      return words.map((w) => w.replace(/^["']|["']$/g, ''));
    })
    .filter((w) => w.length > 0);
}

const ENDS_DISCARDING = /(\|\|\s*(true|:|exit\s+0)|;\s*(true|:))\s*$/;

/**
 * Shell text, as sh runs it. Heuristic but conservative: "never fails" only when the last statement
 * throws the status away and no statement exits non-zero; EPERM when the checking command sends
 * signal 0 as a non-root user; "other thing" when haproxy is not named at all.
 */
export function judgeShell(text: string, ctx: ExecContext): Judgement {
  const svc = ctx.service;
  const data = {
    program: 'sh',
    command: text.trim().split('\n').slice(0, 3).join('; '),
    literals: '',
    service: svc,
    user: ctx.user,
  };
  const j = (outcome: Outcome, why: Why, extra: Record<string, string> = {}): Judgement => ({
    outcome,
    why,
    data: { ...data, ...extra },
  });
  const body = text.replace(/^#!.*\n?/, '');
  const stmts = statements(body);
  const commands = simpleCommands(body);
  const last = stmts[stmts.length - 1] ?? '';
  const exitsNonZero =
    stmts.some(
      (s) =>
        /(^|\s|;|then|else|\|\||&&)\s*exit\s+(?!0\b)\S+/.test(s) ||
        /(^|\s)exit\s*$/.test(s) ||
        /(^|\s)(return)\s+[1-9]/.test(s),
    ) || /^\s*set\s+-[a-z]*e/m.test(body);
  if (stmts.length === 0) return j('neverFails', 'alwaysSucceeds');
  if ((/^(exit\s+0|true|:)$/.test(last) || ENDS_DISCARDING.test(last)) && !exitsNonZero)
    return j('neverFails', 'statusDiscarded', { ending: last });
  const mentions = commands.some((words) =>
    words.some((w) => w.replace(/[[\]]/g, '').includes(svc) || /^https:\/\//.test(w)),
  );
  if (!mentions) return j('otherThing', 'noHaproxy');
  const checking = commands.filter(
    (words) => words.some((w) => w.includes(svc)) && ['killall', 'pkill'].includes(path.basename(words[0])),
  );
  if (ctx.user !== 'root' && ctx.user !== svc && checking.some((words) => words.some((w) => SIGNAL_ZERO.has(w)))) {
    return j('neverSucceeds', 'eperm', { command: checking[0].join(' ') });
  }
  const known = commands.some(
    (words) =>
      ['pidof', 'pgrep', 'killall', 'pkill', 'systemctl', 'curl', 'wget', 'ps', 'service', 'grep'].includes(
        path.basename(words[0]),
      ) && words.slice(1).some((w) => w.replace(/[[\]]/g, '').includes(svc) || /^https:\/\//.test(w)),
  );
  return known ? j('tracks', 'checksHaproxy') : j('unknown', 'cannotTell');
}
