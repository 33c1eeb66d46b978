// Ansible INI rosters: a group per student (`[alice]` with a *master* and a *backup* host, or
// `[alice:children]` with one-host child groups); each student's view of the file, line numbers
// kept, is read by the inventory module's own INI code.
import { inventoryFromIni } from '../inputs/inventory.js';
import { entryOf, RosterError } from './roster-entry.js';
import type { RosterEntry } from './types.js';

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

export function iniRoster(text: string, file: string): RosterEntry[] {
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
