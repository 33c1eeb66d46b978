// The HTML class report in a real headless Chromium: a student's details (findings, hints,
// evidence), the failover timeline, the clients under the VIP, and the failover columns.
import { expect } from 'chai';
import { join } from 'node:path';
import { CLASS_UI } from '../../src/report/html-class-text.js';
import type { CheckResult } from '../../src/model/check.js';
import {
  ARTIFACTS,
  CLOUD_FAILOVER,
  GOOD_FAILOVER,
  NO_FAILBACK,
  resultOf,
  STUCK_FAILOVER,
} from './html-class-fixtures.js';
import { useClassPage } from './html-class-page.js';

describe('HTML class report', () => {
  describe('the page in headless Chromium', () => {
    const ui = useClassPage();

    it('opens a student with a click and shows each check not passed with findings, hints and evidence', async () => {
      const name = 'Dana Smirnova';
      const result = resultOf(ui.students, name);
      await ui.page.click(`${ui.rowOf(name)} td.score`);
      expect(await ui.page.isVisible('dialog#details')).to.equal(true);
      expect(await ui.page.textContent('#details-title')).to.equal(name);

      // Failed and errored checks first, in the engine's order; the skipped ones after them, folded.
      const judged = result.results.filter((r) => r.status === 'fail' || r.status === 'error').map((r) => r.id);
      const skipped = result.results.filter((r) => r.status === 'skip').map((r) => r.id);
      const shown = await ui.page.$$eval('#details .problem', (articles) =>
        articles.map((a) => a.getAttribute('data-check')),
      );
      expect(shown).to.deep.equal([...judged, ...skipped]);
      expect(judged).to.include('SYS001');
      const folded = await ui.page.$$eval('#details details.skipped .problem', (articles) =>
        articles.map((a) => a.getAttribute('data-check')),
      );
      expect(folded).to.deep.equal(skipped);
      const sys001: CheckResult = result.results.find((r) => r.id === 'SYS001')!;
      const article = ui.page.locator('#details .problem[data-check=SYS001]');
      const text = (await article.textContent())!;
      for (const f of sys001.findings) {
        expect(text).to.include(f.message);
        if (f.hint) expect(text).to.include(f.hint);
        if (f.file && f.line) expect(text).to.include(`${f.host} ${f.file}:${f.line}`);
        if (f.excerpt) expect(text).to.include(f.excerpt);
      }
      const wrongFile = sys001.findings.find((f) => f.messageId === 'wrongValue')!;
      expect(wrongFile.excerpt).to.equal('net.ipv4.conf.eth0.arp_filter = 0');
      expect(sys001.findings.some((f) => f.messageId === 'liveWrong')).to.equal(true);
      const evidence = sys001.evidence!;
      expect(evidence).to.have.length(2);
      for (const e of evidence) {
        expect(text).to.include(e.command);
        expect(text).to.include(`exit code ${e.exitCode}`);
      }
      expect(text).to.include('net.ipv4.ip_nonlocal_bind = 0');
      await ui.page.screenshot({ path: join(ARTIFACTS, 'class-report-findings.png') });
    });

    it('shows an ERROR check with its reason and a command that gave no exit code', async () => {
      await ui.page.click(`${ui.rowOf('Egor Kuznetsov')} td.score`);
      const text = (await ui.page.locator('#details .problem[data-check=SYS001]').textContent())!;
      expect(await ui.page.getAttribute('#details .problem[data-check=SYS001] .badge', 'data-s')).to.equal('error');
      expect(text).to.include('timed out');
      expect(text).to.include(CLASS_UI.noExitCode.en);
    });

    it('opens details from the keyboard and returns focus when closed', async () => {
      await ui.page.focus(`${ui.rowOf('Boris Petrov')} button.open`);
      await ui.page.keyboard.press('Enter');
      expect(await ui.page.isVisible('dialog#details')).to.equal(true);
      expect(await ui.page.textContent('#details-title')).to.equal('Boris Petrov');
      await ui.page.keyboard.press('Escape');
      expect(await ui.page.isVisible('dialog#details')).to.equal(false);
      expect(await ui.page.evaluate(() => document.activeElement?.textContent)).to.equal('Boris Petrov');
    });

    it('draws the failover timeline with the measured times and who held the VIP', async () => {
      await ui.page.click(`${ui.rowOf('Alice Ivanova')} td.score`);
      const svg = ui.page.locator('#details .timeline svg');
      expect(await svg.count()).to.equal(1);
      expect(await svg.locator('[data-span=failover]').textContent()).to.equal('failover 4.1 s');
      expect(await svg.locator('[data-span=failback]').textContent()).to.equal('failback 3.9 s');
      const held = await svg.locator('rect.held').evaluateAll((rects) =>
        rects.map((r) => ({
          role: r.getAttribute('data-role'),
          x: Number(r.getAttribute('x')),
          width: Number(r.getAttribute('width')),
        })),
      );
      // master until it dropped the VIP, backup in between, master again after failback.
      expect(held.map((h) => h.role)).to.deep.equal(['master', 'backup', 'master']);
      const [first, between, last] = held as [(typeof held)[0], (typeof held)[0], (typeof held)[0]];
      expect(first.x + first.width).to.be.below(between.x + 1);
      expect(between.x + between.width).to.be.closeTo(last.x, 1);
      expect(await svg.locator('text', { hasText: 'haproxy stopped' }).count()).to.equal(1);
      expect(await svg.locator('text', { hasText: 'haproxy started' }).count()).to.equal(1);
      await ui.page.screenshot({ path: join(ARTIFACTS, 'class-report-details.png') });
    });

    it('says when the VIP never reached backup', async () => {
      await ui.page.click(`${ui.rowOf('Chen Wei')} td.score`);
      const svg = ui.page.locator('#details .timeline svg');
      expect(await svg.locator('[data-span=failover]').textContent()).to.equal(CLASS_UI.noFailover.en);
      expect(await svg.locator('[data-span=failback]').count()).to.equal(0);
      expect(
        await svg.locator('rect.held').evaluateAll((rects) => rects.map((r) => r.getAttribute('data-role'))),
      ).to.deep.equal(['master']);
      expect(await svg.locator('text', { hasText: 'deadline' }).count()).to.equal(1);
    });

    it('says when the VIP did not come back to master', async () => {
      await ui.page.click(`${ui.rowOf('Ivan Sokolov')} td.score`);
      const svg = ui.page.locator('#details .timeline svg');
      expect(await svg.locator('[data-span=failover]').textContent()).to.equal('failover 4.0 s');
      expect(await svg.locator('[data-span=failback]').textContent()).to.equal(CLASS_UI.noFailback.en);
      expect(
        await svg.locator('text', { hasText: 'deadline' }).count(),
        'the failover deadline after a failover in time',
      ).to.equal(0);
      expect(
        await svg.locator('rect.held').evaluateAll((rects) => rects.map((r) => r.getAttribute('data-role'))),
      ).to.deep.equal(['master', 'backup']);
    });

    it('writes both probe times in the failover column, ✘ for a phase that failed, — when not run', async () => {
      const cells = await ui.page.$$eval('#matrix tbody td.fo', (tds) => tds.map((td) => td.textContent));
      expect(cells).to.deep.equal(
        ui.students.map((s) => {
          const fo = s.result?.failover;
          if (!fo) return '—';
          if (fo === GOOD_FAILOVER) return '4.1 s / 3.9 s';
          if (fo === NO_FAILBACK) return '4.0 s / ✘';
          if (fo === CLOUD_FAILOVER) return '4.1 s / 3.9 s';
          expect(fo).to.equal(STUCK_FAILOVER);
          return '✘ / —';
        }),
      );
    });

    it('draws the clients under the VIP: a stroke per request, the outage with its downtime', async () => {
      await ui.page.click(`${ui.rowOf('Alice Ivanova')} td.score`);
      const svg = ui.page.locator('#details .timeline svg');
      const strokes = await svg
        .locator('line.req')
        .evaluateAll((lines) => lines.map((l) => ({ s: l.getAttribute('data-s'), x: Number(l.getAttribute('x1')) })));
      expect(strokes).to.have.length(GOOD_FAILOVER.service!.samples.length);
      // Answered by master, refused from the stop, by backup while it held the VIP, by master again: in that order
      // along the axis.
      const runs = strokes
        .sort((a, b) => a.x - b.x)
        .map((r) => r.s)
        .join('')
        .replace(/(.)\1+/g, '$1');
      expect(runs).to.equal('mxbm');
      // refused from the first request after the stop (200 ms) to the first answered by backup (4300 ms)
      expect(await svg.locator('[data-outage="0"]').textContent()).to.equal('down 4.1 s');
      expect(await ui.page.textContent('#details .timeline .service-figures')).to.equal(
        'Clients through 203.0.113.10:443: 41 of 86 requests failed; down 4.1 s during failover, 0.0 s during failback',
      );
      expect(await ui.page.locator('#details .timeline .diagnosis').count()).to.equal(0);
      const heldBackup = await svg
        .locator('rect.held[data-role=backup]')
        .evaluate((r) => ({ x: Number(r.getAttribute('x')), w: Number(r.getAttribute('width')) }));
      const backupStrokes = strokes.filter((r) => r.s === 'b');
      expect(
        backupStrokes.every((r) => r.x >= heldBackup.x && r.x <= heldBackup.x + heldBackup.w),
        'backup answers while it holds the VIP',
      ).to.equal(true);
      await ui.page.screenshot({ path: join(ARTIFACTS, 'class-report-clients.png') });
    });

    it('says plainly when the network ignored VRRP, and marks the downtime column', async () => {
      await ui.page.click(`${ui.rowOf('Kira Oblakova')} td.score`);
      expect(await ui.page.textContent('#details .timeline .diagnosis')).to.equal(CLASS_UI.vrrpIgnored.en);
      // Refused from 200 ms until master had the VIP back and answered at 8300 ms.
      expect(await ui.page.locator('#details .timeline svg [data-outage="0"]').textContent()).to.equal('down 8.1 s');
      await ui.page.keyboard.press('Escape');
      const cells = await ui.page.$$eval('#matrix tbody td.down', (tds) => tds.map((td) => td.textContent));
      expect(cells).to.deep.equal(
        ui.students.map((s) =>
          s.result?.failover === GOOD_FAILOVER
            ? '4.1 s / 0.0 s'
            : s.result?.failover === CLOUD_FAILOVER
              ? '8.1 s / 0.0 s ⚠'
              : '—',
        ),
      );
      await ui.page.click('#matrix thead button[data-sort=downtime]');
      const order = await ui.rowNames();
      expect(order.slice(0, 2)).to.deep.equal(['Alice Ivanova', 'Kira Oblakova']);
      await ui.page.screenshot({ path: join(ARTIFACTS, 'class-report-cloud.png') });
    });

    it('says that the probe did not run for a student without a timeline', async () => {
      await ui.page.click(`${ui.rowOf('Boris Petrov')} td.score`);
      expect(await ui.page.locator('#details .timeline svg').count()).to.equal(0);
      expect(await ui.page.textContent('#details .timeline')).to.include(CLASS_UI.noTimeline.en);
    });
  });
});
