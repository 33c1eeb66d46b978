// Inventories: which two hosts to grade and how to reach them (YAML written by the lab, or an Ansible INI).
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { Role } from '../model/basics.js';
import type { Target } from '../model/target.js';

/** How to reach one host over SSH. Unset fields fall back to ~/.ssh/config and then to OpenSSH's defaults. */
export interface HostSpec {
  host: string;
  port?: number;
  user?: string;
  key?: string;
  password?: string;
  /** What the inventory calls it (an Ansible alias, a VM name). */
  name?: string;
}

export interface Inventory {
  target: Target;
  master: HostSpec;
  backup: HostSpec;
  knownHosts?: string;
}

/** A usage or input error (exit code 2) naming the file and line. */
export class InventoryError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(file ? `${file}${line ? `:${line}` : ''}: ${message}` : message);
    this.name = 'InventoryError';
  }
}

// ---------------------------------------------------------------------------------------------
// [user@]host[:port]

function parsePort(text: string, what: string, file?: string, line?: number): number {
  const port = /^\d{1,5}$/.test(text.trim()) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535))
    throw new InventoryError(`${what}: port must be a number from 1 to 65535, got '${text}'`, file, line);
  return port;
}

function checkHostName(host: string, spec: string, file?: string, line?: number): string {
  if (host === '' || /[\s/]/.test(host))
    throw new InventoryError(`'${spec}' is not a host: expected [user@]host[:port]`, file, line);
  return host;
}

/** Parse `[user@]host[:port]`; IPv6 as `[2001:db8::1]:2222`, or bare (`2001:db8::1`) without a port. */
export function parseHostSpec(spec: string, file?: string, line?: number): HostSpec {
  const text = spec.trim();
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : undefined;
  if (user === '') throw new InventoryError(`'${spec}': empty user name before '@'`, file, line);
  const rest = text.slice(at + 1);
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    const after = close >= 0 ? rest.slice(close + 1) : '';
    if (close < 0 || (after !== '' && !after.startsWith(':'))) {
      throw new InventoryError(`'${spec}': expected [address] or [address]:port`, file, line);
    }
    host = rest.slice(1, close);
    portText = after ? after.slice(1) : undefined;
  } else if (rest.indexOf(':') !== rest.lastIndexOf(':')) {
    host = rest; // several colons: a bare IPv6 address, which cannot carry a port
  } else {
    const colon = rest.indexOf(':');
    host = colon >= 0 ? rest.slice(0, colon) : rest;
    portText = colon >= 0 ? rest.slice(colon + 1) : undefined;
  }
  const result: HostSpec = { host: checkHostName(host, spec, file, line) };
  if (portText !== undefined) result.port = parsePort(portText, `'${spec}'`, file, line);
  if (user !== undefined) result.user = user;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Shared by both formats

/** `~/x` is the user's home; a relative path is relative to the inventory file, as Ansible does. */
function resolvePath(path: string, inventoryFile: string): string {
  if (path === '~' || path.startsWith('~/')) return homedir() + path.slice(1);
  return isAbsolute(path) ? path : resolve(dirname(inventoryFile), path);
}

function buildInventory(
  master: HostSpec,
  backup: HostSpec,
  extra: { vip?: string; knownHosts?: string; student?: string },
): Inventory {
  const target: Target = {
    master: { address: master.host, ...(master.name ? { name: master.name } : {}) },
    backup: { address: backup.host, ...(backup.name ? { name: backup.name } : {}) },
  };
  const vip = extra.vip ?? (isIP(master.host) ? master.host : undefined);
  if (vip) target.vip = vip;
  if (extra.student) target.student = extra.student;
  return { target, master, backup, ...(extra.knownHosts ? { knownHosts: extra.knownHosts } : {}) };
}

// ---------------------------------------------------------------------------------------------
// YAML

/** Where a YAML value came from, so errors name the file and line. Reused by rosters (lists of pairs). */
export interface YamlLocation {
  file: string;
  /** Line of the value at this path, when known. */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

const HOST_KEYS = ['host', 'address', 'port', 'user', 'key', 'password', 'name'];
const PAIR_KEYS = ['master', 'backup', 'vip', 'knownHosts', 'user', 'key', 'port', 'password', 'student'];

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scalar(value: unknown, path: readonly (string | number)[], loc: YamlLocation): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value).trim();
  throw new InventoryError(`'${path.join('.')}' must be a string`, loc.file, loc.lineOf(path));
}

