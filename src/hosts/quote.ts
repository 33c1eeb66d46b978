// POSIX shell quoting: every value that reaches a remote shell goes through here.

/** Words made only of these characters mean the same quoted or not (no `=`: `a=b` first is an assignment; no `~`). */
const SAFE_WORD = /^[A-Za-z0-9_/.,:@%+-]+$/;

/** Quote one argument so any POSIX shell (sh, dash, bash, zsh in sh mode) reads it back as exactly one word. */
export function shellQuoteArg(arg: string): string {
  if (arg.includes('\0')) throw new TypeError('a shell argument cannot contain a NUL byte');
  if (SAFE_WORD.test(arg)) return arg;
  // Inside single quotes nothing is special; a single quote itself is closed, escaped and reopened.
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Quote an argv into one command line: the remote shell runs argv[0] with exactly these arguments. */
export function shellQuote(argv: readonly string[]): string {
  return argv.map(shellQuoteArg).join(' ');
}
