// The catalogue meta-test: every check has complete bilingual metadata, a doc whose failing
// example really fails and whose passing example passes, a test, and a fixture.
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalogue, metadataProblems } from '../../src/engine/registry.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { FIXTURES_DIR, REPO_ROOT } from '../../src/self/paths.js';
import { readOnlyCommands } from '../../src/facts/commands.js';
import { openSnapshot } from '../../src/hosts/snapshot.js';
import type { CommandMap } from '../../src/hosts/memory.js';
import type { Check, DocExample } from '../../src/model/check.js';
import type { LabProfile } from '../../src/model/target.js';
import type { Role } from '../../src/model/basics.js';
import { runCheck, type TesterOptions } from '../support/check-tester.js';
import { listFixtures } from '../support/fixtures.js';

/** The DESIGN.md §2 ids that must exist (grows as checks land; never shrinks). */
const REQUIRED_IDS = [
  'CRT001',
  'CRT002',
  'CRT003',
  'CRT004',
  'HAP001',
  'HAP002',
  'HAP003',
  'HAP004',
  'HAP005',
  'HAP006',
  'HAP007',
  'HAP008',
  'HAP009',
  'HAP010',
  'HAP011',
  'HAP012',
  'KAD001',
  'KAD002',
  'KAD003',
  'KAD004',
  'KAD005',
  'KAD006',
  'KAD007',
  'KAD008',
  'SYS001',
  'SYS002',
  'SYS003',
  'LIV001',
  'LIV002',
  'LIV003',
  'LIV004',
  'CRT005',
  'FOV001',
  'FOV002',
  'FOV003',
  'FOV004',
  'RBT001',
  'RBT002',
  'RBT003',
  'RBT004',
  'RBT005',
];

/** The VIP of the fixtures (fixtures/correct/hosts.yaml). */
const LIVE_VIP = '203.0.113.10';

const FILE_ALIASES: Record<string, keyof LabProfile> = {
  'haproxy.cfg': 'haproxyCfgPath',
  'keepalived.conf': 'keepalivedConfPath',
  'rebrain.pem': 'certPath',
  'sysctl.conf': 'sysctlPath',
};

/** Turn a doc example into CheckTester overrides: master gets `text`, backup `backup` if given. */
async function exampleOverrides(example: DocExample): Promise<TesterOptions> {
  if (example.file.startsWith('command:')) {
    // The example replaces one command's output; the others come from a healthy live pair.
    const key = example.file.slice('command:'.length);
    const healthy = openSnapshot(join(FIXTURES_DIR, 'live-correct'));
    const outputs = async (role: Role, stdout: string): Promise<CommandMap> => {
      const map: CommandMap = {};
      for (const command of readOnlyCommands(DEFAULT_PROFILE, LIVE_VIP))
        map[command.key] = await healthy.hosts[role].run(command);
      map[key] = { stdout, exitCode: 0 };
      return map;
    };
    return {
      commands: {
        master: await outputs('master', example.text),
        backup: await outputs('backup', example.backup ?? example.text),
      },
    };
  }
  const alias = FILE_ALIASES[example.file];
  const path = alias ? String(DEFAULT_PROFILE[alias]) : example.file;
  return {
    master: { [path]: example.text },
    ...(example.backup !== undefined ? { backup: { [path]: example.backup } } : {}),
  };
}

/** The text of every test source but this one (which names every id in REQUIRED_IDS). */
function allTestSources(dir: string): string {
  let text = '';
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) text += allTestSources(full);
    else if (name.endsWith('.ts') && name !== 'catalogue.test.ts') text += readFileSync(full, 'utf8');
  }
  return text;
}

describe('check catalogue', () => {
  let catalogue: Check[];
  before(async () => {
    catalogue = await loadCatalogue();
  });

  it('holds every check of DESIGN.md §2 that has been built', () => {
    const ids = catalogue.map((c) => c.id);
    expect(REQUIRED_IDS.filter((id) => !ids.includes(id))).to.deep.equal([]);
  });

  it('every check has complete metadata in English and Russian', () => {
    const problems = catalogue.flatMap((c) => metadataProblems(c).map((p) => `${c.id}: ${p}`));
    expect(problems).to.deep.equal([]);
  });

  it('every check is named in a test and in a fixture', () => {
    const tests = allTestSources(join(REPO_ROOT, 'test'));
    const inFixtures = new Set(listFixtures().flatMap((f) => Object.keys(f.results)));
    const missing: string[] = [];
    for (const c of catalogue) {
      if (!new RegExp(`\\b${c.id}\\b`).test(tests)) missing.push(`${c.id}: no test mentions it`);
      if (c.mode !== 'disruptive' && !inFixtures.has(c.id)) missing.push(`${c.id}: no fixture expects it`);
    }
    expect(missing).to.deep.equal([]);
  });

  it('every doc: the failing example fails and the passing example passes', async () => {
    const problems: string[] = [];
    for (const check of catalogue.filter((c) => c.mode !== 'disruptive')) {
      const failing = await runCheck(check, await exampleOverrides(check.doc.failing));
      if (failing.status !== 'fail') problems.push(`${check.id}: failing example gives ${failing.status}`);
      const passing = await runCheck(check, await exampleOverrides(check.doc.passing));
      if (passing.status !== 'pass') {
        problems.push(
          `${check.id}: passing example gives ${passing.status}: ${passing.findings.map((f) => f.message).join('; ')}`,
        );
      }
    }
    expect(problems).to.deep.equal([]);
  });
});
