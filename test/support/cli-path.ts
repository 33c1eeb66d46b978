// Where the compiled CLI is, for tests that run `hagrade` as a user would (a child process).
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/self/paths.js';

export const CLI = join(REPO_ROOT, 'dist', 'src', 'commands', 'main.js');
