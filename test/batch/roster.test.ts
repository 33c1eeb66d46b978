import { expect } from 'chai';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/self/paths.js';
import { parseCsv } from '../../src/batch/csv.js';
import { loadRoster, parseRoster, RosterError, rosterFormat, studentDirName } from '../../src/batch/roster.js';

const DATA = join(REPO_ROOT, 'test', 'batch', 'data');

/** The RosterError thrown by fn (fails the test when none is thrown). */
function rosterError(fn: () => unknown): RosterError {
  try {
    fn();
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(RosterError);
    return e as RosterError;
  }
  throw new Error('expected a RosterError');
}

const HEADER = 'student,master,backup\n';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, and numbers records by their first line', () => {
    const { records, error } = parseCsv('a,"b,1","say ""hi"""\r\n"multi\nline",x,\n\nlast,,');
    expect(error).to.equal(undefined);
    expect(records).to.deep.equal([
      { fields: ['a', 'b,1', 'say "hi"'], line: 1 },
      { fields: ['multi\nline', 'x', ''], line: 2 },
      { fields: ['last', '', ''], line: 5 },
    ]);
  });

  it('ignores a byte order mark and a missing final newline', () => {
    expect(parseCsv('\uFEFFa,b').records).to.deep.equal([{ fields: ['a', 'b'], line: 1 }]);
  });

  it('reports an unclosed quote at the line where it opens, and junk after a closing quote', () => {
    expect(parseCsv('a,b\nc,"open\nmore\n').error).to.deep.include({ line: 2 });
    expect(parseCsv('a,"b"c\n').error?.message).to.match(/after a closing quote/);
  });
});

describe('loadRoster (CSV)', () => {
  const env = { HAGRADE_TEST_PASSWORD: 'pw' };

  it('reads every column: host specs, defaults, per-host users, password_env, group; skips # rows', () => {
    const entries = loadRoster(join(DATA, 'roster.csv'), env);
    expect(entries.map((e) => e.student)).to.deep.equal(['alice', 'Smith, "Bob"', 'carol', 'Иванов Иван']);
    const [alice, bob, carol, ivan] = entries;
    expect(alice).to.deep.equal({
      student: 'alice',
      master: { host: '203.0.113.10', user: 'student', key: join(DATA, 'keys/alice') },
      backup: { host: '203.0.113.11', user: 'student', key: join(DATA, 'keys/alice') },
      vip: '203.0.113.10',
      line: 2,
      group: 'A-1',
    });
    // A user or port written in the host spec wins over the columns.
    expect(bob!.master).to.deep.equal({ host: '203.0.113.20', user: 'root', port: 2201 });
    expect(bob!.backup).to.deep.equal({ host: '203.0.113.21', user: 'admin', port: 2222 });
    expect(bob!.line).to.equal(3);
    expect(carol!.master).to.deep.equal({ host: '203.0.113.30', user: 'carol-m', password: 'pw' });
    expect(carol!.backup).to.deep.equal({ host: '203.0.113.31', password: 'pw' });
    expect(carol!.line).to.equal(5);
    expect(ivan!.vip).to.equal('198.51.100.40');
  });

  it('expands ~ in key paths', () => {
    const [entry] = parseRoster(`${HEADER.trim()},key\nx,192.0.2.1,192.0.2.2,~/.ssh/id\n`, '/r/roster.csv');
    expect(entry!.master.key).to.equal(join(homedir(), '.ssh/id'));
  });

  it('names the file and line of a bad host spec, a bad port, a bad vip and an empty cell', () => {
    const cases: [string, number, RegExp][] = [
      [`${HEADER}a,192.0.2.1,192.0.2.2\nb,root@,192.0.2.4\n`, 3, /root@/],
      [`${HEADER.trim()},port\na,192.0.2.1,192.0.2.2,ssh\n`, 2, /port/],
      [`${HEADER.trim()},vip\na,192.0.2.1,192.0.2.2,not-an-ip\n`, 2, /not an IP/],
      [`${HEADER}a,,192.0.2.2\n`, 2, /master column is empty/],
      [`${HEADER}, 192.0.2.1,192.0.2.2\n`, 2, /student column is empty/],
      [`${HEADER}a,192.0.2.1,192.0.2.2,extra\n`, 2, /4 fields/],
    ];
    for (const [text, line, pattern] of cases) {
      const e = rosterError(() => parseRoster(text, 'class.csv'));
      expect(e.line, text).to.equal(line);
      expect(e.message, text)
        .to.match(pattern)
        .and.to.match(new RegExp(`^class\\.csv:${line}: `));
    }
  });

  it('refuses a missing, unknown or repeated column in the header', () => {
    expect(rosterError(() => parseRoster('student,master\na,192.0.2.1\n', 'c.csv')).message).to.match(
      /^c\.csv:1: missing column 'backup'/,
    );
    expect(rosterError(() => parseRoster('student,master,backup,vpi\n', 'c.csv')).message).to.match(
      /unknown column 'vpi'/,
    );
    expect(rosterError(() => parseRoster('student,master,backup,user,USER\n', 'c.csv')).message).to.match(
      /'user' appears twice/,
    );
  });

  it('refuses a duplicate student, naming both lines', () => {
    const e = rosterError(() =>
      parseRoster(`${HEADER}alice,192.0.2.1,192.0.2.2\nbob,192.0.2.3,192.0.2.4\nalice,192.0.2.5,192.0.2.6\n`, 'c.csv'),
    );
    expect(e.line).to.equal(4);
    expect(e.message).to.match(/'alice' appears twice \(first at line 2\)/);
  });

  it('refuses a password_env that is not set', () => {
    const e = rosterError(() =>
      parseRoster(`${HEADER.trim()},password_env\na,192.0.2.1,192.0.2.2,NOPE_NOT_SET\n`, 'c.csv', {}),
    );
    expect(e.message).to.match(/NOPE_NOT_SET/);
  });
});

