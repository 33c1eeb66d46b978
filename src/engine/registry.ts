// The check catalogue: every module in checks/ is one check, discovered at start-up.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHECKS_DIR } from '../self/paths.js';
import { AREA_ORDER, type Mode } from '../model/basics.js';
import type { Check } from '../model/check.js';

const MODE_ORDER: Mode[] = ['static', 'live', 'disruptive'];
const ID_PATTERN = /^[A-Z]{3}\d{3}$/;

let cached: Promise<Check[]> | undefined;

/** All checks, ordered static → live → disruptive, then by id. */
export function loadCatalogue(dir = CHECKS_DIR): Promise<Check[]> {
  if (dir === CHECKS_DIR && cached) return cached;
  const loading = importChecks(dir);
  if (dir === CHECKS_DIR) cached = loading;
  return loading;
}

async function importChecks(dir: string): Promise<Check[]> {
  const files = readdirSync(dir).filter((f) => /^[A-Z]{3}\d{3}\.js$/.test(f));
  const checks: Check[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default?: Check };
    const check = mod.default;
    if (!check || check.id !== file.replace(/\.js$/, '')) {
      throw new Error(`checks/${file}: the default export must be a check whose id matches the file name`);
    }
    checks.push(check);
  }
  return sortChecks(checks);
}

function sortChecks(checks: Check[]): Check[] {
  return [...checks].sort(
    (a, b) =>
      MODE_ORDER.indexOf(a.mode) - MODE_ORDER.indexOf(b.mode) ||
      AREA_ORDER.indexOf(a.area) - AREA_ORDER.indexOf(b.area) ||
      a.id.localeCompare(b.id),
  );
}

/** Problems with a check's metadata; the meta-test asserts there are none. */
export function metadataProblems(check: Check): string[] {
  const problems: string[] = [];
  const texts: Array<[string, unknown]> = [
    ['title', check.title],
    ['asserts', check.asserts],
    ['hint', check.hint],
    ['doc.rationale', check.doc?.rationale],
    ['doc.fix', check.doc?.fix],
    ...Object.entries(check.messages ?? {}).map(([k, v]) => [`messages.${k}`, v] as [string, unknown]),
    ...Object.entries(check.hints ?? {}).map(([k, v]) => [`hints.${k}`, v] as [string, unknown]),
  ];
  if (!ID_PATTERN.test(check.id)) problems.push(`id '${check.id}' is not of the form ABC123`);
  for (const [name, text] of texts) {
    const t = text as { en?: unknown; ru?: unknown } | undefined;
    if (!t || typeof t.en !== 'string' || !t.en.trim()) problems.push(`${name}: English text missing`);
    if (!t || typeof t.ru !== 'string' || !t.ru.trim()) problems.push(`${name}: Russian text missing`);
  }
  for (const id of Object.keys(check.hints ?? {})) {
    if (!check.messages?.[id]) problems.push(`hints.${id}: no message with that id`);
  }
  if (!check.doc?.failing?.text || !check.doc?.passing?.text)
    problems.push('doc: failing and passing examples required');
  if (!check.spec?.trim()) problems.push('spec: must say which line of LAB-SPEC.md it traces to');
  if (!(check.points >= 0)) problems.push('points must be a non-negative number');
  if (!AREA_ORDER.includes(check.area)) problems.push(`area '${check.area}' unknown`);
  if (!MODE_ORDER.includes(check.mode)) problems.push(`mode '${check.mode}' unknown`);
  if (typeof check.run !== 'function') problems.push('run() missing');
  return problems;
}
