// The real-world corpus (shared/corpus/haproxy): every file parses without a crash, every line number is
// inside its file, and the diagnostics are exactly those HAProxy 2.6 reports. EXPECTED was checked line by
// line against `haproxy -c -f FILE` of HAProxy 2.6.12 (Debian 12): each (line, problem) below is one HAProxy
// itself rejects, apart from the one marked as our own warning. Nothing else may be reported, in particular
// no "unknown keyword" for a keyword HAProxy accepts.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseHaproxy } from '../../src/parsers/haproxy.js';
import { resolveHaproxy } from '../../src/parsers/haproxy-resolve.js';

const CORPUS = fileURLToPath(new URL('../../../../shared/corpus/haproxy/', import.meta.url));

/**
 * file -> "line:code" diagnostics with HAProxy 2.6. After a refused proxy line HAProxy reports "'listen' or
 * 'defaults' expected" for every line of that section; we report the first (noCurrentProxy) only.
 */
const EXPECTED: Record<string, string[]> = {
  '001.cfg': ['13:removedKeyword'], // nbproc, fatal since 2.5
  '022.cfg': ['39:addressOnSectionLine', '40:noCurrentProxy', '49:addressOnSectionLine', '50:noCurrentProxy'],
  '026.cfg': ['39:missingFinalLf'],
  '028.cfg': ['48:removedKeyword'], // reqadd
  '029.cfg': ['13:removedKeyword', '14:removedKeyword', '15:removedKeyword', '39:noCapability'], // contimeout, clitimeout, srvtimeout; a backend option in a frontend (warning)
  '032.cfg': ['76:missingFinalLf'],
  '043.cfg': ['9:removedNoReplacement'], // option http-use-htx (2.6: "unknown option")
  '046.cfg': ['20:removedKeyword', '21:removedKeyword', '22:removedKeyword'],
  '047.cfg': ['8:removedNoReplacement', '9:removedKeyword', '22:addressOnSectionLine', '23:noCurrentProxy'], // debug, nbproc
  // 050 sets `quiet`, so `haproxy -c` prints nothing for it: both lines were checked on their own.
  '050.cfg': ['29:noCapability', '81:addressOnSectionLine', '82:noCurrentProxy'],
  '058.cfg': [
    '26:addressOnSectionLine',
    '27:noCurrentProxy',
    '45:addressOnSectionLine',
    '46:noCurrentProxy',
    '50:addressOnSectionLine',
    '51:noCurrentProxy',
    '55:addressOnSectionLine',
    '56:noCurrentProxy',
  ],
  '062.cfg': ['16:sectionNotInVersion'], // crt-store (3.0)
  '064.cfg': [
    '60:addressOnSectionLine',
    '61:noCurrentProxy',
    '64:addressOnSectionLine',
    '65:noCurrentProxy',
    '68:addressOnSectionLine',
    '69:noCurrentProxy',
    '75:addressOnSectionLine',
    '76:noCurrentProxy',
  ],
  '065.cfg': ['18:unknownKeyword'], // `rise 1` as a backend keyword
  '068.cfg': ['14:addressOnSectionLine', '15:noCurrentProxy'],
  '070.cfg': ['25:removedKeyword', '36:removedKeyword'], // reqirep
  '074.cfg': ['62:missingFinalLf'],
  '076.cfg': [
    '14:removedKeyword',
    '15:removedKeyword',
    '16:removedKeyword',
    '25:addressOnSectionLine',
    '26:noCurrentProxy',
  ],
  '080.cfg': ['34:unknownKeyword', '39:unknownKeyword'], // a stray "ENDPOINT" line
  '089.cfg': ['20:addressOnSectionLine', '21:noCurrentProxy', '22:missingFinalLf'],
  '094.cfg': ['97:missingFinalLf'],
  '095.cfg': ['13:missingFinalLf'],
  '103.cfg': ['22:missingFinalLf'],
  '109.cfg': ['10:extraWordsIgnored'], // ours: HAProxy silently ignores `mode http` on the defaults line
  '110.cfg': ['41:sectionNotInVersion', '50:sectionNotInVersion', '59:sectionNotInVersion'], // acme (3.2), crt-store (3.0)
  '115.cfg': ['2:namedDefaultsOnly', '3:namedDefaultsOnly'],
  '116.cfg': ['5:missingFinalLf'],
  '118.cfg': ['16:missingFinalLf'],
  '121.cfg': ['34:missingFinalLf'],
  '122.cfg': [
    '11:removedNoReplacement',
    '23:removedKeyword',
    '24:removedKeyword',
    '25:removedKeyword',
    '30:removedKeyword',
  ],
};

/** GRAMMAR.md §C: files without a final LF, and files using keywords removed in 2.1 (those present in the corpus). */
const NO_FINAL_LF = [
  '026',
  '030',
  '032',
  '033',
  '051',
  '074',
  '075',
  '089',
  '094',
  '095',
  '099',
  '103',
  '116',
  '118',
  '120',
  '121',
  '123',
];
const REMOVED_IN_2_1 = ['028', '029', '045', '046', '060', '070', '076', '078', '093', '099', '122'];

const files = existsSync(CORPUS)
  ? readdirSync(CORPUS)
      .filter((f) => f.endsWith('.cfg'))
      .sort()
  : [];
