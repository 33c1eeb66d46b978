// haproxy.cfg of each host, read and parsed once per run, shared by HAP001-HAP012.
import { parseHaproxy, type HaproxyConfig } from '../parsers/haproxy.js';
import { resolveHaproxy, type Origin, type ResolvedHaproxy, type ResolvedProxy } from '../parsers/haproxy-resolve.js';
import type { CheckContext, FileRead, Role, Text } from '../types.js';
import { reportUnreadable } from './unreadable.js';

/** Real configs are a few kilobytes; a generous cap keeps a runaway file from eating the grader's memory. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

export interface HaproxyFile {
  role: Role;
  path: string;
  read: FileRead;
  /** Present when the file could be read. */
  config?: HaproxyConfig;
  resolved?: ResolvedHaproxy;
}

/** Read, parse and resolve a host's haproxy.cfg once per run (memo key `haproxy:<role>`), as the profile's HAProxy version reads it. */
export function loadHaproxy(ctx: CheckContext, role: Role): Promise<HaproxyFile> {
  return ctx.memo(`haproxy:${role}`, async () => {
    const path = ctx.profile.haproxyCfgPath;
    const version = ctx.profile.haproxyVersion;
    const read = await ctx.host(role).readFile(path, { maxBytes: MAX_CONFIG_BYTES });
    if (!read.ok) return { role, path, read };
    const config = parseHaproxy(read.content, path, { version });
    return { role, path, read, config, resolved: resolveHaproxy(config, { version }) };
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

/** The parsed config, or undefined after reporting a skip (messages: CONFIG_SKIP_MESSAGES). */
export function configOrSkip(ctx: CheckContext, file: HaproxyFile): { config: HaproxyConfig; resolved: ResolvedHaproxy } | undefined {
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

/**
 * For each host: the frontend (capability 'frontend') or backend named in the profile, or a skip.
 * Several sections with the name: the first is judged (HAP002/HAP007 report the duplicates).
 */
export async function forEachProxy(
  ctx: CheckContext,
  capability: Capability,
  judge: (proxy: ResolvedProxy, host: HaproxyFile, resolved: ResolvedHaproxy) => void,
): Promise<void> {
  const name = capability === 'frontend' ? ctx.profile.frontendName : ctx.profile.backendName;
  for (const role of ['master', 'backup'] as const) {
    const file = await loadHaproxy(ctx, role);
    const parsed = configOrSkip(ctx, file);
    if (!parsed) continue;
    const [proxy] = proxiesNamed(parsed.resolved, name, capability);
    if (proxy) judge(proxy, file, parsed.resolved);
    else {
      ctx.report({ kind: 'skip', host: role, messageId: capability === 'frontend' ? 'noFrontend' : 'noBackend', file: file.path, data: { name } });
    }
  }
}

/** Finding fields pointing at the line a value came from (or, for a built-in default, at the proxy's section line). */
export function at(origin: Origin | null, proxy: ResolvedProxy): { file: string; line: number; excerpt: string; data: { section: string; line: number } } {
  const header = proxy.section.header;
  const o = origin ?? { file: header.file, line: header.line, raw: header.raw, section: `${proxy.kind} ${proxy.name}` };
  return { file: o.file, line: o.line, excerpt: o.raw.trim(), data: { section: o.section, line: o.line } };
}

/**
 * HAP002/HAP007: exactly one frontend (backend) with the profile's name on each host.
 * Messages: missing, wrongKind (only a section of the other kind has the name), duplicate, listen (note), others (note).
 */
export async function judgeUniqueProxy(ctx: CheckContext, capability: Capability): Promise<void> {
  const name = capability === 'frontend' ? ctx.profile.frontendName : ctx.profile.backendName;
  for (const role of ['master', 'backup'] as const) {
    const file = await loadHaproxy(ctx, role);
    const parsed = configOrSkip(ctx, file);
    if (!parsed) continue;
    const point = (p: ResolvedProxy) => ({ host: role, file: p.section.header.file, line: p.section.header.line, excerpt: p.section.header.raw.trim() });
    const named = proxiesNamed(parsed.resolved, name, capability);
    if (named.length === 0) {
      const other = parsed.resolved.proxies.find((p) => p.name === name);
      if (other) ctx.report({ ...point(other), messageId: 'wrongKind', data: { name, kind: other.kind } });
      else ctx.report({ host: role, file: file.path, messageId: 'missing', data: { name } });
      continue;
    }
    for (const extra of named.slice(1)) ctx.report({ ...point(extra), messageId: 'duplicate', data: { name, line: named[0].section.header.line } });
    if (named[0].kind === 'listen') ctx.report({ ...point(named[0]), kind: 'note', messageId: 'listen', data: { name } });
    const others = parsed.resolved.proxies.filter((p) => p.name !== name && (p.kind === capability || p.kind === 'listen'));
    for (const p of others) ctx.report({ ...point(p), kind: 'note', messageId: 'others', data: { name: p.name, kind: p.kind } });
  }
}

/**
 * HAP004/HAP008: the effective `mode` of the frontend (backend), own or inherited from defaults.
 * Messages: wrongMode, defaultMode (nothing sets it: tcp), inherited (note).
 */
export function judgeMode(ctx: CheckContext, capability: Capability): Promise<void> {
  const expected = capability === 'frontend' ? ctx.profile.frontendMode : ctx.profile.backendMode;
  return forEachProxy(ctx, capability, (proxy, file) => {
    const { value, origin } = proxy.mode;
    const where = at(origin, proxy);
    const base = { host: file.role, file: where.file, line: where.line, excerpt: where.excerpt };
    const data = { ...where.data, name: proxy.name, mode: value, expected };
    if (value !== expected) ctx.report({ ...base, messageId: origin ? 'wrongMode' : 'defaultMode', data });
    else if (origin?.inherited) ctx.report({ ...base, kind: 'note', messageId: 'inherited', data });
  });
}
