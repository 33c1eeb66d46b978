// What HAProxy makes of each proxy once `defaults` (named, `from`) and `default-server` are applied
// (proxy_defproxy_cpy() in src/proxy.c; GRAMMAR.md §A4-A7). Every value records the line it came from.
import { SERVER_VALUE_PARAMS, versionAtLeast } from './haproxy-keywords.js';
import {
  sectionLabel,
  type HaproxyConfig,
  type HaproxyDirective,
  type HaproxySection,
  type ProxyKind,
} from './haproxy-types.js';
import type { SourceRef } from './source-ref.js';

/** Where a value was set: the line, and the section it is in. */
export interface ValueOrigin extends SourceRef {
  /** The section that holds the line, e.g. `defaults`, `defaults web`, `backend back_cluster`. */
  section: string;
  /** The line is in a defaults section, not in the proxy itself. */
  inherited: boolean;
}

/** A value with where it came from; `origin` null means HAProxy's built-in default. */
export interface Resolved<T> {
  value: T;
  origin: ValueOrigin | null;
}

export interface ForwardFor {
  header: string;
  ifNone: boolean;
  except?: string;
}

/**
 * `http-request set-header|add-header X-Forwarded-For <fmt> [if|unless cond]` (header name matched case-insensitively).
 */
export interface XffRule {
  action: 'set-header' | 'add-header';
  value: string;
  /** `if ...` / `unless ...` words, when the rule is conditional. */
  condition?: string;
  origin: ValueOrigin;
}

export interface BindAddress {
  raw: string;
  /** `ipv4@`, `unix@`, ... without the `@`. */
  prefix?: string;
  family: 'ipv4' | 'ipv6' | 'unix' | 'abns' | 'fd' | 'other';
  host: string;
  /** Any address of its family: `*`, empty, `0.0.0.0`, `::`. */
  anyAddress: boolean;
  /** Inclusive range; absent when the port is missing or not a number (e.g. `${PORT}`). */
  ports?: { from: number; to: number };
}

export interface Bind {
  addresses: BindAddress[];
  ssl: boolean;
  /** `crt` paths in order (the first is the default certificate). */
  crts: string[];
  crtLists: string[];
  origin: ValueOrigin;
}

export interface ServerParam {
  value: string | true;
  origin: ValueOrigin;
}

export interface Server {
  name: string;
  address: string;
  /** The port as written (`81`, `+1`, `${PORT}`); undefined when none. */
  port?: string;
  /** Own parameters merged over the `default-server` lines in force when the server was declared. */
  params: Map<string, ServerParam>;
  origin: ValueOrigin;
}

export interface Balance {
  algorithm: string;
  args: string[];
}

/** A line of the proxy (or of the defaults it copies) that HAProxy refuses: the configuration does not load. */
export interface RefusedLine {
  keyword: string;
  args: string[];
  /** HAProxy's complaint. */
  message: string;
  origin: ValueOrigin;
}

/** The effective settings of a proxy (or of a defaults section, before a proxy copies them). */
export interface ProxySettings {
  refused: RefusedLine[];
  mode: Resolved<string>;
  forwardfor: Resolved<ForwardFor | null>;
  xffRules: XffRule[];
  balance: Resolved<Balance>;
  defaultBackend: Resolved<string | null>;
  maxconn: Resolved<number | null>;
  defaultServer: Map<string, ServerParam>;
}

export interface ResolvedProxy extends ProxySettings {
  kind: ProxyKind;
  name: string;
  section: HaproxySection;
  /** The defaults section it inherits from (explicit `from` or the last one before it). */
  defaults: HaproxySection | null;
  binds: Bind[];
  servers: Server[];
}

export interface ResolveOptions {
  /** HAProxy version: an absent `balance` is roundrobin up to 3.2 and random from 3.3. */
  version: string;
}

export const XFF_HEADER = 'X-Forwarded-For';

/** The `balance` HAProxy uses when none is configured. */
export function defaultBalance(version: string): string {
  return versionAtLeast(version, '3.3') ? 'random' : 'roundrobin';
}

