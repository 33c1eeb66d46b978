// ~/.ssh/config, read the way OpenSSH's readconf.c reads it (for the keywords hagrade uses).
import { readdirSync, readFileSync } from 'node:fs';
import { homedir, hostname, userInfo } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';

export interface SshConfigEntry {
  /** Lower-cased, as OpenSSH compares keywords case-insensitively. */
  keyword: string;
  args: string[];
  file: string;
  line: number;
}

/** What ~/.ssh/config says about one host, with explicit settings (inventory, command line) applied first. */
export interface ResolvedSshConfig {
  /** The name to connect to: HostName, or the alias itself. */
  hostName: string;
  port: number;
  user: string;
  /** IdentityFile entries in order, with `~` and `%` tokens expanded (they may not exist). */
  identityFiles: string[];
  /** ProxyJump hops, first to last (`[user@]host[:port]` or `ssh://` URIs); empty for none. */
  proxyJump: string[];
  /** What was skipped or not understood, for `--verbose`. */
  notes: string[];
}

export interface ResolveOptions {
  /** The config file; default ~/.ssh/config. A missing file is an empty config. */
  file?: string;
  /** Given explicitly (inventory, command line): these win over the config, as `ssh -l`/`-p` do. */
  user?: string;
  port?: number;
  home?: string;
  localUser?: string;
}

// ---------------------------------------------------------------------------------------------
// Patterns (also used for known_hosts host patterns)

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/**
 * OpenSSH's match_hostname: true when a positive pattern matches and no `!negated` one does.
 * Host names compare case-insensitively; `*` is any run of characters, `?` exactly one.
 */
