// Rosters: the pairs of a whole class, one per student, from CSV, YAML or an Ansible INI inventory.
// Each pair is read by the inventory module's own per-pair code, so a pair means the same thing in
// `hagrade check --inventory` and in `hagrade batch`.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import {
  InventoryError,
  inventoryFromIni,
  inventoryFromYaml,
  parseHostSpec,
  parseYamlWithLines,
  type Inventory,
  type YamlLocation,
} from '../inputs/inventory.js';
import type { RosterEntry } from './types.js';

/** A roster that cannot be used (exit code 2), naming the file and line. */
export class RosterError extends InventoryError {
  constructor(message: string, file?: string, line?: number) {
    super(message, file, line);
    this.name = 'RosterError';
  }
}

/** The inventory module's errors already carry file:line; re-raise them as roster errors. */
function asRosterError(e: unknown): unknown {
  if (!(e instanceof InventoryError) || e instanceof RosterError) return e;
  const prefix = e.file ? `${e.file}${e.line ? `:${e.line}` : ''}: ` : '';
  return new RosterError(e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message, e.file, e.line);
}

// ---------------------------------------------------------------------------------------------
// Directory names

const DIR_NAME_MAX = 64;

/**
 * A directory name for a student id: letters, digits and `._@+-` are kept, anything else (`/`,
 * spaces, control characters) becomes `_`, and a leading `.` or `-` too (no `..`, no hidden or
 * option-like names). When anything was changed, a hash of the id is appended so that two ids
 * never share a directory.
 */
export function studentDirName(student: string): string {
  const cleaned = student
    .replace(/[^\p{L}\p{N}._@+-]/gu, '_')
    .replace(/^[.-]/, '_')
    .slice(0, DIR_NAME_MAX);
  if (cleaned === student && cleaned !== '') return cleaned;
  const hash = createHash('sha256').update(student, 'utf8').digest('hex').slice(0, 8);
  return `${cleaned || 'student'}-${hash}`;
}

// ---------------------------------------------------------------------------------------------
// CSV (RFC 4180)

export interface CsvRecord {
  fields: string[];
  /** Line where the record starts (a quoted field may span lines). */
  line: number;
}

