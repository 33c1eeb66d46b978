// haproxy.cfg of each host, read and parsed once per run, shared by HAP001-HAP012.
import { posix } from 'node:path';
import { parseHaproxy, type HaproxyConfig } from '../parsers/haproxy.js';
import {
  resolveHaproxy,
  type ResolvedHaproxy,
  type ResolvedProxy,
  type ValueOrigin,
} from '../parsers/haproxy-resolve.js';
import type { SourceRef } from '../parsers/source-ref.js';
import type { CheckContext, MessageIds } from '../model/check.js';
import type { FileRead } from '../hosts/host.js';
import type { Role, Text } from '../model/basics.js';
import { reportUnreadable } from './unreadable.js';
import { daemonVersions, majorMinor, type DaemonVersion } from './versions.js';

/** Real configs are a few kilobytes; a generous cap keeps a runaway file from eating the grader's memory. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

export interface HaproxyFile {
  role: Role;
  path: string;
  read: FileRead;
  /** The HAProxy that reads it: the host's, or the profile's when the host cannot tell. */
  daemon: DaemonVersion;
  /** Present when the file could be read. */
  config?: HaproxyConfig;
  resolved?: ResolvedHaproxy;
}

/**
 * Read, parse and resolve a host's haproxy.cfg once per run (memo key `haproxy:<role>`), as the
 * host's HAProxy reads it (`haproxy -v`, live or captured), else as the profile's version.
 */
export function loadHaproxy(ctx: CheckContext, role: Role): Promise<HaproxyFile> {
  return ctx.memo(`haproxy:${role}`, async () => {
    const path = ctx.profile.haproxyCfgPath;
    const daemon = (await daemonVersions(ctx, role)).haproxy;
    const version = majorMinor(daemon.version);
    const read = await ctx.host(role).readFile(path, { maxBytes: MAX_CONFIG_BYTES });
    if (!read.ok) return { role, path, read, daemon };
    const config = parseHaproxy(read.content, path, { version });
    return { role, path, read, daemon, config, resolved: resolveHaproxy(config, { version }) };
  });
}

// ---------------------------------------------------------------------------------------------
// HAP002-HAP012 need the parsed file: they skip, with the reason, when HAP001 could not read it.

export const CONFIG_SKIP_MESSAGES = {
  configMissing: {
    en: 'cannot judge: {file} does not exist (see HAP001)',
    ru: 'невозможно проверить: файла {file} нет (см. HAP001)',
  },
  configUnreadable: {
    en: 'cannot judge: {file} could not be read: {error} (see HAP001)',
    ru: 'невозможно проверить: не удалось прочитать {file}: {error} (см. HAP001)',
  },
} satisfies Record<string, Text>;

export type ConfigSkipId = MessageIds<typeof CONFIG_SKIP_MESSAGES>;

/** The parsed config, or undefined after reporting a skip (messages: CONFIG_SKIP_MESSAGES). */
export function configOrSkip(
  ctx: CheckContext<ConfigSkipId>,
  file: HaproxyFile,
): { config: HaproxyConfig; resolved: ResolvedHaproxy } | undefined {
  if (file.config && file.resolved) return { config: file.config, resolved: file.resolved };
  return reportUnreadable(ctx, file);
}

export type Capability = 'frontend' | 'backend';

/** Proxies with this name that can act as a frontend (frontend, listen) or a backend (backend, listen). */
export function proxiesNamed(resolved: ResolvedHaproxy, name: string, capability: Capability): ResolvedProxy[] {
  return resolved.proxies.filter((p) => p.name === name && (p.kind === capability || p.kind === 'listen'));
}

export const PROXY_SKIP_MESSAGES = {
  noFrontend: {
    en: 'cannot judge: there is no frontend {name} (see HAP002)',
    ru: 'невозможно проверить: нет фронтенда {name} (см. HAP002)',
  },
  noBackend: {
    en: 'cannot judge: there is no backend {name} (see HAP007)',
    ru: 'невозможно проверить: нет бэкенда {name} (см. HAP007)',
  },
} satisfies Record<string, Text>;

export type ProxySkipId = MessageIds<typeof PROXY_SKIP_MESSAGES>;

/**
 * For each host: the frontend (capability 'frontend') or backend named in the profile, or a skip.
 * Several sections with the name: the first is judged (HAP002/HAP007 report the duplicates).
 */
export async function forEachProxy(
  ctx: CheckContext<ConfigSkipId | ProxySkipId | 'notRead'>,
  capability: Capability,
  judge: (proxy: ResolvedProxy, host: HaproxyFile, resolved: ResolvedHaproxy) => void,
): Promise<void> {
  const name = capability === 'frontend' ? ctx.profile.frontendName : ctx.profile.backendName;
  for (const role of ['master', 'backup'] as const) {
    const file = await loadHaproxy(ctx, role);
    const parsed = configOrSkip(ctx, file);
    if (!parsed) continue;
    // HAProxy stopped reading the file: what the check looks at may never have been read.
    const stopped = parsed.config.stoppedAt;
    if (stopped) {
      const data = { file: file.path, line: stopped.line, reason: stopped.message.replace(/\.$/, '') };
      ctx.report({ host: role, file: file.path, line: stopped.line, messageId: 'notRead', data });
      continue;
    }
    const [proxy] = proxiesNamed(parsed.resolved, name, capability);
    if (proxy) judge(proxy, file, parsed.resolved);
    else {
      ctx.report({
        kind: 'skip',
        host: role,
        messageId: capability === 'frontend' ? 'noFrontend' : 'noBackend',
        file: file.path,
        data: { name },
      });
    }
  }
}

