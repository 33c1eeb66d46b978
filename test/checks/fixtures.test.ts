// Every fixture graded by every static check (and live checks when it captured command outputs):
// a listed check must have the listed status and findings, an unlisted one must pass with none.
import { expect } from 'chai';
import { loadCatalogue } from '../../src/engine/registry.js';
import { runChecks } from '../../src/engine/run.js';
import { openSnapshot } from '../../src/hosts/snapshot.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { listFixtures } from '../support/fixtures.js';

const fixtures = listFixtures();

describe('fixtures', () => {
  it('has the correct snapshot and at least 25 variants', () => {
    expect(fixtures.map((f) => f.name)).to.include('correct');
    expect(fixtures.length).to.be.at.least(26);
  });

  for (const fixture of fixtures) {
    it(`${fixture.name}: ${fixture.description}`, async () => {
      const catalogue = await loadCatalogue();
      const { target, hosts } = openSnapshot(fixture.dir);
      const live = hosts.master.hasCommands() || hosts.backup.hasCommands();
      const unknown = Object.keys(fixture.results).filter((id) => !catalogue.some((c) => c.id === id));
      expect(unknown, 'expected.yaml names checks that do not exist').to.deep.equal([]);
      const result = await runChecks({
        checks: catalogue.filter((c) => c.mode === 'static' || (live && c.mode === 'live')),
        hosts,
        target,
        profile: DEFAULT_PROFILE,
        options: { lang: 'en', failover: false, live },
      });
      const problems: string[] = [];
      for (const r of result.results) {
        const expected = fixture.results[r.id];
        const got = [...new Set(r.findings.map((f) => f.messageId))].sort();
        const describeGot = `${r.status} [${got.join(', ')}] ${r.findings.map((f) => `${f.host ?? ''}:${f.line ?? ''} ${f.message}`).join(' | ')}`;
        if (!expected) {
          if (r.status === 'skip' && r.mode !== 'static') continue; // live check without captured output
          if (r.status !== 'pass' || r.findings.length)
            problems.push(`${r.id}: expected a clean pass, got ${describeGot}`);
          continue;
        }
        if (r.status !== expected.status) problems.push(`${r.id}: expected ${expected.status}, got ${describeGot}`);
        if (expected.messages && JSON.stringify([...new Set(expected.messages)].sort()) !== JSON.stringify(got)) {
          problems.push(`${r.id}: expected findings [${[...expected.messages].sort().join(', ')}], got ${describeGot}`);
        }
      }
      expect(problems, problems.join('\n')).to.deep.equal([]);
    });
  }
});
