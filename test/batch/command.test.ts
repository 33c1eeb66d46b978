import { expect } from 'chai';
import { Command } from 'commander';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerBatchCommands } from '../../src/commands/batch.js';
import { createBatchDisplay } from '../../src/batch/display.js';
import { UsageError } from '../../src/commands/errors.js';
import { fakeGrader, fixtureResults, type FixtureResults, type Outcome } from './fake-grader.js';

describe('hagrade batch / merge (commands)', () => {
  let results: FixtureResults;
  let tmp: string;
  let rosterFile: string;
  before(async () => {
    results = await fixtureResults();
  });
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'hagrade-cmd-'));
    rosterFile = join(tmp, 'class.csv');
    writeFileSync(
      rosterFile,
      'student,master,backup\nalice,192.0.2.1,192.0.2.2\nbob,192.0.2.3,192.0.2.4\ncarol,192.0.2.5,192.0.2.6\n',
    );
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  /** Run the CLI with the batch commands; resolves to the error it ended with, if any. */
  async function cli(args: string[], outcome: (student: string) => Outcome = () => 'pass') {
    const fake = fakeGrader(results, (e) => ({ outcome: outcome(e.student) }));
    const program = new Command('hagrade').exitOverride();
    registerBatchCommands(program, fake.grade);
    const error = await program.parseAsync(['node', 'hagrade', ...args]).then(
      () => undefined,
      (e: unknown) => e,
    );
    return { fake, error };
  }

  it('passes --no-failover, --lang and --lab to the grader, and writes the outputs', async () => {
    const lab = join(tmp, 'lab.yaml');
    writeFileSync(lab, 'frontendName: front_x\n');
    const out = join(tmp, 'out');
    const { fake, error } = await cli([
      'batch',
      rosterFile,
      '--out',
      out,
      '--no-failover',
      '--lang',
      'ru',
      '--lab',
      lab,
      '--concurrency',
      '2',
      '-q',
    ]);
    expect(error).to.equal(undefined);
    expect(fake.calls.sort()).to.deep.equal(['alice', 'bob', 'carol']);
    expect(fake.maxActive).to.be.at.most(2);
    for (const o of fake.options) expect(o).to.deep.include({ failover: false, lang: 'ru' });
    expect(fake.options[0]!.profile.frontendName).to.equal('front_x');
    expect(readFileSync(join(out, 'gradebook.csv'), 'utf8')).to.match(/^ID number,Grade,Feedback\r\n/);
  });

  it('ends with exit code 3 when a student could not be graded, naming them', async () => {
    const { error } = await cli(['batch', rosterFile, '--out', join(tmp, 'out'), '-q'], (s) =>
      s === 'bob' ? 'throw' : 'pass',
    );
    expect(error).to.be.instanceOf(UsageError);
    expect((error as UsageError).exitCode).to.equal(3);
    expect((error as UsageError).message).to.match(/bob/);
  });

  it('turns roster errors and bad options into usage errors (exit code 2)', async () => {
    writeFileSync(rosterFile, 'student,master\n');
    const cases: string[][] = [
      ['batch', rosterFile, '--out', join(tmp, 'o')],
      ['batch', join(tmp, 'none.csv'), '--out', join(tmp, 'o')],
      ['batch', rosterFile, '--out', join(tmp, 'o'), '--shard', '3/2'],
      ['batch', rosterFile, '--out', join(tmp, 'o'), '--concurrency', '0'],
      ['batch', rosterFile, '--out', join(tmp, 'o'), '--max-grade', 'ten'],
      ['merge', tmp, '--out', join(tmp, 'o')],
    ];
    for (const args of cases) {
      const { error } = await cli(args);
      expect(error, args.join(' ')).to.be.instanceOf(UsageError);
      expect((error as UsageError).exitCode, args.join(' ')).to.equal(2);
    }
  });

  it('merge joins shard directories', async () => {
    await cli(['batch', rosterFile, '--out', join(tmp, 'p1'), '--shard', '1/2', '-q']);
    await cli(['batch', rosterFile, '--out', join(tmp, 'p2'), '--shard', '2/2', '-q']);
    const { error } = await cli([
      'merge',
      join(tmp, 'p1'),
      join(tmp, 'p2'),
      '--out',
      join(tmp, 'all'),
      '--gradebook-id-column',
      'Username',
      '-q',
    ]);
    expect(error).to.equal(undefined);
    const gradebook = readFileSync(join(tmp, 'all', 'gradebook.csv'), 'utf8');
    expect(gradebook).to.equal(
      'Username,Grade,Feedback\r\nalice,100,all checks passed\r\nbob,100,all checks passed\r\ncarol,100,all checks passed\r\n',
    );
  });
});

