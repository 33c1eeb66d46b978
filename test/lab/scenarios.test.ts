// The lab's scenarios and numbering, without root: what each scenario writes, and that pairs never collide.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { archiveUri } from '../../src/lab/image.js';
import { SUPERVISOR_SCRIPT } from '../../src/lab/machine.js';
import {
  CERT_PEM,
  HAPROXY_CFG,
  KEEPALIVED_CONF,
  SCENARIOS,
  SCENARIO_FILES,
  SYSCTL_CONF,
  findScenario,
} from '../../src/lab/scenarios.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { MAX_PAIRS, VETH_NAME, planLab, planPair } from '../../src/lab/topology.js';
import type { Role } from '../../src/model/basics.js';
import { readFixtureFile } from '../support/fixtures.js';

const pair1 = planPair(1);

function keepalived(scenario: string, role: Role, pair = pair1): string {
  return findScenario(scenario)!.setup(pair)[role].files[KEEPALIVED_CONF]!;
}

describe('lab scenarios', () => {
  it('correct on pair 1 is exactly fixtures/correct', () => {
    const setup = findScenario('correct')!.setup(pair1);
    for (const role of ['master', 'backup'] as const) {
      for (const path of SCENARIO_FILES) {
        expect(setup[role].files[path], `${role}:${path}`).to.equal(readFixtureFile('correct', `${role}/${path}`));
      }
      expect(setup[role]).to.include({ keepalivedScriptUser: false, keepalivedEnabled: true, haproxyRuns: true });
    }
  });

  it("correct on pair 7 uses that pair's VRID and VIP", () => {
    const conf = keepalived('correct', 'backup', planPair(7));
    expect(conf).to.include('virtual_router_id 57\n');
    expect(conf).to.include('203.0.113.16/24 brd 203.0.113.255 dev eth0 label eth0:10\n');
  });

  it('every broken scenario differs from correct and names the checks it must fail', () => {
    const correct = JSON.stringify(findScenario('correct')!.setup(pair1));
    const names = SCENARIOS.map((s) => s.name);
    expect(new Set(names).size).to.equal(names.length);
    expect(names.length).to.be.at.least(9);
    for (const scenario of SCENARIOS.filter((s) => s.name !== 'correct')) {
      expect(JSON.stringify(scenario.setup(pair1)), scenario.name).to.not.equal(correct);
      // A scenario about logins (sudo) changes nothing graded as root: it fails checks only as that user.
      if (!scenario.setup(pair1).master.studentSudoNeedsPassword)
        expect(scenario.expectFail, scenario.name).to.not.be.empty;
      for (const id of scenario.expectFail) expect(id).to.match(/^(CRT|HAP|KAD|SYS|LIV|FOV)\d{3}$/);
      // Only the reboot probe's checks need --reboot; they never fail without it.
      for (const id of scenario.expectFailWithReboot ?? []) expect(id, scenario.name).to.match(/^RBT\d{3}$/);
      expect(scenario.description.en, scenario.name).to.not.equal('');
      expect(scenario.description.ru, scenario.name).to.match(/[а-я]/);
    }
  });

  it('writes the mistakes as students write them', () => {
    expect(keepalived('eperm', 'master')).to.not.include('script_user');
    expect(findScenario('eperm')!.setup(pair1).backup.keepalivedScriptUser).to.equal(true);
    expect(keepalived('pidof', 'backup')).to.include('script "/usr/bin/pidof haproxy"\n');
    expect(keepalived('unquoted-script', 'master')).to.include('    script killall -0 haproxy\n');
    expect(keepalived('weak-weight', 'master')).to.include('weight -5\n');
    expect(keepalived('address-owner', 'master')).to.include('state MASTER\n').and.not.include('priority');
    expect(keepalived('address-owner', 'backup')).to.include('priority 100\n');
    expect(keepalived('nopreempt', 'master')).to.include('state BACKUP\n').and.include('nopreempt\n');
    expect(keepalived('nopreempt', 'backup')).to.not.include('nopreempt');
    expect(keepalived('no-brd', 'master')).to.include('203.0.113.10/24 dev eth0 label eth0:10\n');
    expect(keepalived('wrong-label', 'backup')).to.include('label eth0:1\n');
    const differ = findScenario('haproxy-differ')!.setup(pair1);
    expect(differ.master.files[HAPROXY_CFG]).to.not.equal(differ.backup.files[HAPROXY_CFG]);
    const noKey = findScenario('cert-no-key')!.setup(pair1).master;
    expect(noKey.files[CERT_PEM]).to.include('END CERTIFICATE').and.not.include('PRIVATE KEY');
    expect(noKey.haproxyRuns).to.equal(false);
    expect(findScenario('keepalived-disabled')!.setup(pair1).master.keepalivedEnabled).to.equal(false);
    // Applied by hand only: the file has none of the task's settings, `sysctl -w` sets each of them.
    const notPersisted = findScenario('sysctl-not-persisted')!.setup(pair1).master;
    expect(notPersisted.files[SYSCTL_CONF]).to.not.match(/^\s*net\./m);
    expect(Object.keys(notPersisted.sysctlWritten).sort()).to.deep.equal(Object.keys(DEFAULT_PROFILE.sysctl).sort());
  });
});

