// CheckTester: run one check on the correct fixture with a few files changed, in the spirit of
// ESLint's RuleTester. Cases are matched on messageId, never on the rendered text.
import { join } from 'node:path';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { runChecks } from '../../src/engine/run.js';
import { MemoryHost, type CommandMap, type FileMap } from '../../src/hosts/memory.js';
import { listSnapshotFiles, openSnapshot, readSnapshotFile } from '../../src/hosts/snapshot.js';
import { FIXTURES_DIR } from '../../src/self/paths.js';
import type { Check, CheckResult, RunResult } from '../../src/model/check.js';
import type { LabProfile, Target } from '../../src/model/target.js';
import type { Lang, Role } from '../../src/model/basics.js';

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
