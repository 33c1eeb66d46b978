// Discovering fixtures and their expected results (fixtures/NAME/expected.yaml), and reading their
// files. A fixture is an overlay on another (fixtures/NAME/overlay.yaml): read its files through
// readFixtureFile / fixtureFiles (hagrade's snapshot reader), never by path.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { listSnapshotFiles, readSnapshotFile } from '../../src/hosts/snapshot.js';
import { FIXTURES_DIR } from '../../src/self/paths.js';
import type { Status } from '../../src/model/basics.js';
import type { ExpectedFinding } from './check-tester.js';

export interface ExpectedResult {
  status: Status;
  /** messageIds of the check's findings (any kind), as a set; omitted = not compared. */
  messages?: string[];
  /** Every finding of the check, compared strictly (check-tester's findingProblems); wins over `messages`. */
  findings?: ExpectedFinding[];
}

export interface Fixture {
  name: string;
  dir: string;
  description: string;
  results: Record<string, ExpectedResult>;
}

/** A fixture's file as hagrade reads it, overlays resolved: `readFixtureFile('correct', 'master/etc/passwd')`. */
export function readFixtureFile(fixture: string, path: string): string {
  return readSnapshotFile(join(FIXTURES_DIR, fixture), path).toString('utf8');
}

/** The files of a fixture (overlays resolved), relative to it; `under` limits them to `master`, `backup/etc`... */
export function fixtureFiles(fixture: string, under = ''): string[] {
  return listSnapshotFiles(join(FIXTURES_DIR, fixture), under);
}

/**
 * Write a fixture out as a full, self-contained snapshot directory (hosts.yaml, master/, backup/), e.g. to edit a copy.
 */
export function copyFixture(fixture: string, dest: string): void {
  for (const path of fixtureFiles(fixture)) {
    mkdirSync(dirname(join(dest, path)), { recursive: true });
    writeFileSync(join(dest, path), readSnapshotFile(join(FIXTURES_DIR, fixture), path));
  }
}

export function listFixtures(): Fixture[] {
  return readdirSync(FIXTURES_DIR)
    .filter((name) => existsSync(join(FIXTURES_DIR, name, 'expected.yaml')))
    .sort()
    .map((name) => {
      const dir = join(FIXTURES_DIR, name);
      const raw = parseYaml(readFileSync(join(dir, 'expected.yaml'), 'utf8')) as {
        description?: string;
        results?: Record<string, ExpectedResult>;
      };
      return { name, dir, description: raw.description ?? '', results: raw.results ?? {} };
    });
}