function yamlHost(
  value: unknown,
  defaults: Omit<HostSpec, 'host'>,
  path: readonly (string | number)[],
  loc: YamlLocation,
): HostSpec {
  const line = loc.lineOf(path);
  if (value == null)
    throw new InventoryError(
      `'${path.join('.')}' is missing: give the host as user@address or {host, port, user, key}`,
      loc.file,
      line,
    );
  if (!isMapping(value)) return { ...defaults, ...parseHostSpec(scalar(value, path, loc), loc.file, line) };
  for (const key of Object.keys(value)) {
    if (!HOST_KEYS.includes(key)) {
      throw new InventoryError(
        `unknown setting '${path.join('.')}.${key}' (known: ${HOST_KEYS.join(', ')})`,
        loc.file,
        loc.lineOf([...path, key]),
      );
    }
  }
  const address = value.host ?? value.address;
  if (address == null)
    throw new InventoryError(`'${path.join('.')}' needs a host (its address or name)`, loc.file, line);
  const spec: HostSpec = {
    ...defaults,
    host: checkHostName(scalar(address, [...path, 'host'], loc), String(address), loc.file, line),
  };
  if (value.port != null)
    spec.port = parsePort(String(value.port), `'${path.join('.')}.port'`, loc.file, loc.lineOf([...path, 'port']));
  if (value.user != null) spec.user = scalar(value.user, [...path, 'user'], loc);
  if (value.key != null) spec.key = resolvePath(scalar(value.key, [...path, 'key'], loc), loc.file);
  if (value.password != null) spec.password = String(value.password);
  if (value.name != null) spec.name = scalar(value.name, [...path, 'name'], loc);
  return spec;
}

/**
 * One master/backup pair from a parsed YAML mapping at `path` (the whole file for an inventory, an item for a roster).
 */
export function inventoryFromYaml(raw: unknown, loc: YamlLocation, path: readonly (string | number)[] = []): Inventory {
  if (!isMapping(raw))
    throw new InventoryError('expected a mapping with master: and backup:', loc.file, loc.lineOf(path));
  for (const key of Object.keys(raw)) {
    if (!PAIR_KEYS.includes(key)) {
      throw new InventoryError(
        `unknown setting '${[...path, key].join('.')}' (known: ${PAIR_KEYS.join(', ')})`,
        loc.file,
        loc.lineOf([...path, key]),
      );
    }
  }
  const defaults: Omit<HostSpec, 'host'> = {};
  if (raw.user != null) defaults.user = scalar(raw.user, [...path, 'user'], loc);
  if (raw.key != null) defaults.key = resolvePath(scalar(raw.key, [...path, 'key'], loc), loc.file);
  if (raw.port != null) defaults.port = parsePort(String(raw.port), `'port'`, loc.file, loc.lineOf([...path, 'port']));
  if (raw.password != null) defaults.password = String(raw.password);
  const master = yamlHost(raw.master, defaults, [...path, 'master'], loc);
  const backup = yamlHost(raw.backup, defaults, [...path, 'backup'], loc);
  const vip = raw.vip == null ? undefined : scalar(raw.vip, [...path, 'vip'], loc);
  if (vip !== undefined && !isIP(vip))
    throw new InventoryError(`vip '${vip}' is not an IP address`, loc.file, loc.lineOf([...path, 'vip']));
  return buildInventory(master, backup, {
    vip,
    knownHosts:
      raw.knownHosts == null ? undefined : resolvePath(scalar(raw.knownHosts, [...path, 'knownHosts'], loc), loc.file),
    student: raw.student == null ? undefined : scalar(raw.student, [...path, 'student'], loc),
  });
}

