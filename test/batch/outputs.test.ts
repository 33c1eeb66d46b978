import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  classMaxScore,
  csvField,
  gradebookCsv,
  readStored,
  storeError,
  storeResult,
  summaryCsv,
  writeFileAtomic,
  type StudentRecord,
} from '../../src/batch/outputs.js';
import { parseCsv } from '../../src/batch/csv.js';
import { loadCatalogue } from '../../src/engine/registry.js';
import { AREA_TITLES } from '../../src/report/ui-text.js';
import type { RunResult } from '../../src/model/check.js';
import { fixtureResults, type FixtureResults } from './fake-grader.js';

describe('batch outputs', () => {
  let results: FixtureResults;
  before(async () => {
    results = await fixtureResults();
  });

  const records = (): StudentRecord[] => [
    { student: 'zoe@example.com', dir: 'zoe@example.com', status: 'fail', result: results.fail },
    { student: 'adam@example.com', dir: 'adam@example.com', status: 'pass', result: results.pass },
    { student: 'Smith, "Bob"', dir: 'x', status: 'error', error: 'cannot connect to 192.0.2.7: timed out' },
    { student: 'eve@example.com', dir: 'eve@example.com', status: 'error', result: results.undecided },
    {
      student: 'mallory@example.com',
      dir: 'mallory@example.com',
      status: 'pending',
      error: 'the batch stopped before this student; run it again with --resume',
    },
  ];

  describe('gradebook.csv', () => {
    it('has the chosen id column, Grade scaled to max-grade over the class maximum, and Feedback', () => {
      const text = gradebookCsv(records(), { lang: 'en', gradebookIdColumn: 'Email address', maxGrade: 10 });
      const classMax = results.pass.summary.maxScore;
      // The failing run lost CRT001 and had CRT002-CRT004 skipped: its own maxScore is smaller.
      expect(results.fail.summary.maxScore).to.be.below(classMax);
      const failGrade = Math.round((results.fail.summary.score / classMax) * 10 * 100) / 100;
      expect(text).to.equal(
        [
          'Email address,Grade,Feedback',
          '"Smith, ""Bob""",,not graded: cannot connect to 192.0.2.7: timed out',
          'adam@example.com,10,all checks passed',
          `eve@example.com,,checks could not be decided: ${results.undecided.results[0]!.id}`,
          'mallory@example.com,,not graded: the batch stopped before this student; run it again with --resume',
          `zoe@example.com,${failGrade},failed checks: CRT001`,
          '',
        ].join('\r\n'),
      );
      expect(failGrade).to.be.within(0, 10);
      expect(String(failGrade)).to.match(/^\d+(\.\d{1,2})?$/);
    });

    it('speaks Russian with --lang ru', () => {
      const text = gradebookCsv(records(), { lang: 'ru', gradebookIdColumn: 'ID number', maxGrade: 100 });
      expect(text).to.contain('adam@example.com,100,все проверки пройдены');
      expect(text).to.contain('не пройдены проверки: CRT001');
      expect(text).to.contain('не оценено: cannot connect');
    });
  });

  it('classMaxScore counts a check skipped by some students, not one skipped by all', () => {
    expect(classMaxScore(records())).to.equal(results.pass.summary.maxScore);
    expect(classMaxScore([{ student: 'a', dir: 'a', status: 'fail', result: results.fail }])).to.equal(
      results.fail.summary.maxScore,
    );
  });

  it('summary.csv: a row per student in id order, a column per check id, the reason last', () => {
    const rows = parseCsv(summaryCsv(records(), 'en')).records.map((r) => r.fields);
    const ids = results.pass.results.map((r) => r.id).sort();
    expect(rows[0]).to.deep.equal(['student', 'status', 'score', 'maxScore', ...ids, 'reason']);
    expect(rows.slice(1).map((r) => r[0])).to.deep.equal([
      'Smith, "Bob"',
      'adam@example.com',
      'eve@example.com',
      'mallory@example.com',
      'zoe@example.com',
    ]);
    const zoe = rows[5]!;
    expect(zoe.slice(1, 4)).to.deep.equal([
      'fail',
      String(results.fail.summary.score),
      String(results.fail.summary.maxScore),
    ]);
    expect(zoe[rows[0]!.indexOf('CRT001')]).to.equal('fail');
    expect(zoe[rows[0]!.indexOf('CRT002')]).to.equal('skip');
    const smith = rows[1]!;
    expect(smith.slice(1, 4 + ids.length)).to.deep.equal(['error', '', '', ...ids.map(() => '')]);
    expect(smith.at(-1)).to.equal('not graded: cannot connect to 192.0.2.7: timed out');
    expect(rows[4]![1]).to.equal('pending');
  });

  it('summary.csv and the gradebook list the checks grouped by area, as the class report does', async () => {
    // A run of the whole catalogue, as the engine lists it: static → live → disruptive.
    const catalogue = (await loadCatalogue()).filter((c) => !c.reboot);
    const failed = new Set(['SYS002', 'CRT005', 'HAP001', 'SYS001', 'FOV001']);
    const result: RunResult = {
      ...results.pass,
      results: catalogue.map((c) => ({
        id: c.id,
        title: c.title.en,
        area: c.area,
        mode: c.mode,
        severity: c.severity,
        status: failed.has(c.id) ? 'fail' : 'pass',
        points: failed.has(c.id) ? 0 : c.points,
        maxPoints: c.points,
        findings: [],
        durationMs: 0,
      })),
    };
    const record: StudentRecord = { student: 'ann', dir: 'ann', status: 'fail', result };
    const header = parseCsv(summaryCsv([record], 'en')).records[0]!.fields;
    const ids = header.slice(4, -1);
    // By area in the order the reports name them (AREA_TITLES), then by id: from the checks' metadata.
    const areas = Object.keys(AREA_TITLES);
    const expected = [...catalogue]
      .sort((a, b) => areas.indexOf(a.area) - areas.indexOf(b.area) || a.id.localeCompare(b.id))
      .map((c) => c.id);
    expect(ids).to.deep.equal(expected);
    expect(result.results.map((r) => r.id)).not.to.deep.equal(expected);
    const areaOf = new Map(catalogue.map((c) => [c.id, c.area]));
    const blocks = ids.map((id) => areaOf.get(id)).filter((area, i, all) => area !== all[i - 1]);
    expect(blocks, 'each area one block of columns').to.deep.equal([...new Set(blocks)]);
    expect(ids.indexOf('SYS002') - ids.indexOf('SYS001')).to.equal(1);
    expect(ids.slice(ids.indexOf('CRT001'), ids.indexOf('CRT001') + 5)).to.deep.equal([
      'CRT001',
      'CRT002',
      'CRT003',
      'CRT004',
      'CRT005',
    ]);
    const feedback = parseCsv(
      gradebookCsv([record], { lang: 'en', gradebookIdColumn: 'Email address', maxGrade: 100 }),
    ).records[1]!.fields.at(-1);
    expect(feedback).to.equal('failed checks: CRT005, HAP001, SYS001, SYS002, FOV001');
  });

  it('csvField quotes only what needs it', () => {
    expect(csvField('plain')).to.equal('plain');
    expect(csvField('a,b')).to.equal('"a,b"');
    expect(csvField('say "x"')).to.equal('"say ""x"""');
    expect(csvField('two\nlines')).to.equal('"two\nlines"');
    expect(csvField(12.5)).to.equal('12.5');
    expect(csvField(undefined)).to.equal('');
  });

  describe('stored results', () => {
    let tmp: string;
    beforeEach(() => {
      tmp = mkdtempSync(join(tmpdir(), 'hagrade-out-'));
    });
    afterEach(() => rmSync(tmp, { recursive: true, force: true }));

    it('writeFileAtomic leaves no temporary file behind', () => {
      writeFileAtomic(join(tmp, 'a', 'b.json'), '{}');
      expect(readdirSync(join(tmp, 'a'))).to.deep.equal(['b.json']);
    });

    it('a new result replaces a stored error and the other way round', () => {
      storeError(tmp, 's', { student: 's', error: 'boom' });
      expect(readStored(tmp, 's')).to.deep.equal({ error: { student: 's', error: 'boom' } });
      storeResult(tmp, 's', results.pass);
      expect(existsSync(join(tmp, 'students', 's', 'error.json'))).to.equal(false);
      expect(readStored(tmp, 's')).to.deep.equal({
        result: JSON.parse(readFileSync(join(tmp, 'students', 's', 'report.json'), 'utf8')),
      });
      storeError(tmp, 's', { student: 's', error: 'again' });
      expect(existsSync(join(tmp, 'students', 's', 'report.json'))).to.equal(false);
      expect(readStored(tmp, 'nobody')).to.equal(undefined);
    });
  });
});
