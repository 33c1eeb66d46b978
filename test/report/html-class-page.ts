// The class report opened in a real headless Chromium, for the page tests: one browser per suite
// that calls useClassPage(), a fresh page on the English report before each test.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_INSTALL_TIMEOUT_MS, ensureChromium, launchChromium } from '../support/browser.js';
import { ARTIFACTS, useGradedClass, type GradedClass } from './html-class-fixtures.js';

export interface ClassPage extends GradedClass {
  /** The page of the current test, on the class's English report. */
  page: Page;
  /** Every URL a page asked for other than its own file. */
  requests: string[];
  /** Another page on `content`, written to `name`; the caller closes it. */
  open(content: string, name?: string): Promise<Page>;
  /** The row of a student, by their place in the input (the page keeps it in data-index). */
  rowOf(name: string): string;
  /** The names of the rows shown, top to bottom. */
  rowNames(): Promise<(string | null)[]>;
}

/** Registers the graded class, a browser for the suite and a page per test; skips the suite without Chromium. */
export function useClassPage(): ClassPage {
  const ui = useGradedClass() as ClassPage;
  let browser: Browser | undefined;
  let dir: string;
  ui.requests = [];

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

  ui.open = async (content, name = 'class.html') => {
    const file = join(dir, name);
    writeFileSync(file, content);
    const p = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    p.on('request', (r) => {
      if (r.url() !== pathToFileURL(file).href) ui.requests.push(r.url());
    });
    await p.goto(pathToFileURL(file).href);
    return p;
  };

  beforeEach(async () => {
    ui.page = await ui.open(ui.html);
  });

  afterEach(async () => {
    await ui.page.close();
  });

  ui.rowOf = (name) => `#matrix tbody tr[data-index="${ui.students.findIndex((s) => s.student === name)}"]`;
  ui.rowNames = () =>
    ui.page.$$eval('#matrix tbody tr:not([hidden]) th[scope=row]', (ths) => ths.map((th) => th.textContent));
  return ui;
}
