// The HTML class report: page structure in Node, then the page itself in a real headless Chromium
// (matrix against the input RunResults, sorting, filters, details, timeline, hostile text).
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { loadCatalogue } from '../../src/engine/registry.js';
import { REPO_ROOT } from '../../src/self/paths.js';
import { CLASS_UI } from '../../src/report/html-class-text.js';
import { AREA_TITLES } from '../../src/report/ui-text.js';
import {
  classColumns,
  escapeHtml,
  renderClassReport,
  scriptSafeJson,
  type ClassStudent,
} from '../../src/report/html-class.js';
import type { Check, CheckResult, FailoverEvent, FailoverTimeline, RunResult } from '../../src/model/check.js';
import type { ServedBy, ServiceSample, ServiceTimeline } from '../../src/model/service.js';
import type { Status } from '../../src/model/basics.js';
import { summarizeService } from '../../src/probe/service.js';
import { CHROMIUM_INSTALL_TIMEOUT_MS, ensureChromium, launchChromium } from '../support/browser.js';
import { runOnFixture, type TesterOptions } from '../support/check-tester.js';
import { readFixtureFile } from '../support/fixtures.js';

const HOSTILE_NAME = `<script>window.__pwned = 'name'</script>"Mallory" & 'co' <img src=x onerror="window.__pwned='img'">`;
const HOSTILE_LINE = `net.ipv4.conf.eth0.arp_filter = 0 # <script>window.__pwned='excerpt'</script>`;
/** Screenshots for a person to look at (git-ignored). */
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const SYSCTL_KEYS = [
  'net.ipv6.conf.all.disable_ipv6',
  'net.ipv6.conf.default.disable_ipv6',
  'net.ipv4.ip_nonlocal_bind',
  'net.ipv4.conf.all.arp_ignore',
  'net.ipv4.conf.all.arp_announce',
  'net.ipv4.conf.all.arp_filter',
  'net.ipv4.conf.eth0.arp_filter',
];

/** `sysctl KEY...` output with the task's values, some replaced. */
function sysctlOutput(changes: Record<string, string> = {}): string {
  const value = (key: string) => changes[key] ?? (key.endsWith('all.arp_filter') ? '0' : '1');
  return `${SYSCTL_KEYS.map((key) => `${key} = ${value(key)}`).join('\n')}\n`;
}

/**
 * What clients got, a request every 100 ms until `endMs`: refused from the stop, then answered by
 * `during` while backup held the VIP (or failing, on a cloud), by master once it was back.
 */
function clients(events: FailoverEvent[], endMs: number, during: ServedBy | 'x'): ServiceTimeline {
  const at = (host: string, event: string) => events.find((e) => e.host === host && e.event === event)?.atMs;
  const moments = {
    stopAtMs: at('master', 'haproxy-stopped')!,
    vipOnBackupAtMs: at('backup', 'vip-added')!,
    startAtMs: at('master', 'haproxy-started')!,
    vipBackAtMs: at('master', 'vip-added')!,
    endAtMs: endMs,
  };
  const samples: ServiceSample[] = [];
  for (let t = 0; t < endMs; t += 100) {
    const by: ServedBy | 'x' =
      t < moments.stopAtMs || t >= moments.vipBackAtMs ? 'master' : t < moments.vipOnBackupAtMs ? 'x' : during;
    samples.push(
      by === 'x'
        ? { atMs: t, outcome: 'refused', latencyMs: 1 }
        : { atMs: t, outcome: 'answered', latencyMs: 4, servedBy: by },
    );
  }
  return {
    target: '203.0.113.10:443',
    origin: 'test',
    ratePerSecond: 10,
    maxRequests: 300,
    samples,
    cancelled: 0,
    moments,
    ...summarizeService(samples, moments),
  };
}

const PROBE_EVENTS: FailoverEvent[] = [
  { atMs: 120, host: 'master', event: 'haproxy-stopped' },
  { atMs: 4010, host: 'master', event: 'vip-removed' },
  { atMs: 4250, host: 'backup', event: 'vip-added', detail: 'eth0:10' },
  { atMs: 4400, host: 'master', event: 'haproxy-started' },
  { atMs: 8270, host: 'master', event: 'vip-added', detail: 'eth0:10' },
  { atMs: 8270, host: 'backup', event: 'vip-removed' },
];

