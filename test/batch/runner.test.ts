import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseCsv } from '../../src/batch/csv.js';
import { studentDirName } from '../../src/batch/roster.js';
import {
  BatchError,
  parseShard,
  runBatch,
  shardOf,
  type BatchEvent,
  type RunBatchOptions,
} from '../../src/batch/runner.js';
import { studentPaths } from '../../src/batch/outputs.js';
import type { GradeFn, RosterEntry } from '../../src/batch/types.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { fakeGrader, fixtureResults, roster, type FixtureResults } from './fake-grader.js';

describe('runBatch', () => {
  let results: FixtureResults;
  let tmp: string;
  before(async () => {
    results = await fixtureResults();
  });
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'hagrade-batch-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const options = (
    entries: RosterEntry[],
    grade: GradeFn,
    outDir: string,
    extra: Partial<RunBatchOptions> = {},
  ): RunBatchOptions => ({
    entries,
    grade,
    outDir,
    failover: true,
    profile: DEFAULT_PROFILE,
    output: { lang: 'en', gradebookIdColumn: 'ID number', maxGrade: 100 },
    ...extra,
  });
  const summaryRows = (outDir: string) =>
    parseCsv(readFileSync(join(outDir, 'summary.csv'), 'utf8')).records.map((r) => r.fields);

  it('grades everyone, stores a report per student and a summary row per student', async () => {
    const entries = roster(5);
    const fake = fakeGrader(results, (e) => ({ outcome: e.student === 'student03' ? 'fail' : 'pass' }));
    const outcome = await runBatch(options(entries, fake.grade, tmp));
    expect([...fake.calls].sort()).to.deep.equal(entries.map((e) => e.student));
    expect(outcome.interrupted).to.equal(false);
    for (const e of entries) {
      const report = JSON.parse(readFileSync(studentPaths(tmp, e.student).report, 'utf8'));
      expect(report.target.student).to.equal(e.student);
      expect(existsSync(join(studentPaths(tmp, e.student).snapshot, 'hosts.yaml'))).to.equal(true);
    }
    const rows = summaryRows(tmp);
    expect(rows[0]!.slice(0, 4)).to.deep.equal(['student', 'status', 'score', 'maxScore']);
    expect(rows.slice(1).map((r) => [r[0], r[1]])).to.deep.equal([
      ['student01', 'pass'],
      ['student02', 'pass'],
      ['student03', 'fail'],
      ['student04', 'pass'],
      ['student05', 'pass'],
    ]);
  });

  it('passes --no-failover, the language and the profile to the grader', async () => {
    const fake = fakeGrader(results, () => ({ outcome: 'pass' }));
    const profile = { ...DEFAULT_PROFILE, frontendName: 'front_x' };
    await runBatch({
      ...options(roster(1), fake.grade, tmp),
      failover: false,
      profile,
      output: { lang: 'ru', gradebookIdColumn: 'ID number', maxGrade: 100 },
    });
    expect(fake.options[0]).to.deep.include({ failover: false, lang: 'ru', profile });
  });

  it('grades at most `concurrency` students at once, and does use that many', async () => {
    const fake = fakeGrader(results, () => ({ outcome: 'pass', delayMs: 20 }));
    await runBatch(options(roster(10), fake.grade, tmp, { concurrency: 3 }));
    expect(fake.maxActive).to.equal(3);
    expect(fake.calls).to.have.length(10);
  });

  it('runs min(16, students) at once by default', async () => {
    const fake = fakeGrader(results, () => ({ outcome: 'pass', delayMs: 30 }));
    await runBatch(options(roster(20), fake.grade, tmp));
    expect(fake.maxActive).to.equal(16);
  });

  it('never grades two rows that share a host at once, and warns about them', async () => {
    const entries = roster(6);
    // student04 points at student01's master: they must run one after the other.
    entries[3] = { ...entries[3]!, master: { ...entries[0]!.master } };
    const events: BatchEvent[] = [];
    const fake = fakeGrader(results, () => ({ outcome: 'pass', delayMs: 20 }));
    await runBatch(options(entries, fake.grade, tmp, { concurrency: 6, onProgress: (e) => events.push(e) }));
    expect(fake.overlaps).to.deep.equal([]);
    expect(fake.calls).to.have.length(6);
    expect(fake.maxActive).to.equal(5);
    const warnings = events.filter((e) => e.type === 'warning');
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.deep.include({ data: { host: '198.51.100.1:22', students: 'student01, student04' } });
  });

  it('turns a grader that throws into an ERROR row with the reason, and goes on', async () => {
    const fake = fakeGrader(results, (e) => ({
      outcome: e.student === 'student02' ? 'throw' : e.student === 'student03' ? 'undecided' : 'pass',
    }));
    const outcome = await runBatch(options(roster(4), fake.grade, tmp));
    expect(outcome.records.map((r) => r.status).sort()).to.deep.equal(['error', 'error', 'pass', 'pass']);
    const rows = summaryRows(tmp);
    const header = rows[0]!;
    const row = (student: string) => rows.find((r) => r[0] === student)!;
    expect(row('student02')[1]).to.equal('error');
    expect(row('student02')[header.indexOf('reason')]).to.equal(
      'not graded: cannot connect to 198.51.100.3: connection refused',
    );
    expect(row('student02')[2]).to.equal('');
    expect(row('student03')[1]).to.equal('error');
    expect(row('student03')[header.indexOf('reason')]).to.equal(
      `checks could not be decided: ${results.undecided.results[0]!.id}`,
    );
    expect(existsSync(studentPaths(tmp, 'student02').error)).to.equal(true);
    expect(existsSync(studentPaths(tmp, 'student02').report)).to.equal(false);
  });

  it('after an interrupted batch, --resume grades only the rest: same summary as one uninterrupted run, nobody twice', async () => {
    const entries = roster(12);
    const plan = (e: RosterEntry) => ({
      outcome: (e.student.endsWith('7') ? 'fail' : 'pass') as 'fail' | 'pass',
      delayMs: 10,
    });

    const straight = join(tmp, 'straight');
    await runBatch(options(entries, fakeGrader(results, plan).grade, straight, { concurrency: 3 }));

    const resumed = join(tmp, 'resumed');
    const stop = new AbortController();
    const first = fakeGrader(results, plan);
    let done = 0;
    const interrupted = await runBatch(
      options(entries, first.grade, resumed, {
        concurrency: 3,
        signal: stop.signal,
        onProgress: (e) => {
          if (e.type === 'done' && ++done === 4) stop.abort();
        },
      }),
    );
    expect(interrupted.interrupted).to.equal(true);
    expect(JSON.parse(readFileSync(join(resumed, 'batch.json'), 'utf8')).finished).to.equal(false);
    // The running ones finished and were stored; nothing else was started.
    expect(first.calls.length).to.be.within(4, 6);
    expect(interrupted.graded).to.have.members(first.calls);
    expect(summaryRows(resumed).filter((r) => r[1] === 'pending')).to.have.length(12 - first.calls.length);
    // A half-written temporary file left by the interruption does not count as a report.
    const next = entries.find((e) => !first.calls.includes(e.student))!;
    mkdirSync(studentPaths(resumed, next.student).root, { recursive: true });
    writeFileSync(`${studentPaths(resumed, next.student).report}.4242.x.tmp`, '{"schemaVer');

    // Without --resume, an output directory that holds a batch is refused.
    const refused = await runBatch(options(entries, first.grade, resumed)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).to.be.instanceOf(BatchError);
    const second = fakeGrader(results, plan);
    const events: BatchEvent[] = [];
    await runBatch(
      options(entries, second.grade, resumed, { concurrency: 3, resume: true, onProgress: (e) => events.push(e) }),
    );
    expect([...first.calls, ...second.calls].sort()).to.deep.equal(entries.map((e) => e.student));
    expect(events[0]).to.deep.include({
      type: 'planned',
      total: 12,
      toGrade: 12 - first.calls.length,
      stored: first.calls.length,
    });
    expect(JSON.parse(readFileSync(join(resumed, 'batch.json'), 'utf8')).finished).to.equal(true);
    expect(readFileSync(join(resumed, 'summary.csv'), 'utf8')).to.equal(
      readFileSync(join(straight, 'summary.csv'), 'utf8'),
    );
    expect(readFileSync(join(resumed, 'gradebook.csv'), 'utf8')).to.equal(
      readFileSync(join(straight, 'gradebook.csv'), 'utf8'),
    );
  });

  it('--resume grades again a student whose report.json is unreadable, with a warning', async () => {
    const entries = roster(2);
    await runBatch(options(entries, fakeGrader(results, () => ({ outcome: 'pass' })).grade, tmp));
    writeFileSync(studentPaths(tmp, 'student02').report, '{"schemaVersion": 1, "resu');
    const again = fakeGrader(results, () => ({ outcome: 'pass' }));
    const events: BatchEvent[] = [];
    await runBatch(options(entries, again.grade, tmp, { resume: true, onProgress: (e) => events.push(e) }));
    expect(again.calls).to.deep.equal(['student02']);
    expect(events.filter((e) => e.type === 'warning')).to.have.length(1);
  });

  it('--retry-errors grades again only the students whose stored result is an ERROR', async () => {
    const entries = roster(5);
    const flaky = (e: RosterEntry) => ({
      outcome:
        e.student === 'student02'
          ? ('throw' as const)
          : e.student === 'student04'
            ? ('undecided' as const)
            : e.student === 'student05'
              ? ('fail' as const)
              : ('pass' as const),
    });
    await runBatch(options(entries, fakeGrader(results, flaky).grade, tmp));
    const retry = fakeGrader(results, () => ({ outcome: 'pass' }));
    const outcome = await runBatch(options(entries, retry.grade, tmp, { retryErrors: true }));
    expect([...retry.calls].sort()).to.deep.equal(['student02', 'student04']);
    expect(
      outcome.records
        .filter((r) => r.resumed)
        .map((r) => r.student)
        .sort(),
    ).to.deep.equal(['student01', 'student03', 'student05']);
    expect(
      summaryRows(tmp)
        .slice(1)
        .map((r) => r[1]),
    ).to.deep.equal(['pass', 'pass', 'pass', 'pass', 'fail']);
    // The old error file is gone with the new report.
    expect(existsSync(studentPaths(tmp, 'student02').error)).to.equal(false);
  });

  it('a grading stopped by stopRunning is left for --resume, not stored as a result', async () => {
    const stopRunning = new AbortController();
    const grade: GradeFn = async (_entry, opts) => {
      stopRunning.abort();
      expect(opts.signal.aborted).to.equal(true);
      return structuredClone(results.pass);
    };
    const outcome = await runBatch(options(roster(1), grade, tmp, { stopRunning: stopRunning.signal }));
    expect(outcome.records[0]!.status).to.equal('pending');
    expect(existsSync(studentPaths(tmp, 'student01').report)).to.equal(false);
  });

  it('stops a grading that takes longer than the time limit and makes it an ERROR row', async () => {
    const fake = fakeGrader(results, (e) => ({ outcome: 'pass', delayMs: e.student === 'student02' ? 5000 : 5 }));
    const started = Date.now();
    const outcome = await runBatch(options(roster(3), fake.grade, tmp, { timeoutMs: 1000 }));
    expect(Date.now() - started).to.be.below(3000);
    expect(fake.options[1]!.signal.aborted).to.equal(true);
    const slow = outcome.records.find((r) => r.student === 'student02')!;
    expect(slow).to.deep.include({ status: 'error', error: 'grading took longer than 1 s and was stopped' });
    expect(outcome.records.filter((r) => r.status === 'pass')).to.have.length(2);
  });

  it('--reboot: at most reboot-concurrency masters reboot at once, and waiting for a turn does not count against the time limit', async () => {
    const fake = fakeGrader(results, () => ({ outcome: 'pass' }));
    let inGate = 0;
    let most = 0;
    const grade: GradeFn = async (entry, o) => {
      const release = await o.reboot!.gate();
      inGate++;
      most = Math.max(most, inGate);
      await new Promise((resolve) => setTimeout(resolve, 300));
      inGate--;
      release();
      return fake.grade(entry, o);
    };
    // Four students at once, one reboot at a time: the last waits ~900 ms, longer than the 500 ms limit.
    const outcome = await runBatch(
      options(roster(4), grade, tmp, { concurrency: 4, timeoutMs: 500, reboot: { concurrency: 1, timeoutMs: 1000 } }),
    );
    expect(most).to.equal(1);
    expect(outcome.records.map((r) => r.status)).to.deep.equal(['pass', 'pass', 'pass', 'pass']);
    expect(fake.options.map((o) => o.reboot?.timeoutMs)).to.deep.equal([1000, 1000, 1000, 1000]);
  });

  it('without --reboot the grader gets no reboot gate', async () => {
    const fake = fakeGrader(results, () => ({ outcome: 'pass' }));
    await runBatch(options(roster(1), fake.grade, tmp));
    expect(fake.options[0]!.reboot).to.equal(undefined);
  });

  it('warns when kept results come from another hagrade version', async () => {
    const entries = roster(2);
    const old = structuredClone(results.pass);
    old.tool.version = '0.0.1';
    await runBatch(options(entries, async () => structuredClone(old), tmp));
    const events: BatchEvent[] = [];
    await runBatch(
      options(entries, fakeGrader(results, () => ({ outcome: 'pass' })).grade, tmp, {
        resume: true,
        onProgress: (e) => events.push(e),
      }),
    );
    const warnings = events.filter((e) => e.type === 'warning');
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.deep.include({
      data: { students: 'student01, student02', versions: '0.0.1', version: results.pass.tool.version },
    });
  });

  it('writes every student under outDir/students, whatever their id', async () => {
    const hostile = ['../../escape', '/abs', '..', 'a\nb', '-rf', 'x"y,z'];
    const entries = hostile.map((student, i) => ({
      student,
      master: { host: `192.0.2.${2 * i + 1}` },
      backup: { host: `192.0.2.${2 * i + 2}` },
    }));
    await runBatch(options(entries, fakeGrader(results, () => ({ outcome: 'pass' })).grade, tmp));
    expect(readdirSync(tmp).sort()).to.deep.equal([
      'batch.json',
      'class-report.html',
      'gradebook.csv',
      'students',
      'summary.csv',
    ]);
    const dirs = readdirSync(join(tmp, 'students')).sort();
    expect(dirs).to.deep.equal(hostile.map(studentDirName).sort());
    for (const dir of dirs) expect(relative(join(tmp, 'students'), join(tmp, 'students', dir))).to.equal(dir);
    // Reports keep the ids as written, but for the apostrophe that keeps a spreadsheet from reading `-rf` as a formula.
    expect(
      summaryRows(tmp)
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).to.deep.equal(hostile.map((id) => (id === '-rf' ? "'-rf" : id)).sort());
  });

  it('--shard grades only its part; shards are disjoint and cover the roster', async () => {
    const entries = roster(30);
    for (const count of [1, 2, 3, 5]) {
      const seen = entries.map((e) => shardOf(e.student, count));
      for (const s of seen) expect(s).to.be.within(1, count);
      const parts = Array.from({ length: count }, (_, i) =>
        entries.filter((_e, j) => seen[j] === i + 1).map((e) => e.student),
      );
      expect(parts.flat().sort()).to.deep.equal(entries.map((e) => e.student));
    }
    expect(shardOf('student01', 4)).to.equal(shardOf('student01', 4));
    const fake = fakeGrader(results, () => ({ outcome: 'pass' }));
    const outcome = await runBatch(options(entries, fake.grade, tmp, { shard: { index: 2, count: 3 } }));
    const expected = entries.filter((e) => shardOf(e.student, 3) === 2).map((e) => e.student);
    expect(expected.length).to.be.within(1, 29);
    expect([...fake.calls].sort()).to.deep.equal(expected);
    expect(outcome.records.map((r) => r.student).sort()).to.deep.equal(expected);
    expect(JSON.parse(readFileSync(join(tmp, 'batch.json'), 'utf8')).shard).to.deep.equal({ index: 2, count: 3 });
  });

  it('parses --shard i/n, 1-based', () => {
    expect(parseShard('2/4')).to.deep.equal({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).to.deep.equal({ index: 1, count: 1 });
    for (const bad of ['0/4', '5/4', '1/0', '2', 'a/b', '-1/2', '1.5/3'])
      expect(parseShard(bad), bad).to.equal(undefined);
  });
});
