// Faults on the real lab: each leaves ERROR (never FAIL, never a stack trace) for what could not be
// decided, with a reason a person can act on; the rest of the run completes; haproxy on master runs
// again afterwards; and the lab is restored to a healthy `correct` pair after each test.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { LabInfo } from '../../src/lab/lab.js';
import { planPair } from '../../src/lab/topology.js';
import type { RunResult } from '../../src/model/check.js';
import { ssh, useLab } from '../support/lab.js';
import {
  explain,
  haproxyActiveOn,
  inHost,
  pairOf,
  runHagrade,
  STACK_FRAME,
  statusesOf,
  waitHealthy,
  type CliRun,
} from '../support/lab-run.js';

/** What every faulty run must show: no stack trace, no FAIL on a correct pair, each ERROR explained. */
function expectOnlyErrors(run: CliRun, expectedErrors: string[]): RunResult {
  expect(run.report, run.stderr).to.not.equal(undefined);
  const report = run.report!;
  expect(run.stderr + run.stdout).to.not.match(STACK_FRAME);
  expect(explain(report, 'fail'), 'a correct pair must not FAIL').to.deep.equal([]);
  expect(
    report.results
      .flatMap((r) => r.findings)
      .filter((f) => f.messageId === 'crashed')
      .map((f) => f.message),
  ).to.deep.equal([]);
  for (const r of report.results.filter((x) => x.status === 'error')) {
    expect(
      r.findings
        .filter((f) => f.kind === 'error')
        .map((f) => f.message)
        .join(' ').length,
      `${r.id} says why`,
    ).to.be.above(15);
  }
  expect(statusesOf(report, 'error')).to.include.members(expectedErrors);
  expect(run.code).to.equal(3);
  return report;
}

