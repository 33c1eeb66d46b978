// `npm run bench -- live` and `npm run bench -- batch`: live grading on the real lab (root only).
// live:  one grading of the `correct` pair with the probe: wall time next to the bound keepalived
//        itself needs (from the configs' timers), the failover/failback latency, SSH handshakes;
//        and the read-only commands over one connection vs one `ssh` process per command.
// batch: wall time and peak memory for N = 1, 5, 10, 20 pairs graded at full concurrency.
// machines: images, lab up, boot, memory per machine, and live grading per release (machines-bench.ts).
// client: live grading with and without the client probe (HTTPS to VIP:443 during the probe),
//        alternated, side by side; requests sent per run.
// Targets: wall time ≤ convergence bound + 2 s; 2 handshakes per run; N = 20 within 1.5 × N = 1;
//          the client probe within 5 % of the wall time without it.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadRoster } from '../../src/batch/roster.js';
import { DEFAULT_OUTPUT_OPTIONS } from '../../src/batch/outputs.js';
import { runBatch } from '../../src/batch/runner.js';
import { readOnlyCommands } from '../../src/facts/commands.js';
import { closePair, gradePair, openPair } from '../../src/engine/grade.js';
import { shellQuote } from '../../src/hosts/quote.js';
import { labDown, labUp, type LabInfo } from '../../src/lab/lab.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { benchMachines } from './machines-bench.js';
import { gradeLabPair, pairOf } from './lab-grading.js';
import { ROLES } from '../../src/model/basics.js';

const run = promisify(execFile);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function benchLive(): Promise<void> {
  const lab = await labUp({ scenario: 'correct' });
  try {
    const pair = pairOf(lab);
    const { result, wallMs: wall, handshakes } = await gradeLabPair(lab);
    const f = result.failover;
    console.log(`live grading of 'correct' (${result.results.length} checks, ${result.summary.pass} passed):`);
    console.log(
      `  wall time ${seconds(wall)}; keepalived's own bound ${f?.convergenceMs !== undefined ? seconds(f.convergenceMs) : '?'} (target: wall ≤ bound + 2 s)`,
    );
    console.log(
      `  of which static ${seconds(result.timings.staticMs)}, live read-only ${seconds(result.timings.liveMs)}, probe ${seconds(result.timings.disruptiveMs)}`,
    );
    console.log(`  failover detected after ${f?.failoverMs ?? '?'} ms, failback after ${f?.failbackMs ?? '?'} ms`);
    console.log(`  SSH handshakes: ${handshakes} (target: 2)`);

    // The same read-only commands: over hagrade's one connection per host, then one ssh process each.
    const commands = readOnlyCommands(DEFAULT_PROFILE, pair.vip);
    const again = await openPair(pair);
    const t1 = Date.now();
    for (const role of ROLES) for (const c of commands) await again.hosts[role].run(c);
    const oneConnection = Date.now() - t1;
    await closePair(again);
    const t2 = Date.now();
    for (const role of ROLES) {
      for (const c of commands) {
        const argv = c.shell !== undefined ? ['sh', '-c', c.shell, 'hagrade', ...(c.argv ?? [])] : c.argv!;
        await run('ssh', [
          '-i',
          lab.keyPath,
          '-o',
          `UserKnownHostsFile=${lab.knownHostsPath}`,
          '-o',
          'BatchMode=yes',
          `root@${pair[role].host}`,
          shellQuote(argv),
        ]).catch(() => undefined);
      }
    }
    const perProcess = Date.now() - t2;
    console.log(
      `  ${commands.length * 2} read-only commands: ${seconds(oneConnection)} over one connection per host, ${seconds(perProcess)} with one ssh process per command`,
    );
  } finally {
    await labDown();
  }
}

async function benchBatch(): Promise<void> {
  const sizes = [1, 5, 10, 20];
  const rows: Array<{ n: number; wall: number; rssMb: number }> = [];
  for (const n of sizes) {
    const lab = await labUp({ scenario: 'correct', pairs: n });
    const out = mkdtempSync(join(tmpdir(), 'hagrade-bench-batch-'));
    try {
      const entries = lab.rosterPath ? loadRoster(lab.rosterPath) : [pairOf(lab)];
      let peak = process.memoryUsage().rss;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
      const t0 = Date.now();
      await runBatch({
        entries: entries.map((e) => ({ ...e, knownHosts: lab.knownHostsPath })),
        grade: (entry, o) =>
          gradePair(entry, {
            profile: o.profile,
            lang: o.lang,
            failover: o.failover,
            signal: o.signal,
            snapshotDir: o.snapshotDir,
          }),
        outDir: out,
        concurrency: n,
        failover: true,
        profile: DEFAULT_PROFILE,
        output: { lang: 'en', ...DEFAULT_OUTPUT_OPTIONS },
      });
      const wall = Date.now() - t0;
      clearInterval(sampler);
      rows.push({ n, wall, rssMb: peak / 1024 / 1024 });
      console.log(
        `batch N=${String(n).padStart(2)}: ${seconds(wall)} wall, peak RSS ${(peak / 1024 / 1024).toFixed(0)} MB`,
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
      await labDown();
    }
  }
  const one = rows[0]!.wall;
  const last = rows[rows.length - 1]!;
  console.log(`N=${last.n} took ${(last.wall / one).toFixed(2)} × the time of N=1 (target ≤ 1.5 ×)`);
}

/** One live grading with the probe, with or without the client probe: wall time and requests sent. */
async function gradeOnce(
  lab: LabInfo,
  withClient: boolean,
): Promise<{ wall: number; sent: number; cancelled: number; passed: boolean }> {
  const { result, wallMs } = await gradeLabPair(lab, { withClient });
  const service = result.failover?.service;
  return { wall: wallMs, sent: service?.sent ?? 0, cancelled: service?.cancelled ?? 0, passed: result.exitCode === 0 };
}

async function benchClient(rounds = 4): Promise<void> {
  const lab = await labUp({ scenario: 'correct' });
  try {
    const without: number[] = [];
    const withClient: number[] = [];
    const sent: number[] = [];
    for (let i = 0; i < rounds; i++) {
      // Alternate, so drift of the machine's load falls on both sides alike.
      const a = await gradeOnce(lab, false);
      const b = await gradeOnce(lab, true);
      if (!a.passed || !b.passed)
        console.log(`  round ${i + 1}: a run did not pass (without: ${a.passed}, with: ${b.passed})`);
      without.push(a.wall);
      withClient.push(b.wall);
      sent.push(b.sent + b.cancelled);
      console.log(
        `  round ${i + 1}: without ${seconds(a.wall)}, with ${seconds(b.wall)} (${b.sent} requests answered or failed, ${b.cancelled} cut short)`,
      );
    }
    const median = (xs: number[]) => {
      const sorted = [...xs].sort((x, y) => x - y);
      const mid = sorted.length / 2;
      return Number.isInteger(mid) ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[Math.floor(mid)]!;
    };
    const m0 = median(without);
    const m1 = median(withClient);
    console.log(
      `client probe: median wall ${seconds(m0)} without, ${seconds(m1)} with: ${(((m1 - m0) / m0) * 100).toFixed(1)} % (target: within 5 %)`,
    );
    console.log(`  requests per run: ${sent.join(', ')} (bound at 10/s: rate × the probe's deadlines)`);
  } finally {
    await labDown();
  }
}

const sections = process.argv.slice(2);
if (sections.includes('live')) await benchLive();
if (sections.includes('batch')) await benchBatch();
if (sections.includes('machines')) await benchMachines();
if (sections.includes('client')) await benchClient();
