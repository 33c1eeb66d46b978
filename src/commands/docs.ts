// `npm run docs`: rewrite the README's check table from the catalogue's metadata.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalogue } from '../engine/registry.js';
import { REPO_ROOT } from '../self/paths.js';
import { catalogueMarkdown } from '../report/catalogue.js';

const file = join(REPO_ROOT, 'README.md');
const readme = readFileSync(file, 'utf8');
const table = catalogueMarkdown(await loadCatalogue());
const updated = readme.replace(/(<!-- checks:start -->\n)[\s\S]*?(<!-- checks:end -->)/, `$1${table}$2`);
if (updated === readme) console.log('README.md check table is up to date');
else {
  writeFileSync(file, updated);
  console.log('README.md check table regenerated');
}
