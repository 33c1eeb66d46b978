// Every fixture graded by every static check (and live checks when it captured command outputs):
// a listed check must have the listed status and findings, an unlisted one must pass with none, and no check may
// report the same finding twice.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalogue } from '../../src/engine/registry.js';
import { runChecks } from '../../src/engine/run.js';
import { listSnapshotFiles, openSnapshot, readSnapshotFile } from '../../src/hosts/snapshot.js';
import { OVERLAY_FILE, SNAPSHOT_ENTRIES, SnapshotTree } from '../../src/hosts/snapshot-tree.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { findingProblems } from '../support/check-tester.js';
import { listFixtures } from '../support/fixtures.js';

const fixtures = listFixtures();
const FINDING_KEYS = ['host', 'messageId', 'line', 'kind'];

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
      const badEntries = Object.entries(fixture.results).flatMap(([id, e]) =>
        (e.findings ?? [])
          .filter((f) => typeof f.messageId !== 'string' || Object.keys(f).some((k) => !FINDING_KEYS.includes(k)))
          .map((f) => `${id}: ${JSON.stringify(f)}`),
      );
      expect(badEntries, `findings take only ${FINDING_KEYS.join(', ')} (messageId required)`).to.deep.equal([]);
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
        // Whatever expected.yaml lists, no check may report the same finding twice.
        for (const p of findingProblems(r.findings, r.findings)) problems.push(`${r.id}: ${p}`);
        if (!expected) {
          if (r.status === 'skip' && r.mode !== 'static') continue; // live check without captured output
          if (r.status !== 'pass' || r.findings.length)
            problems.push(`${r.id}: expected a clean pass, got ${describeGot}`);
          continue;
        }
        if (r.status !== expected.status) problems.push(`${r.id}: expected ${expected.status}, got ${describeGot}`);
        if (expected.findings) {
          if (expected.messages) problems.push(`${r.id}: expected.yaml gives both messages and findings`);
          for (const p of findingProblems(r.findings, expected.findings)) {
            if (!p.startsWith('duplicate finding')) problems.push(`${r.id}: ${p} (got ${describeGot})`);
          }
        } else if (
          expected.messages &&
          JSON.stringify([...new Set(expected.messages)].sort()) !== JSON.stringify(got)
        ) {
          problems.push(`${r.id}: expected findings [${[...expected.messages].sort().join(', ')}], got ${describeGot}`);
        }
      }
      expect(problems, problems.join('\n')).to.deep.equal([]);
    });
  }
});

/** The files a fixture directory holds itself (not what it inherits), relative to it. */
function ownSnapshotFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const full = join(dir, rel);
    if (!existsSync(full)) return;
    if (statSync(full).isDirectory()) for (const name of readdirSync(full)) walk(`${rel}/${name}`);
    else out.push(rel);
  };
  for (const entry of SNAPSHOT_ENTRIES) walk(entry);
  return out.sort();
}

// README "Fixtures are overlays": each fixture holds only what it changes.
describe('fixtures are overlays', () => {
  it('correct is a full snapshot; every other fixture names its base in overlay.yaml', () => {
    const full = fixtures.filter((f) => !existsSync(join(f.dir, OVERLAY_FILE))).map((f) => f.name);
    expect(full, `fixtures without ${OVERLAY_FILE}`).to.deep.equal(['correct']);
    // Through its bases every fixture comes down to fixtures/correct.
    const correct = fixtures.find((f) => f.name === 'correct')!.dir;
    for (const f of fixtures) expect(SnapshotTree.open(f.dir).dirs.at(-1), f.name).to.equal(correct);
  });

  it('no fixture holds a byte-for-byte copy of the file its base gives (so fixtures/correct is never copied again)', () => {
    const copies: string[] = [];
    for (const f of fixtures.filter((x) => x.name !== 'correct')) {
      const base = SnapshotTree.open(f.dir).dirs[1]!;
      const inBase = new Set(listSnapshotFiles(base));
      for (const path of ownSnapshotFiles(f.dir)) {
        if (inBase.has(path) && readFileSync(join(f.dir, path)).equals(readSnapshotFile(base, path)))
          copies.push(`${f.name}/${path}`);
      }
    }
    expect(copies, 'delete these files: the fixture inherits them from its base').to.deep.equal([]);
  });
});
