// The HTML class report in a real headless Chromium: the matrix against the input RunResults, the
// area headers, failure counts, sorting and filters, hostile text, a class of 300, and Russian.
import { expect } from 'chai';
import { join } from 'node:path';
import { AREA_TITLES } from '../../src/report/ui-text.js';
import { classColumns, renderClassReport, type ClassStudent } from '../../src/report/html-class.js';
import { ARTIFACTS, areaOrdered, expectedOrder, HOSTILE_LINE, HOSTILE_NAME, statusOf } from './html-class-fixtures.js';
import { useClassPage } from './html-class-page.js';

describe('HTML class report', () => {
  describe('the page in headless Chromium', () => {
    const ui = useClassPage();

    it('has a cell for every student × check, with the status of the input', async () => {
      const columns = classColumns(ui.students);
      const heads = await ui.page.$$eval('#matrix thead th.check', (ths) =>
        ths.map((th) => ({ id: th.textContent, title: th.getAttribute('title') })),
      );
      expect(heads.map((h) => h.id)).to.deep.equal(columns.map((c) => c.id));
      const titles = new Map(ui.checks.map((c) => [c.id, c.title.en]));
      for (const head of heads) expect(head.title).to.equal(`${head.id} ${titles.get(head.id!)}`);

      const rows = await ui.page.$$eval('#matrix tbody tr', (trs) =>
        trs.map((tr) => ({
          name: tr.querySelector('th')!.textContent,
          cells: [...tr.querySelectorAll('td[data-s]')].map((td) => td.getAttribute('data-s')),
        })),
      );
      expect(rows.map((r) => r.name)).to.deep.equal(ui.students.map((s) => s.student));
      for (const [i, s] of ui.students.entries()) {
        const expected = s.result ? heads.map((h) => statusOf(s.result!, h.id!)) : [];
        expect(rows[i]!.cells, s.student).to.deep.equal(expected);
      }
      // The class really mixes outcomes, or this test would prove little.
      const seen = new Set(rows.flatMap((r) => r.cells));
      expect([...seen]).to.include.members(['pass', 'fail', 'error', 'skip']);
      expect(ui.requests, 'requests beyond the page itself').to.deep.equal([]);
      await ui.page.screenshot({ path: join(ARTIFACTS, 'class-report.png') });
    });

    it('puts each area under one header that spans exactly the checks of that area', async () => {
      const groups = await ui.page.$$eval('#matrix tr.areas th[data-area]', (ths) =>
        ths.map((th) => ({
          area: th.getAttribute('data-area')!,
          span: Number(th.getAttribute('colspan')),
          text: th.textContent,
        })),
      );
      const heads = await ui.page.$$eval('#matrix thead th.check', (ths) =>
        ths.map((th) => ({ id: th.textContent!, area: th.getAttribute('data-area') })),
      );
      const ran = new Set(ui.students.flatMap((s) => s.result?.results.map((r) => r.id) ?? []));
      // Every area of the checks that ran, once, in the reports' area order.
      const areas = Object.keys(AREA_TITLES).filter((area) => ui.checks.some((c) => c.area === area && ran.has(c.id)));
      expect(groups.map((g) => g.area)).to.deep.equal(areas);
      expect(areas.length).to.be.at.least(5);
      // Each header spans exactly its area's checks, by id, and the spans cover every column.
      let at = 0;
      for (const group of groups) {
        const area = group.area as keyof typeof AREA_TITLES;
        expect(group.text).to.equal(AREA_TITLES[area].en);
        const expected = ui.checks
          .filter((c) => c.area === area && ran.has(c.id))
          .map((c) => c.id)
          .sort();
        const spanned = heads.slice(at, at + group.span);
        expect(
          spanned.map((h) => h.id),
          area,
        ).to.deep.equal(expected);
        expect(new Set(spanned.map((h) => h.area))).to.deep.equal(new Set([area]));
        at += group.span;
      }
      expect(at).to.equal(heads.length);
      expect(heads.map((h) => h.id)).to.deep.equal(areaOrdered(ui.checks, ran));
      // The two cases that used to be split: SYS001 (static) with SYS002 (live), CRT005 (live) with CRT001–CRT004.
      const headerOf = (id: string) => {
        let end = 0;
        return groups.find((g) => {
          end += g.span;
          return heads.findIndex((h) => h.id === id) < end;
        })!.area;
      };
      expect(headerOf('SYS001')).to.equal('system');
      expect(headerOf('SYS002')).to.equal(headerOf('SYS001'));
      for (const id of ['CRT001', 'CRT002', 'CRT003', 'CRT004']) expect(headerOf(id)).to.equal(headerOf('CRT005'));
      expect(headerOf('CRT005')).to.equal('certificate');
    });

    it('counts the failures of each check', async () => {
      const counts = await ui.page.$$eval('#matrix tr.counts td.count', (tds) =>
        tds.map((td) => Number(td.textContent)),
      );
      const expected = classColumns(ui.students).map(
        (c) => ui.students.filter((s) => s.result && statusOf(s.result, c.id) === 'fail').length,
      );
      expect(counts).to.deep.equal(expected);
      expect(expected.some((n) => n > 1)).to.equal(true);
    });

    it('shows a student whose grading failed as an ERROR row with the reason', async () => {
      const row = ui.page.locator('#matrix tbody tr.errored');
      expect(await row.count()).to.equal(1);
      expect(await row.locator('th').textContent()).to.equal('Fedor Orlov');
      expect(await row.locator('td.score').textContent()).to.equal('ERROR');
      expect(await row.locator('td.grading-error').textContent()).to.equal(
        `grading failed: ssh: connect to host 198.51.100.7 port 22: Connection refused <b>"bold"</b>`,
      );
    });

    it('sorts by score, ascending then descending, ties in name order', async () => {
      const score = (s: ClassStudent) => (s.result ? s.result.summary.score : -1);
      await ui.page.click('#matrix thead button[data-sort=score]');
      expect(await ui.rowNames()).to.deep.equal(expectedOrder(ui.students, score, false));
      expect(await ui.page.getAttribute('#matrix thead th:has(button[data-sort=score])', 'aria-sort')).to.equal(
        'ascending',
      );
      await ui.page.click('#matrix thead button[data-sort=score]');
      expect(await ui.rowNames()).to.deep.equal(expectedOrder(ui.students, score, true));
      expect(await ui.page.getAttribute('#matrix thead th:has(button[data-sort=score])', 'aria-sort')).to.equal(
        'descending',
      );
    });

    it('sorts by a check column with failures first', async () => {
      const column = classColumns(ui.students).findIndex((c) => c.id === 'CRT001');
      await ui.page.click(`#matrix thead button[data-sort="check:${column}"]`);
      const names = await ui.rowNames();
      const rank = { fail: 0, error: 1, skip: 2, absent: 3, pass: 4 };
      const ranks = names.map((n) => {
        const s = ui.students.find((x) => x.student === n)!;
        return s.result ? rank[statusOf(s.result, 'CRT001')] : rank.error;
      });
      expect(ranks).to.deep.equal([...ranks].sort((a, b) => a - b));
      expect(names[0]).to.equal('Boris Petrov');
    });

    it('filters by name, by failing students and by area', async () => {
      await ui.page.fill('#filter-name', 'ALI');
      expect(await ui.rowNames()).to.have.members(['Alice Ivanova', 'alina k']);
      expect(await ui.page.textContent('#shown')).to.equal(`2 of ${ui.students.length} shown`);

      await ui.page.fill('#filter-name', '');
      await ui.page.selectOption('#filter-show', 'failing');
      const failing = ui.students
        .filter((s) => s.result?.results.some((r) => r.status === 'fail'))
        .map((s) => s.student);
      expect(await ui.rowNames()).to.have.members(failing);

      await ui.page.selectOption('#filter-area', 'certificate');
      const certIds = ui.checks.filter((c) => c.area === 'certificate').map((c) => c.id);
      const visibleHeads = await ui.page.$$eval('#matrix thead th.check:not([hidden])', (ths) =>
        ths.map((th) => th.textContent),
      );
      expect(visibleHeads).to.deep.equal(
        classColumns(ui.students)
          .filter((c) => c.area === 'certificate')
          .map((c) => c.id),
      );
      const failingCert = ui.students
        .filter((s) => s.result?.results.some((r) => r.status === 'fail' && certIds.includes(r.id)))
        .map((s) => s.student);
      expect(failingCert.length).to.be.below(failing.length);
      expect(await ui.rowNames()).to.have.members(failingCert);
      const cellsPerRow = await ui.page.$$eval('#matrix tbody tr:not([hidden])', (trs) =>
        trs.map((tr) => tr.querySelectorAll('td[data-s]:not([hidden])').length),
      );
      expect(new Set(cellsPerRow)).to.deep.equal(new Set([visibleHeads.length]));

      await ui.page.selectOption('#filter-show', 'errors');
      await ui.page.selectOption('#filter-area', '');
      const withErrors = ui.students
        .filter((s) => !s.result || s.result.results.some((r) => r.status === 'error'))
        .map((s) => s.student);
      expect(await ui.rowNames()).to.have.members(withErrors);
    });

    it('shows hostile names and excerpts as text and runs none of them', async () => {
      const names = await ui.page.$$eval('#matrix tbody th[scope=row]', (ths) => ths.map((th) => th.textContent));
      expect(names).to.include(HOSTILE_NAME);
      await ui.page.click(`${ui.rowOf(HOSTILE_NAME)} td.score`);
      expect(await ui.page.textContent('#details-title')).to.equal(HOSTILE_NAME);
      expect(await ui.page.textContent('#details .problem[data-check=SYS001]')).to.include(HOSTILE_LINE);
      expect(await ui.page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).to.equal(undefined);
      expect(await ui.page.evaluate(() => document.querySelectorAll('script').length)).to.equal(2);
      expect(await ui.page.evaluate(() => document.querySelectorAll('img, b').length)).to.equal(0);
    });

    it('sorts and filters a class of 300 quickly', async () => {
      const big = Array.from({ length: 300 }, (_, i) => ({
        ...ui.students[i % ui.students.length]!,
        student: `student ${String(i).padStart(3, '0')}`,
      }));
      const p = await ui.open(renderClassReport({ generatedAt: 'now', lang: 'en', students: big }), 'class-300.html');
      try {
        const started = Date.now();
        await p.click('#matrix thead button[data-sort=score]');
        await p.fill('#filter-name', 'student 1');
        expect(Date.now() - started).to.be.below(5000);
        expect(await p.textContent('#shown')).to.equal('100 of 300 shown');
        const first = await p.textContent('#matrix tbody tr:not([hidden]) th');
        expect(first).to.equal(
          expectedOrder(big, (s) => (s.result ? s.result.summary.score : -1), false).find((n) =>
            n.startsWith('student 1'),
          ),
        );
      } finally {
        await p.close();
      }
    });

    it('speaks Russian when asked', async () => {
      const ru = await ui.open(
        renderClassReport({ generatedAt: 'сейчас', lang: 'ru', students: ui.students }),
        'class-ru.html',
      );
      try {
        expect(await ru.textContent('#matrix thead button[data-sort=name]')).to.equal('Студент');
        expect(await ru.textContent('#shown')).to.equal(`показано ${ui.students.length} из ${ui.students.length}`);
        await ru.click(`${ui.rowOf('Alice Ivanova')} td.score`);
        expect(await ru.textContent('#details .timeline [data-span=failover]')).to.equal('переключение 4.1 с');
      } finally {
        await ru.close();
      }
    });
  });
});
