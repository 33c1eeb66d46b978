// The house rules of the source tree (issue 14), held by a test so they cannot erode: every module
// in a folder named for its part, imports one way and never in a circle, files short enough to read.
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { REPO_ROOT } from '../../src/self/paths.js';

interface Module {
  /** Repo-relative path with forward slashes, e.g. `src/hosts/ssh.ts`. */
  path: string;
  text: string;
  /** Repo-relative paths of the modules it imports (relative specifiers only). */
  local: string[];
  /** Package and built-in specifiers it imports (`node:fs`, `ssh2`, …). */
  external: string[];
}

/** Files that are data tables (keyword lists, inlined page assets): exempt from the size limit. */
const DATA_TABLES = new Set([
  'src/parsers/haproxy-keywords.ts',
  'src/parsers/keepalived-keywords.ts',
  'src/report/html-class-assets.ts',
]);
const MAX_LOGIC_LINES = 400;
const MAX_COMMENT_WIDTH = 120;

function tsFiles(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir)).flatMap((name) => {
    const path = posix.join(dir, name);
    if (statSync(join(REPO_ROOT, path)).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

// `import … from '…'` and `export … from '…'` statements (across line breaks), `import '…'` and `import('…')`.
const SPECIFIERS = [
  /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*'([^']+)'/gm,
  /^\s*import\s*'([^']+)'/gm,
  /\bimport\(\s*'([^']+)'\s*\)/g,
];

function readModule(path: string): Module {
  const text = readFileSync(join(REPO_ROOT, path), 'utf8');
  const local: string[] = [];
  const external: string[] = [];
  for (const [, spec] of SPECIFIERS.flatMap((re) => [...text.matchAll(re)])) {
    if (!spec) continue;
    if (spec.startsWith('.'))
      local.push(posix.normalize(posix.join(posix.dirname(path), spec)).replace(/\.js$/, '.ts'));
    else external.push(spec);
  }
  return { path, text, local, external };
}

const modules = [...tsFiles('src'), ...tsFiles('checks'), ...tsFiles('test')].map(readModule);
const productModules = modules.filter((m) => !m.path.startsWith('test/'));

/** Logic lines: neither blank nor comment. */
function logicLines(text: string): number {
  return text.split('\n').filter((line) => !/^\s*($|\/\/|\/\*|\*)/.test(line)).length;
}

/** Every import cycle among the given modules, each as the list of modules around it. */
function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

describe('source layout (issue 14)', () => {
  it('finds the modules it judges (the rules below are not vacuous)', () => {
    expect(productModules.length).to.be.greaterThan(100);
    expect(modules.find((m) => m.path === 'src/hosts/host.ts')?.local).to.include('src/model/basics.ts');
  });

  it('keeps every module of src/ in a folder named for its part', () => {
    const loose = productModules.filter((m) => m.path.startsWith('src/') && posix.dirname(m.path) === 'src');
    expect(loose.map((m) => m.path)).to.deep.equal([]);
  });

  it('has no import circle', () => {
    const known = new Set(modules.map((m) => m.path));
    const graph = new Map(modules.map((m) => [m.path, m.local.filter((p) => known.has(p))]));
    expect(findCycles(graph).map((cycle) => cycle.join(' → '))).to.deep.equal([]);
  });

  it('imports only modules that exist (the graph above is complete)', () => {
    const known = new Set(modules.map((m) => m.path));
    const missing = modules.flatMap((m) => m.local.filter((p) => !known.has(p)).map((p) => `${m.path} → ${p}`));
    expect(missing).to.deep.equal([]);
  });

  it('checks never touch ssh2, the file system or child processes: they see hosts through the Host interface', () => {
    const forbidden = /^(node:)?(fs|fs\/promises|child_process)$|^ssh2$/;
    const offences = productModules
      .filter((m) => m.path.startsWith('checks/'))
      .flatMap((m) => [
        ...m.external.filter((s) => forbidden.test(s)).map((s) => `${m.path} imports ${s}`),
        ...m.local.filter((p) => p.startsWith('src/hosts/ssh')).map((p) => `${m.path} imports ${p}`),
      ]);
    expect(offences).to.deep.equal([]);
  });

  it('reporters read only the result: src/report imports the model, i18n and itself', () => {
    const allowed = /^src\/(report|model|i18n)\//;
    const offences = productModules
      .filter((m) => m.path.startsWith('src/report/'))
      .flatMap((m) => m.local.filter((p) => !allowed.test(p)).map((p) => `${m.path} imports ${p}`));
    expect(offences).to.deep.equal([]);
  });

  it('parsers import nothing of hosts, engine or anything else of ours but parsers', () => {
    const offences = productModules
      .filter((m) => m.path.startsWith('src/parsers/'))
      .flatMap((m) => [
        ...m.local.filter((p) => !p.startsWith('src/parsers/')).map((p) => `${m.path} imports ${p}`),
        ...m.external.filter((s) => !s.startsWith('node:')).map((s) => `${m.path} imports ${s}`),
      ]);
    expect(offences).to.deep.equal([]);
  });

  it("the model is only contracts: it imports the model, the Host interface and the engine's message ids", () => {
    const contracts = new Set(['src/hosts/host.ts', 'src/i18n/engine-messages.ts']);
    const offences = productModules
      .filter((m) => m.path.startsWith('src/model/'))
      .flatMap((m) => [...m.local.filter((p) => !p.startsWith('src/model/') && !contracts.has(p)), ...m.external]);
    expect(offences).to.deep.equal([]);
  });

  it(`keeps every file, tests too, under ${MAX_LOGIC_LINES} lines of logic (data tables aside)`, () => {
    const long = modules
      .filter((m) => !DATA_TABLES.has(m.path))
      .map((m) => ({ path: m.path, lines: logicLines(m.text) }))
      .filter((m) => m.lines > MAX_LOGIC_LINES)
      .map((m) => `${m.path}: ${m.lines}`);
    expect(long).to.deep.equal([]);
  });

  it(`wraps comments at ${MAX_COMMENT_WIDTH} columns (the formatter wraps code; it cannot wrap comments)`, () => {
    const wide = modules.flatMap((m) =>
      m.text
        .split('\n')
        .map((line, i) => ({ line, at: `${m.path}:${i + 1}` }))
        .filter(({ line }) => line.length > MAX_COMMENT_WIDTH && /^\s*(\/\/|\/\*|\*)/.test(line))
        .map(({ at }) => at),
    );
    expect(wide).to.deep.equal([]);
  });

  it('the cycle finder and the line counter see what they must (a circle, comment lines)', () => {
    expect(
      findCycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
        ]),
      ),
    ).to.deep.equal([['a', 'b', 'c', 'a']]);
    expect(
      findCycles(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).to.deep.equal([]);
    expect(logicLines('// c\n\nconst a = 1;\n/**\n * d\n */\nlet b;\n')).to.equal(2);
  });
});
