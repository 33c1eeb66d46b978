// Rosters: the pairs of a whole class, one per student, from CSV, YAML or an Ansible INI inventory.
// Each pair is read by the inventory module's own per-pair code, so a pair means the same thing in
// `hagrade check --inventory` and in `hagrade batch`. This module picks the format, checks the ids
// and names each student's directory; each format is read in roster-csv, roster-yaml, roster-ini.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { csvRoster } from './roster-csv.js';
import { asRosterError, RosterError } from './roster-entry.js';
import { iniRoster } from './roster-ini.js';
import { yamlRoster } from './roster-yaml.js';
import type { RosterEntry } from './types.js';

export { RosterError } from './roster-entry.js';

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