describe('lab numbering', () => {
  it('pair 1 is the documented pair', () => {
    expect([pair1.master.address, pair1.backup.address, pair1.vip, pair1.vrid, pair1.master.ns]).to.deep.equal([
      '198.51.100.11',
      '198.51.100.12',
      '203.0.113.10',
      51,
      'hagrade-p01-master',
    ]);
  });

  it('gives every host of the largest lab distinct, valid names and addresses', () => {
    const pairs = planLab(MAX_PAIRS);
    const hosts = pairs.flatMap((p) => [p.master, p.backup]);
    const octet = (address: string) => Number(address.split('.')[3]);
    for (const values of [
      hosts.map((h) => h.address),
      hosts.map((h) => h.ns),
      hosts.map((h) => h.veth),
      pairs.map((p) => p.vip),
      pairs.map((p) => String(p.vrid)),
    ]) {
      expect(new Set(values).size).to.equal(values.length);
    }
    for (const host of hosts) {
      expect(host.address).to.match(/^198\.51\.100\.\d+$/);
      expect(octet(host.address)).to.be.within(2, 254);
      expect(host.veth.length).to.be.at.most(15); // IFNAMSIZ - 1
      expect(host.veth).to.match(VETH_NAME); // how `lab down` finds it
    }
    for (const pair of pairs) {
      expect(pair.vip).to.match(/^203\.0\.113\.\d+$/);
      expect(octet(pair.vip)).to.be.within(1, 254);
      expect(pair.vrid).to.be.within(1, 255);
    }
  });

  it("never gives a pair the VIP 203.0.113.80 (this workplace's package mirror), even with MAX_PAIRS pairs", () => {
    const vips = planLab(MAX_PAIRS).map((p) => p.vip);
    expect(vips).to.not.include('203.0.113.80');
    expect(new Set(vips).size).to.equal(MAX_PAIRS);
    expect([planPair(70).vip, planPair(71).vip]).to.deep.equal(['203.0.113.79', '203.0.113.81']);
  });

  it('refuses pair counts outside 1..MAX_PAIRS', () => {
    expect(() => planLab(0)).to.throw(/--pairs/);
    expect(() => planLab(MAX_PAIRS + 1)).to.throw(/--pairs/);
    expect(() => planPair(1.5)).to.throw(/pair number/);
  });
});

describe('lab machines', () => {
  it('the machine supervisor is valid bash', () => {
    execFileSync('bash', ['-n'], { input: SUPERVISOR_SCRIPT });
  });

  it("builds images from the archive this machine's apt uses, never from the security archive", () => {
    const deb822 =
      'Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n\nTypes: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n';
    expect(archiveUri(deb822)).to.equal('http://mirror.example/debian');
    expect(
      archiveUri(
        '# deb http://old.example/debian bookworm main\ndeb [arch=amd64] http://one.example/debian/ bookworm main\n',
      ),
    ).to.equal('http://one.example/debian/');
    expect(archiveUri('deb http://security.example/debian-security bookworm-security main\n')).to.equal(undefined);
    expect(archiveUri('Types: deb\nURIs: http://off.example/debian\nSuites: bookworm\nEnabled: no\n')).to.equal(
      undefined,
    );
  });
});