export const REFUSED_MESSAGES = {
  notRead: {
    en: 'HAProxy stops reading {file} at line {line} ({reason}): the configuration is refused and nothing after that line is loaded (see HAP001)',
    ru: 'HAProxy прекращает чтение {file} на строке {line} ({reason}): конфигурация не принимается, и всё, что ниже этой строки, не загружается (см. HAP001)',
  },
  refused: {
    en: 'HAProxy refuses line {line} of {section} (`{text}`): {reason}. haproxy -c fails and haproxy does not start with this file (see HAP001)',
    ru: 'HAProxy не принимает строку {line} в {section} (`{text}`): {reason}. haproxy -c завершается с ошибкой, и haproxy не запустится с этим файлом (см. HAP001)',
  },
} satisfies Record<string, Text>;

export type RefusedId = MessageIds<typeof REFUSED_MESSAGES>;

/**
 * When HAProxy refuses a line this check depends on (`balance RoundRobin`, `mode HTTP`, a server
 * with `Backup`), the check fails and says so, instead of judging what is left: report it and
 * return true. `keywords`: a keyword, or `keyword firstArg` (e.g. `option forwardfor`).
 */
export function reportRefused(
  ctx: CheckContext<'refused'>,
  role: Role,
  proxy: ResolvedProxy,
  keywords: string[],
): boolean {
  const refused = proxy.refused.find(
    (r) => keywords.includes(r.keyword) || keywords.includes(`${r.keyword} ${r.args[0] ?? ''}`),
  );
  if (!refused) return false;
  const o = refused.origin;
  ctx.report({
    host: role,
    file: o.file,
    line: o.line,
    excerpt: o.text.trim(),
    messageId: 'refused',
    data: { line: o.line, section: o.section, text: o.text.trim(), reason: refused.message.replace(/\.$/, '') },
  });
  return true;
}

/** Finding fields pointing at the line a value came from (or, for a built-in default, at the proxy's section line). */
export function at(
  origin: ValueOrigin | null,
  proxy: ResolvedProxy,
): { file: string; line: number; excerpt: string; data: { section: string; line: number } } {
  const header = proxy.section.header;
  const o = origin ?? {
    file: header.file,
    line: header.line,
    text: header.text,
    section: `${proxy.kind} ${proxy.name}`,
  };
  return { file: o.file, line: o.line, excerpt: o.text.trim(), data: { section: o.section, line: o.line } };
}

/**
 * HAP002/HAP007: exactly one frontend (backend) with the profile's name on each host.
 * Messages: missing, wrongKind (only a section of the other kind has the name), duplicate, listen (note), others
 * (note).
 */
export async function judgeUniqueProxy(
  ctx: CheckContext<ConfigSkipId | 'notRead' | 'missing' | 'wrongKind' | 'duplicate' | 'listen' | 'others'>,
  capability: Capability,
): Promise<void> {
  const name = capability === 'frontend' ? ctx.profile.frontendName : ctx.profile.backendName;
  for (const role of ['master', 'backup'] as const) {
    const file = await loadHaproxy(ctx, role);
    const parsed = configOrSkip(ctx, file);
    if (!parsed) continue;
    const point = (p: ResolvedProxy) => ({
      host: role,
      file: p.section.header.file,
      line: p.section.header.line,
      excerpt: p.section.header.text.trim(),
    });
    const named = proxiesNamed(parsed.resolved, name, capability);
    const stopped = parsed.config.stoppedAt;
    if (named.length === 0 && stopped) {
      ctx.report({
        host: role,
        file: file.path,
        line: stopped.line,
        messageId: 'notRead',
        data: { file: file.path, line: stopped.line, reason: stopped.message.replace(/\.$/, '') },
      });
      continue;
    }
    if (named.length === 0) {
      const other = parsed.resolved.proxies.find((p) => p.name === name);
      if (other) ctx.report({ ...point(other), messageId: 'wrongKind', data: { name, kind: other.kind } });
      else ctx.report({ host: role, file: file.path, messageId: 'missing', data: { name } });
      continue;
    }
    for (const extra of named.slice(1))
      ctx.report({ ...point(extra), messageId: 'duplicate', data: { name, line: named[0].section.header.line } });
    if (named[0].kind === 'listen')
      ctx.report({ ...point(named[0]), kind: 'note', messageId: 'listen', data: { name } });
    const others = parsed.resolved.proxies.filter(
      (p) => p.name !== name && (p.kind === capability || p.kind === 'listen'),
    );
    for (const p of others)
      ctx.report({ ...point(p), kind: 'note', messageId: 'others', data: { name: p.name, kind: p.kind } });
  }
}

