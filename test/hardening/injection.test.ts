// No value from a roster, an inventory, a lab profile or a config reaches a remote shell unquoted.
// Hostile values (`;`, `$(…)`, backticks, newlines, quotes, pipes, redirections) go through the real
// CLI paths, `hagrade check --inventory --lab` and `hagrade batch ROSTER --lab`, against a real sshd
// on loopback, failover probe included; each value would create its own marker file if any shell ran
// it. Inventories and rosters refuse a VIP that is not an address. The dead-man switch, which runs on the host by
// itself, is armed with a hostile service name.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { SshHost } from '../../src/hosts/ssh.js';
import { armDeadman, DEADMAN_PID_FILE, disarmDeadman } from '../../src/probe/deadman.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import type { RunResult } from '../../src/model/check.js';
import { startSshd, type TestSshd } from '../support/sshd.js';
import { CLI } from '../support/cli-path.js';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function hagrade(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, ...env, NO_COLOR: '1' }, timeout: 120_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      },
    );
  });
}

describe('hostile values never run on a host @lab', function () {
  this.timeout(180_000);
  let sshd: TestSshd;
  let work: string;
  /** Where any injected command would leave its marker; world-writable, so a command run as any user could. */
  let markers: string;
  let counter = 0;

  /** A value that creates `markers/<kind>-<n>` if a shell ever runs it: each call gets a new n. */
  const hostile = (
    kind: 'semi' | 'subst' | 'tick' | 'newline' | 'squote' | 'dquote' | 'and' | 'pipe' | 'redirect',
    base = 'x',
  ): string => {
    const mark = join(markers, `${kind}-${++counter}`);
    return {
      semi: `${base}; touch ${mark}`,
      subst: `${base}$(touch ${mark})`,
      tick: `${base}\`touch ${mark}\``,
      newline: `${base}\ntouch ${mark}\n`,
      squote: `${base}' ; touch ${mark} ; '`,
      dquote: `${base}" ; touch ${mark} ; "`,
      and: `${base} && touch ${mark}`,
      pipe: `${base} | touch ${mark}`,
      redirect: `${base} > ${mark}`,
    }[kind];
  };

  /** A lab profile whose every path, service and sysctl key is hostile. */
  const hostileProfile = () => ({
    haproxyCfgPath: hostile('semi', '/etc/haproxy/haproxy.cfg'),
    keepalivedConfPath: hostile('subst', '/etc/keepalived/keepalived.conf'),
    certPath: hostile('tick', '/etc/haproxy/rebrain.pem'),
    sysctlPath: hostile('newline', '/etc/sysctl.conf'),
    sysctlDir: hostile('squote', '/etc/sysctl.d'),
    haproxyService: hostile('dquote', 'haproxy'),
    keepalivedService: hostile('and', 'keepalived'),
    interface: hostile('pipe', 'eth0'),
    vipLabel: hostile('redirect', 'eth0:10'),
    sysctl: { ...DEFAULT_PROFILE.sysctl, [hostile('semi', 'net.ipv4.ip_nonlocal_bind')]: '1' },
  });

  before(async () => {
    sshd = await startSshd();
    work = mkdtempSync(join(tmpdir(), 'hagrade-inject-'));
    markers = join(work, 'markers');
    mkdirSync(markers);
    chmodSync(work, 0o755);
    chmodSync(markers, 0o777);
    writeFileSync(join(work, 'known_hosts'), `${sshd.knownHostsLines().join('\n')}\n`);
  });
  after(async () => {
    await sshd?.stop();
    rmSync(work, { recursive: true, force: true });
  });
  afterEach(() => {
    expect(readdirSync(markers), `commands injected (sshd log:\n${sshd.log().slice(-2000)})`).to.deep.equal([]);
  });

  it('hagrade check: a hostile lab profile, failover included', async () => {
    const profile = join(work, 'profile.yaml');
    writeFileSync(profile, toYaml(hostileProfile()));
    const at = `root@127.0.0.1:${sshd.port}`;
    const run = await hagrade(
      [
        'check',
        '--master',
        at,
        '--backup',
        at,
        '-i',
        sshd.clientKey,
        '--vip',
        '203.0.113.10',
        '--lab',
        profile,
        '--format',
        'json',
      ],
      { HOME: work },
    );
    expect(run.stdout, run.stderr).to.match(/^\{/);
    const report = JSON.parse(run.stdout) as RunResult;
    // Graded to the end: every check has a result, none of them a crash of the grader.
    expect(report.results.length).to.be.above(30);
    expect(
      report.results
        .flatMap((r) => r.findings)
        .filter((f) => f.messageId === 'crashed')
        .map((f) => f.message),
    ).to.deep.equal([]);
    // The hostile values were really used: the commands that ran name them (quoted).
    const commands = report.results
      .flatMap((r) => r.evidence ?? [])
      .map((e) => e.command)
      .join('\n');
    expect(commands).to.contain('touch ');
  });

  it('hostile host specs are refused before connecting (exit 2): --master, an inventory, a roster', async () => {
    const inventory = join(work, 'inventory-host.yaml');
    writeFileSync(
      inventory,
      toYaml({
        master: { host: hostile('semi', '127.0.0.1'), user: 'root' },
        backup: { host: '127.0.0.1', user: 'root' },
        vip: '203.0.113.10',
      }),
    );
    const roster = join(work, 'roster-host.csv');
    writeFileSync(
      roster,
      `student,master,backup,user,key,vip\nivan,"${hostile('subst', '127.0.0.1')}",127.0.0.1,root,${sshd.clientKey},203.0.113.10\n`,
    );
    const runs = [
      await hagrade(
        ['check', '--master', `root@${hostile('semi', '127.0.0.1')}`, '--backup', 'root@127.0.0.1', '--format', 'json'],
        { HOME: work },
      ),
      await hagrade(['check', '--inventory', inventory, '--format', 'json'], { HOME: work }),
      await hagrade(['batch', roster, '--out', join(work, 'never-host')], { HOME: work }),
    ];
    for (const run of runs) {
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stderr).to.match(/is not a host/);
    }
  });

  it('an inventory, a roster or --vip with a hostile VIP is refused before connecting (exit 2)', async () => {
    const host = { host: '127.0.0.1', port: sshd.port, user: 'root', key: sshd.clientKey };
    const inventory = join(work, 'inventory.yaml');
    writeFileSync(inventory, toYaml({ master: host, backup: host, vip: hostile('subst', '203.0.113.10') }));
    const roster = join(work, 'roster-vip.csv');
    writeFileSync(
      roster,
      `student,master,backup,user,key,vip,port\nivan,127.0.0.1,127.0.0.1,root,${sshd.clientKey},"${hostile('newline', '203.0.113.10')}",${sshd.port}\n`,
    );
    const byInventory = await hagrade(['check', '--inventory', inventory, '--format', 'json'], { HOME: work });
    const byRoster = await hagrade(['batch', roster, '--out', join(work, 'never')], { HOME: work });
    const byOption = await hagrade(
      ['check', '--master', 'root@127.0.0.1', '--backup', 'root@127.0.0.1', '--vip', hostile('subst', '203.0.113.10')],
      { HOME: work },
    );
    for (const run of [byInventory, byRoster, byOption]) {
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(/(is not|must be) an IP address/);
    }
    expect(existsSync(join(work, 'never', 'students'))).to.equal(false);
  });

  it('hagrade batch: hostile student ids and users in the roster, and a hostile lab profile', async () => {
    const profile = join(work, 'profile-batch.yaml');
    writeFileSync(profile, toYaml(hostileProfile()));
    const students = [hostile('semi', '-rf'), hostile('subst', '../../..'), hostile('tick', '.')];
    const field = (v: string | number) => `"${String(v).replace(/"/g, '""')}"`;
    const rows = students.map((student, i) =>
      [
        student,
        '127.0.0.1',
        '127.0.0.1',
        i === 0 ? hostile('semi', 'root') : 'root',
        sshd.clientKey,
        '203.0.113.10',
        sshd.port,
      ]
        .map(field)
        .join(','),
    );
    const roster = join(work, 'roster.csv');
    writeFileSync(roster, `${['student,master,backup,user,key,vip,port', ...rows].join('\n')}\n`);
    const out = join(work, 'grades');
    const before = new Set(readdirSync(work));
    const run = await hagrade(['batch', roster, '--out', out, '--lab', profile, '--concurrency', '3'], { HOME: work });
    expect(run.code, run.stderr).to.be.oneOf([0, 3]);
    // Every student got a directory inside students/, and nothing was written outside --out.
    const dirs = readdirSync(join(out, 'students'));
    expect(dirs).to.have.length(students.length);
    for (const dir of dirs)
      expect(dir)
        .to.match(/^[\p{L}\p{N}._@+-]+$/u)
        .and.not.match(/^\.\.?$/);
    // The students logged in as root were graded through the hostile profile; the hostile user was not let in.
    const reports = dirs.map(
      (d) => JSON.parse(readFileSync(join(out, 'students', d, 'report.json'), 'utf8')) as RunResult,
    );
    const reached = reports.filter((r) => r.results.some((x) => x.status !== 'error'));
    expect(reached).to.have.length(students.length - 1);
    // hagrade's own known_hosts lives under HOME (.config), which is this directory here.
    expect(readdirSync(work).filter((f) => !before.has(f))).to.satisfy((added: string[]) =>
      added.every((f) => f === 'grades' || f === '.config'),
    );
  });

  it('the dead-man switch, armed with a hostile service name, runs only systemctl with it', async () => {
    const host = new SshHost({
      role: 'master',
      spec: { host: '127.0.0.1', port: sshd.port, user: 'root', key: sshd.clientKey },
      knownHostsFile: join(work, 'known_hosts'),
      userKnownHostsFiles: [],
      sshConfigFile: false,
      agentSocket: false,
      strictHostKeys: true,
    });
    await host.connect();
    try {
      const armed = await armDeadman(host, 1, hostile('semi', 'haproxy'));
      expect(armed, armed.detail).to.deep.include({ ok: true });
      // Let it fire: `sleep 1; systemctl start SERVICE` with the value as one argument.
      await new Promise((r) => setTimeout(r, 2500));
      expect(existsSync(DEADMAN_PID_FILE), 'the switch removes its pid file once it fired').to.equal(false);
      expect(await disarmDeadman(host)).to.equal(true);
    } finally {
      await host.close();
    }
  });
});
