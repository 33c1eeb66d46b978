// Real command outputs captured for the live checks' tests (fixtures/live-captures/README.md says how).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../../src/paths.js';
import type { CommandResult } from '../../src/types.js';

const CAPTURES = join(FIXTURES_DIR, 'live-captures');

/** `capture('ip-addr', 'vip-good')`: stdout, stderr and exit code, as a snapshot host replays them. */
export function capture(dir: string, name: string): Partial<CommandResult> {
  const base = join(CAPTURES, dir, name);
  if (!existsSync(`${base}.txt`)) throw new Error(`no capture ${dir}/${name}`);
  const read = (suffix: string) => (existsSync(base + suffix) ? readFileSync(base + suffix, 'utf8') : '');
  const exit = read('.exit').trim();
  return { stdout: read('.txt'), stderr: read('.stderr'), exitCode: exit === '' ? 0 : Number(exit) };
}

/** Just the stdout of a capture. */
export function captured(dir: string, name: string): string {
  return capture(dir, name).stdout!;
}
