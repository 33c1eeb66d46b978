// One owner at a time: the lab is a machine-wide singleton, and two test runs (or a test run and a
// person) switching scenarios under each other's feet produce failures that look like bugs.
import { readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { LabError, isRoot, notRootError } from './system.js';

/** Outside the lab's state dir, which `lab down` deletes. Holds the pid of the process that owns the lab. */
const LOCK_PATH = '/run/hagrade-lab.lock';

let lockHeld = false;

/**
 * Make this process the lab's owner until `releaseLab()` or exit: other processes' lab commands
 * fail with a LabError naming this process. Lab operations in this process go on as usual.
 */
export function holdLab(): void {
  if (lockHeld) return;
  if (!isRoot()) throw notRootError();
  for (;;) {
    try {
      writeFileSync(LOCK_PATH, `${process.pid}\n`, { flag: 'wx' });
      lockHeld = true;
      process.once('exit', releaseLab);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new LabError(
          `cannot take the lab lock ${LOCK_PATH} (${(error as Error).message}); the lab must run as root`,
        );
      }
    }
    const owner = Number(readFileSync(LOCK_PATH, 'utf8').trim());
    if (owner === process.pid) {
      lockHeld = true;
      return;
    }
    if (isAlive(owner)) {
      const command = readProcessCommand(owner);
      throw new LabError(
        `the lab is in use by process ${owner}${command ? ` (${command})` : ''}; wait for it to finish, then try again`,
      );
    }
    unlinkSync(LOCK_PATH); // its owner died without releasing it
  }
}

export function releaseLab(): void {
  if (!lockHeld) return;
  lockHeld = false;
  process.off('exit', releaseLab);
  rmSync(LOCK_PATH, { force: true });
}

export async function withLabLock<T>(operation: () => Promise<T>): Promise<T> {
  if (lockHeld) return operation();
  holdLab();
  try {
    return await operation();
  } finally {
    releaseLab();
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readProcessCommand(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 120);
  } catch {
    return '';
  }
}