/** The same probe on a cloud network: the VIP moved, clients failed until it was back on master. */
const CLOUD_FAILOVER: FailoverTimeline = {
  deadlineMs: 12_000,
  failoverMs: 4130,
  failbackMs: 3870,
  events: PROBE_EVENTS,
  service: clients(PROBE_EVENTS, 8600, 'x'),
};

/** A probe that saw the VIP move to backup and back. */
const GOOD_FAILOVER: FailoverTimeline = {
  deadlineMs: 12_000,
  failoverMs: 4130,
  failbackMs: 3870,
  service: clients(PROBE_EVENTS, 8600, 'backup'),
  events: [
    { atMs: 120, host: 'master', event: 'haproxy-stopped' },
    { atMs: 4010, host: 'master', event: 'vip-removed' },
    { atMs: 4250, host: 'backup', event: 'vip-added', detail: 'eth0:10' },
    { atMs: 4400, host: 'master', event: 'haproxy-started' },
    { atMs: 8270, host: 'master', event: 'vip-added', detail: 'eth0:10' },
    { atMs: 8270, host: 'backup', event: 'vip-removed' },
  ],
};

/** A probe where both nodes lowered their priority alike: the VIP stayed on master until the deadline. */
const STUCK_FAILOVER: FailoverTimeline = {
  deadlineMs: 12_000,
  events: [
    { atMs: 150, host: 'master', event: 'haproxy-stopped' },
    { atMs: 12_400, host: 'master', event: 'note', detail: 'VIP still on master at the deadline' },
  ],
};

/** The VIP moved to backup but stayed there after haproxy came back (nopreempt on master). */
const NO_FAILBACK: FailoverTimeline = {
  deadlineMs: 12_000,
  failoverMs: 3960,
  events: [
    { atMs: 100, host: 'master', event: 'haproxy-stopped' },
    { atMs: 3900, host: 'master', event: 'vip-removed' },
    { atMs: 4050, host: 'backup', event: 'vip-added', detail: 'eth0:10' },
    { atMs: 4200, host: 'master', event: 'haproxy-started' },
    { atMs: 16_300, host: 'backup', event: 'note', detail: 'VIP still on backup at the failback deadline' },
  ],
};

interface StudentSpec {
  name: string;
  run?: TesterOptions;
  failover?: FailoverTimeline;
  error?: string;
}

const CLASS: StudentSpec[] = [
  { name: 'Alice Ivanova', run: { fixture: 'correct' }, failover: GOOD_FAILOVER },
  { name: 'Boris Petrov', run: { fixture: 'crt001-missing-on-backup' } },
  { name: 'Chen Wei', run: { fixture: 'crt004-expired' }, failover: STUCK_FAILOVER },
  {
    name: 'Dana Smirnova',
    run: {
      fixture: 'sys001-wrong-value',
      commands: {
        master: { sysctl: { stdout: sysctlOutput({ 'net.ipv4.ip_nonlocal_bind': '0' }) } },
        backup: { sysctl: { stdout: sysctlOutput() } },
      },
    },
  },
  {
    name: 'Egor Kuznetsov',
    run: {
      fixture: 'correct',
      commands: {
        master: { sysctl: { exitCode: null, timedOut: true } },
        backup: { sysctl: { stdout: sysctlOutput() } },
      },
    },
  },
  {
    name: HOSTILE_NAME,
    run: {
      fixture: 'sys001-wrong-value',
      master: {
        '/etc/sysctl.conf': readFixtureFile('sys001-wrong-value', 'master/etc/sysctl.conf').replace(
          /^net\.ipv4\.conf\.eth0\.arp_filter = 0$/m,
          HOSTILE_LINE,
        ),
      },
    },
  },
  { name: 'Fedor Orlov', error: `ssh: connect to host 198.51.100.7 port 22: Connection refused <b>"bold"</b>` },
  { name: 'Галина Орлова', run: { fixture: 'crt002-cert-without-key' } },
  { name: 'Ivan Sokolov', run: { fixture: 'sys001-overridden' }, failover: NO_FAILBACK },
  { name: 'alina k', run: { fixture: 'crt003-ca-signed' } },
  { name: 'Kira Oblakova', run: { fixture: 'correct' }, failover: CLOUD_FAILOVER },
];

