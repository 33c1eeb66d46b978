// Both parsers return exactly what they returned before issue 14 restructured them, for every
// corpus file and every fixture configuration: parse-digests.json holds fingerprints of the old
// results (test/support/parse-digest.ts). HAGRADE_WRITE_DIGESTS=1 rewrites it; do that only for a
// deliberate change of behaviour, and say so in the commit.
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/self/paths.js';
import { digestInputs, digestsOf } from '../support/parse-digest.js';

const FILE = join(REPO_ROOT, 'test', 'parsers', 'parse-digests.json');

describe('parsers: same results as before the restructuring', function () {
  this.timeout(120_000);

  it('every corpus file and fixture configuration parses to the recorded digests', () => {
    const got: Record<string, Record<string, string>> = {};
    for (const input of digestInputs()) got[input.name] = digestsOf(input.kind, input.path, input.name);
    if (process.env.HAGRADE_WRITE_DIGESTS === '1') {
      // One line per input, so a diff names the inputs that changed.
      const lines = Object.entries(got).map(([name, d]) => `  ${JSON.stringify(name)}: ${JSON.stringify(d)}`);
      writeFileSync(FILE, `{\n${lines.join(',\n')}\n}\n`);
    }
    const recorded = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, Record<string, string>>;
    // Without ../shared (the corpus) only the fixtures can be compared.
    const hasCorpus = Object.keys(got).some((name) => name.startsWith('corpus/'));
    const expected = Object.fromEntries(
      Object.entries(recorded).filter(([name]) => hasCorpus || !name.startsWith('corpus/')),
    );
    const differing = Object.keys(expected).filter(
      (name) => JSON.stringify(got[name]) !== JSON.stringify(expected[name]),
    );
    expect(differing, 'inputs whose parse result changed').to.deep.equal([]);
    expect(Object.keys(got).sort()).to.deep.equal(Object.keys(expected).sort());
  });
});
