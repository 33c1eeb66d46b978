// The reboot probe on real machines (@lab): master is rebooted for real (systemd shutdown and boot,
// disk kept, a new network namespace). correct passes; keepalived not enabled, and kernel settings
// applied only with `sysctl -w`, fail it with their reasons; the pair ends running as it began.
import { expect } from 'chai';
import type { RunResult } from '../../src/model/check.js';
import { useLab } from '../support/lab.js';
import { explain, haproxyActiveOn, runHagrade, statusesOf, waitHealthy } from '../support/lab-run.js';
import { findScenario } from '../../src/lab/scenarios.js';

const rbt = (r: RunResult) => r.results.filter((x) => x.id.startsWith('RBT'));
const failIds = (r: RunResult, id: string) =>
  r.results
    .find((x) => x.id === id)!
    .findings.filter((f) => f.kind === 'fail')
    .map((f) => f.messageId);

describe('reboot probe on lab machines @lab', function () {
  this.timeout(300_000);

  it('correct: master reboots, backup holds the VIP meanwhile, everything comes back by itself', async () => {
    const lab = await useLab('correct');
    const run = await runHagrade(['--inventory', lab.inventoryPath, '--only', 'RBT', '--reboot', '--yes']);
    const report = run.report!;
    expect(report, run.stderr).to.not.equal(undefined);
    expect(explain(report, 'fail').concat(explain(report, 'error'))).to.deep.equal([]);
    expect(rbt(report).map((r) => `${r.id}:${r.status}`)).to.deep.equal([
      'RBT001:pass',
      'RBT002:pass',
      'RBT003:pass',
      'RBT004:pass',
      'RBT005:pass',
    ]);
    expect(run.code).to.equal(0);
    // It said what it would do before doing it, and kept keepalived's own lines of those seconds.
    expect(run.stderr).to.match(/will reboot master/);
    const evidence = rbt(report)[0]!.evidence ?? [];
    expect(evidence.filter((e) => e.note?.startsWith("keepalived's log")).map((e) => e.host)).to.deep.equal([
      'master',
      'backup',
    ]);
    expect(evidence.find((e) => e.host === 'backup')!.output).to.match(/Entering MASTER STATE/);
    expect(rbt(report)[4]!.findings.map((f) => f.messageId)).to.deep.equal(['asFound']);
  });

  it('keepalived-disabled: the boot does not start keepalived, the VIP stays on backup, hagrade starts it again', async () => {
    const lab = await useLab('keepalived-disabled');
    const run = await runHagrade(['--inventory', lab.inventoryPath, '--only', 'RBT', '--reboot', '--yes']);
    const report = run.report!;
    expect(statusesOf(report, 'fail')).to.deep.equal(
      [...findScenario('keepalived-disabled')!.expectFailWithReboot!].sort(),
    );
    expect(statusesOf(report, 'error')).to.deep.equal([]);
    expect(failIds(report, 'RBT002')).to.deep.equal(['notEnabled']);
    const rbt004 = report.results.find((r) => r.id === 'RBT004')!.findings.find((f) => f.kind === 'fail')!;
    expect(rbt004.message)
      .to.match(/held by backup/)
      .and.match(/RBT002: .*keepalived/);
    expect(report.results.find((r) => r.id === 'RBT005')!.findings.map((f) => f.messageId)).to.deep.equal([
      'restarted',
    ]);
    await waitHealthy(lab);
  });

  it('sysctl-not-persisted: settings applied with sysctl -w are gone after the reboot, and RBT003 says the file lacks them', async () => {
    const lab = await useLab('sysctl-not-persisted');
    const run = await runHagrade(['--inventory', lab.inventoryPath, '--only', 'RBT,SYS001', '--reboot', '--yes']);
    const report = run.report!;
    const scenario = findScenario('sysctl-not-persisted')!;
    expect(statusesOf(report, 'fail')).to.deep.equal(
      [...scenario.expectFail, ...scenario.expectFailWithReboot!].sort(),
    );
    expect(statusesOf(report, 'error')).to.deep.equal([]);
    expect(new Set(failIds(report, 'RBT003'))).to.deep.equal(new Set(['notPersisted']));
    expect(await haproxyActiveOn(lab, 'master')).to.equal(true);
  });
});