describe('loadRoster (YAML)', () => {
  it('reads the students list as the lab writes it', () => {
    const [alice, bob] = loadRoster(join(DATA, 'roster.yaml'));
    expect(alice).to.deep.equal({
      student: 'alice',
      master: { host: '192.0.2.11', user: 'root', key: join(DATA, 'keys/lab'), port: 2222 },
      backup: { host: '192.0.2.12', user: 'root', key: join(DATA, 'keys/lab') },
      vip: '192.0.2.11',
      line: 3,
    });
    expect(bob).to.deep.equal({
      student: 'bob',
      master: { host: '192.0.2.21', user: 'student' },
      backup: { host: '192.0.2.22', user: 'student', port: 2200 },
      vip: '192.0.2.21',
      line: 7,
    });
  });

  it('applies knownHosts, user and key given next to students: to every student that does not set its own', () => {
    const text = [
      'knownHosts: known_hosts',
      'user: root',
      'students:',
      '  - {student: p1, master: 198.51.100.11, backup: 198.51.100.12, vip: 203.0.113.10}',
      '  - {student: p2, master: 198.51.100.13, backup: 198.51.100.14, user: student}',
      '',
    ].join('\n');
    const [p1, p2] = parseRoster(text, join(DATA, 'lab-roster.yaml'));
    expect(p1!.knownHosts).to.equal(join(DATA, 'known_hosts'));
    expect(p1!.master.user).to.equal('root');
    expect(p2!.knownHosts).to.equal(join(DATA, 'known_hosts'));
    expect(p2!.backup.user).to.equal('student');
  });

  it('gives the line of an item without student, a bad host, an unknown key and a duplicate', () => {
    const cases: [string, number, RegExp][] = [
      ['students:\n  - master: 192.0.2.1\n    backup: 192.0.2.2\n', 2, /no student/],
      ['students:\n  - student: a\n    master: 192.0.2.1\n    backup: "x y"\n', 4, /x y/],
      [
        'students:\n  - student: a\n    master: 192.0.2.1\n    backup: 192.0.2.2\n    vpi: 192.0.2.1\n',
        5,
        /unknown setting/,
      ],
      [
        'students:\n  - {student: a, master: 192.0.2.1, backup: 192.0.2.2}\n  - {student: a, master: 192.0.2.3, backup: 192.0.2.4}\n',
        3,
        /'a' appears twice/,
      ],
      ['pairs: []\n', 1, /unknown setting 'pairs'/],
    ];
    for (const [text, line, pattern] of cases) {
      const e = rosterError(() => parseRoster(text, 'r.yaml'));
      expect(e.line, text).to.equal(line);
      expect(e.message, text).to.match(pattern);
    }
  });
});

