// `--lang ru` prints all of it in Russian: every finding of every fixture, and the failing checks
// of keepalived say why with the numbers or the user involved.
import { expect } from 'chai';
import { loadCatalogue } from '../../src/engine/registry.js';
import { runChecks } from '../../src/engine/run.js';
import { openSnapshot } from '../../src/hosts/snapshot.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import type { Lang } from '../../src/model/basics.js';
import type { RunResult } from '../../src/model/check.js';
import { listFixtures } from '../support/fixtures.js';

const CYRILLIC = /[а-яё]/i;

async function grade(dir: string, lang: Lang): Promise<RunResult> {
  const { target, hosts } = openSnapshot(dir);
  const live = hosts.master.hasCommands() || hosts.backup.hasCommands();
  return runChecks({
    checks: await loadCatalogue(),
    hosts,
    target,
    profile: DEFAULT_PROFILE,
    options: { lang, failover: false, live },
  });
}

describe('reports in Russian', () => {
  it('every finding and hint of every fixture is in Russian with --lang ru', async () => {
    const english: string[] = [];
    for (const fixture of listFixtures()) {
      const result = await grade(fixture.dir, 'ru');
      for (const r of result.results) {
        for (const f of r.findings) {
          if (!CYRILLIC.test(f.message)) english.push(`${fixture.name} ${r.id}/${f.messageId}: ${f.message}`);
          if (f.hint && !CYRILLIC.test(f.hint)) english.push(`${fixture.name} ${r.id}/${f.messageId} hint: ${f.hint}`);
        }
      }
    }
    expect(english).to.deep.equal([]);
  });

  it('the first line of a failing KAD007 names the priorities, of a failing KAD008 the user', async () => {
    for (const fixture of listFixtures().filter(
      (f) => f.results.KAD007?.status === 'fail' || f.results.KAD008?.status === 'fail',
    )) {
      for (const lang of ['en', 'ru'] as const) {
        const result = await grade(fixture.dir, lang);
        const kad007 = result.results.find((r) => r.id === 'KAD007')!;
        if (kad007.status === 'fail')
          expect(kad007.findings[0]!.message, `${fixture.name} ${lang}`).to.match(/\d{2,3}/);
        const kad008 = result.results.find((r) => r.id === 'KAD008')!;
        if (kad008.status === 'fail' && kad008.findings[0]!.messageId === 'eperm') {
          expect(kad008.findings[0]!.message, `${fixture.name} ${lang}`).to.contain('keepalived_script');
        }
      }
    }
  });
});
