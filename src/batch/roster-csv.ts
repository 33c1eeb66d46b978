// CSV rosters: a header line naming the columns (student, master, backup required), one student per
// row; each row becomes the mapping a YAML inventory holds and is read by the inventory's own code.
import { inventoryFromYaml, parseHostSpec, type YamlLocation } from '../inputs/inventory.js';
import { parseCsv } from './csv.js';
import { entryOf, RosterError } from './roster-entry.js';
import type { RosterEntry } from './types.js';

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

export function csvRoster(text: string, file: string, env: NodeJS.ProcessEnv): RosterEntry[] {
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