describe('faults on the lab @lab', function () {
  this.timeout(180_000);
  let lab: LabInfo;
  let work: string;

  /** The lab's inventory with some fields changed, written to a file. */
  function inventoryWith(change: (inv: Record<string, Record<string, unknown>>) => void): string {
    const inv = parseYaml(readFileSync(lab.inventoryPath, 'utf8')) as Record<string, Record<string, unknown>>;
    change(inv);
    const file = join(work, `inventory-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, toYaml(inv));
    return file;
  }

  before(async () => {
    lab = await useLab('correct');
    work = mkdtempSync(join(tmpdir(), 'hagrade-faults-'));
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });
  afterEach(async () => {
    if (lab) await waitHealthy(lab);
  });

  it('backup unreachable at start: every check is an ERROR naming it, exit 3, master untouched', async () => {
    const inventory = inventoryWith((inv) => {
      // An address on the lab network where no host answers.
      inv.backup!.host = '198.51.100.250';
    });
    const run = await runHagrade(['--inventory', inventory]);
    const report = expectOnlyErrors(run, ['CRT001', 'FOV001', 'HAP001', 'KAD001']);
    expect(statusesOf(report, 'pass')).to.deep.equal([]);
    expect(report.results[0]!.findings[0]!.message).to.match(/198\.51\.100\.250/);
    expect(await haproxyActiveOn(lab, 'master')).to.equal(true);
  });

  it('a key the hosts do not accept: ERROR saying so, exit 3', async () => {
    const key = join(work, 'stranger');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const run = await runHagrade([
      '--inventory',
      inventoryWith((inv) => {
        inv.master!.key = key;
        inv.backup!.key = key;
      }),
    ]);
    const report = expectOnlyErrors(run, ['CRT001', 'FOV001']);
    expect(report.results[0]!.findings.map((f) => f.message).join(' ')).to.match(/key|authenticat/i);
  });

  it('a login user whose sudo wants a password: what needs root is an ERROR with the sudo reason; the probe stops nothing', async () => {
    // The course VMs' student user, with the sudo rule that asks for a password (scenario sudo-password).
    const asStudent = await useLab('sudo-password');
    try {
      const run = await runHagrade(['--inventory', asStudent.studentInventoryPath]);
      const report = expectOnlyErrors(run, ['FOV001', 'LIV001', 'LIV002']);
      expect(explain(report, 'error').join('\n')).to.match(/sudo/);
      expect(
        report.failover?.events.some((e) => e.event === 'haproxy-stopped') ?? false,
        'nothing was stopped',
      ).to.equal(false);
    } finally {
      lab = await useLab('correct');
    }
  });

  it('haproxy and keepalived not installed on backup (binaries hidden): LIV001 and LIV002 ERROR, the rest is graded', async () => {
    const backup = pairOf(lab).backup.address;
    const hide = await ssh(
      lab,
      backup,
      'mount --bind /dev/null "$(command -v haproxy)" && mount --bind /dev/null "$(command -v keepalived)"',
    );
    expect(hide.code, hide.stderr).to.equal(0);
    try {
      const run = await runHagrade(['--inventory', lab.inventoryPath, '--no-failover']);
      const report = expectOnlyErrors(run, ['LIV001', 'LIV002']);
      expect(statusesOf(report, 'pass')).to.include.members([
        'CRT001',
        'HAP001',
        'KAD001',
        'SYS002',
        'SYS003',
        'LIV003',
      ]);
    } finally {
      await ssh(lab, backup, 'umount "$(command -v haproxy)"; umount "$(command -v keepalived)"');
    }
  });

  it('systemctl missing on master: the service checks ERROR, the probe stops nothing and says why, haproxy keeps running', async () => {
    const master = pairOf(lab).master.address;
    const hide = await ssh(lab, master, 'mount --bind /dev/null "$(command -v systemctl)"');
    expect(hide.code, hide.stderr).to.equal(0);
    let run: CliRun;
    try {
      run = await runHagrade(['--inventory', lab.inventoryPath]);
    } finally {
      await ssh(lab, master, 'umount "$(command -v systemctl)"');
    }
    const report = expectOnlyErrors(run, ['SYS002', 'SYS003']);
    expect(
      report.results.find((r) => r.id === 'FOV001')!.findings.map((f) => `${f.kind}:${f.messageId}`),
    ).to.deep.equal(['skip:serviceUnknown']);
    expect(report.failover?.events ?? []).to.deep.equal([]);
    expect(await haproxyActiveOn(lab, 'master')).to.equal(true);
  });

  it("master's sshd killed while the probe waits for failover: ERROR with the command to run, and the dead-man switch restarts haproxy", async () => {
    let killed: Promise<unknown> | undefined;
    const run = await runHagrade(['--inventory', lab.inventoryPath], (stderr) => {
      if (!/waiting for the VIP on backup/.test(stderr)) return undefined;
      // sshd gone for good: systemd would restart a killed one, so stop its units, then kill every
      // sshd left (the grader's sessions).
      killed = inHost(lab, 'master', ['sh', '-c', 'systemctl stop ssh.service ssh.socket; killall -KILL sshd; true']);
      return 'done';
    });
    await killed;
    try {
      const report = expectOnlyErrors(run, ['FOV001', 'FOV003']);
      const restore = report.results
        .find((r) => r.id === 'FOV003')!
        .findings.map((f) => `${f.message} ${f.hint ?? ''}`)
        .join(' ');
      expect(restore).to.match(/systemctl start haproxy/);
      // The switch fires after the failover deadline plus its slack; sshd comes back for the check.
    } finally {
      await inHost(lab, 'master', ['systemctl', 'start', 'ssh']);
    }
  });

  it('the link to master cut while the probe waits for failover: ERROR, not FAIL; haproxy runs again once it is back', async () => {
    const veth = planPair(pairOf(lab).id).master.veth;
    let cut = false;
    let run: CliRun;
    try {
      run = await runHagrade(['--inventory', lab.inventoryPath], (stderr) => {
        if (!/waiting for the VIP on backup/.test(stderr)) return undefined;
        execFileSync('ip', ['link', 'set', veth, 'down']);
        cut = true;
        return 'done';
      });
    } finally {
      execFileSync('ip', ['link', 'set', veth, 'up']);
    }
    expect(cut).to.equal(true);
    expectOnlyErrors(run, ['FOV001']);
  });

  it("a changed host key is refused with a message as clear as OpenSSH's", async () => {
    const backup = pairOf(lab).backup.address;
    // As a reinstalled VM: every host key new (old ones kept aside to put back).
    const swap = await ssh(
      lab,
      backup,
      'mkdir -p /run/hg-keys && mv /etc/ssh/ssh_host_* /run/hg-keys/ && ssh-keygen -A && systemctl reload ssh',
    );
    expect(swap.code, swap.stderr).to.equal(0);
    try {
      const run = await runHagrade(['--inventory', lab.inventoryPath, '--no-failover']);
      const report = expectOnlyErrors(run, ['CRT001']);
      const message = report.results[0]!.findings.map((f) => f.message).join(' ');
      // What OpenSSH says: the identification changed, which host, the new key's fingerprint, which known_hosts line.
      expect(message)
        .to.match(/host key|identification/i)
        .and.to.match(/changed/i);
      expect(message).to.contain(backup);
      expect(message).to.contain(lab.knownHostsPath);
      // The same banner and the same fingerprint as OpenSSH's own refusal.
      const openssh = await ssh(lab, backup, 'true');
      expect(openssh.stderr).to.contain('REMOTE HOST IDENTIFICATION HAS CHANGED');
      const sent = /SHA256:[A-Za-z0-9+/]{43}/.exec(openssh.stderr)?.[0];
      expect(sent, openssh.stderr).to.be.a('string');
      expect(message).to.contain('REMOTE HOST IDENTIFICATION HAS CHANGED').and.to.contain(sent!);
    } finally {
      // Back to the original key: hosts cannot be reached with plain ssh until then, so through nsenter.
      await inHost(lab, 'backup', [
        'sh',
        '-c',
        'rm -f /etc/ssh/ssh_host_* && mv /run/hg-keys/* /etc/ssh/ && rmdir /run/hg-keys && systemctl reload ssh',
      ]);
    }
  });
});