function builtinSettings(version: string): ProxySettings {
  return {
    refused: [],
    mode: { value: 'tcp', origin: null },
    forwardfor: { value: null, origin: null },
    xffRules: [],
    balance: { value: { algorithm: defaultBalance(version), args: [] }, origin: null },
    defaultBackend: { value: null, origin: null },
    maxconn: { value: null, origin: null },
    defaultServer: new Map(),
  };
}

/** What a proxy copies from its defaults: origins are marked inherited; capability decides what is copied. */
function inherit(from: ProxySettings, kind: ProxyKind | 'defaults', version: string): ProxySettings {
  const mark = <T>(r: Resolved<T>): Resolved<T> => ({
    value: r.value,
    origin: r.origin && { ...r.origin, inherited: true },
  });
  const base = builtinSettings(version);
  const frontendCapable = kind !== 'backend';
  const backendCapable = kind !== 'frontend';
  return {
    refused: from.refused.map((r) => ({ ...r, origin: { ...r.origin, inherited: true } })),
    mode: mark(from.mode),
    forwardfor: mark(from.forwardfor),
    xffRules: from.xffRules.map((r) => ({ ...r, origin: { ...r.origin, inherited: true } })),
    balance: backendCapable ? mark(from.balance) : base.balance,
    defaultBackend: frontendCapable ? mark(from.defaultBackend) : base.defaultBackend,
    maxconn: frontendCapable ? mark(from.maxconn) : base.maxconn,
    defaultServer: backendCapable
      ? new Map(
          [...from.defaultServer].map(([k, p]) => [k, { value: p.value, origin: { ...p.origin, inherited: true } }]),
        )
      : new Map(),
  };
}

/** Keywords whose last line wins (so a later valid line overrides a refused one); others accumulate. */
function singleValued(d: { keyword: string; args: string[] }): string | undefined {
  if (['mode', 'balance', 'default_backend'].includes(d.keyword)) return d.keyword;
  if (d.keyword === 'option' && d.args[0] === 'forwardfor') return 'option forwardfor';
  return undefined;
}

function originOf(d: HaproxyDirective, section: HaproxySection): ValueOrigin {
  return { file: d.file, line: d.line, text: d.text, section: sectionLabel(section), inherited: false };
}

/** `option forwardfor [except <net>] [header <name>] [if-none]`; each line resets the previous settings. */
function parseForwardFor(args: string[]): ForwardFor {
  const ff: ForwardFor = { header: XFF_HEADER, ifNone: false };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === 'if-none') ff.ifNone = true;
    else if (args[i] === 'except' && args[i + 1] !== undefined) ff.except = args[++i];
    else if (args[i] === 'header' && args[i + 1] !== undefined) ff.header = args[++i];
  }
  return ff;
}

/** Server parameters as a map; flags get `true`. */
function parseServerParams(words: string[], origin: ValueOrigin): Map<string, ServerParam> {
  const params = new Map<string, ServerParam>();
  for (let i = 0; i < words.length; i++) {
    const name = words[i];
    if (SERVER_VALUE_PARAMS.has(name) && words[i + 1] !== undefined) params.set(name, { value: words[++i], origin });
    else params.set(name, { value: true, origin });
  }
  return params;
}

/** Split `host:port` the way HAProxy's str2sa_range() does: brackets for IPv6, else the port follows the last colon. */
function splitHostPort(address: string): { host: string; port?: string } {
  if (address.startsWith('[')) {
    const close = address.indexOf(']');
    if (close > 0) {
      const rest = address.slice(close + 1);
      return { host: address.slice(1, close), ...(rest.startsWith(':') ? { port: rest.slice(1) } : {}) };
    }
  }
  const colon = address.lastIndexOf(':');
  if (colon < 0) return { host: address };
  return { host: address.slice(0, colon), port: address.slice(colon + 1) };
}

function splitPrefix(raw: string): { prefix?: string; rest: string } {
  const m = /^([a-z0-9+-]+)@(.*)$/i.exec(raw);
  return m ? { prefix: m[1].toLowerCase(), rest: m[2] } : { rest: raw };
}

