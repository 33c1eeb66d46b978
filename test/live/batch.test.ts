// A whole class on the real lab: one pair per scenario, graded concurrently by `hagrade batch`
// (failover probes included); each student gets the verdicts of its scenario; an interrupted shard
// resumed, merged with the other shard, gives the same summary as the unsharded run.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { studentDirName } from '../../src/batch/roster.js';
import { labApply, type LabInfo } from '../../src/lab/lab.js';
import { SCENARIOS } from '../../src/lab/scenarios.js';
import type { RunResult } from '../../src/model/check.js';
import { useClassLab } from '../support/lab.js';
import { CLI } from '../support/cli-path.js';

interface Run {
  code: number | null;
  output: string;
}

/** Run hagrade; `interruptWhen` sees the output so far and may ask for a SIGINT (sent once). */
function hagrade(args: string[], interruptWhen?: (output: string) => boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, NO_COLOR: '1', LANG: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let interrupted = false;
    const onData = (d: Buffer) => {
      output += d.toString();
      if (!interrupted && interruptWhen?.(output)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** What keepalived (or the killall5 it runs for pidof) logs in these scenarios, quoted under FOV001 and KAD008. */
const KEEPALIVED_SAYS: Record<string, RegExp> = {
  eperm: /VRRP_Script\(check_haproxy\) failed|Script `check_haproxy` now returning 1/,
  pidof: /only one argument, a signal number, allowed/,
};

const report = (dir: string, student: string) =>
  JSON.parse(readFileSync(join(dir, 'students', studentDirName(student), 'report.json'), 'utf8')) as RunResult;

describe('batch grading of a class on the lab @lab', function () {
  this.timeout(300_000);
  let lab: LabInfo;
  let work: string;

  before(async () => {
    lab = await useClassLab(SCENARIOS.map((s) => s.name));
    work = mkdtempSync(join(tmpdir(), 'hagrade-batch-e2e-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it(`grades ${SCENARIOS.length} pairs concurrently, each with the verdicts of its scenario`, async () => {
    const out = join(work, 'full');
    const run = await hagrade(['batch', lab.rosterPath!, '--out', out, '--concurrency', String(SCENARIOS.length)]);
    expect(run.code, run.output).to.equal(0);
    const problems: string[] = [];
    for (const pair of lab.pairs) {
      const scenario = SCENARIOS.find((s) => s.name === pair.scenario)!;
      const result = report(out, pair.student);
      const failed = result.results
        .filter((r) => r.status === 'fail')
        .map((r) => r.id)
        .sort();
      const unexpected = result.results.filter((r) => r.status === 'fail' && !scenario.expectFail.includes(r.id));
      const why = unexpected.map(
        (r) =>
          `${r.id}: ${r.findings
            .filter((f) => f.kind === 'fail')
            .map((f) => `${f.host} ${f.message}`)
            .join(' | ')}`,
      );
      const errors = result.results
        .filter((r) => r.status === 'error')
        .map((r) => `${r.id}: ${r.findings[0]?.message}`);
      if (JSON.stringify(failed) !== JSON.stringify([...scenario.expectFail].sort()) || errors.length) {
        problems.push(
          `${pair.student} (${scenario.name}): failed [${failed.join(', ')}], expected [${scenario.expectFail.join(', ')}]; errors [${errors.join('; ')}]; ${why.join('; ')}`,
        );
      }
      // Every failure says why, in a sentence, with a hint.
      for (const r of result.results.filter((x) => x.status === 'fail')) {
        const f = r.findings.find((x) => x.kind === 'fail');
        if (!f || f.message.length < 20 || !f.hint)
          problems.push(`${pair.student} ${r.id}: no reason or hint (${f?.message})`);
      }
      expect(
        existsSync(
          join(
            out,
            'students',
            studentDirName(pair.student),
            'snapshot',
            'master',
            'etc',
            'keepalived',
            'keepalived.conf',
          ),
        ),
      ).to.equal(true);
      // Where the VIP does not move because the script cannot work, keepalived's own lines say why under FOV001.
      const said = KEEPALIVED_SAYS[scenario.name];
      if (said) {
        const fov001 = result.results.find((r) => r.id === 'FOV001')!;
        const quoted = fov001.findings
          .filter(
            (f) => f.kind === 'note' && /^(keepalived(Line|Repeated)|log(Shows|Confirms|Corrects))$/.test(f.messageId),
          )
          .map((f) => f.message);
        if (!quoted.some((m) => said.test(m)))
          problems.push(
            `${pair.student} (${scenario.name}): FOV001 quotes no line matching ${said}: ${JSON.stringify(quoted)}`,
          );
        if (!fov001.evidence?.some((e) => e.host === 'master' && e.note?.startsWith("keepalived's log")))
          problems.push(`${pair.student}: FOV001 kept no keepalived log as evidence`);
        const kad008 = result.results.find((r) => r.id === 'KAD008')!;
        if (!kad008.findings.some((f) => /^keepalived(Line|Repeated)$/.test(f.messageId) && said.test(f.message)))
          problems.push(`${pair.student} (${scenario.name}): KAD008 quotes no line matching ${said}`);
      }
    }
    expect(problems).to.deep.equal([]);
    const summary = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split(/\r?\n/);
    expect(summary).to.have.length(SCENARIOS.length + 1);
    expect(readFileSync(join(out, 'class-report.html'), 'utf8')).to.contain('<table');
    expect(readFileSync(join(out, 'gradebook.csv'), 'utf8').split(/\r?\n/)[0]).to.match(/Grade/);
  });

  it('an interrupted shard resumed with --resume, merged with the other shard, equals the unsharded run', async () => {
    // By design nopreempt keeps the VIP on backup after the probe: set its pair up again to grade it afresh.
    for (const pair of lab.pairs.filter((p) => p.scenario === 'nopreempt')) await labApply(pair.scenario, pair.id);
    const [one, two] = [join(work, 'shard1'), join(work, 'shard2')];
    const [interrupted, other] = await Promise.all([
      // Interrupt as soon as the first student of shard 1 is graded: the running ones finish, the rest wait.
      hagrade(['batch', lab.rosterPath!, '--out', one, '--shard', '1/2', '--concurrency', '2'], (out) =>
        /^\[[1-9]\d*\/\d+\]/m.test(out),
      ),
      hagrade(['batch', lab.rosterPath!, '--out', two, '--shard', '2/2', '--concurrency', '6']),
    ]);
    expect(interrupted.output).to.match(/interrupted/);
    expect(other.code, other.output).to.equal(0);
    const pendingBefore = readFileSync(join(one, 'summary.csv'), 'utf8')
      .split(/\r?\n/)
      .filter((l) => /,pending,/.test(l)).length;
    expect(pendingBefore, 'the interrupt left students to resume').to.be.above(0);
    const resumed = await hagrade([
      'batch',
      lab.rosterPath!,
      '--out',
      one,
      '--shard',
      '1/2',
      '--concurrency',
      '6',
      '--resume',
    ]);
    expect(resumed.code, resumed.output).to.equal(0);
    const merged = join(work, 'merged');
    const merge = await hagrade(['merge', one, two, '--out', merged]);
    expect(merge.code, merge.output).to.equal(0);
    expect(readFileSync(join(merged, 'summary.csv'), 'utf8')).to.equal(
      readFileSync(join(work, 'full', 'summary.csv'), 'utf8'),
    );
  });
});