async function gradeClass(checks: Check[]): Promise<ClassStudent[]> {
  const students: ClassStudent[] = [];
  for (const spec of CLASS) {
    if (!spec.run) {
      students.push({ student: spec.name, error: spec.error });
      continue;
    }
    const result = await runOnFixture(checks, { ...spec.run, target: { student: spec.name } });
    if (spec.failover) result.failover = spec.failover;
    students.push({ student: spec.name, result });
  }
  return students;
}

/**
 * The ids of the catalogue's checks that are in `ids`, by area in the order the reports name the
 * areas (AREA_TITLES), then by id: the columns' order, derived from the checks' metadata.
 */
function areaOrdered(checks: Check[], ids: Set<string>): string[] {
  const areas = Object.keys(AREA_TITLES);
  return checks
    .filter((c) => ids.has(c.id))
    .sort((a, b) => areas.indexOf(a.area) - areas.indexOf(b.area) || a.id.localeCompare(b.id))
    .map((c) => c.id);
}

function statusOf(result: RunResult, id: string): Status | 'absent' {
  return result.results.find((r) => r.id === id)?.status ?? 'absent';
}

function resultOf(students: ClassStudent[], name: string): RunResult {
  const result = students.find((s) => s.student === name)?.result;
  if (!result) throw new Error(`no result for ${name}`);
  return result;
}

/** The rule the page promises: by the key, ties in name order. */
function expectedOrder(students: ClassStudent[], key: (s: ClassStudent) => number, descending: boolean): string[] {
  return [...students]
    .sort((a, b) => {
      const order = (key(a) - key(b)) * (descending ? -1 : 1);
      return order || a.student.toLocaleLowerCase().localeCompare(b.student.toLocaleLowerCase());
    })
    .map((s) => s.student);
}