/** Parse YAML text with line tracking; syntax errors become an InventoryError with the line. */
export function parseYamlWithLines(text: string, file: string): { raw: unknown; loc: YamlLocation } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const [error] = doc.errors;
  if (error) throw new InventoryError(`not valid YAML: ${error.message.split('\n')[0]}`, file, error.linePos?.[0].line);
  const lineOf = (path: readonly (string | number)[]): number | undefined => {
    const node = path.length ? doc.getIn(path, true) : doc.contents;
    const start = (node as { range?: [number, number, number] } | undefined)?.range?.[0];
    return start === undefined ? undefined : lineCounter.linePos(start).line;
  };
  return { raw: doc.toJS(), loc: { file, lineOf } };
}

// ---------------------------------------------------------------------------------------------
// Ansible INI

interface IniHost {
  alias: string;
  vars: Record<string, string>;
  line: number;
}

interface IniGroup {
  hosts: IniHost[];
  vars: Record<string, string>;
  children: string[];
}

/** Split an Ansible INI line into words: quotes group, an unquoted `#` or `;` word starts a comment. */
function iniWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let started = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (/\s/.test(ch)) {
      if (started) words.push(current);
      current = '';
      started = false;
      i++;
    } else if (!started && (ch === '#' || ch === ';')) {
      break;
    } else if (ch === '"' || ch === "'") {
      const end = line.indexOf(ch, i + 1);
      const stop = end < 0 ? line.length : end;
      current += line.slice(i + 1, stop);
      started = true;
      i = stop + 1;
    } else {
      current += ch;
      started = true;
      i++;
    }
  }
  if (started) words.push(current);
  return words;
}

function keyValue(word: string, file: string, line: number): [string, string] {
  const eq = word.indexOf('=');
  if (eq <= 0) throw new InventoryError(`expected key=value, got '${word}'`, file, line);
  return [word.slice(0, eq), word.slice(eq + 1)];
}

