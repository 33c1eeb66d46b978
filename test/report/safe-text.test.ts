// Host text reaches every output only as visible characters (issue 15): the sanitizer itself, and
// random bytes from a "host" through every reporter, progress and batch writer.
import { expect } from 'chai';
import { rawUnsafe } from '../support/raw-unsafe.js';
import fc from 'fast-check';
import { createBatchDisplay } from '../../src/batch/display.js';
import { gradebookCsv, summaryCsv, type StudentRecord } from '../../src/batch/outputs.js';
import { loadCatalogue } from '../../src/engine/registry.js';
import { renderGithub } from '../../src/report/github.js';
import { renderClassReport } from '../../src/report/html-class.js';
import { renderJson } from '../../src/report/json.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderPretty } from '../../src/report/pretty.js';
import { createProgress } from '../../src/report/progress.js';
import { safeCsvCell, safeJsonText, safeLine, safeText } from '../../src/report/safe-text.js';
import type { Check, RunResult } from '../../src/model/check.js';
import { runOnFixture } from '../support/check-tester.js';
import { parseCsv } from '../../src/batch/csv.js';

/** What each output writes of its own: newlines and tabs; CSV's CRLF; SGR colours; the live lines' erase and redraw. */
const OWN: Record<string, RegExp> = {
  text: /[\n\t]/g,
  csv: /\r\n|[\n\t]/g,
  prettyColour: /\x1b\[[0-9;]*m|[\n\t]/g,
  live: /\r\x1b\[K|\r(?=⠋|⠙)|\x1b\[\d+F\x1b\[J|\n/g,
};
const ownOf = (name: string) =>
  (name === 'summary' || name === 'gradebook'
    ? OWN.csv
    : name === 'prettyColour'
      ? OWN.prettyColour
      : name.endsWith('-true')
        ? OWN.live
        : OWN.text)!;

const DANGEROUS = [
  '\x1b',
  ']',
  '0',
  ';',
  '\x07',
  '[',
  '2',
  'J',
  '\x9b',
  '\u202e',
  '\u2066',
  '\u2069',
  '\r',
  '\n',
  '\t',
  '\0',
  '\x7f',
  '\u2028',
  '\u200f',
  '=',
  '+',
  '-',
  '@',
  '"',
  ',',
  '<',
  '&',
  '%',
  ':',
  'a',
  'я',
];

/** What a host can send: raw bytes decoded as the hosts decode them, or a soup of the dangerous characters. */
const hostText = fc.oneof(
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('utf8')),
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.string({ unit: fc.constantFrom(...DANGEROUS), maxLength: 30 }),
);

/** A real result with host text in every field a host can reach. */
function poisoned(base: RunResult, texts: string[]): RunResult {
  let i = 0;
  const next = () => texts[i++ % texts.length]!;
  const r = structuredClone(base);
  r.target.master.address = next();
  r.target.backup.address = next();
  r.target.vip = next();
  r.target.student = next();
  r.target.snapshot = next();
  for (const c of r.results) {
    for (const f of c.findings) {
      f.message = next();
      f.hint = next();
      f.excerpt = next();
      f.file = next();
      f.data = { value: next() };
    }
    c.evidence = [{ host: 'master', command: next(), exitCode: 1, output: next() }];
  }
  return r;
}

describe('safe text (issue 15)', () => {
  let base: RunResult;
  let checks: Check[];
  before(async () => {
    checks = (await loadCatalogue()).filter((c) => c.mode === 'static');
    base = await runOnFixture(checks, { fixture: 'hap005-if-none' });
  });

  it('shows control, C1 and bidi characters as escapes; keeps newlines and tabs only in multi-line text', () => {
    const title = '\x1b]0;pwned\x07\x1b[2J';
    expect(safeText(`a ${title} b`)).to.equal('a \\x1b]0;pwned\\x07\\x1b[2J b');
    expect(safeText('\u202eevil\u2066x\u2069\u200f')).to.equal('\\u202eevil\\u2066x\\u2069\\u200f');
    expect(safeText('\x9b31m\x7f\0')).to.equal('\\x9b31m\\x7f\\x00');
    expect(safeText('one\ntwo\tthree\r')).to.equal('one\ntwo\tthree\\r');
    expect(safeLine('one\ntwo\tthree\r')).to.equal('one\\ntwo\\tthree\\r');
    expect(safeText('plain: кириллица, 中文, émoji 🙂')).to.equal('plain: кириллица, 中文, émoji 🙂');
  });

  it('is idempotent: text made safe twice is the same', () => {
    fc.assert(
      fc.property(hostText, (s) => safeText(safeText(s)) === safeText(s) && safeLine(safeLine(s)) === safeLine(s)),
    );
  });

  it('random host text never leaves a raw control or bidi character', () => {
    fc.assert(
      fc.property(hostText, (s) => {
        expect(rawUnsafe(safeLine(s), /(?:)/g)).to.deep.equal([]);
        expect(rawUnsafe(safeText(s), /[\n\t]/g)).to.deep.equal([]);
      }),
    );
  });

  it('CSV cells that a spreadsheet would run get an apostrophe (OWASP), numbers do not', () => {
    for (const lead of ['=', '+', '-', '@', '\t', '\r'])
      expect(safeCsvCell(`${lead}HYPERLINK("x")`).startsWith("'")).to.equal(true, JSON.stringify(lead));
    expect(safeCsvCell('alice')).to.equal('alice');
    expect(safeCsvCell('a=b')).to.equal('a=b');
    expect(safeCsvCell('\r=1')).to.equal("'\\r=1");
    const csv = gradebookCsv([{ student: '=1+1', dir: 'x', status: 'error', error: '@SUM(A1)\x1b[2J' }], {
      lang: 'en',
      gradebookIdColumn: 'ID number',
      maxGrade: 100,
    });
    const [, row] = parseCsv(csv).records.map((r) => r.fields);
    expect(row![0]).to.equal("'=1+1");
    expect(row![2]).to.match(/^not graded: @SUM\(A1\)\\x1b\[2J$/);
  });

  it('JSON keeps the data exact, makes message and hint safe to print, and holds no raw bidi or C1 character', () => {
    const r = poisoned(base, ['\u202e\x9b\x1b[2J=x', 'ok\u2066\x7f']);
    const text = renderJson(r);
    expect(rawUnsafe(text, /\n/g)).to.deep.equal([]);
    const parsed = JSON.parse(text) as RunResult;
    const [f] = parsed.results.find((c) => c.findings.length)!.findings;
    const original = r.results.find((c) => c.findings.length)!.findings[0]!;
    expect(f!.excerpt).to.equal(original.excerpt);
    expect(f!.data).to.deep.equal(original.data);
    expect(f!.message).to.equal(safeText(original.message));
    expect(parsed.results[0]!.evidence![0]!.output).to.equal(r.results[0]!.evidence![0]!.output);
    expect(safeJsonText('"\u202e"')).to.equal('"\\u202e"');
  });

  it('random bytes through every reporter never yield a raw control character', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostText, { minLength: 1, maxLength: 8 }), async (texts) => {
        const r = poisoned(base, texts);
        const outputs: Record<string, string> = {
          pretty: renderPretty(r, { color: false }),
          prettyColour: renderPretty(r, { color: true }),
          github: renderGithub(r),
          junit: renderJunit(r),
          json: renderJson(r),
          html: renderClassReport({
            generatedAt: texts[0]!,
            lang: 'en',
            title: texts[1 % texts.length]!,
            students: [
              { student: texts[0]!, result: r },
              { student: texts[2 % texts.length]!, error: texts[3 % texts.length]! },
            ],
          }),
        };
        const records: StudentRecord[] = [
          { student: texts[0]!, dir: 'a', status: 'fail', result: r },
          { student: texts[1 % texts.length]!, dir: 'b', status: 'error', error: texts[2 % texts.length]! },
        ];
        outputs.summary = summaryCsv(records, 'en');
        outputs.gradebook = gradebookCsv(records, { lang: 'en', gradebookIdColumn: 'ID number', maxGrade: 100 });
        for (const interactive of [false, true]) {
          let written = '';
          const stream = {
            columns: 60,
            rows: 20,
            isTTY: true,
            write: (s: string) => ((written += s), true),
            on() {},
            off() {},
          } as unknown as NodeJS.WriteStream;
          const display = createBatchDisplay({ interactive, lang: 'en', stream });
          display.onEvent({ type: 'planned', total: 2, toGrade: 2, stored: 0, concurrency: 2 });
          display.onEvent({ type: 'warning', text: { en: 'w {x}', ru: 'w {x}' }, data: { x: texts[0]! } });
          display.onEvent({ type: 'start', student: texts[0]! });
          display.onEvent({ type: 'phase', student: texts[0]!, phase: texts[1 % texts.length]! });
          for (const rec of records) display.onEvent({ type: 'done', record: rec });
          display.stop();
          outputs[`batch-${interactive}`] = written;
          written = '';
          const progress = createProgress({ interactive, quiet: false, lang: 'en', stream });
          progress.note(texts[0]!);
          const check = checks.find((c) => c.id === 'HAP005')!;
          progress.onEvent({ type: 'check-progress', check, message: texts[1 % texts.length]! });
          progress.stop();
          outputs[`progress-${interactive}`] = written;
        }
        for (const [name, text] of Object.entries(outputs))
          expect(rawUnsafe(text, ownOf(name)), name).to.deep.equal([]);
      }),
      { numRuns: 60 },
    );
  });

  it('the pretty report shows the host line visibly, where it would have changed the title and cleared the screen', () => {
    const r = structuredClone(base);
    const f = r.results.find((c) => c.id === 'HAP005')!.findings[0]!;
    f.excerpt = 'option forwardfor \x1b]0;owned\x07\x1b[2J';
    f.message = `${f.message} \x1b]0;owned\x07\x1b[2J`;
    const out = renderPretty(r, { color: false });
    expect(out).to.contain('option forwardfor \\x1b]0;owned\\x07\\x1b[2J');
    expect(out).to.not.contain('\x1b');
    expect(renderGithub(r)).to.contain('\\x1b]0;owned\\x07\\x1b[2J');
    expect(renderJunit(r)).to.contain('\\x1b]0;owned\\x07\\x1b[2J');
  });
});
