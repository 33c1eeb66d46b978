// Where hagrade's own files are, whether run from src (tsx) or from the compiled dist/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'fixtures'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('hagrade: cannot find its package root');
    dir = parent;
  }
}

/** The package root (holds package.json, fixtures/, checks/). */
export const REPO_ROOT = findRepoRoot();
/** Compiled check modules live beside the compiled sources: this file is <root>/src/self/paths. */
export const CHECKS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'checks');
export const FIXTURES_DIR = join(REPO_ROOT, 'fixtures');
/** ../shared next to the repo (the corpus); may be absent outside the team's checkout. */
export const SHARED_DIR = join(REPO_ROOT, '..', 'shared');