function parseIni(text: string, file: string): Map<string, IniGroup> {
  const groups = new Map<string, IniGroup>();
  const group = (name: string): IniGroup => {
    let g = groups.get(name);
    if (!g) {
      g = { hosts: [], vars: {}, children: [] };
      groups.set(name, g);
    }
    return g;
  };
  let section = { name: 'ungrouped', kind: 'hosts' };
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const header = /^\s*\[([^\]:]+)(?::(vars|children))?\]\s*(?:[#;].*)?$/.exec(raw);
    if (header) {
      section = { name: header[1]!.trim().toLowerCase(), kind: header[2] ?? 'hosts' };
      group(section.name);
      return;
    }
    if (/^\s*\[/.test(raw)) throw new InventoryError(`malformed group header '${raw.trim()}'`, file, line);
    const words = iniWords(raw);
    if (words.length === 0) return;
    const g = group(section.name);
    if (section.kind === 'vars') {
      // A vars line is `key = value` with the rest of the line as the value.
      const [key, value] = keyValue(raw.trim().replace(/\s*=\s*/, '='), file, line);
      g.vars[key] = value.replace(/^(["'])(.*)\1$/, '$2');
    } else if (section.kind === 'children') {
      g.children.push(...words.map((w) => w.toLowerCase()));
    } else {
      const [alias, ...rest] = words as [string, ...string[]];
      g.hosts.push({ alias, vars: Object.fromEntries(rest.map((w) => keyValue(w, file, line))), line });
    }
  });
  return groups;
}

/** Variables a host sees: all:vars, then its groups' parents, then its group, then its own line. */
function hostVars(host: IniHost, groupName: string, groups: Map<string, IniGroup>): Record<string, string> {
  const chain: string[] = [];
  const visit = (name: string): void => {
    for (const [parent, g] of groups) {
      if (g.children.includes(name) && !chain.includes(parent)) {
        visit(parent);
        chain.push(parent);
      }
    }
  };
  visit(groupName);
  const layers = [
    groups.get('all')?.vars,
    ...chain.filter((n) => n !== 'all').map((n) => groups.get(n)?.vars),
    groups.get(groupName)?.vars,
    host.vars,
  ];
  return Object.assign({}, ...layers);
}

function iniHostSpec(host: IniHost, groupName: string, groups: Map<string, IniGroup>, file: string): HostSpec {
  const vars = hostVars(host, groupName, groups);
  const fromAlias = parseHostSpec(host.alias, file, host.line);
  const address = vars.ansible_host ?? vars.ansible_ssh_host;
  const spec: HostSpec = address ? parseHostSpec(address, file, host.line) : fromAlias;
  const port = vars.ansible_port ?? vars.ansible_ssh_port;
  if (port !== undefined) spec.port = parsePort(port, 'ansible_port', file, host.line);
  else if (!address && fromAlias.port) spec.port = fromAlias.port;
  const user = vars.ansible_user ?? vars.ansible_ssh_user;
  if (user) spec.user = user;
  const key = vars.ansible_ssh_private_key_file ?? vars.ansible_private_key_file;
  if (key) spec.key = resolvePath(key, file);
  const password = vars.ansible_password ?? vars.ansible_ssh_pass ?? vars.ansible_ssh_password;
  if (password) spec.password = password;
  spec.name = host.alias;
  return spec;
}

/** Hosts of a group, including those of its child groups. */
function groupHosts(
  name: string,
  groups: Map<string, IniGroup>,
  seen = new Set<string>(),
): { host: IniHost; group: string }[] {
  const g = groups.get(name);
  if (!g || seen.has(name)) return [];
  seen.add(name);
  return [
    ...g.hosts.map((host) => ({ host, group: name })),
    ...g.children.flatMap((child) => groupHosts(child, groups, seen)),
  ];
}

/** An Ansible INI inventory: groups [master] and [backup], or two hosts whose names contain master and backup. */
export function inventoryFromIni(text: string, file: string): Inventory {
  const groups = parseIni(text, file);
  const pick = (role: Role): { host: IniHost; group: string } => {
    const inGroup = groupHosts(role, groups);
    if (inGroup.length > 1) {
      throw new InventoryError(
        `group [${role}] has ${inGroup.length} hosts (${inGroup.map((h) => h.host.alias).join(', ')}); it must have one`,
        file,
        inGroup[1]!.host.line,
      );
    }
    if (inGroup.length === 1) return inGroup[0]!;
    const all = [...groups.keys()].flatMap((name) => groups.get(name)!.hosts.map((host) => ({ host, group: name })));
    const named = all.filter(
      (h, i) => h.host.alias.toLowerCase().includes(role) && all.findIndex((o) => o.host.alias === h.host.alias) === i,
    );
    if (named.length === 1) return named[0]!;
    const why =
      named.length === 0
        ? `no group [${role}] and no host whose name contains '${role}'`
        : `several hosts are named like '${role}' (${named.map((h) => h.host.alias).join(', ')})`;
    throw new InventoryError(`cannot tell which host is ${role}: ${why}. Put it alone in a group [${role}]`, file);
  };
  const master = pick('master');
  const backup = pick('backup');
  if (master.host === backup.host)
    throw new InventoryError(`host '${master.host.alias}' cannot be both master and backup`, file, master.host.line);
  const allVars = groups.get('all')?.vars ?? {};
  const vip = allVars.vip;
  if (vip !== undefined && !isIP(vip)) throw new InventoryError(`vip '${vip}' is not an IP address`, file);
  return buildInventory(
    iniHostSpec(master.host, master.group, groups, file),
    iniHostSpec(backup.host, backup.group, groups, file),
    { vip },
  );
}

// ---------------------------------------------------------------------------------------------

/** True when the text looks like an INI inventory (a `[group]` header line). */
function looksLikeIni(text: string): boolean {
  return /^\s*\[[^\]\s,]+\]\s*$/m.test(text);
}

/** Read an inventory: YAML (.yaml/.yml/.json, or no group headers) or Ansible INI. */
export function loadInventory(file: string): Inventory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InventoryError(`cannot read the inventory: ${(e as Error).message}`, file);
  }
  return parseInventory(text, file);
}

/** Parse inventory text; `file` names it in errors and anchors relative key paths. */
export function parseInventory(text: string, file: string): Inventory {
  const ext = extname(file).toLowerCase();
  const yaml = ['.yaml', '.yml', '.json'].includes(ext) || (ext !== '.ini' && !looksLikeIni(text));
  if (!yaml) return inventoryFromIni(text, file);
  const { raw, loc } = parseYamlWithLines(text, file);
  return inventoryFromYaml(raw, loc);
}
