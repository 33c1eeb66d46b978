// Interrupts at every phase of the failover probe, table-driven on one lab: SIGINT and SIGTERM make
// hagrade restore haproxy itself; after SIGKILL the dead-man switch on master does. In every case
// haproxy on master ends up running and a second run right after finds the pair healthy.
// (SIGINT and SIGKILL while waiting for failover are in test/live/grading.test.ts.)
import { expect } from 'chai';
import type { LabInfo } from '../../src/lab/lab.js';
import { DEADMAN_PID_FILE, DEADMAN_UNIT } from '../../src/probe/deadman.js';
import { labJournal } from '../../src/lab/lab.js';
import { ssh, useLab, waitUntil } from '../support/lab.js';
import { explain, runHagrade, STACK_FRAME, waitHealthy } from '../support/lab-run.js';

interface Case {
  phase: string;
  /** The progress line that marks the phase. */
  marker: RegExp;
  signal: NodeJS.Signals;
}

const PRECHECK = /precheck: VIP on master only/;
const ARMED = /stopping haproxy on master/;
const FAILOVER = /waiting for the VIP on backup/;
const FAILBACK = /waiting for the VIP on master/;

const CASES: Case[] = [
  { phase: 'before arming (precheck)', marker: PRECHECK, signal: 'SIGTERM' },
  { phase: 'after arming, as haproxy is stopped', marker: ARMED, signal: 'SIGINT' },
  { phase: 'after arming, as haproxy is stopped', marker: ARMED, signal: 'SIGKILL' },
  { phase: 'while waiting for failover', marker: FAILOVER, signal: 'SIGTERM' },
  { phase: 'while waiting for failback', marker: FAILBACK, signal: 'SIGINT' },
  { phase: 'while waiting for failback', marker: FAILBACK, signal: 'SIGKILL' },
];

/** A switch is armed on master: its systemd timer is active, or (without systemd) its pid file is there. */
async function deadmanArmed(lab: LabInfo): Promise<boolean> {
  const master = lab.pairs[0]!.master.address;
  const timer = await ssh(lab, master, `systemctl is-active --quiet ${DEADMAN_UNIT}.timer`);
  const shell = await ssh(lab, master, `test -e ${DEADMAN_PID_FILE}`);
  return timer.code === 0 || shell.code === 0;
}

describe('interrupts at every phase of the probe @lab', function () {
  this.timeout(180_000);
  let lab: LabInfo;

  before(async () => {
    lab = await useLab('correct');
  });

  for (const c of CASES) {
    it(`${c.signal} ${c.phase}: haproxy on master ends up running, and the next run finds the pair healthy`, async () => {
      await waitHealthy(lab);
      const run = await runHagrade(['--inventory', lab.inventoryPath], (stderr) =>
        c.marker.test(stderr) ? c.signal : undefined,
      );
      if (!c.marker.test(run.stderr)) {
        // Say why the probe never got there: the processes on master and what keepalived decided.
        const master = lab.pairs[0]!.master;
        const ps = await ssh(lab, master.address, 'ps -eo pid,ppid,args | grep [h]aproxy');
        const log = await labJournal(master.ns, 'keepalived', 25);
        expect.fail(
          `the run never reached the phase:\n${run.stderr.slice(-1500)}\nhaproxy on master:\n${ps.stdout}\nkeepalived on master:\n${log}`,
        );
      }
      expect(run.stderr + run.stdout).to.not.match(STACK_FRAME);
      if (c.signal === 'SIGKILL') {
        expect(run.signal).to.equal('SIGKILL');
      } else {
        // hagrade itself restored what it changed, reported it (FOV003) and exited as interrupted.
        expect(run.stderr).to.contain(`${c.signal} received`);
        expect(run.report, run.stderr).to.not.equal(undefined);
        expect(run.report!.results.find((r) => r.id === 'FOV003')?.status).to.be.oneOf(['pass', 'skip']);
        expect(explain(run.report!, 'error')).to.deep.equal([]);
        expect(run.code).to.not.equal(0);
        // ...and disarmed the dead-man switch: none is left to start haproxy during a later probe.
        expect(await deadmanArmed(lab), 'a dead-man switch is still armed on master').to.equal(false);
        if (c.marker === PRECHECK) {
          expect(
            run.report!.failover?.events.map((e) => e.event) ?? [],
            'interrupted before arming: nothing stopped',
          ).to.not.include('haproxy-stopped');
        }
      }
      if (c.signal === 'SIGKILL') {
        // On a systemd machine the switch is a transient timer, owned by systemd and not by the dead
        // SSH session: it is still armed now, and fires after the failover deadline plus its slack.
        expect(await deadmanArmed(lab), 'the systemd timer outlived the grader').to.equal(true);
        await waitUntil('the dead-man switch to fire', 90_000, async () => !(await deadmanArmed(lab)));
        const fired = await ssh(
          lab,
          lab.pairs[0]!.master.address,
          `journalctl -u ${DEADMAN_UNIT}.service -o cat --no-pager`,
        );
        expect(fired.stdout, 'the timer started haproxy').to.match(/Started|Finished|Deactivated/);
      }
      await waitHealthy(lab, 5_000);
      const again = await runHagrade(['--inventory', lab.inventoryPath, '--no-failover']);
      expect(explain(again.report!, 'fail')).to.deep.equal([]);
      expect(explain(again.report!, 'error')).to.deep.equal([]);
    });
  }
});
