// `npm run bench` (machines): what the lab's machine hosts cost here. Image build (first when the
// cache is empty, then cached), `lab up` for 1 and 12 pairs, boot-to-SSH per machine, memory per
// machine (proportional set size of its processes), and one live grading of `correct` per release
// next to keepalived's own bound (target: wall ≤ bound + 2 s, 2 SSH handshakes).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { cachedImage, ensureImage } from '../../src/lab/image.js';
import { RELEASES, labDown, labUp, type LabInfo, type Release } from '../../src/lab/lab.js';
import { gradeLabPair } from './lab-grading.js';

const run = promisify(execFile);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Proportional memory of every process in a machine's network namespace (its whole system), in MB. */
async function machineMemoryMb(ns: string): Promise<number> {
  const { stdout } = await run('ip', ['netns', 'pids', ns]);
  let kb = 0;
  for (const pid of stdout.split('\n').filter(Boolean)) {
    try {
      kb += Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      // ended meanwhile
    }
  }
  return kb / 1024;
}

/** Time until sshd answers on a freshly booted machine (its banner), from the start of `lab up`. */
async function untilSsh(address: string, since: number): Promise<number> {
  for (;;) {
    const r = await run('ssh-keyscan', ['-T', '1', address]).catch(() => ({ stdout: '' }));
    if (r.stdout.includes('ssh-')) return Date.now() - since;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function gradeOnce(lab: LabInfo): Promise<string> {
  const { result, wallMs: wall, handshakes } = await gradeLabPair(lab);
  const bound = result.failover?.convergenceMs;
  return `${result.summary.pass}/${result.results.length} passed in ${seconds(wall)}; keepalived's bound ${bound === undefined ? '?' : seconds(bound)}; ${handshakes} handshakes`;
}

export async function benchMachines(): Promise<void> {
  for (const release of RELEASES) {
    const cached = cachedImage(release) !== undefined;
    const t0 = Date.now();
    await ensureImage(release, () => {});
    console.log(`image ${release}: ${cached ? 'cached' : 'first build'} ${seconds(Date.now() - t0)}`);
  }
  const t1 = Date.now();
  const one = await labUp({ pairs: 1 });
  console.log(`lab up, 1 pair (bookworm): ${seconds(Date.now() - t1)}`);
  console.log(
    `memory per machine: ${(await machineMemoryMb(one.pairs[0]!.master.ns)).toFixed(0)} MB (master, PSS of all its processes)`,
  );
  console.log(`live grading, bookworm: ${await gradeOnce(one)}`);
  await labDown();

  const t2 = Date.now();
  const twelve = labUp({ pairs: 12 });
  const firstSsh = untilSsh('198.51.100.11', t2);
  const lab12 = await twelve;
  console.log(
    `lab up, 12 pairs (24 machines): ${seconds(Date.now() - t2)}; first machine answered SSH after ${seconds(await firstSsh)}`,
  );
  const memory = await Promise.all(lab12.pairs.flatMap((p) => [p.master.ns, p.backup.ns]).map(machineMemoryMb));
  console.log(`memory of 24 machines: ${memory.reduce((a, b) => a + b, 0).toFixed(0)} MB in all`);
  await labDown();

  for (const release of RELEASES.filter((r): r is Release => r !== 'bookworm')) {
    const lab = await labUp({ release });
    console.log(`live grading, ${release}: ${await gradeOnce(lab)}`);
    await labDown();
  }
}