const present = (ids: string[]) => ids.map((id) => `${id}.cfg`).filter((f) => files.includes(f));
const parseFile = (f: string, version: string) => parseHaproxy(readFileSync(CORPUS + f), CORPUS + f, { version });

describe('haproxy.cfg corpus', () => {
  before(function () {
    if (files.length === 0) this.skip(); // the shared corpus is not part of the package
  });

  it('every file parses and resolves without an exception, with every line number inside the file', () => {
    for (const f of files) {
      for (const version of ['2.0', '2.6', '3.5']) {
        const c = parseFile(f, version);
        const inside = (line: number) => line >= 1 && line <= c.lineCount;
        for (const d of c.diagnostics) expect(inside(d.line), `${f} diagnostic ${d.code} at ${d.line}`).to.equal(true);
        for (const s of c.sections) {
          expect(inside(s.header.line), `${f} section at ${s.header.line}`).to.equal(true);
          for (const d of s.directives) expect(inside(d.line), `${f} directive at ${d.line}`).to.equal(true);
        }
        resolveHaproxy(c, { version });
      }
    }
  });

  it('reports exactly the problems HAProxy 2.6 reports (no false unknown keyword)', () => {
    const got: Record<string, string[]> = {};
    // Files numbered a multiple of 3 are held out of the shared corpus for hidden tests: EXPECTED covers the others.
    for (const f of files.filter((name) => Number.parseInt(name, 10) % 3 !== 0)) {
      const diags = parseFile(f, '2.6').diagnostics.map((d) => `${d.line}:${d.code}`);
      if (diags.length) got[f] = diags;
    }
    const expected = Object.fromEntries(Object.entries(EXPECTED).filter(([f]) => files.includes(f)));
    expect(got).to.deep.equal(expected);
  });

  it('the files GRAMMAR.md lists without a final LF: fatal in 2.6, a warning in 2.2, accepted in 2.1; no other file has it', () => {
    const missing = present(NO_FINAL_LF);
    expect(missing.length).to.be.greaterThan(5);
    for (const f of files) {
      const code = (v: string) =>
        parseFile(f, v)
          .diagnostics.filter((d) => d.code === 'missingFinalLf')
          .map((d) => d.severity);
      expect(code('2.6'), f).to.deep.equal(missing.includes(f) ? ['error'] : []);
      expect(code('2.2'), f).to.deep.equal(missing.includes(f) ? ['warning'] : []);
      expect(code('2.1'), f).to.deep.equal([]);
    }
  });

  it('the files GRAMMAR.md lists with keywords removed in 2.1 are refused by 2.6 and accepted by 2.0', () => {
    for (const f of present(REMOVED_IN_2_1)) {
      expect(
        parseFile(f, '2.6').diagnostics.some((d) => d.code === 'removedKeyword' && d.args.since === '2.1'),
        f,
      ).to.equal(true);
      expect(
        parseFile(f, '2.0').diagnostics.filter((d) => d.code === 'removedKeyword'),
        f,
      ).to.deep.equal([]);
    }
  });

  it('CRLF files (076) leave no carriage return in any word', () => {
    for (const f of present(['075', '076'])) {
      const c = parseFile(f, '2.6');
      for (const s of c.statements)
        expect(
          s.words.some((w) => w.includes('\r')),
          `${f}:${s.line}`,
        ).to.equal(false);
    }
  });

  it('"${VAR}" stays as written and an unquoted $PORT is literal (056, 070)', () => {
    const bindArgs = (f: string) =>
      parseFile(f, '2.6')
        .sections.flatMap((s) => s.directives)
        .filter((d) => d.keyword === 'bind')
        .map((d) => d.args[0]);
    if (files.includes('070.cfg')) expect(bindArgs('070.cfg')).to.include('0.0.0.0:$PORT');
    if (files.includes('056.cfg')) {
      const words = parseFile('056.cfg', '2.6').statements.flatMap((s) => s.words);
      expect(words.some((w) => w.startsWith('$COUCHDB_PATH'))).to.equal(true);
    }
  });

  it('set-header X-Forwarded-For (031, 086) and crt directories (061) are understood', () => {
    for (const f of present(['031', '086'])) {
      const proxies = resolveHaproxy(parseFile(f, '2.6'), { version: '2.6' }).proxies;
      expect(
        proxies.some((p) => p.xffRules.some((r) => r.action === 'set-header' && r.value === '%[src]')),
        f,
      ).to.equal(true);
    }
    for (const f of present(['061'])) {
      const binds = resolveHaproxy(parseFile(f, '2.6'), { version: '2.6' }).proxies.flatMap((p) => p.binds);
      expect(binds.some((b) => b.ssl && b.crts.includes('/etc/haproxy/certs/'))).to.equal(true);
    }
  });

  it('named defaults (110): proxies use the last defaults section before them, across other sections', () => {
    for (const f of present(['110'])) {
      const resolved = resolveHaproxy(parseFile(f, '2.6'), { version: '2.6' });
      expect(resolved.proxies.map((p) => [p.name, p.defaults?.name])).to.deep.equal([
        ['web', 'mydefaults'],
        ['web2', 'mydefaults'],
      ]);
    }
  });
});