export function parseBindAddress(raw: string): BindAddress {
  const { prefix, rest } = splitPrefix(raw);
  if (prefix === 'unix' || (!prefix && rest.startsWith('/'))) {
    return { raw, ...(prefix ? { prefix } : {}), family: 'unix', host: rest, anyAddress: false };
  }
  if (prefix === 'abns' || prefix === 'abnsz') return { raw, prefix, family: 'abns', host: rest, anyAddress: false };
  if (prefix === 'fd' || prefix === 'sockpair') return { raw, prefix, family: 'fd', host: rest, anyAddress: false };
  const { host, port } = splitHostPort(rest);
  const ipv6 = prefix === 'ipv6' || prefix === 'quic6' || prefix === 'udp6' || prefix === 'tcp6' || host.includes(':');
  const anyAddress = host === '' || host === '*' || host === '0.0.0.0' || host === '::';
  let ports: BindAddress['ports'];
  const m = port !== undefined ? /^(\d+)(?:-(\d+))?$/.exec(port) : null;
  if (m) ports = { from: Number(m[1]), to: Number(m[2] ?? m[1]) };
  const known =
    !prefix || ['ipv4', 'ipv6', 'tcp', 'tcp4', 'tcp6', 'quic4', 'quic6', 'udp', 'udp4', 'udp6'].includes(prefix);
  return {
    raw,
    ...(prefix ? { prefix } : {}),
    family: !known ? 'other' : ipv6 ? 'ipv6' : 'ipv4',
    host,
    anyAddress,
    ...(ports ? { ports } : {}),
  };
}

function parseBind(d: HaproxyDirective, origin: ValueOrigin): Bind {
  const [addressList = '', ...params] = d.args;
  const bind: Bind = {
    addresses: addressList
      .split(',')
      .filter((a) => a !== '')
      .map(parseBindAddress),
    ssl: false,
    crts: [],
    crtLists: [],
    origin,
  };
  for (let i = 0; i < params.length; i++) {
    if (params[i] === 'ssl') bind.ssl = true;
    else if (params[i] === 'crt' && params[i + 1] !== undefined) bind.crts.push(params[++i]);
    else if (params[i] === 'crt-list' && params[i + 1] !== undefined) bind.crtLists.push(params[++i]);
  }
  return bind;
}

/** Apply one directive of a defaults section or proxy to its settings. */
function applyDirective(settings: ProxySettings, d: HaproxyDirective, origin: ValueOrigin): void {
  const [first, ...rest] = d.args;
  switch (d.keyword) {
    case 'mode':
      if (first !== undefined) settings.mode = { value: first, origin };
      return;
    case 'option':
      // `no`/`default option forwardfor` is fatal in HAProxy (options with arguments cannot be negated): no effect.
      if (first === 'forwardfor' && !d.prefix) settings.forwardfor = { value: parseForwardFor(rest), origin };
      return;
    case 'http-request': {
      const action = first;
      if ((action === 'set-header' || action === 'add-header') && rest[0]?.toLowerCase() === XFF_HEADER.toLowerCase()) {
        const condIndex = rest.findIndex((w, i) => i >= 2 && (w === 'if' || w === 'unless'));
        const value = (condIndex < 0 ? rest.slice(1) : rest.slice(1, condIndex)).join(' ');
        settings.xffRules.push({
          action,
          value,
          ...(condIndex >= 0 ? { condition: rest.slice(condIndex).join(' ') } : {}),
          origin,
        });
      }
      return;
    }
    case 'balance':
      if (first !== undefined) settings.balance = { value: { algorithm: first, args: rest }, origin };
      return;
    case 'default_backend':
      if (first !== undefined) settings.defaultBackend = { value: first, origin };
      return;
    case 'maxconn':
      if (first !== undefined && /^\d+$/.test(first)) settings.maxconn = { value: Number(first), origin };
      return;
    case 'default-server':
      for (const [k, p] of parseServerParams(d.args, origin)) settings.defaultServer.set(k, p);
      return;
  }
}

export interface ResolvedHaproxy {
  proxies: ResolvedProxy[];
}

