import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeBatches, MergeError } from '../../src/batch/merge.js';
import { studentPaths, type OutputOptions } from '../../src/batch/outputs.js';
import { runBatch, shardOf } from '../../src/batch/runner.js';
import type { RosterEntry } from '../../src/batch/types.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { fakeGrader, fixtureResults, roster, type FixtureResults, type Outcome } from './fake-grader.js';

describe('mergeBatches', () => {
  let results: FixtureResults;
  let tmp: string;
  const output: OutputOptions = { lang: 'en', gradebookIdColumn: 'Email address', maxGrade: 100 };
  const entries = roster(9);
  const plan = (e: RosterEntry): { outcome: Outcome } => ({
    outcome: e.student.endsWith('3') ? 'fail' : e.student.endsWith('5') ? 'throw' : 'pass',
  });
  const batch = (outDir: string, shard?: { index: number; count: number }, rows = entries, outcomes = plan) =>
    runBatch({
      entries: rows,
      grade: fakeGrader(results, outcomes).grade,
      outDir,
      failover: true,
      profile: DEFAULT_PROFILE,
      output,
      ...(shard ? { shard } : {}),
    });
  const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

  before(async () => {
    results = await fixtureResults();
  });
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'hagrade-merge-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('two shards merged give the same summary.csv and gradebook.csv as one unsharded run, byte for byte', async () => {
    // The roster is split for real: each shard holds some students.
    expect(new Set(entries.map((e) => shardOf(e.student, 2))).size).to.equal(2);
    await batch(join(tmp, 'all'));
    await batch(join(tmp, 'part1'), { index: 1, count: 2 });
    await batch(join(tmp, 'part2'), { index: 2, count: 2 });
    expect(read(join(tmp, 'part1'), 'summary.csv')).to.not.equal(read(join(tmp, 'all'), 'summary.csv'));
    const { records, warnings } = mergeBatches([join(tmp, 'part1'), join(tmp, 'part2')], join(tmp, 'merged'), output);
    expect(warnings).to.deep.equal([]);
    expect(records.map((r) => r.student).sort()).to.deep.equal(entries.map((e) => e.student));
    expect(read(join(tmp, 'merged'), 'summary.csv')).to.equal(read(join(tmp, 'all'), 'summary.csv'));
    expect(read(join(tmp, 'merged'), 'gradebook.csv')).to.equal(read(join(tmp, 'all'), 'gradebook.csv'));
    expect(existsSync(join(tmp, 'merged', 'class-report.html'))).to.equal(true);
    // The students' reports and snapshots come along, so the merged directory is complete.
    for (const e of entries)
      expect(existsSync(join(studentPaths(join(tmp, 'merged'), e.student).snapshot, 'hosts.yaml'))).to.equal(true);
    const merged = JSON.parse(read(join(tmp, 'merged'), 'batch.json'));
    expect(merged.shard).to.equal(null);
    expect(merged.mergedFrom).to.deep.equal([join(tmp, 'part1'), join(tmp, 'part2')]);
  });

  it('warns when a shard is missing', async () => {
    await batch(join(tmp, 'part1'), { index: 1, count: 3 });
    const { warnings } = mergeBatches([join(tmp, 'part1')], join(tmp, 'merged'), output);
    expect(warnings.map((w) => w.data)).to.deep.equal([{ missing: '2, 3', count: 3 }]);
  });

  it('accepts a student present twice with identical results, refuses different ones', async () => {
    const alice = entries.slice(0, 1);
    await batch(join(tmp, 'a'), undefined, alice);
    const { records } = mergeBatches([join(tmp, 'a'), join(tmp, 'a')], join(tmp, 'same'), output);
    expect(records).to.have.length(1);
    await batch(join(tmp, 'b'), undefined, alice, () => ({ outcome: 'fail' }));
    expect(() => mergeBatches([join(tmp, 'a'), join(tmp, 'b')], join(tmp, 'conflict'), output)).to.throw(
      MergeError,
      /student01/,
    );
  });

  it('refuses a directory that is not a batch output', () => {
    expect(() => mergeBatches([tmp], join(tmp, 'out'), output)).to.throw(MergeError, /no batch\.json/);
  });
});
