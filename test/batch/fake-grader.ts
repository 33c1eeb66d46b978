// A GradeFn for batch tests: real RunResults of the static catalogue on fixtures, returned after a
// delay, with a record of who was graded, how many at once, and whether a host was ever shared.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import CRT001 from '../../checks/CRT001.js';
import CRT002 from '../../checks/CRT002.js';
import CRT003 from '../../checks/CRT003.js';
import CRT004 from '../../checks/CRT004.js';
import HAP002 from '../../checks/HAP002.js';
import type { GradeFn, GradeOptions, RosterEntry } from '../../src/batch/types.js';
import type { RunResult } from '../../src/model/check.js';
import { runOnFixture } from '../support/check-tester.js';

export type Outcome = 'pass' | 'fail' | 'undecided' | 'throw';

export interface FixtureResults {
  pass: RunResult;
  fail: RunResult;
  /** A run where a host stopped answering: one check is an ERROR, nothing failed (exit code 3). */
  undecided: RunResult;
}

/**
 * A few static checks (named, so the results do not move as the catalogue grows) on the correct
 * fixture, and on one with the certificate missing on backup (CRT001 fails, CRT002-CRT004 skip).
 */
export async function fixtureResults(): Promise<FixtureResults> {
  const checks = [CRT001, CRT002, CRT003, CRT004, HAP002];
  const pass = await runOnFixture(checks);
  const fail = await runOnFixture(checks, { fixture: 'crt001-missing-on-backup' });
  if (pass.exitCode !== 0 || fail.exitCode !== 1)
    throw new Error(
      `fixtures changed: correct exits ${pass.exitCode}, crt001-missing-on-backup exits ${fail.exitCode}`,
    );
  const undecided: RunResult = structuredClone(pass);
  const lost = undecided.results[0]!;
  lost.status = 'error';
  lost.points = 0;
  lost.findings = [{ kind: 'error', host: 'backup', messageId: 'unreachable', message: 'backup: connection reset' }];
  undecided.summary = {
    ...undecided.summary,
    pass: undecided.summary.pass - 1,
    error: 1,
    score: undecided.summary.score - lost.maxPoints,
  };
  undecided.exitCode = 3;
  return { pass, fail, undecided };
}

export interface FakeGrader {
  grade: GradeFn;
  /** Students in the order their grading started (a student twice means graded twice). */
  calls: string[];
  maxActive: number;
  /** Host keys that were in two gradings at once. */
  overlaps: string[];
  options: GradeOptions[];
}

export function fakeGrader(
  results: FixtureResults,
  plan: (entry: RosterEntry) => { outcome: Outcome; delayMs?: number },
): FakeGrader {
  const busy = new Set<string>();
  let active = 0;
  const fake: FakeGrader = {
    calls: [],
    maxActive: 0,
    overlaps: [],
    options: [],
    grade: async (entry, opts) => {
      fake.calls.push(entry.student);
      fake.options.push(opts);
      const hosts = [entry.master, entry.backup].map((h) => `${h.host}:${h.port ?? 22}`);
      for (const h of hosts) {
        if (busy.has(h)) fake.overlaps.push(h);
        busy.add(h);
      }
      fake.maxActive = Math.max(fake.maxActive, ++active);
      try {
        const { outcome, delayMs = 5 } = plan(entry);
        opts.onPhase('connecting');
        writeFileSync(join(opts.snapshotDir, 'hosts.yaml'), `master: {address: ${entry.master.host}}\n`);
        // Like the real grader, stop waiting when told to (it would restore and return).
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs);
          opts.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
        opts.onPhase('static checks');
        if (outcome === 'throw') throw new Error(`cannot connect to ${entry.master.host}: connection refused`);
        const result = structuredClone(results[outcome]);
        result.target = { ...result.target, student: entry.student };
        return result;
      } finally {
        active--;
        for (const h of hosts) busy.delete(h);
      }
    },
  };
  return fake;
}

/** A roster of n students, each on its own pair of hosts. */
export function roster(n: number, prefix = 'student'): RosterEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    student: `${prefix}${String(i + 1).padStart(2, '0')}`,
    master: { host: `198.51.100.${2 * i + 1}` },
    backup: { host: `198.51.100.${2 * i + 2}` },
  }));
}