describe('loadRoster (Ansible INI)', () => {
  it('reads [student] groups with *master*/*backup* hosts and [student:children] groups, with inherited vars', () => {
    const [alice, bob] = loadRoster(join(DATA, 'roster.ini'));
    const key = join(DATA, 'keys/class');
    expect(alice).to.deep.equal({
      student: 'alice',
      master: { host: '203.0.113.10', port: 2222, user: 'student', key, name: 'alice-master' },
      backup: { host: '203.0.113.11', port: 2222, user: 'root', key, name: 'alice-backup' },
      vip: '203.0.113.10',
      line: 13,
    });
    // The student id keeps its case; group vars of [bob_master:vars] apply to its host only.
    expect(bob).to.deep.equal({
      student: 'Bob',
      master: { host: '203.0.113.20', port: 2222, user: 'bob', key, name: 'vm1' },
      backup: { host: '203.0.113.21', port: 22, user: 'student', key, name: 'vm2' },
      vip: '203.0.113.20',
      line: 17,
    });
  });

  it('explains a group whose two hosts are not named master/backup, a role group with two hosts, and no students at all', () => {
    const unnamed = rosterError(() => parseRoster('[alice]\nvm1\nvm2\n', 'h.ini'));
    expect(unnamed.line).to.equal(1);
    expect(unnamed.message).to.match(/cannot tell master from backup/);
    const crowded = rosterError(() =>
      parseRoster('[bob:children]\nbob_master\nbob_backup\n[bob_master]\nvm1\nvm3\n[bob_backup]\nvm2\n', 'h.ini'),
    );
    expect(crowded.line).to.equal(2);
    expect(crowded.message).to.match(/\[bob_master\].*one host, it has 2/);
    expect(rosterError(() => parseRoster('[web]\nvm1\n', 'h.ini')).message).to.match(/no student groups/);
  });

  it('keeps the inventory reader’s line numbers for errors inside a student group', () => {
    const e = rosterError(() =>
      parseRoster('[alice]\nalice-master ansible_host=192.0.2.1\nalice-backup ansible_port=http\n', 'h.ini'),
    );
    expect(e.message).to.match(/^h\.ini:3: /);
  });
});

describe('rosterFormat', () => {
  it('goes by extension, then by content', () => {
    expect(rosterFormat('', 'x.csv')).to.equal('csv');
    expect(rosterFormat('', 'x.yml')).to.equal('yaml');
    expect(rosterFormat('', 'x.ini')).to.equal('ini');
    expect(rosterFormat('student,master,backup\n', 'roster')).to.equal('csv');
    expect(rosterFormat('[alice]\na-master\n', 'hosts')).to.equal('ini');
    expect(rosterFormat('students:\n  - {student: a, master: "h,1"}\n', 'roster')).to.equal('yaml');
  });
});

describe('studentDirName', () => {
  const hostile = [
    '..',
    '.',
    '../../etc/passwd',
    'a/b',
    'a\\b',
    '-rf',
    '.hidden',
    'bell\u0007',
    'line\nbreak',
    '',
    ' ',
    'a'.repeat(300),
    'C:\\x',
    'a_b',
  ];

  it('keeps safe ids as they are', () => {
    for (const id of ['alice', 'ivan.petrov@example.com', 'Иванов', 'st-01+x']) expect(studentDirName(id)).to.equal(id);
  });

  it('turns hostile ids into one plain path component, each different', () => {
    const names = hostile.map(studentDirName);
    for (const [i, name] of names.entries()) {
      expect(name, JSON.stringify(hostile[i])).to.match(/^[\p{L}\p{N}_@+][\p{L}\p{N}._@+-]*$/u);
      expect(name.length).to.be.at.most(80);
    }
    expect(new Set(names).size).to.equal(names.length);
  });

  it('keeps hostile ids verbatim in the roster entry', () => {
    const [entry] = parseRoster(`${HEADER}"../../etc/x\u0007",192.0.2.1,192.0.2.2\n`, 'c.csv');
    expect(entry!.student).to.equal('../../etc/x\u0007');
  });

  it('refuses two ids that would share a directory on a case-insensitive disk', () => {
    expect(
      rosterError(() => parseRoster(`${HEADER}Alice,192.0.2.1,192.0.2.2\nalice,192.0.2.3,192.0.2.4\n`, 'c.csv'))
        .message,
    ).to.match(/share the directory/);
  });
});