/** Resolve every frontend, backend and listen section of a parsed config. Never throws. */
export function resolveHaproxy(config: HaproxyConfig, options: ResolveOptions): ResolvedHaproxy {
  const { version } = options;
  const defaultsSettings = new Map<HaproxySection, ProxySettings>();
  const namedDefaults = new Map<string, HaproxySection>();
  let lastDefaults: HaproxySection | null = null;
  const proxies: ResolvedProxy[] = [];

  for (const section of config.sections) {
    const isDefaults = section.kind === 'defaults';
    const isProxy = section.kind === 'frontend' || section.kind === 'backend' || section.kind === 'listen';
    if (!isDefaults && !isProxy) continue;

    // A defaults section starts from `from` or from scratch; a proxy from `from` or the last defaults.
    const parent =
      section.from !== undefined ? (namedDefaults.get(section.from) ?? null) : isDefaults ? null : lastDefaults;
    const kind = isDefaults ? 'defaults' : (section.kind as ProxyKind);
    const settings = parent ? inherit(defaultsSettings.get(parent)!, kind, version) : builtinSettings(version);

    const binds: Bind[] = [];
    const servers: Server[] = [];
    for (const d of section.directives) {
      if (d.refused)
        settings.refused.push({ keyword: d.keyword, args: d.args, message: d.refused, origin: originOf(d, section) });
      if (d.ignored) continue;
      // A later line of a single-valued keyword sets the value anyway: the refused one no longer decides it.
      const key = singleValued(d);
      if (key) settings.refused = settings.refused.filter((r) => singleValued(r) !== key);
      const origin = originOf(d, section);
      applyDirective(settings, d, origin);
      if (d.keyword === 'bind' && !isDefaults) binds.push(parseBind(d, origin));
      if (d.keyword === 'server' && !isDefaults && d.args[0] !== undefined) {
        const { host, port } = splitHostPort(splitPrefix(d.args[1] ?? '').rest);
        const params = new Map(settings.defaultServer);
        for (const [k, p] of parseServerParams(d.args.slice(2), origin)) params.set(k, p);
        servers.push({ name: d.args[0], address: host, ...(port !== undefined ? { port } : {}), params, origin });
      }
    }

    if (isDefaults) {
      defaultsSettings.set(section, settings);
      lastDefaults = section;
      if (section.name) namedDefaults.set(section.name, section);
    } else {
      proxies.push({
        ...settings,
        kind: kind as ProxyKind,
        name: section.name,
        section,
        defaults: parent,
        binds,
        servers,
      });
    }
  }
  return { proxies };
}

/**
 * The value of an `if …`/`unless …` condition when it does not depend on the request: the
 * predefined ACLs TRUE and FALSE (src/acl.c default_acl_list: always_true/always_false), the
 * anonymous `{ always_true }`/`{ always_false }`, `!` negation, AND by juxtaposition and `or`/`||`.
 * Anything else depends on the request: undefined.
 */
export function constantCondition(condition: string): boolean | undefined {
  const words = condition.trim().split(/\s+/);
  const [keyword, ...rest] = words;
  if (keyword !== 'if' && keyword !== 'unless') return undefined;
  const terms: (boolean | undefined)[][] = [[]];
  for (let i = 0; i < rest.length; i++) {
    let w = rest[i]!;
    if (w === 'or' || w === '||') {
      terms.push([]);
      continue;
    }
    let negate = false;
    while (w.startsWith('!')) {
      negate = !negate;
      w = w.slice(1);
    }
    if (w === '') {
      w = rest[++i] ?? '';
    }
    let value: boolean | undefined;
    if (w === '{') {
      const close = rest.indexOf('}', i);
      const inner = rest.slice(i + 1, close < 0 ? undefined : close);
      value =
        inner.length === 1 && inner[0] === 'always_true'
          ? true
          : inner.length === 1 && inner[0] === 'always_false'
            ? false
            : undefined;
      i = close < 0 ? rest.length : close;
    } else value = w === 'TRUE' ? true : w === 'FALSE' ? false : undefined;
    terms[terms.length - 1]!.push(value === undefined ? undefined : value !== negate);
  }
  const and = (g: (boolean | undefined)[]) =>
    g.some((v) => v === false) ? false : g.every((v) => v === true) ? true : undefined;
  const groups = terms.map(and);
  const value = groups.some((v) => v === true) ? true : groups.every((v) => v === false) ? false : undefined;
  return value === undefined ? undefined : keyword === 'unless' ? !value : value;
}
