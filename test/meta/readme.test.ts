// The README's check table is generated from the catalogue's metadata and must not drift.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalogue } from '../../src/engine/registry.js';
import { REPO_ROOT } from '../../src/self/paths.js';
import { catalogueMarkdown } from '../../src/report/catalogue.js';

describe('README', () => {
  it('holds the check table generated from the catalogue (regenerate: npm run docs)', async () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const m = /<!-- checks:start -->\n([\s\S]*?)<!-- checks:end -->/.exec(readme);
    expect(m, 'README.md lacks the <!-- checks:start --> … <!-- checks:end --> markers').to.not.equal(null);
    expect(m![1]).to.equal(catalogueMarkdown(await loadCatalogue()));
  });
});
