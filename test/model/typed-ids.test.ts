// Message ids are types: `tsc` itself rejects a check that reports, or hints, an id its `messages` lack. The test
// compiles tiny checks against the real `defineCheck` with the project's own tsc, and asserts every check in
// checks/ has literal ids (a table typed `Record<string, Text>` spread into `messages` would silently allow any).
// A shared helper that reports on a check's behalf takes `CheckContext<ItsIds>` (contravariant): a check that forgot to
// spread the helper's table cannot pass its context, and tsc names the missing id.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../../src/self/paths.js';

const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

function tinyCheck(reported: string, hinted: string): string {
  const text = "{ en: 'x', ru: 'x' }";
  return `import { defineCheck } from '${REPO_ROOT}/src/model/check.js';

export default defineCheck({
  id: 'TST001',
  title: ${text},
  area: 'haproxy',
  mode: 'static',
  points: 1,
  severity: 'minor',
  spec: 'none',
  asserts: ${text},
  messages: { wrongPort: { en: 'port {port}', ru: 'порт {port}' }, missing: ${text} },
  hints: { ${hinted}: ${text} },
  hint: ${text},
  doc: {
    rationale: ${text},
    failing: { file: 'haproxy.cfg', text: 'x' },
    passing: { file: 'haproxy.cfg', text: 'y' },
    fix: ${text},
  },
  async run(ctx) {
    ctx.report({ messageId: '${reported}', data: { port: 1 } });
    ctx.report({ kind: 'skip', messageId: 'interrupted' }); // an engine id is allowed
  },
});
`;
}

/**
 * A check that calls shared helpers which report on its behalf: `configOrSkip` (CONFIG_SKIP_MESSAGES' ids) and
 * `commandOrReport` (LIVE_MESSAGES'). `messages` is spliced in as given: with the tables spread, without, or with a
 * copy of only some of their ids.
 */
function helperCheck(messages: string): string {
  const text = "{ en: 'x', ru: 'x' }";
  return `import { defineCheck } from '${REPO_ROOT}/src/model/check.js';
import { CONFIG_SKIP_MESSAGES, configOrSkip, loadKeepalived } from '${REPO_ROOT}/src/facts/keepalived.js';
import { LIVE_MESSAGES, commandOrReport } from '${REPO_ROOT}/src/facts/live.js';

export const used = [CONFIG_SKIP_MESSAGES, LIVE_MESSAGES];

export default defineCheck({
  id: 'TST002',
  title: ${text},
  area: 'keepalived',
  mode: 'static',
  points: 1,
  severity: 'minor',
  spec: 'none',
  asserts: ${text},
  messages: { ${messages} },
  hint: ${text},
  doc: {
    rationale: ${text},
    failing: { file: 'keepalived.conf', text: 'x' },
    passing: { file: 'keepalived.conf', text: 'y' },
    fix: ${text},
  },
  async run(ctx) {
    const config = configOrSkip(ctx, await loadKeepalived(ctx, 'master'));
    if (config) await commandOrReport(ctx, 'master', 'ip-addr');
    ctx.report({ messageId: 'own' });
  },
});
`;
}

function everyCheckHasLiteralIds(): string {
  const ids = readdirSync(join(REPO_ROOT, 'checks'))
    .filter((f) => /^[A-Z]{3}\d{3}\.ts$/.test(f))
    .map((f) => f.replace(/\.ts$/, ''));
  expect(ids.length).to.be.greaterThan(40);
  return [
    `import type { MessageIdOf } from '${REPO_ROOT}/src/model/check.js';`,
    ...ids.map((id) => `import ${id} from '${REPO_ROOT}/checks/${id}.js';`),
    'type Literal<C> = string extends MessageIdOf<C> ? false : true;',
    ...ids.map((id) => `export const ${id.toLowerCase()}: Literal<typeof ${id}> = true;`),
    '',
  ].join('\n');
}

/** tsc's diagnostics for the files, one per line, as `file(line,col): error TSxxxx: ...`. */
function compile(files: Record<string, string>): string[] {
  mkdirSync(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
  const dir = mkdtempSync(join(REPO_ROOT, 'test-artifacts', 'typed-ids-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const compilerOptions = {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: Object.keys(files) }));
    try {
      execFileSync(process.execPath, [TSC, '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
      return [];
    } catch (e) {
      const out = (e as { stdout?: string }).stdout ?? '';
      if (!out.trim()) throw e;
      return out.split('\n').filter((l) => / error TS\d+/.test(l));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('typed message ids', function () {
  this.timeout(120_000);

  it('tsc rejects a misspelt reported id and a hint without a message; accepts the right ones and every check', () => {
    const errors = compile({
      'typo.ts': tinyCheck('wrongPrt', 'mising'),
      'right.ts': tinyCheck('wrongPort', 'missing'),
      'all-checks.ts': everyCheckHasLiteralIds(),
    });
    const inFile = (name: string) => errors.filter((l) => l.startsWith(`${name}(`) || l.includes(`/${name}(`));
    expect(inFile('right.ts'), errors.join('\n')).to.deep.equal([]);
    expect(inFile('all-checks.ts'), errors.join('\n')).to.deep.equal([]);
    const typo = inFile('typo.ts');
    expect(typo, errors.join('\n')).to.have.length(2);
    expect(typo.some((l) => l.includes(`'"wrongPrt"' is not assignable`))).to.equal(true, typo.join('\n'));
    expect(typo.some((l) => l.includes("'mising' does not exist"))).to.equal(true, typo.join('\n'));
    expect(errors.length, errors.join('\n')).to.equal(typo.length);
  });

  it('tsc rejects a check that passes its context to a shared helper whose messages it lacks', () => {
    const own = "own: { en: 'x', ru: 'x' }";
    const errors = compile({
      'spread.ts': helperCheck(`...CONFIG_SKIP_MESSAGES, ...LIVE_MESSAGES, ${own}`),
      'no-config-spread.ts': helperCheck(`...LIVE_MESSAGES, ${own}`),
      'no-live-spread.ts': helperCheck(`...CONFIG_SKIP_MESSAGES, ${own}`),
      // Ids that are a subset of the helper's: a bivariant context (`report` as a method) would let this through.
      'partial-copy.ts': helperCheck(`...LIVE_MESSAGES, configMissing: { en: 'x', ru: 'x' }, ${own}`),
    });
    const inFile = (name: string) => errors.filter((l) => l.startsWith(`${name}(`) || l.includes(`/${name}(`));
    expect(inFile('spread.ts'), errors.join('\n')).to.deep.equal([]);
    const noConfig = inFile('no-config-spread.ts');
    expect(noConfig, errors.join('\n')).to.have.length(1);
    expect(noConfig[0]).to.match(/error TS2345: .*'CheckContext<UnreadableId>'/);
    const noLive = inFile('no-live-spread.ts');
    expect(noLive, errors.join('\n')).to.have.length(1);
    expect(noLive[0]).to.match(/error TS2345: .*'CheckContext<CommandProblemId>'/);
    const partial = inFile('partial-copy.ts');
    expect(partial, errors.join('\n')).to.have.length(1);
    expect(partial[0]).to.match(/error TS2345: .*'CheckContext<UnreadableId>'/);
    expect(errors.length, errors.join('\n')).to.equal(noConfig.length + noLive.length + partial.length);
  });
});
