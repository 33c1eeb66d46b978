// Reporters only read a RunResult: real results from fixtures rendered in every format.
import { expect } from 'chai';
import { loadCatalogue } from '../../src/engine/registry.js';
import { renderGithub } from '../../src/report/github.js';
import { renderJson } from '../../src/report/json.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderPretty } from '../../src/report/pretty.js';
import { runOnFixture } from '../support/check-tester.js';
import type { RunResult } from '../../src/model/check.js';

async function fixtureResult(fixture: string, lang: 'en' | 'ru' = 'en'): Promise<RunResult> {
  const checks = (await loadCatalogue()).filter((c) => c.mode === 'static');
  const result = await runOnFixture(checks, { fixture, lang });
  // As `hagrade check --snapshot fixtures/NAME` would record it.
  result.target.snapshot = `fixtures/${fixture}`;
  return result;
}

describe('reporters', () => {
  let failing: RunResult;
  before(async () => {
    failing = await fixtureResult('hap005-if-none');
  });

  it('json is the RunResult with the contract fields of DESIGN.md §3', () => {
    const parsed = JSON.parse(renderJson(failing)) as Record<string, unknown>;
    expect(parsed).to.include.keys('schemaVersion', 'tool', 'target', 'results', 'summary', 'timings');
    const hap005 = (parsed.results as RunResult['results']).find((r) => r.id === 'HAP005')!;
    expect(hap005).to.include.keys('id', 'title', 'status', 'points', 'findings');
    expect(hap005.findings[0]).to.include.keys('host', 'message', 'hint', 'file', 'line');
  });

  it('pretty shows the failing check with host, file:line, the line as written and the hint', () => {
    const out = renderPretty(failing, { color: false });
    expect(out).to.match(/✘ HAP005 .*FAILED/);
    expect(out).to.match(/master \/etc\/haproxy\/haproxy\.cfg:\d+/);
    expect(out).to.contain('│ option forwardfor if-none');
    expect(out).to.match(/→ fix: /);
    expect(out).to.match(/\d+ passed, 1 failed, 0 errors, 0 skipped; score \d+\/\d+/);
    expect(out).to.not.match(/\x1b\[/);
  });

  it("pretty says an unreachable host's reason once, and only points to it under each check", async () => {
    const result = await fixtureResult('correct');
    const reason = 'cannot reach backup: cannot connect to 198.51.100.12:22: connect EHOSTUNREACH';
    for (const r of result.results) {
      r.status = 'error';
      r.findings = [{ kind: 'error', host: 'backup', messageId: 'hostUnreachable', message: reason }];
    }
    const out = renderPretty(result, { color: false });
    expect(out.split(reason).length - 1, 'the reason, once').to.equal(1);
    expect(out).to.contain(`every check that needs backup is an ERROR: ${reason}`);
    expect(out.split('backup  unreachable (see above)').length - 1).to.equal(result.results.length);
  });

  it('pretty speaks Russian with --lang ru', async () => {
    const out = renderPretty(await fixtureResult('hap005-if-none', 'ru'), { color: false });
    expect(out).to.contain('Конфигурация haproxy');
    expect(out).to.contain('как исправить');
    expect(out).to.match(/не пройдено: 1/);
  });

  it('pretty points a failed check at `hagrade explain ID`, right under it, and not a passing or erroring one', () => {
    const out = renderPretty(failing, { color: false });
    const lines = out.split('\n');
    const more = lines.filter((l) => /^ {6}more: hagrade explain [A-Z]{3}\d{3}$/.test(l));
    expect(more).to.deep.equal(['      more: hagrade explain HAP005']);
    // Under HAP005: after its head and findings, before the next check's head.
    const head = lines.findIndex((l) => /✘ HAP005 /.test(l));
    const next = lines.findIndex((l, i) => i > head && /^ {2}\S/.test(l));
    const at = lines.indexOf(more[0]!);
    expect(at)
      .to.be.greaterThan(head)
      .and.lessThan(next === -1 ? lines.length : next);
    for (const r of failing.results.filter((x) => x.status === 'pass')) {
      expect(out).to.not.contain(`hagrade explain ${r.id}`);
    }
    const erroring = structuredClone(failing);
    const hap005 = erroring.results.find((r) => r.id === 'HAP005')!;
    hap005.status = 'error';
    hap005.findings = [{ kind: 'error', messageId: 'crashed', message: 'the check itself failed (boom)' }];
    expect(renderPretty(erroring, { color: false })).to.not.contain('hagrade explain');
  });

  it('pretty says it in Russian, with --lang ru for explain', async () => {
    const out = renderPretty(await fixtureResult('hap005-if-none', 'ru'), { color: false });
    expect(out).to.contain('      подробнее: hagrade explain HAP005 --lang ru\n');
    expect(out).to.not.contain('more: ');
  });

  it('github: a failure annotation ends with the explain line; notes do not', () => {
    const out = renderGithub(failing);
    const line = out.split('\n').find((l) => l.startsWith('::error') && l.includes('HAP005'))!;
    expect(line).to.match(/%0Amore: hagrade explain HAP005$/);
    for (const notice of out.split('\n').filter((l) => l.startsWith('::notice'))) {
      expect(notice).to.not.contain('hagrade explain');
    }
  });

  it('junit has a testcase per check and a failure for each failed one, well escaped', () => {
    const xml = renderJunit(failing);
    expect((xml.match(/<testcase /g) ?? []).length).to.equal(failing.results.length);
    expect((xml.match(/<failure /g) ?? []).length).to.equal(failing.summary.fail);
    expect(xml).to.contain('name="HAP005');
    expect(xml).to.not.match(/<(?!\/?(testsuites|testsuite|testcase|failure|error|skipped|system-out)\b|\?xml)/);
  });

  it('github annotations point at the snapshot file and line', () => {
    const out = renderGithub(failing);
    const line = out.split('\n').find((l) => l.includes('HAP005'))!;
    expect(line).to.match(
      /^::error file=fixtures\/hap005-if-none\/master\/etc\/haproxy\/haproxy\.cfg,line=\d+,title=HAP005/,
    );
    expect(out.trimEnd().split('\n').pop()).to.match(/^hagrade: \d+ passed, 1 failed/);
  });

  it('github escapes newlines and separators in messages', () => {
    const copy = structuredClone(failing);
    copy.results[0]!.status = 'fail';
    copy.results[0]!.findings = [{ kind: 'fail', messageId: 'x', message: 'a,b:c\nd%e', host: 'master' }];
    expect(renderGithub(copy)).to.contain('::a,b:c%0Ad%25e');
  });
});
