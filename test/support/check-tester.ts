// CheckTester: run one check on the correct fixture with a few files changed, in the spirit of
// ESLint's RuleTester. Cases are matched on messageId, never on the rendered text.
import { join } from 'node:path';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { MemoryHost, type CommandMap, type FileMap } from '../../src/hosts/memory.js';
import { listSnapshotFiles, openSnapshot, readSnapshotFile } from '../../src/hosts/snapshot.js';
import { FIXTURES_DIR } from '../../src/self/paths.js';
import { AssertionError, expect } from 'chai';
import { foldStatus, runChecks } from '../../src/engine/run.js';
import type { EngineMessageId } from '../../src/i18n/engine-messages.js';
import type { Check, CheckResult, Finding, FindingKind, MessageIdOf, RunResult } from '../../src/model/check.js';
import type { LabProfile, Target } from '../../src/model/target.js';
import type { Lang, Role, Status } from '../../src/model/basics.js';

/** All files of a snapshot host directory (overlays resolved), keyed by their absolute path on the host. */
export function loadHostFiles(snapshotDir: string, role: Role): FileMap {
  const files: FileMap = {};
  for (const path of listSnapshotFiles(snapshotDir, role))
    files[path.slice(role.length)] = readSnapshotFile(snapshotDir, path);
  return files;
}

export type HostOverrides = Record<string, string | Buffer | null>;

export interface TesterOptions {
  master?: HostOverrides;
  backup?: HostOverrides;
  /** Command outputs per host (enables live checks). */
  commands?: Partial<Record<Role, CommandMap>>;
  profile?: Partial<LabProfile>;
  target?: Partial<Target>;
  lang?: Lang;
  failover?: boolean;
  /** Start from another fixture than `correct`. */
  fixture?: string;
}

function applyOverrides(files: FileMap, overrides: HostOverrides | undefined): FileMap {
  const out = { ...files };
  for (const [path, content] of Object.entries(overrides ?? {})) {
    if (content === null) delete out[path];
    else out[path] = content;
  }
  return out;
}

/** Run some checks over a fixture with per-host overrides; returns the whole RunResult. */
export async function runOnFixture(checks: Check[], opts: TesterOptions = {}): Promise<RunResult> {
  const dir = join(FIXTURES_DIR, opts.fixture ?? 'correct');
  const { target } = openSnapshot(dir);
  const hosts = {
    master: new MemoryHost('master', applyOverrides(loadHostFiles(dir, 'master'), opts.master), opts.commands?.master),
    backup: new MemoryHost('backup', applyOverrides(loadHostFiles(dir, 'backup'), opts.backup), opts.commands?.backup),
  };
  return runChecks({
    checks,
    hosts,
    target: { ...target, ...opts.target },
    profile: { ...DEFAULT_PROFILE, ...opts.profile },
    options: { lang: opts.lang ?? 'en', failover: opts.failover ?? false, live: opts.commands !== undefined },
  });
}

/** Run one check; returns its result (status, findings with messageId). */
export async function runCheck(check: Check, opts: TesterOptions = {}): Promise<CheckResult> {
  const run = await runOnFixture([check], opts);
  return run.results[0]!;
}

/** messageIds of the findings of a result, optionally only of one kind, sorted. */
export function messageIds(result: CheckResult, kind?: string): string[] {
  return result.findings
    .filter((f) => !kind || f.kind === kind)
    .map((f) => f.messageId)
    .sort();
}

// ---------------------------------------------------------------------------------------------
// The strict comparison: every finding of a result, by host, message id and line.

/** One finding a case expects. `line` and `kind` are compared when given; host always (absent = no host). */
export interface ExpectedFinding<Id extends string = string> {
  messageId: Id;
  host?: Role;
  line?: number;
  kind?: FindingKind;
}

/** The ids a test may expect of a check: its own, and the engine's. */
export type ExpectedId<C> = MessageIdOf<C> | EngineMessageId;

const describeFinding = (f: { kind?: string; host?: string; messageId: string; line?: number }) =>
  `${f.kind ?? '*'} ${f.host ?? '-'} ${f.messageId}${f.line === undefined ? '' : `:${f.line}`}`;