/** Split CSV text into records. Never throws: an unterminated quote is reported with its line. */
export function parseCsv(text: string): { records: CsvRecord[]; error?: { message: string; line: number } } {
  const records: CsvRecord[] = [];
  const input = text.replace(/^\uFEFF/, '');
  let line = 1;
  let fields: string[] = [];
  let field = '';
  let recordLine = 1;
  let i = 0;
  const endField = () => {
    fields.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    // A blank line is no record.
    if (fields.length > 1 || fields[0] !== '') records.push({ fields, line: recordLine });
    fields = [];
    recordLine = line;
  };
  while (i < input.length) {
    const ch = input[i]!;
    if (ch === '"' && field === '') {
      const quoteLine = line;
      i++;
      for (;;) {
        if (i >= input.length) return { records, error: { message: 'a quoted field is not closed', line: quoteLine } };
        const c = input[i]!;
        if (c === '"' && input[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (c === '"') {
          i++;
          break;
        } else {
          if (c === '\n') line++;
          field += c;
          i++;
        }
      }
      const next = input[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        return {
          records,
          error: {
            message: `unexpected '${next}' after a closing quote (write "" for a quote inside a quoted field)`,
            line,
          },
        };
      }
    } else if (ch === ',') {
      endField();
      i++;
    } else if (ch === '\r' || ch === '\n') {
      i += ch === '\r' && input[i + 1] === '\n' ? 2 : 1;
      line++;
      endRecord();
    } else {
      field += ch;
      i++;
    }
  }
  if (field !== '' || fields.length > 0) endRecord();
  return { records };
}

const CSV_REQUIRED = ['student', 'master', 'backup'] as const;
const CSV_COLUMNS = [
  ...CSV_REQUIRED,
  'user',
  'key',
  'vip',
  'port',
  'password_env',
  'master_user',
  'backup_user',
  'group',
];

function csvRoster(text: string, file: string, env: NodeJS.ProcessEnv): RosterEntry[] {
  const { records, error } = parseCsv(text);
  if (error) throw new RosterError(error.message, file, error.line);
  const rows = records.filter((r) => !r.fields[0]!.trim().startsWith('#'));
  const [header, ...data] = rows;
  if (!header)
    throw new RosterError(`empty roster: expected a header line '${CSV_COLUMNS.slice(0, 6).join(',')}'`, file, 1);
  const columns = header.fields.map((name) => name.trim().toLowerCase());
  columns.forEach((name, index) => {
    if (!CSV_COLUMNS.includes(name))
      throw new RosterError(`unknown column '${name}' (known: ${CSV_COLUMNS.join(', ')})`, file, header.line);
    if (columns.indexOf(name) !== index) throw new RosterError(`column '${name}' appears twice`, file, header.line);
  });
  for (const name of CSV_REQUIRED) {
    if (!columns.includes(name))
      throw new RosterError(
        `missing column '${name}' (the header needs ${CSV_REQUIRED.join(', ')})`,
        file,
        header.line,
      );
  }
  return data.map(({ fields, line }) => {
    if (fields.slice(columns.length).some((f) => f.trim() !== '')) {
      throw new RosterError(
        `the row has ${fields.length} fields but the header has ${columns.length} columns`,
        file,
        line,
      );
    }
    const cell = (name: string): string | undefined => {
      const index = columns.indexOf(name);
      const value = index >= 0 ? fields[index]?.trim() : undefined;
      return value === '' ? undefined : value;
    };
    const student = cell('student');
    if (student === undefined) throw new RosterError('the student column is empty', file, line);
    // The row becomes the same mapping a YAML inventory holds, read by the inventory's own code.
    const host = (role: 'master' | 'backup'): Record<string, unknown> => {
      const text = cell(role);
      if (text === undefined) throw new RosterError(`student '${student}': the ${role} column is empty`, file, line);
      const spec = parseHostSpec(text, file, line);
      const user = spec.user ?? cell(`${role}_user`);
      return { host: spec.host, ...(spec.port ? { port: spec.port } : {}), ...(user ? { user } : {}) };
    };
    const passwordEnv = cell('password_env');
    const password = passwordEnv === undefined ? undefined : env[passwordEnv];
    if (passwordEnv !== undefined && password === undefined) {
      throw new RosterError(
        `student '${student}': password_env names ${passwordEnv}, which is not set in the environment`,
        file,
        line,
      );
    }
    const pair: Record<string, unknown> = { student, master: host('master'), backup: host('backup') };
    for (const [column, key] of [
      ['user', 'user'],
      ['key', 'key'],
      ['port', 'port'],
      ['vip', 'vip'],
    ] as const) {
      const value = cell(column);
      if (value !== undefined) pair[key] = value;
    }
    if (password !== undefined) pair.password = password;
    const loc: YamlLocation = { file, lineOf: () => line };
    const group = cell('group');
    return entryOf(inventoryFromYaml(pair, loc), student, line, group);
  });
}

function entryOf(inventory: Inventory, student: string, line: number | undefined, group?: string): RosterEntry {
  const entry: RosterEntry = { student, master: inventory.master, backup: inventory.backup };
  if (inventory.target.vip) entry.vip = inventory.target.vip;
  if (inventory.knownHosts) entry.knownHosts = inventory.knownHosts;
  if (line !== undefined) entry.line = line;
  if (group !== undefined) entry.group = group;
  return entry;
}

// ---------------------------------------------------------------------------------------------
// YAML: students: [{student, master, backup, vip, …}]

const SHARED_ROSTER_KEYS = ['knownHosts', 'user', 'key', 'port'];

function yamlRoster(text: string, file: string): RosterEntry[] {
  const { raw, loc } = parseYamlWithLines(text, file);
  const top = raw as { students?: unknown } | null;
  if (typeof top !== 'object' || top === null || Array.isArray(top)) {
    throw new RosterError('expected a mapping with a list under students:', file, loc.lineOf([]));
  }
  // Settings next to students: apply to every student that does not set them (the lab writes knownHosts there).
  const shared: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(top)) {
    if (key === 'students') continue;
    if (!SHARED_ROSTER_KEYS.includes(key)) {
      throw new RosterError(
        `unknown setting '${key}' (a roster has students: and optionally ${SHARED_ROSTER_KEYS.join(', ')})`,
        file,
        loc.lineOf([key]),
      );
    }
    shared[key] = value;
  }
  if (!Array.isArray(top.students))
    throw new RosterError('students: must be a list of {student, master, backup, vip}', file, loc.lineOf(['students']));
  return top.students.map((item: unknown, index) => {
    const path = ['students', index];
    const withShared =
      item !== null && typeof item === 'object' && !Array.isArray(item) ? { ...shared, ...item } : item;
    const inventory = inventoryFromYaml(withShared, loc, path);
    const student = inventory.target.student;
    if (!student) throw new RosterError(`item ${index + 1} has no student:`, file, loc.lineOf(path));
    return entryOf(inventory, student, loc.lineOf(path));
  });
}

// ---------------------------------------------------------------------------------------------
// Ansible INI: a group per student

interface IniSection {
  /** Group name as Ansible compares it (lower case). */
  group: string;
  /** As written, for the student id. */
  written: string;
  kind: 'hosts' | 'vars' | 'children';
  /** 0-based index of the header line (-1: hosts before any header). */
  header: number;
  body: number[];
}

const INI_HEADER = /^\s*\[([^\]:]+)(?::(vars|children))?\]\s*(?:[#;].*)?$/;

function firstWord(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return undefined;
  return trimmed.split(/\s+/)[0];
}

function iniSections(lines: string[]): IniSection[] {
  const sections: IniSection[] = [{ group: 'ungrouped', written: 'ungrouped', kind: 'hosts', header: -1, body: [] }];
  lines.forEach((text, index) => {
    const header = INI_HEADER.exec(text);
    if (header) {
      const written = header[1]!.trim();
      sections.push({
        group: written.toLowerCase(),
        written,
        kind: (header[2] as 'vars' | 'children' | undefined) ?? 'hosts',
        header: index,
        body: [],
      });
    } else {
      sections.at(-1)!.body.push(index);
    }
  });
  return sections;
}

interface IniStudent {
  group: string;
  written: string;
  line: number;
  /** Child groups to rename [master]/[backup], when the pair is given as [student:children]. */
  roleGroups?: { master: string; backup: string };
}

/**
 * Find the student groups: `[alice]` whose hosts are one `*master*` and one `*backup*`, or
 * `[alice:children]` with one `*master*` and one `*backup*` child group of one host each.
 */
function iniStudents(sections: IniSection[], lines: string[], file: string): IniStudent[] {
  /** Host aliases (or child group names) listed in a group's sections of that kind, with their lines. */
  const wordsOf = (group: string, kind: IniSection['kind']): { word: string; line: number }[] =>
    sections
      .filter((s) => s.group === group && s.kind === kind)
      .flatMap((s) =>
        s.body.flatMap((i) => {
          const word = firstWord(lines[i]!);
          return word === undefined ? [] : [{ word, line: i + 1 }];
        }),
      );
  const groups = [...new Set(sections.map((s) => s.group))].filter((g) => g !== 'all' && g !== 'ungrouped');
  const students: IniStudent[] = [];
  for (const group of groups) {
    const first = sections.find((s) => s.group === group)!;
    const line = first.header + 1;
    const hosts = wordsOf(group, 'hosts');
    const children = wordsOf(group, 'children').map((c) => ({ ...c, word: c.word.toLowerCase() }));
    const named = <T extends { word: string }>(items: T[], role: string) =>
      items.filter((h) => h.word.toLowerCase().includes(role));
    if (children.length > 0) {
      const [master, backup] = [named(children, 'master'), named(children, 'backup')];
      if (master.length !== 1 || backup.length !== 1) continue; // a parent of students, not a student
      for (const child of [master[0]!, backup[0]!]) {
        const count = wordsOf(child.word, 'hosts').length;
        if (count !== 1)
          throw new RosterError(
            `group [${child.word}] of student '${first.written}' must have one host, it has ${count}`,
            file,
            child.line,
          );
      }
      students.push({
        group,
        written: first.written,
        line,
        roleGroups: { master: master[0]!.word, backup: backup[0]!.word },
      });
    } else if (hosts.length === 2 && named(hosts, 'master').length === 1 && named(hosts, 'backup').length === 1) {
      students.push({ group, written: first.written, line });
    } else if (hosts.length === 2 && named(hosts, 'master').length + named(hosts, 'backup').length === 0) {
      throw new RosterError(
        `group [${first.written}] has two hosts but cannot tell master from backup: name them *master* and *backup*, or use [${first.written}:children] with [${first.written}_master] and [${first.written}_backup]`,
        file,
        line,
      );
    }
  }
  return students;
}

/** Parents of a group (transitively), through `:children` sections. */
function ancestors(group: string, sections: IniSection[], lines: string[]): Set<string> {
  const found = new Set<string>();
  const visit = (name: string) => {
    for (const s of sections) {
      if (
        s.kind === 'children' &&
        !found.has(s.group) &&
        s.body.some((i) => firstWord(lines[i]!)?.toLowerCase() === name)
      ) {
        found.add(s.group);
        visit(s.group);
      }
    }
  };
  visit(group);
  return found;
}

/**
 * The file as one pair inventory for a student: its own sections, its ancestors' vars and children
 * and all:vars stay on their lines (line numbers keep pointing at the real file), everything else
 * is blanked. Its role groups become [master]/[backup] for the inventory reader, and any other kept
 * group of that name steps aside.
 */
function studentView(student: IniStudent, sections: IniSection[], lines: string[]): string {
  const roles = student.roleGroups;
  const rename = (group: string): string => {
    if (group === roles?.master) return 'master';
    if (group === roles?.backup) return 'backup';
    return group === 'master' || group === 'backup' ? `other_${group}` : group;
  };
  const own = new Set([student.group, ...(roles ? [roles.master, roles.backup] : [])]);
  const parents = new Set([...own].flatMap((group) => [...ancestors(group, sections, lines)]));
  const view = lines.map(() => '');
  for (const s of sections) {
    const keep =
      own.has(s.group) || (s.kind !== 'hosts' && (parents.has(s.group) || (s.group === 'all' && s.kind === 'vars')));
    if (!keep || s.header < 0) continue;
    view[s.header] = `[${rename(s.group)}${s.kind === 'hosts' ? '' : `:${s.kind}`}]`;
    for (const i of s.body) {
      const word = firstWord(lines[i]!);
      view[i] = s.kind === 'children' && word ? rename(word.toLowerCase()) : lines[i]!;
    }
  }
  return view.join('\n');
}

function iniRoster(text: string, file: string): RosterEntry[] {
  const lines = text.split(/\r?\n/);
  const sections = iniSections(lines);
  const students = iniStudents(sections, lines, file);
  if (students.length === 0) {
    throw new RosterError(
      'no student groups: give each student a group [alice] with hosts alice-master and alice-backup, or [alice:children] with alice_master and alice_backup',
      file,
    );
  }
  return students.map((s) => entryOf(inventoryFromIni(studentView(s, sections, lines), file), s.written, s.line));
}

// ---------------------------------------------------------------------------------------------

/** Ids must be unique, and so must their directories (compared ignoring case, for macOS and Windows). */
function checkUnique(entries: RosterEntry[], file: string): void {
  const seen = new Map<string, RosterEntry>();
  for (const entry of entries) {
    const dir = studentDirName(entry.student).toLowerCase();
    const other = seen.get(dir);
    if (other) {
      const what =
        other.student === entry.student
          ? `student '${entry.student}' appears twice`
          : `students '${other.student}' and '${entry.student}' would share the directory '${dir}'`;
      throw new RosterError(`${what} (first at line ${other.line ?? '?'})`, file, entry.line);
    }
    seen.set(dir, entry);
  }
}

export type RosterFormat = 'csv' | 'yaml' | 'ini';

/** By extension; otherwise a `[group]` line means INI, a first line with commas means CSV, else YAML. */
export function rosterFormat(text: string, file: string): RosterFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (['.yaml', '.yml', '.json'].includes(ext)) return 'yaml';
  if (ext === '.ini') return 'ini';
  if (/^\s*\[[^\]\s,]+\]\s*$/m.test(text)) return 'ini';
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  return /^[^:]*,/.test(firstLine) ? 'csv' : 'yaml';
}

/** Parse roster text; `file` names it in errors and anchors relative key paths. */
export function parseRoster(text: string, file: string, env: NodeJS.ProcessEnv = process.env): RosterEntry[] {
  let entries: RosterEntry[];
  try {
    const format = rosterFormat(text, file);
    entries =
      format === 'csv' ? csvRoster(text, file, env) : format === 'ini' ? iniRoster(text, file) : yamlRoster(text, file);
  } catch (e) {
    throw asRosterError(e);
  }
  checkUnique(entries, file);
  return entries;
}

export function loadRoster(file: string, env: NodeJS.ProcessEnv = process.env): RosterEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RosterError(`cannot read the roster: ${(e as Error).message}`, file);
  }
  return parseRoster(text, file, env);
}