export function matchHostPatterns(name: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    if (globToRegExp(negated ? pattern.slice(1) : pattern).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

// ---------------------------------------------------------------------------------------------
// Parsing

/**
 * Split a config line into words like OpenSSH's argv_split: quotes group, backslash escapes, `#` word ends the line.
 */
function splitWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && (text[i + 1] === quote || text[i + 1] === '\\')) word += text[++i];
      else word += ch;
    } else if (ch === ' ' || ch === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (ch === '#' && !inWord) {
      break;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Parse one config file's text. Never throws: lines it cannot read become notes. */
export function parseSshConfig(text: string, file: string): { entries: SshConfigEntry[]; notes: string[] } {
  const entries: SshConfigEntry[] = [];
  const notes: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    // `Keyword value`, `Keyword=value` and `Keyword = value` are all allowed.
    const m = /^\s*([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s+|$)(.*)$/.exec(raw);
    if (!m) {
      if (raw.trim() !== '' && !raw.trim().startsWith('#')) notes.push(`${file}:${line}: cannot read '${raw.trim()}'`);
      return;
    }
    entries.push({ keyword: m[1]!.toLowerCase(), args: splitWords(m[2]!), file, line });
  });
  return { entries, notes };
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** Files an Include names: `~` expanded, relative to ~/.ssh, `*`/`?` globs in the file name. */
function includeFiles(pattern: string, sshDir: string, home: string): string[] {
  let path = pattern.startsWith('~/') ? join(home, pattern.slice(2)) : pattern;
  if (!isAbsolute(path)) path = join(sshDir, path);
  const name = basename(path);
  if (!/[*?]/.test(name)) return [path];
  try {
    const re = globToRegExp(name);
    return readdirSync(dirname(path))
      .filter((f) => re.test(f) && !f.startsWith('.'))
      .sort()
      .map((f) => join(dirname(path), f));
  } catch {
    return [];
  }
}

interface Collected {
  values: Map<string, string[]>;
  identityFiles: string[];
  notes: string[];
}

const MAX_INCLUDE_DEPTH = 16;

/**
 * Walk entries as readconf.c does: a Host line decides whether the lines below it apply; the first
 * value of a keyword wins (IdentityFile accumulates); an Include is read in the current state, which
 * is restored after it; a Match block is skipped with a note.
 */
function evaluate(
  entries: SshConfigEntry[],
  alias: string,
  out: Collected,
  ctx: { sshDir: string; home: string },
  depth: number,
  active: boolean,
  neverMatch: boolean,
): void {
  for (const e of entries) {
    if (e.keyword === 'host') {
      active = !neverMatch && matchHostPatterns(alias, e.args);
    } else if (e.keyword === 'match') {
      out.notes.push(`${e.file}:${e.line}: 'Match' blocks are not supported; skipped`);
      active = false;
    } else if (e.keyword === 'include') {
      if (depth >= MAX_INCLUDE_DEPTH) {
        out.notes.push(`${e.file}:${e.line}: Include nested too deeply; skipped`);
        continue;
      }
      for (const pattern of e.args) {
        for (const path of includeFiles(pattern, ctx.sshDir, ctx.home)) {
          let text: string;
          try {
            text = readFileSync(path, 'utf8');
          } catch {
            continue; // OpenSSH ignores Include files that do not exist
          }
          const parsed = parseSshConfig(text, path);
          out.notes.push(...parsed.notes);
          evaluate(parsed.entries, alias, out, ctx, depth + 1, active, neverMatch || !active);
        }
      }
    } else if (active) {
      if (e.keyword === 'identityfile') out.identityFiles.push(...e.args);
      else if (!out.values.has(e.keyword)) out.values.set(e.keyword, e.args);
    }
  }
}

/** Expand `%` tokens as OpenSSH does for IdentityFile; an unknown token is kept and noted. */
export function expandTokens(text: string, tokens: Record<string, string>, notes: string[]): string {
  return text.replace(/%(.)/g, (all, ch: string) => {
    if (ch === '%') return '%';
    if (ch in tokens) return tokens[ch]!;
    notes.push(`unknown token '${all}' in '${text}' kept as written`);
    return all;
  });
}

function expandHome(path: string, home: string): string {
  return path === '~' || path.startsWith('~/') ? home + path.slice(1) : path;
}

/** What ~/.ssh/config (and its Includes) says about `alias`. Never throws. */
export function resolveSshConfig(alias: string, opts: ResolveOptions = {}): ResolvedSshConfig {
  const home = opts.home ?? homedir();
  const file = opts.file ?? join(home, '.ssh', 'config');
  const out: Collected = { values: new Map(), identityFiles: [], notes: [] };
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // no config file: every value comes from the options or OpenSSH's defaults
  }
  const parsed = parseSshConfig(text, file);
  out.notes.push(...parsed.notes);
  evaluate(parsed.entries, alias, out, { sshDir: dirname(file), home }, 0, true, false);

  const first = (keyword: string): string | undefined => out.values.get(keyword)?.[0];
  const localUser = opts.localUser ?? safeLocalUser();
  const hostName = expandTokens(first('hostname') ?? alias, { h: alias }, out.notes);
  const configPort = Number(first('port'));
  const port = opts.port ?? (Number.isInteger(configPort) && configPort > 0 && configPort < 65536 ? configPort : 22);
  const user = opts.user ?? first('user') ?? localUser;
  const tokens: Record<string, string> = {
    h: hostName,
    p: String(port),
    r: user,
    u: localUser,
    d: home,
    n: alias,
    l: hostname(),
  };
  const identityFiles = out.identityFiles
    .filter((f) => f.toLowerCase() !== 'none')
    .map((f) => expandHome(expandTokens(f, tokens, out.notes), home));
  const jump = first('proxyjump');
  const proxyJump =
    jump && jump.toLowerCase() !== 'none'
      ? jump
          .split(',')
          .map((hop) => hop.trim())
          .filter(Boolean)
      : [];
  if (out.values.has('proxycommand'))
    out.notes.push(`ProxyCommand for ${alias} is not supported (use ProxyJump); ignored`);
  return { hostName, port, user, identityFiles, proxyJump, notes: out.notes };
}

function safeLocalUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}
