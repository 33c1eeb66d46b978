// The real lab behaves as each scenario claims, shown with plain ssh and ip commands.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { LabHostInfo, LabInfo, LabPairInfo } from '../../src/lab/lab.js';
import { LAB_DIR, labDown, labJournal, labReboot, labStatus, labUp } from '../../src/lab/lab.js';
import { BRIDGE } from '../../src/lab/topology.js';
import { holdsFor, ssh, tearDownLab, useLab, waitUntil } from '../support/lab.js';

/** Failover took ~4-5 s each way here (interval 1, fall 2, advert_int 1); leave room for a loaded CI machine. */
const MOVE_DEADLINE_MS = 20_000;
/** Long enough that the correct setup would have moved the VIP (~5 s) with margin. */
const NO_MOVE_WINDOW_MS = 9_000;

function run(file: string, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) =>
    execFile(file, args, { encoding: 'utf8' }, (error, stdout) =>
      resolve({ code: error ? Number(error.code) || -1 : 0, stdout }),
    ),
  );
}

/** The VIP's entry as `ip -o -4 addr` shows it inside the host, from `inet` up to the label; '' when absent. */
async function vipLine(host: LabHostInfo, vip: string): Promise<string> {
  const { stdout } = await run('ip', ['-n', host.ns, '-o', '-4', 'addr', 'show', 'dev', 'eth0']);
  const line = stdout.split('\n').find((l) => l.includes(` inet ${vip}/`));
  return line ? line.slice(line.indexOf('inet ')).split('\\')[0]!.trim() : '';
}

async function vipOnlyOn(pair: LabPairInfo, holder: 'master' | 'backup'): Promise<boolean> {
  const other = holder === 'master' ? 'backup' : 'master';
  return (await vipLine(pair[holder], pair.vip)) !== '' && (await vipLine(pair[other], pair.vip)) === '';
}

/** keepalived's journal since its last start on this host. */
async function keepalivedLog(host: LabHostInfo): Promise<string> {
  const log = await labJournal(host.ns, 'keepalived', 400);
  return log.slice(log.lastIndexOf('Starting Keepalive'));
}