function matches(e: ExpectedFinding, f: Finding): boolean {
  return (
    e.messageId === f.messageId &&
    e.host === f.host &&
    (e.line === undefined || e.line === f.line) &&
    (e.kind === undefined || e.kind === f.kind)
  );
}

/**
 * Problems comparing a result's findings to the expected ones (empty: they agree). Order does not matter, but
 * nothing else is lenient: a finding nobody expected, an expected one missing, and the same finding reported twice
 * (same kind, host, id, file, line and message) are each a problem, even when the duplicate was expected once.
 */
export function findingProblems(findings: readonly Finding[], expected: readonly ExpectedFinding[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const f of findings) {
    const key = JSON.stringify([f.kind, f.host, f.messageId, f.file, f.line, f.message]);
    seen.set(key, (seen.get(key) ?? 0) + 1);
    if (seen.get(key) === 2) problems.push(`duplicate finding: ${describeFinding(f)} ${f.message}`);
  }
  // A maximum matching (expected -> finding), so an entry without a line cannot steal a finding a more precise
  // entry needs.
  const owner: Array<number | undefined> = findings.map(() => undefined);
  const assign = (e: number, visited: Set<number>): boolean => {
    for (let i = 0; i < findings.length; i++) {
      if (visited.has(i) || !matches(expected[e]!, findings[i]!)) continue;
      visited.add(i);
      const current = owner[i];
      if (current === undefined || assign(current, visited)) {
        owner[i] = e;
        return true;
      }
    }
    return false;
  };
  const unmatched = expected.filter((_, e) => !assign(e, new Set()));
  for (const e of unmatched) problems.push(`missing finding: ${describeFinding(e)}`);
  findings.forEach((f, i) => {
    if (owner[i] === undefined) problems.push(`unexpected finding: ${describeFinding(f)} ${f.message}`);
  });
  return problems;
}

/** Assert a result's findings are exactly the expected ones (see findingProblems). */
export function expectFindings(result: CheckResult, expected: readonly ExpectedFinding[]): void {
  const problems = findingProblems(result.findings, expected);
  if (problems.length === 0) return;
  const got = result.findings.map((f) => `  ${describeFinding(f)} ${f.message}`).join('\n');
  throw new AssertionError(`${result.id}: ${problems.join('; ')}\nfindings:\n${got || '  (none)'}`);
}

export interface CheckCase extends TesterOptions {
  name: string;
}

export interface InvalidCase<Id extends string> extends CheckCase {
  /** Every finding the check must report; nothing else. */
  findings: ExpectedFinding<Id>[];
  /** Defaults to what the findings fold into. */
  status?: Status;
}

export interface ValidCase<Id extends string> extends CheckCase {
  /** Notes or skips a passing check still reports (none by default). */
  findings?: ExpectedFinding<Id>[];
}

/**
 * ESLint's RuleTester for checks: a `describe` with one `it` per case. A valid case passes with exactly the
 * findings it lists (none by default); an invalid one reports exactly its findings, and folds into `status`.
 */
export function testCheck<C extends Check>(
  check: C,
  cases: { valid?: ValidCase<ExpectedId<C>>[]; invalid?: InvalidCase<ExpectedId<C>>[] },
): void {
  describe(`${check.id} ${check.title.en}`, () => {
    for (const c of cases.valid ?? []) {
      it(`valid: ${c.name}`, async () => {
        const result = await runCheck(check, c);
        expectFindings(result, c.findings ?? []);
        expect(result.status).to.equal('pass');
      });
    }
    for (const c of cases.invalid ?? []) {
      it(`invalid: ${c.name}`, async () => {
        const result = await runCheck(check, c);
        expectFindings(result, c.findings);
        expect(c.findings.length, 'an invalid case expects findings').to.be.greaterThan(0);
        expect(result.status).to.equal(c.status ?? foldStatus(c.findings.map((f) => ({ kind: f.kind ?? 'fail' }))));
      });
    }
  });
}