describe('batch progress display', () => {
  let results: FixtureResults;
  before(async () => {
    results = await fixtureResults();
  });

  it('writes plain lines outside a terminal: the plan, warnings, each start and each result with totals', () => {
    let written = '';
    const stream = { write: (s: string) => ((written += s), true) } as unknown as NodeJS.WriteStream;
    const display = createBatchDisplay({ interactive: false, lang: 'en', stream });
    display.onEvent({
      type: 'planned',
      total: 3,
      toGrade: 2,
      stored: 1,
      concurrency: 2,
      shard: { index: 1, count: 2 },
    });
    display.onEvent({ type: 'warning', text: { en: 'shared {host}', ru: 'общая {host}' }, data: { host: 'h' } });
    display.onEvent({ type: 'start', student: 'al\x1b[2Jice' });
    display.onEvent({ type: 'phase', student: 'al\x1b[2Jice', phase: 'HAP005' });
    display.onEvent({
      type: 'done',
      record: { student: 'al\x1b[2Jice', dir: 'x', status: 'error', error: 'refused', durationMs: 1500 },
    });
    display.stop();
    expect(written).to.equal(
      [
        '2 of 3 students to grade (1 already graded), 2 at a time, shard 1/2',
        '! shared h',
        'al\\x1b[2Jice: started',
        '[1/2] al\\x1b[2Jice: ERROR: refused (1.5s)',
        '',
      ].join('\n'),
    );
  });

  it('in a terminal, keeps a live block (a line per running student, then the totals) below the finished lines', () => {
    const writes: string[] = [];
    const stream = {
      columns: 120,
      rows: 40,
      write: (s: string) => (writes.push(s), true),
    } as unknown as NodeJS.WriteStream;
    const display = createBatchDisplay({ interactive: true, lang: 'ru', stream });
    display.onEvent({ type: 'planned', total: 2, toGrade: 2, stored: 0, concurrency: 2 });
    display.onEvent({ type: 'start', student: 'alice' });
    display.onEvent({ type: 'start', student: 'bob' });
    display.onEvent({ type: 'phase', student: 'bob', phase: 'FOV001' });
    display.stop();
    const last = writes.at(-1)!;
    // The previous block (alice, bob, totals) is erased and redrawn in place.
    expect(last.startsWith('\x1b[3F\x1b[J')).to.equal(true);
    const lines = last.slice('\x1b[3F\x1b[J'.length).split('\n');
    expect(lines[0]).to.match(/^ {2}alice {2}начата проверка {2}\d+\.\ds$/);
    expect(lines[1]).to.match(/^ {2}bob {2}FOV001 {2}\d+\.\ds$/);
    expect(lines[2]).to.equal('проверено 0/2: успешно 0, не пройдено 0, ошибок 0; идёт проверка 2');
    display.onEvent({
      type: 'done',
      record: {
        student: 'alice',
        dir: 'alice',
        status: 'pass',
        result: structuredClone(results.pass),
        durationMs: 2000,
      },
    });
    const after = writes.at(-1)!;
    expect(after).to.contain(`alice: PASSED ${results.pass.summary.score}/${results.pass.summary.maxScore} (2.0s)\n`);
    expect(after).to.not.contain('  alice  ');
  });
});