function httpsViaVip(vip: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: vip, port: 443, path: '/', rejectUnauthorized: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function mustSsh(info: LabInfo, host: LabHostInfo, command: string): Promise<string> {
  const result = await ssh(info, host.address, command);
  expect(result.code, `ssh ${host.ns} '${command}': ${result.stderr}`).to.equal(0);
  return result.stdout;
}

/** Stop haproxy on master over ssh, run `body`, and start it again whatever happens. */
async function withHaproxyStopped(info: LabInfo, body: (pair: LabPairInfo) => Promise<unknown>): Promise<void> {
  const pair = info.pairs[0]!;
  await mustSsh(info, pair.master, 'systemctl stop haproxy');
  try {
    await body(pair);
  } finally {
    await ssh(info, pair.master.address, 'systemctl start haproxy');
  }
}

describe('lab: real master/backup machines booted with systemd @lab', function () {
  this.timeout(90_000);

  describe('correct', () => {
    let info: LabInfo;
    before(async () => {
      info = await useLab('correct');
    });

    it('writes the inventory for `hagrade check --inventory`, and known_hosts with both host keys', () => {
      const pair = info.pairs[0]!;
      const inventory = parseYaml(readFileSync(info.inventoryPath, 'utf8'));
      expect(inventory).to.deep.equal({
        master: { host: '198.51.100.11', port: 22, user: 'root', key: `${LAB_DIR}/id_ed25519` },
        backup: { host: '198.51.100.12', port: 22, user: 'root', key: `${LAB_DIR}/id_ed25519` },
        vip: '203.0.113.10',
        knownHosts: `${LAB_DIR}/known_hosts`,
      });
      expect(pair.master.address).to.equal('198.51.100.11');
      const knownHosts = readFileSync(info.knownHostsPath, 'utf8').trim().split('\n');
      // Every key type a Debian install generates, each host its own.
      expect(knownHosts.map((l) => l.split(' ').slice(0, 2).join(' ')).sort()).to.deep.equal(
        ['198.51.100.11', '198.51.100.12'].flatMap((a) =>
          ['ecdsa-sha2-nistp256', 'ssh-ed25519', 'ssh-rsa'].map((t) => `${a} ${t}`),
        ),
      );
      const student = parseYaml(readFileSync(info.studentInventoryPath, 'utf8')) as { master: { user: string } };
      expect(student.master.user).to.equal('student');
    });

    it('gives each host its own hostname, processes and /etc, reachable by ssh as root with the lab key', async () => {
      const pair = info.pairs[0]!;
      const master = await mustSsh(
        info,
        pair.master,
        'hostname; grep -w state /etc/keepalived/keepalived.conf; pgrep -c -x keepalived; ps -o comm= -p 1',
      );
      const backup = await mustSsh(info, pair.backup, 'hostname; grep -w state /etc/keepalived/keepalived.conf');
      expect(
        master
          .split('\n')
          .slice(0, 2)
          .map((l) => l.trim()),
      ).to.deep.equal(['master', 'state MASTER']);
      expect(
        backup
          .split('\n')
          .slice(0, 2)
          .map((l) => l.trim()),
      ).to.deep.equal(['backup', 'state BACKUP']);
      // keepalived's parent and VRRP child of this host only, and systemd as its own PID 1.
      expect(
        master
          .split('\n')
          .slice(2, 4)
          .map((l) => l.trim()),
      ).to.deep.equal(['2', 'systemd']);
    });

    it("is a booted Debian system: the packages' own units, journald, a stock sshd", async () => {
      const pair = info.pairs[0]!;
      const out = await mustSsh(
        info,
        pair.master,
        'systemctl is-system-running; systemctl show -p FragmentPath haproxy keepalived ssh; sshd -T | grep -E "^(maxsessions|usepam) "',
      );
      expect(out.split('\n')[0]).to.be.oneOf(['running', 'degraded']);
      for (const unit of ['haproxy', 'keepalived', 'ssh'])
        expect(out).to.match(new RegExp(`^FragmentPath=(/usr)?/lib/systemd/system/${unit}\\.service$`, 'm'));
      expect(out).to.match(/^maxsessions 10$/m);
      expect(out).to.match(/^usepam yes$/m);
      expect(await labJournal(pair.master.ns, 'keepalived')).to.include('Entering MASTER STATE');
    });

    it('lets student log in with the lab key, with passwordless sudo; root with the key only', async () => {
      const pair = info.pairs[0]!;
      const asStudent = await new Promise<string>((resolve, reject) =>
        execFile(
          'ssh',
          [
            '-i',
            info.keyPath,
            '-o',
            `UserKnownHostsFile=${info.knownHostsPath}`,
            '-o',
            'BatchMode=yes',
            `student@${pair.backup.address}`,
            'id -un; sudo -n id -un',
          ],
          { timeout: 30_000 },
          (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout)),
        ),
      );
      expect(asStudent.split('\n').filter(Boolean)).to.deep.equal(['student', 'root']);
      expect(await mustSsh(info, pair.backup, 'sshd -T | grep -E "^permitrootlogin "')).to.equal(
        'permitrootlogin without-password\n',
      );
    });

    it('runs haproxy and keepalived as services (systemctl exit codes as systemd: 0 active, 3 inactive)', async () => {
      const pair = info.pairs[0]!;
      for (const host of [pair.master, pair.backup]) {
        expect((await ssh(info, host.address, 'systemctl is-active --quiet haproxy')).code).to.equal(0);
        expect((await ssh(info, host.address, 'systemctl is-active keepalived')).stdout.trim()).to.equal('active');
        expect((await ssh(info, host.address, 'systemctl is-enabled keepalived')).code).to.equal(0);
        expect((await ssh(info, host.address, 'systemctl is-active no-such-unit')).code).to.equal(3);
      }
    });

    it('applies /etc/sysctl.conf inside each host', async () => {
      const out = await mustSsh(
        info,
        info.pairs[0]!.backup,
        'sysctl -n net.ipv4.ip_nonlocal_bind net.ipv4.conf.eth0.arp_filter net.ipv6.conf.all.disable_ipv6',
      );
      expect(out.split('\n').filter(Boolean)).to.deep.equal(['1', '1', '1']);
    });

    it('holds the VIP on master exactly in the required form, not on backup', async () => {
      const pair = info.pairs[0]!;
      expect(await vipLine(pair.master, pair.vip)).to.equal(
        'inet 203.0.113.10/24 brd 203.0.113.255 scope global eth0:10',
      );
      expect(await vipLine(pair.backup, pair.vip)).to.equal('');
      const seenBySsh = await mustSsh(info, pair.master, 'ip -o -4 addr show dev eth0');
      expect(seenBySsh).to.include('inet 203.0.113.10/24 brd 203.0.113.255 scope global eth0:10');
    });

    it('serves HTTPS on VIP:443 through haproxy to the web server on 127.0.0.1:81, which sees X-Forwarded-For', async () => {
      const body = await httpsViaVip(info.pairs[0]!.vip);
      expect(body).to.equal('host: master\nx-forwarded-for: 198.51.100.1\n');
    });

    it('moves the VIP to backup when haproxy stops on master, and back when it starts', async () => {
      const pair = info.pairs[0]!;
      await withHaproxyStopped(info, async () => {
        expect((await ssh(info, pair.master.address, 'systemctl is-active haproxy')).code).to.equal(3);
        await waitUntil('VIP on backup only', MOVE_DEADLINE_MS, () => vipOnlyOn(pair, 'backup'));
        expect(await vipLine(pair.backup, pair.vip)).to.equal(
          'inet 203.0.113.10/24 brd 203.0.113.255 scope global eth0:10',
        );
        // Clients follow once this machine's neighbour entry has taken backup's gratuitous ARP.
        await waitUntil('backup answering through the VIP', 5_000, async () =>
          /^host: backup\n/.test(await httpsViaVip(pair.vip).catch(() => '')),
        );
      });
      await waitUntil('VIP back on master only', MOVE_DEADLINE_MS, () => vipOnlyOn(pair, 'master'));
      await waitUntil('master answering through the VIP', 5_000, async () =>
        /^host: master\n/.test(await httpsViaVip(pair.vip).catch(() => '')),
      );
    });
  });

  describe('scenarios where the VIP never moves', () => {
    it('eperm: keepalived_script cannot signal root-owned haproxy, the script fails on both nodes', async () => {
      const info = await useLab('eperm');
      const pair = info.pairs[0]!;
      const asScriptUser = await ssh(info, pair.master.address, 'runuser -u keepalived_script -- killall -0 haproxy');
      expect(asScriptUser.code).to.equal(1);
      expect(asScriptUser.stderr).to.include('Operation not permitted');
      for (const host of [pair.master, pair.backup])
        expect(await keepalivedLog(host)).to.include('VRRP_Script(check_haproxy) failed');
      await withHaproxyStopped(info, () =>
        holdsFor('VIP on master only', NO_MOVE_WINDOW_MS, () => vipOnlyOn(pair, 'master')),
      );
    });

    it('pidof: "/usr/bin/pidof haproxy" fails under keepalived although pidof works in a shell', async () => {
      const info = await useLab('pidof');
      const pair = info.pairs[0]!;
      expect((await ssh(info, pair.master.address, '/usr/bin/pidof haproxy')).code).to.equal(0);
      expect(await keepalivedLog(pair.master)).to.include('VRRP_Script(check_haproxy) failed');
      await withHaproxyStopped(info, () =>
        holdsFor('VIP on master only', NO_MOVE_WINDOW_MS, () => vipOnlyOn(pair, 'master')),
      );
    });

    it('unquoted-script: keepalived runs bare `killall`, which always fails', async () => {
      const info = await useLab('unquoted-script');
      const pair = info.pairs[0]!;
      expect(await mustSsh(info, pair.master, 'grep -w script /etc/keepalived/keepalived.conf')).to.match(
        /^\s*script killall -0 haproxy\s*$/,
      );
      expect(await keepalivedLog(pair.master)).to.include('VRRP_Script(check_haproxy) failed');
      await withHaproxyStopped(info, () =>
        holdsFor('VIP on master only', NO_MOVE_WINDOW_MS, () => vipOnlyOn(pair, 'master')),
      );
    });

    it('weak-weight: master drops only to 105, still above backup', async () => {
      const info = await useLab('weak-weight');
      const pair = info.pairs[0]!;
      await withHaproxyStopped(info, async () => {
        await waitUntil('master to lower its priority', MOVE_DEADLINE_MS, async () =>
          (await keepalivedLog(pair.master)).includes('Changing effective priority from 110 to 105'),
        );
        await holdsFor('VIP on master only', NO_MOVE_WINDOW_MS, () => vipOnlyOn(pair, 'master'));
      });
    });

    it('address-owner: state MASTER without priority makes master 255, which ignores the script weight', async () => {
      const info = await useLab('address-owner');
      const pair = info.pairs[0]!;
      expect(await keepalivedLog(pair.master)).to.include(
        'ignoring tracked script check_haproxy with weights due to address_owner',
      );
      await withHaproxyStopped(info, () =>
        holdsFor('VIP on master only', NO_MOVE_WINDOW_MS, () => vipOnlyOn(pair, 'master')),
      );
    });
  });

  describe('other scenarios', () => {
    it('nopreempt: the VIP moves to backup but does not come back', async () => {
      const info = await useLab('nopreempt');
      const pair = info.pairs[0]!;
      await withHaproxyStopped(info, () =>
        waitUntil('VIP on backup only', MOVE_DEADLINE_MS, () => vipOnlyOn(pair, 'backup')),
      );
      await waitUntil("master's script to succeed again", MOVE_DEADLINE_MS, async () =>
        (await keepalivedLog(pair.master))
          .split('VRRP_Script(check_haproxy) failed')
          .pop()!
          .includes('VRRP_Script(check_haproxy) succeeded'),
      );
      await holdsFor('VIP on backup only', NO_MOVE_WINDOW_MS, () => vipOnlyOn(pair, 'backup'));
    });

    it('no-brd: the VIP shows without brd', async () => {
      const info = await useLab('no-brd');
      const pair = info.pairs[0]!;
      expect(await vipLine(pair.master, pair.vip)).to.equal('inet 203.0.113.10/24 scope global eth0:10');
    });

    it('wrong-label: the VIP shows with label eth0:1', async () => {
      const info = await useLab('wrong-label');
      const pair = info.pairs[0]!;
      expect(await vipLine(pair.master, pair.vip)).to.equal(
        'inet 203.0.113.10/24 brd 203.0.113.255 scope global eth0:1',
      );
    });

    it('haproxy-differ: the two haproxy.cfg differ, both valid', async () => {
      const info = await useLab('haproxy-differ');
      const pair = info.pairs[0]!;
      const [master, backup] = await Promise.all(
        [pair.master, pair.backup].map((h) => mustSsh(info, h, 'cat /etc/haproxy/haproxy.cfg')),
      );
      expect(master).to.not.equal(backup);
      for (const host of [pair.master, pair.backup])
        await mustSsh(info, host, 'haproxy -c -q -f /etc/haproxy/haproxy.cfg');
    });

    it('cert-no-key: haproxy cannot load rebrain.pem and is not running; the VIP stays on master', async () => {
      const info = await useLab('cert-no-key');
      const pair = info.pairs[0]!;
      for (const host of [pair.master, pair.backup]) {
        expect((await ssh(info, host.address, 'systemctl is-active haproxy')).code).to.equal(3);
        expect((await ssh(info, host.address, 'haproxy -c -f /etc/haproxy/haproxy.cfg')).code).to.not.equal(0);
        expect(await mustSsh(info, host, 'grep -c "PRIVATE KEY" /etc/haproxy/rebrain.pem || true')).to.equal('0\n');
      }
      expect(await vipOnlyOn(pair, 'master')).to.equal(true);
    });

    it('keepalived-disabled: keepalived is active but not enabled', async () => {
      const info = await useLab('keepalived-disabled');
      const pair = info.pairs[0]!;
      const enabled = await ssh(info, pair.master.address, 'systemctl is-enabled keepalived');
      expect([enabled.code, enabled.stdout.trim()]).to.deep.equal([1, 'disabled']);
      expect((await ssh(info, pair.master.address, 'systemctl is-active keepalived')).code).to.equal(0);
    });
  });

  describe('reboot', () => {
    it('reboots master for real: same disk and host keys, services enabled come back, the VIP returns to master', async () => {
      const info = await useLab('correct');
      const pair = info.pairs[0]!;
      const before = await mustSsh(
        info,
        pair.master,
        'cat /proc/sys/kernel/random/boot_id /etc/ssh/ssh_host_ed25519_key.pub',
      );
      await labReboot('master');
      const after = await mustSsh(
        info,
        pair.master,
        'cat /proc/sys/kernel/random/boot_id /etc/ssh/ssh_host_ed25519_key.pub',
      );
      expect(after.split('\n')[0], 'a new boot').to.not.equal(before.split('\n')[0]);
      expect(after.split('\n')[1], 'the same host key').to.equal(before.split('\n')[1]);
      // Nobody started them: enabled units, and /etc/sysctl.conf applied at boot by systemd-sysctl.
      expect(
        await mustSsh(info, pair.master, 'systemctl is-active haproxy keepalived; sysctl -n net.ipv4.ip_nonlocal_bind'),
      ).to.equal('active\nactive\n1\n');
      await waitUntil('VIP back on master only', MOVE_DEADLINE_MS, () => vipOnlyOn(pair, 'master'));
      const status = await labStatus();
      expect(status.pairs[0]!.hosts.map((h) => [h.role, h.running, h.services.keepalived])).to.deep.equal([
        ['master', true, 'active'],
        ['backup', true, 'active'],
      ]);
    });
  });

  describe('more pairs, and lab down', () => {
    after(() => labDown()); // this block brings up its own lab, outside useLab's

    it('runs two independent pairs with a roster', async () => {
      await tearDownLab();
      const info = await labUp({ pairs: 2 });
      expect(info.pairs.map((p) => [p.student, p.vip, p.vrid, p.master.address, p.backup.address])).to.deep.equal([
        ['pair-01', '203.0.113.10', 51, '198.51.100.11', '198.51.100.12'],
        ['pair-02', '203.0.113.11', 52, '198.51.100.13', '198.51.100.14'],
      ]);
      const roster = parseYaml(readFileSync(info.rosterPath!, 'utf8')) as {
        students: Array<{ student: string; vip: string }>;
      };
      expect(roster.students.map((s) => [s.student, s.vip])).to.deep.equal([
        ['pair-01', '203.0.113.10'],
        ['pair-02', '203.0.113.11'],
      ]);
      for (const pair of info.pairs) expect(await vipOnlyOn(pair, 'master')).to.equal(true);
      expect(await httpsViaVip('203.0.113.11')).to.equal('host: master\nx-forwarded-for: 198.51.100.1\n');
      // Failing over pair 2 leaves pair 1 alone.
      const second: LabInfo = { ...info, pairs: [info.pairs[1]!] };
      await withHaproxyStopped(second, () =>
        waitUntil('pair 2 VIP on backup', MOVE_DEADLINE_MS, () => vipOnlyOn(info.pairs[1]!, 'backup')),
      );
      expect(await vipOnlyOn(info.pairs[0]!, 'master')).to.equal(true);
    });

    it('leaves no namespace, link, route, mount, process or file behind, even without its state dir, and can run twice', async () => {
      // As after a crash that lost the state: no lab.json, no pid file, no supervisor script.
      for (const file of ['lab.json', 'machine.sh']) rmSync(join(LAB_DIR, file), { force: true });
      for (const host of readdirSync(join(LAB_DIR, 'hosts'))) {
        for (const file of ['leader.pid', 'console.log']) rmSync(join(LAB_DIR, 'hosts', host, file), { force: true });
      }
      await labDown();
      await labDown();
      expect((await run('ip', ['netns', 'list'])).stdout).to.not.include('hagrade-');
      expect((await run('ip', ['link', 'show', BRIDGE])).code).to.not.equal(0);
      expect((await run('ip', ['-o', 'link'])).stdout).to.not.match(/\bhg\d+[mb]\b/);
      expect((await run('ip', ['route'])).stdout).to.not.include(BRIDGE);
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).to.not.match(/hagrade/);
      // No machine, supervisor or nspawn left running (other programs may mention the lab's key path;
      // a killed process may linger a moment as a zombie until its parent reaps it).
      const running = (await run('ps', ['-eo', 'stat=,args='])).stdout
        .split('\n')
        .filter(
          (line) =>
            !line.trim().startsWith('Z') &&
            /systemd-nspawn|machine\.sh|^\S+\s+\/(usr\/)?lib\/systemd\/systemd$/.test(line.trim()),
        );
      expect(running).to.deep.equal([]);
      expect(existsSync('/sys/fs/cgroup/unified/hagrade-lab') || existsSync('/sys/fs/cgroup/hagrade-lab')).to.equal(
        false,
      );
      expect(existsSync(LAB_DIR)).to.equal(false);
      expect(await labStatus()).to.deep.include({ up: false, pairs: [], strayNamespaces: [] });
    });
  });
});
