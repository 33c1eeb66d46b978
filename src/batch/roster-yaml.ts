// YAML rosters: `students: [{student, master, backup, vip, …}]`, with settings beside `students:`
// (knownHosts, user, key, port) shared by every student that does not set them.
import { inventoryFromYaml, parseYamlWithLines } from '../inputs/inventory.js';
import { entryOf, RosterError } from './roster-entry.js';
import type { RosterEntry } from './types.js';

const SHARED_ROSTER_KEYS = ['knownHosts', 'user', 'key', 'port'];

export function yamlRoster(text: string, file: string): RosterEntry[] {
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