describe('HTML class report', () => {
  let checks: Check[];
  let students: ClassStudent[];
  let html: string;

  before(async function () {
    this.timeout(60_000); // grades ten students with the whole catalogue
    checks = await loadCatalogue();
    students = await gradeClass(checks);
    html = renderClassReport({ generatedAt: '2026-11-23 09:00 UTC', lang: 'en', students });
  });

  describe('the page as written', () => {
    it('escapes HTML text and attribute values', () => {
      expect(escapeHtml(`<a href="x">'&'</a>`)).to.equal('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    });

    it('embeds JSON that cannot close its script element and parses back to the same value', () => {
      const value = { name: '</script><script>alert(1)</script><!--', line: 'a\u2028b' };
      const json = scriptSafeJson(value);
      expect(json).not.to.include('<');
      expect(JSON.parse(json)).to.deep.equal(value);
    });

    it('has every check of every run as a column, grouped by area then by id, even when runs differ', () => {
      const full = resultOf(students, 'Alice Ivanova');
      const partial: RunResult = { ...full, results: full.results.filter((_, i) => i % 2 === 1) };
      const columns = classColumns([
        { student: 'p', result: partial },
        { student: 'f', result: full },
      ]);
      expect(columns.map((c) => c.id)).to.deep.equal(areaOrdered(checks, new Set(full.results.map((r) => r.id))));
      // The catalogue's own order (static → live → disruptive) would split areas: the columns must not.
      expect(full.results.map((r) => r.id)).not.to.deep.equal(columns.map((c) => c.id));
    });

    it('loads nothing from outside: inline CSS and JS only, locked by a Content-Security-Policy', () => {
      const html = renderClassReport({
        generatedAt: 'now',
        lang: 'en',
        students: students.filter((s) => s.student !== HOSTILE_NAME),
      });
      expect(html).not.to.match(/<link\b|<img\b|<iframe\b|\bsrc=|\burl\(|@import/i);
      expect(html).to.match(
        /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[^']+'; script-src 'sha256-[^']+'/,
      );
      expect(html.match(/<script\b/g)).to.have.length(2);
    });

    it('shows hostile names and messages only in escaped form', () => {
      expect(html).not.to.include(`<script>window.__pwned`);
      expect(html).not.to.include(`<img src=x`);
      expect(html).to.include(escapeHtml(HOSTILE_NAME));
    });

    it('has every page string in English and Russian', () => {
      for (const [key, text] of Object.entries(CLASS_UI)) {
        expect(text.en.trim(), `${key}.en`).not.to.equal('');
        expect(text.ru.trim(), `${key}.ru`).not.to.equal('');
      }
    });

    it('stays small for a class of 300', () => {
      const big = Array.from({ length: 300 }, (_, i) => ({
        ...students[i % students.length]!,
        student: `student ${i}`,
      }));
      const size = Buffer.byteLength(renderClassReport({ generatedAt: 'now', lang: 'en', students: big }));
      expect(size).to.be.below(1_500_000);
    });
  });

  describe('the page in headless Chromium', () => {
    let browser: Browser | undefined;
    let page: Page;
    let dir: string;
    const requests: string[] = [];

    before(async function () {
      this.timeout(CHROMIUM_INSTALL_TIMEOUT_MS);
      const chromium = ensureChromium();
      if (!chromium.ok) {
        console.warn(`      skipped: ${chromium.reason}`);
        this.skip();
      }
      browser = await launchChromium();
      dir = mkdtempSync(join(tmpdir(), 'hagrade-html-'));
      mkdirSync(ARTIFACTS, { recursive: true });
    });

    after(async () => {
      await browser?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    async function open(content: string, name = 'class.html'): Promise<Page> {
      const file = join(dir, name);
      writeFileSync(file, content);
      const p = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
      p.on('request', (r) => {
        if (r.url() !== pathToFileURL(file).href) requests.push(r.url());
      });
      await p.goto(pathToFileURL(file).href);
      return p;
    }

    beforeEach(async () => {
      page = await open(html);
    });

    afterEach(async () => {
      await page.close();
    });

    /** The row of a student, by their place in the input (the page keeps it in data-index). */
    const rowOf = (name: string) => `#matrix tbody tr[data-index="${students.findIndex((s) => s.student === name)}"]`;
    const rowNames = () =>
      page.$$eval('#matrix tbody tr:not([hidden]) th[scope=row]', (ths) => ths.map((th) => th.textContent));

    it('has a cell for every student × check, with the status of the input', async () => {
      const columns = classColumns(students);
      const heads = await page.$$eval('#matrix thead th.check', (ths) =>
        ths.map((th) => ({ id: th.textContent, title: th.getAttribute('title') })),
      );
      expect(heads.map((h) => h.id)).to.deep.equal(columns.map((c) => c.id));
      const titles = new Map(checks.map((c) => [c.id, c.title.en]));
      for (const head of heads) expect(head.title).to.equal(`${head.id} ${titles.get(head.id!)}`);

      const rows = await page.$$eval('#matrix tbody tr', (trs) =>
        trs.map((tr) => ({
          name: tr.querySelector('th')!.textContent,
          cells: [...tr.querySelectorAll('td[data-s]')].map((td) => td.getAttribute('data-s')),
        })),
      );
      expect(rows.map((r) => r.name)).to.deep.equal(students.map((s) => s.student));
      for (const [i, s] of students.entries()) {
        const expected = s.result ? heads.map((h) => statusOf(s.result!, h.id!)) : [];
        expect(rows[i]!.cells, s.student).to.deep.equal(expected);
      }
      // The class really mixes outcomes, or this test would prove little.
      const seen = new Set(rows.flatMap((r) => r.cells));
      expect([...seen]).to.include.members(['pass', 'fail', 'error', 'skip']);
      expect(requests, 'requests beyond the page itself').to.deep.equal([]);
      await page.screenshot({ path: join(ARTIFACTS, 'class-report.png') });
    });

    it('puts each area under one header that spans exactly the checks of that area', async () => {
      const groups = await page.$$eval('#matrix tr.areas th[data-area]', (ths) =>
        ths.map((th) => ({
          area: th.getAttribute('data-area')!,
          span: Number(th.getAttribute('colspan')),
          text: th.textContent,
        })),
      );
      const heads = await page.$$eval('#matrix thead th.check', (ths) =>
        ths.map((th) => ({ id: th.textContent!, area: th.getAttribute('data-area') })),
      );
      const ran = new Set(students.flatMap((s) => s.result?.results.map((r) => r.id) ?? []));
      // Every area of the checks that ran, once, in the reports' area order.
      const areas = Object.keys(AREA_TITLES).filter((area) => checks.some((c) => c.area === area && ran.has(c.id)));
      expect(groups.map((g) => g.area)).to.deep.equal(areas);
      expect(areas.length).to.be.at.least(5);
      // Each header spans exactly its area's checks, by id, and the spans cover every column.
      let at = 0;
      for (const group of groups) {
        const area = group.area as keyof typeof AREA_TITLES;
        expect(group.text).to.equal(AREA_TITLES[area].en);
        const expected = checks
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
      expect(heads.map((h) => h.id)).to.deep.equal(areaOrdered(checks, ran));
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
      const counts = await page.$$eval('#matrix tr.counts td.count', (tds) => tds.map((td) => Number(td.textContent)));
      const expected = classColumns(students).map(
        (c) => students.filter((s) => s.result && statusOf(s.result, c.id) === 'fail').length,
      );
      expect(counts).to.deep.equal(expected);
      expect(expected.some((n) => n > 1)).to.equal(true);
    });

    it('shows a student whose grading failed as an ERROR row with the reason', async () => {
      const row = page.locator('#matrix tbody tr.errored');
      expect(await row.count()).to.equal(1);
      expect(await row.locator('th').textContent()).to.equal('Fedor Orlov');
      expect(await row.locator('td.score').textContent()).to.equal('ERROR');
      expect(await row.locator('td.grading-error').textContent()).to.equal(
        `grading failed: ssh: connect to host 198.51.100.7 port 22: Connection refused <b>"bold"</b>`,
      );
    });

    it('sorts by score, ascending then descending, ties in name order', async () => {
      const score = (s: ClassStudent) => (s.result ? s.result.summary.score : -1);
      await page.click('#matrix thead button[data-sort=score]');
      expect(await rowNames()).to.deep.equal(expectedOrder(students, score, false));
      expect(await page.getAttribute('#matrix thead th:has(button[data-sort=score])', 'aria-sort')).to.equal(
        'ascending',
      );
      await page.click('#matrix thead button[data-sort=score]');
      expect(await rowNames()).to.deep.equal(expectedOrder(students, score, true));
      expect(await page.getAttribute('#matrix thead th:has(button[data-sort=score])', 'aria-sort')).to.equal(
        'descending',
      );
    });

    it('sorts by a check column with failures first', async () => {
      const column = classColumns(students).findIndex((c) => c.id === 'CRT001');
      await page.click(`#matrix thead button[data-sort="check:${column}"]`);
      const names = await rowNames();
      const rank = { fail: 0, error: 1, skip: 2, absent: 3, pass: 4 };
      const ranks = names.map((n) => {
        const s = students.find((x) => x.student === n)!;
        return s.result ? rank[statusOf(s.result, 'CRT001')] : rank.error;
      });
      expect(ranks).to.deep.equal([...ranks].sort((a, b) => a - b));
      expect(names[0]).to.equal('Boris Petrov');
    });

    it('filters by name, by failing students and by area', async () => {
      await page.fill('#filter-name', 'ALI');
      expect(await rowNames()).to.have.members(['Alice Ivanova', 'alina k']);
      expect(await page.textContent('#shown')).to.equal(`2 of ${students.length} shown`);

      await page.fill('#filter-name', '');
      await page.selectOption('#filter-show', 'failing');
      const failing = students.filter((s) => s.result?.results.some((r) => r.status === 'fail')).map((s) => s.student);
      expect(await rowNames()).to.have.members(failing);

      await page.selectOption('#filter-area', 'certificate');
      const certIds = checks.filter((c) => c.area === 'certificate').map((c) => c.id);
      const visibleHeads = await page.$$eval('#matrix thead th.check:not([hidden])', (ths) =>
        ths.map((th) => th.textContent),
      );
      expect(visibleHeads).to.deep.equal(
        classColumns(students)
          .filter((c) => c.area === 'certificate')
          .map((c) => c.id),
      );
      const failingCert = students
        .filter((s) => s.result?.results.some((r) => r.status === 'fail' && certIds.includes(r.id)))
        .map((s) => s.student);
      expect(failingCert.length).to.be.below(failing.length);
      expect(await rowNames()).to.have.members(failingCert);
      const cellsPerRow = await page.$$eval('#matrix tbody tr:not([hidden])', (trs) =>
        trs.map((tr) => tr.querySelectorAll('td[data-s]:not([hidden])').length),
      );
      expect(new Set(cellsPerRow)).to.deep.equal(new Set([visibleHeads.length]));

      await page.selectOption('#filter-show', 'errors');
      await page.selectOption('#filter-area', '');
      const withErrors = students
        .filter((s) => !s.result || s.result.results.some((r) => r.status === 'error'))
        .map((s) => s.student);
      expect(await rowNames()).to.have.members(withErrors);
    });

    it('opens a student with a click and shows each check not passed with findings, hints and evidence', async () => {
      const name = 'Dana Smirnova';
      const result = resultOf(students, name);
      await page.click(`${rowOf(name)} td.score`);
      expect(await page.isVisible('dialog#details')).to.equal(true);
      expect(await page.textContent('#details-title')).to.equal(name);

      // Failed and errored checks first, in the engine's order; the skipped ones after them, folded.
      const judged = result.results.filter((r) => r.status === 'fail' || r.status === 'error').map((r) => r.id);
      const skipped = result.results.filter((r) => r.status === 'skip').map((r) => r.id);
      const shown = await page.$$eval('#details .problem', (articles) =>
        articles.map((a) => a.getAttribute('data-check')),
      );
      expect(shown).to.deep.equal([...judged, ...skipped]);
      expect(judged).to.include('SYS001');
      const folded = await page.$$eval('#details details.skipped .problem', (articles) =>
        articles.map((a) => a.getAttribute('data-check')),
      );
      expect(folded).to.deep.equal(skipped);
      const sys001: CheckResult = result.results.find((r) => r.id === 'SYS001')!;
      const article = page.locator('#details .problem[data-check=SYS001]');
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
      await page.screenshot({ path: join(ARTIFACTS, 'class-report-findings.png') });
    });

    it('shows an ERROR check with its reason and a command that gave no exit code', async () => {
      await page.click(`${rowOf('Egor Kuznetsov')} td.score`);
      const text = (await page.locator('#details .problem[data-check=SYS001]').textContent())!;
      expect(await page.getAttribute('#details .problem[data-check=SYS001] .badge', 'data-s')).to.equal('error');
      expect(text).to.include('timed out');
      expect(text).to.include(CLASS_UI.noExitCode.en);
    });

    it('opens details from the keyboard and returns focus when closed', async () => {
      await page.focus(`${rowOf('Boris Petrov')} button.open`);
      await page.keyboard.press('Enter');
      expect(await page.isVisible('dialog#details')).to.equal(true);
      expect(await page.textContent('#details-title')).to.equal('Boris Petrov');
      await page.keyboard.press('Escape');
      expect(await page.isVisible('dialog#details')).to.equal(false);
      expect(await page.evaluate(() => document.activeElement?.textContent)).to.equal('Boris Petrov');
    });

    it('draws the failover timeline with the measured times and who held the VIP', async () => {
      await page.click(`${rowOf('Alice Ivanova')} td.score`);
      const svg = page.locator('#details .timeline svg');
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
      await page.screenshot({ path: join(ARTIFACTS, 'class-report-details.png') });
    });

    it('says when the VIP never reached backup', async () => {
      await page.click(`${rowOf('Chen Wei')} td.score`);
      const svg = page.locator('#details .timeline svg');
      expect(await svg.locator('[data-span=failover]').textContent()).to.equal(CLASS_UI.noFailover.en);
      expect(await svg.locator('[data-span=failback]').count()).to.equal(0);
      expect(
        await svg.locator('rect.held').evaluateAll((rects) => rects.map((r) => r.getAttribute('data-role'))),
      ).to.deep.equal(['master']);
      expect(await svg.locator('text', { hasText: 'deadline' }).count()).to.equal(1);
    });

    it('says when the VIP did not come back to master', async () => {
      await page.click(`${rowOf('Ivan Sokolov')} td.score`);
      const svg = page.locator('#details .timeline svg');
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
      const cells = await page.$$eval('#matrix tbody td.fo', (tds) => tds.map((td) => td.textContent));
      expect(cells).to.deep.equal(
        students.map((s) => {
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
      await page.click(`${rowOf('Alice Ivanova')} td.score`);
      const svg = page.locator('#details .timeline svg');
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
      expect(await page.textContent('#details .timeline .service-figures')).to.equal(
        'Clients through 203.0.113.10:443: 41 of 86 requests failed; down 4.1 s during failover, 0.0 s during failback',
      );
      expect(await page.locator('#details .timeline .diagnosis').count()).to.equal(0);
      const heldBackup = await svg
        .locator('rect.held[data-role=backup]')
        .evaluate((r) => ({ x: Number(r.getAttribute('x')), w: Number(r.getAttribute('width')) }));
      const backupStrokes = strokes.filter((r) => r.s === 'b');
      expect(
        backupStrokes.every((r) => r.x >= heldBackup.x && r.x <= heldBackup.x + heldBackup.w),
        'backup answers while it holds the VIP',
      ).to.equal(true);
      await page.screenshot({ path: join(ARTIFACTS, 'class-report-clients.png') });
    });

    it('says plainly when the network ignored VRRP, and marks the downtime column', async () => {
      await page.click(`${rowOf('Kira Oblakova')} td.score`);
      expect(await page.textContent('#details .timeline .diagnosis')).to.equal(CLASS_UI.vrrpIgnored.en);
      // Refused from 200 ms until master had the VIP back and answered at 8300 ms.
      expect(await page.locator('#details .timeline svg [data-outage="0"]').textContent()).to.equal('down 8.1 s');
      await page.keyboard.press('Escape');
      const cells = await page.$$eval('#matrix tbody td.down', (tds) => tds.map((td) => td.textContent));
      expect(cells).to.deep.equal(
        students.map((s) =>
          s.result?.failover === GOOD_FAILOVER
            ? '4.1 s / 0.0 s'
            : s.result?.failover === CLOUD_FAILOVER
              ? '8.1 s / 0.0 s ⚠'
              : '—',
        ),
      );
      await page.click('#matrix thead button[data-sort=downtime]');
      const order = await rowNames();
      expect(order.slice(0, 2)).to.deep.equal(['Alice Ivanova', 'Kira Oblakova']);
      await page.screenshot({ path: join(ARTIFACTS, 'class-report-cloud.png') });
    });

    it('says that the probe did not run for a student without a timeline', async () => {
      await page.click(`${rowOf('Boris Petrov')} td.score`);
      expect(await page.locator('#details .timeline svg').count()).to.equal(0);
      expect(await page.textContent('#details .timeline')).to.include(CLASS_UI.noTimeline.en);
    });

    it('shows hostile names and excerpts as text and runs none of them', async () => {
      const names = await page.$$eval('#matrix tbody th[scope=row]', (ths) => ths.map((th) => th.textContent));
      expect(names).to.include(HOSTILE_NAME);
      await page.click(`${rowOf(HOSTILE_NAME)} td.score`);
      expect(await page.textContent('#details-title')).to.equal(HOSTILE_NAME);
      expect(await page.textContent('#details .problem[data-check=SYS001]')).to.include(HOSTILE_LINE);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).to.equal(undefined);
      expect(await page.evaluate(() => document.querySelectorAll('script').length)).to.equal(2);
      expect(await page.evaluate(() => document.querySelectorAll('img, b').length)).to.equal(0);
    });

    it('sorts and filters a class of 300 quickly', async () => {
      const big = Array.from({ length: 300 }, (_, i) => ({
        ...students[i % students.length]!,
        student: `student ${String(i).padStart(3, '0')}`,
      }));
      const p = await open(renderClassReport({ generatedAt: 'now', lang: 'en', students: big }), 'class-300.html');
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
      const ru = await open(renderClassReport({ generatedAt: 'сейчас', lang: 'ru', students }), 'class-ru.html');
      try {
        expect(await ru.textContent('#matrix thead button[data-sort=name]')).to.equal('Студент');
        expect(await ru.textContent('#shown')).to.equal(`показано ${students.length} из ${students.length}`);
        await ru.click(`${rowOf('Alice Ivanova')} td.score`);
        expect(await ru.textContent('#details .timeline [data-span=failover]')).to.equal('переключение 4.1 с');
      } finally {
        await ru.close();
      }
    });
  });
});
