// keepalived.conf's include files, fetched from a host: glob(3) with braces over the Host
// interface (listDir, readFile), and rounds of parsing until no new include is asked for. Used when
// a config is loaded for the checks and when a snapshot is captured.
import { parseKeepalived, type IncludedFile, type KeepalivedConfig } from '../parsers/keepalived.js';
import type { Host } from '../hosts/host.js';

/** Real configs are a few kilobytes; the cap keeps a runaway file from eating the grader's memory. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
/** Include files can include others; each round fetches the files the previous parse asked for. */
const MAX_INCLUDE_ROUNDS = 8;
/** A glob over a remote host is bounded: keepalived configs include a handful of files. */
const MAX_GLOB_MATCHES = 256;

/**
 * Parse, fetch what the parse asked to include, parse again, until nothing new is asked for. The
 * parser is synchronous and pure; the host is not, so includes are fetched between rounds.
 */
export async function parseWithIncludes(
  content: Buffer | string,
  file: string,
  configId: string | undefined,
  glob: (pattern: string) => Promise<IncludedFile[]>,
  userExists?: (name: string) => boolean,
): Promise<KeepalivedConfig> {
  const fetched = new Map<string, IncludedFile[]>();
  let config = parseKeepalived(content, file, { configId, readInclude: (p) => fetched.get(p) ?? [], userExists });
  for (let round = 0; round < MAX_INCLUDE_ROUNDS; round++) {
    const wanted = [...new Set(config.includeRequests)].filter((p) => !fetched.has(p));
    if (wanted.length === 0) break;
    for (const pattern of wanted) fetched.set(pattern, await glob(pattern));
    config = parseKeepalived(content, file, { configId, readInclude: (p) => fetched.get(p) ?? [], userExists });
  }
  return config;
}

/** keepalived's default config-id: the host name up to the first dot (for `@id` lines). */
export async function hostConfigId(host: Host): Promise<string | undefined> {
  const read = await host.readFile('/etc/hostname', { maxBytes: 4096 });
  if (!read.ok) return undefined;
  const name = read.content.toString('utf8').split('\n')[0].trim();
  return name ? name.split('.')[0] : undefined;
}

/** glob(3) with GLOB_BRACE over a Host: `{a,b}` alternatives in order, each one's matches sorted. */
export async function globOnHost(host: Host, pattern: string): Promise<IncludedFile[]> {
  const out: IncludedFile[] = [];
  for (const alternative of expandBraces(pattern)) {
    for (const candidate of await matchSegments(host, alternative)) {
      if (out.length >= MAX_GLOB_MATCHES) return out;
      const read = await host.readFile(candidate, { maxBytes: MAX_CONFIG_BYTES });
      if (read.ok) out.push({ file: candidate, text: read.content });
    }
  }
  return out;
}

/** csh-style brace expansion: `a{b,c}d` -> abd, acd (nested braces work too). */
export function expandBraces(pattern: string): string[] {
  let depth = 0;
  let open = -1;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '{' && depth++ === 0) open = i;
    else if (pattern[i] === '}' && depth > 0 && --depth === 0) {
      const parts: string[] = [];
      let level = 0;
      let start = open + 1;
      for (let j = open + 1; j < i; j++) {
        if (pattern[j] === '{') level++;
        else if (pattern[j] === '}') level--;
        else if (pattern[j] === ',' && level === 0) {
          parts.push(pattern.slice(start, j));
          start = j + 1;
        }
      }
      parts.push(pattern.slice(start, i));
      const head = pattern.slice(0, open);
      const tail = pattern.slice(i + 1);
      return parts.flatMap((p) => expandBraces(head + p + tail));
    }
  }
  return [pattern];
}

const hasWildcard = (s: string) => /[*?[]/.test(s);

/** Expand `*`, `?`, `[…]` segment by segment with listDir; dotfiles only match a leading `.`. */
async function matchSegments(host: Host, pattern: string): Promise<string[]> {
  if (!hasWildcard(pattern)) return [pattern];
  const segments = pattern.split('/').filter((s, i) => s !== '' || i === 0);
  let paths = [''];
  for (const segment of segments.slice(1)) {
    const next: string[] = [];
    for (const dir of paths.slice(0, MAX_GLOB_MATCHES)) {
      if (!hasWildcard(segment)) {
        next.push(`${dir}/${segment}`);
        continue;
      }
      const names = (await host.listDir(dir || '/')) ?? [];
      const re = globSegmentRegExp(segment);
      for (const name of [...names].sort()) {
        if (name.startsWith('.') && !segment.startsWith('.')) continue;
        if (re.test(name)) next.push(`${dir}/${name}`);
      }
    }
    paths = next;
  }
  return paths;
}

function globSegmentRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        const body = segment
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
