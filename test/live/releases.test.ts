// The grader where students are: machines of each Debian release the course's VMs may run (their
// own haproxy, keepalived, systemd and stock sshd), graded over SSH as root and as `student` through
// sudo. `correct` passes everything, the probe included, five runs in a row with the same verdicts;
// the scenarios whose outcome depends on the daemons fail exactly what that release's daemons make fail.
import { expect } from 'chai';
import { RELEASES, type Release } from '../../src/lab/lab.js';
import { expectedFailures, findScenario } from '../../src/lab/scenarios.js';
import type { RunResult } from '../../src/model/check.js';
import { useLab } from '../support/lab.js';
import { explain, runHagrade, statusesOf, waitHealthy } from '../support/lab-run.js';

/** Each check's verdict, in check order: what must not change between runs of an untouched pair. */
const verdicts = (r: RunResult) => r.results.map((x) => `${x.id}:${x.status}`);

/** The default release runs every scenario in batch.test.ts; the others run those the daemons decide. */
const VERSION_SCENARIOS = ['eperm', 'pidof', 'nopreempt'];

for (const release of RELEASES) {
  describe(`grading ${release} machines @lab`, function () {
    this.timeout(600_000); // the first use of a release builds its image (a few minutes on a slow mirror)

    it('correct: every check passes, failover included, as root and as student through sudo, five runs alike', async () => {
      const lab = await useLab('correct', release);
      const runs: RunResult[] = [];
      for (const inventory of [
        lab.inventoryPath,
        lab.studentInventoryPath,
        lab.inventoryPath,
        lab.studentInventoryPath,
        lab.inventoryPath,
      ]) {
        await waitHealthy(lab, 10_000);
        const run = await runHagrade(['--inventory', inventory]);
        expect(run.report, run.stderr).to.not.equal(undefined);
        expect(explain(run.report!, 'error'), `${release} via ${inventory}\n${run.stderr.slice(-3000)}`).to.deep.equal(
          [],
        );
        expect(explain(run.report!, 'fail'), `${release} via ${inventory}`).to.deep.equal([]);
        // FOV004 (the service as clients see it) is evidence, not graded, unless the lab profile says so.
        expect(statusesOf(run.report!, 'skip'), `${release} via ${inventory}`).to.deep.equal(['FOV004']);
        expect(run.code).to.equal(0);
        runs.push(run.report!);
      }
      for (const report of runs.slice(1)) expect(verdicts(report)).to.deep.equal(verdicts(runs[0]!));
      expect(runs.map((r) => r.summary.score)).to.deep.equal(runs.map(() => runs[0]!.summary.maxScore));
    });

    for (const name of release === 'bookworm' ? [] : VERSION_SCENARIOS) {
      it(`${name}: fails exactly what ${release}'s daemons make fail`, async () => {
        const lab = await useLab(name, release as Release);
        const run = await runHagrade(['--inventory', lab.inventoryPath]);
        expect(run.report, run.stderr).to.not.equal(undefined);
        expect(explain(run.report!, 'error')).to.deep.equal([]);
        expect(statusesOf(run.report!, 'fail')).to.deep.equal(
          [...expectedFailures(findScenario(name)!, release)].sort(),
        );
      });
    }
  });
}
