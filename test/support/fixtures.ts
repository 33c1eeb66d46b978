// Discovering fixtures and their expected results (fixtures/NAME/expected.yaml).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { FIXTURES_DIR } from '../../src/self/paths.js';
import type { Status } from '../../src/model/basics.js';

export interface ExpectedResult {
  status: Status;
  /** messageIds of the check's findings (any kind), as a set; omitted = not compared. */
  messages?: string[];
}

export interface Fixture {
  name: string;
  dir: string;
  description: string;
  results: Record<string, ExpectedResult>;
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