/**
 * HAP004/HAP008: the effective `mode` of the frontend (backend), own or inherited from defaults.
 * Messages: wrongMode, defaultMode (nothing sets it: tcp), inherited (note).
 */
export function judgeMode(
  ctx: CheckContext<ConfigSkipId | ProxySkipId | RefusedId | 'wrongMode' | 'defaultMode' | 'inherited'>,
  capability: Capability,
): Promise<void> {
  const expected = capability === 'frontend' ? ctx.profile.frontendMode : ctx.profile.backendMode;
  return forEachProxy(ctx, capability, (proxy, file) => {
    if (reportRefused(ctx, file.role, proxy, ['mode'])) return;
    const { value, origin } = proxy.mode;
    const where = at(origin, proxy);
    const base = { host: file.role, file: where.file, line: where.line, excerpt: where.excerpt };
    const data = { ...where.data, name: proxy.name, mode: value, expected };
    if (value !== expected) ctx.report({ ...base, messageId: origin ? 'wrongMode' : 'defaultMode', data });
    else if (origin?.inherited) ctx.report({ ...base, kind: 'note', messageId: 'inherited', data });
  });
}

// ---------------------------------------------------------------------------------------------
// `crt DIR`: HAProxy loads every file of the directory as a certificate (src/ssl_crtlist.c
// crtlist_load_cert_dir(), v2.6.0:687-730): names starting with `.` and ending in .issuer, .ocsp,
// .sctl or .key are skipped, so are non-regular files; any other file that holds no certificate is
// fatal ("unable to load certificate from file '…'"), so the configuration does not load.

export const CRT_DIRECTORY_MESSAGES = {
  crtDirectoryFile: {
    en: 'crt {crt} names a directory, and HAProxy loads every file in it as a certificate: {file} is not one, so HAProxy refuses the configuration ("unable to load certificate from file \'{file}\'")',
    ru: 'crt {crt} указывает на каталог, а HAProxy загружает каждый файл из него как сертификат: {file} им не является, поэтому HAProxy не принимает конфигурацию ("unable to load certificate from file \'{file}\'")',
  },
} satisfies Record<string, Text>;

export interface CrtDirectoryProblem {
  crt: string;
  file: string;
  origin: SourceRef;
}

/** The last value of a global keyword (e.g. `crt-base`), if set. */
export function globalSetting(config: HaproxyConfig, keyword: string): string | undefined {
  let value: string | undefined;
  for (const s of config.sections) {
    if (s.kind !== 'global') continue;
    for (const d of s.directives) if (d.keyword === keyword && d.args[0] !== undefined) value = d.args[0];
  }
  return value;
}

/** A `crt` path as HAProxy opens it: relative ones (not `/` or `@`) are under the global `crt-base`. */
export function resolveCrt(config: HaproxyConfig, crt: string): string {
  const base = globalSetting(config, 'crt-base');
  return crt.startsWith('/') || crt.startsWith('@') || !base ? crt : posix.join(base, crt);
}

const skippedInCrtDir = (name: string) => {
  const dot = name.lastIndexOf('.');
  return dot >= 0 && (name.startsWith('.') || ['.issuer', '.ocsp', '.sctl', '.key'].includes(name.slice(dot)));
};

/** Files in a `crt` directory that HAProxy cannot load as a certificate (memo per host). */
export function crtDirectoryProblems(ctx: CheckContext, role: Role): Promise<CrtDirectoryProblem[]> {
  return ctx.memo(`crt-dirs:${role}`, async () => {
    const file = await loadHaproxy(ctx, role);
    if (!file.config || !file.resolved) return [];
    const host = ctx.host(role);
    const problems: CrtDirectoryProblem[] = [];
    const seen = new Set<string>();
    for (const proxy of file.resolved.proxies) {
      for (const bind of proxy.binds) {
        for (const crt of bind.crts) {
          const dir = resolveCrt(file.config, crt);
          if (seen.has(dir)) continue;
          seen.add(dir);
          let names: string[] | null;
          try {
            names = await host.listDir(dir);
          } catch {
            continue; // the host cannot tell: nothing to claim
          }
          for (const name of [...(names ?? [])].sort()) {
            if (skippedInCrtDir(name)) continue;
            const full = posix.join(dir, name);
            const read = await host.readFile(full, { maxBytes: MAX_CERT_DIR_FILE_BYTES });
            if (!read.ok) continue; // a directory, or unreadable by the grader: not claimed
            if (!read.content.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) {
              problems.push({
                crt,
                file: full,
                origin: { file: bind.origin.file, line: bind.origin.line, text: bind.origin.text },
              });
              break;
            }
          }
        }
      }
    }
    return problems;
  });
}

const MAX_CERT_DIR_FILE_BYTES = 4 * 1024 * 1024;
