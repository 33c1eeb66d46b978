import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryError, loadInventory, parseHostSpec, parseInventory } from '../../src/inputs/inventory.js';

/** The InventoryError thrown by fn (fails the test when none is thrown). */
function inventoryError(fn: () => unknown): InventoryError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(InventoryError);
    return e as InventoryError;
  }
  throw new Error('expected an InventoryError');
}

describe('parseHostSpec', () => {
  it('reads host, user@host, host:port and user@host:port', () => {
    expect(parseHostSpec('198.51.100.11')).to.deep.equal({ host: '198.51.100.11' });
    expect(parseHostSpec('student@vm1')).to.deep.equal({ host: 'vm1', user: 'student' });
    expect(parseHostSpec('vm1:2222')).to.deep.equal({ host: 'vm1', port: 2222 });
    expect(parseHostSpec(' root@198.51.100.12:22 ')).to.deep.equal({ host: '198.51.100.12', port: 22, user: 'root' });
  });

  it('reads IPv6 in brackets with a port, and bare IPv6 without one', () => {
    expect(parseHostSpec('[2001:db8::1]:2222')).to.deep.equal({ host: '2001:db8::1', port: 2222 });
    expect(parseHostSpec('root@[2001:db8::1]')).to.deep.equal({ host: '2001:db8::1', user: 'root' });
    expect(parseHostSpec('2001:db8::1')).to.deep.equal({ host: '2001:db8::1' });
  });

  it('refuses bad ports, empty hosts and empty users', () => {
    for (const bad of ['vm1:0', 'vm1:65536', 'vm1:ssh', 'vm1:', '', '@vm1', 'root@', '[2001:db8::1', '[::1]x', 'a b']) {
      expect(() => parseHostSpec(bad), bad).to.throw(InventoryError);
    }
  });
});

describe('loadInventory (YAML)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'hagrade-inv-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the shape the lab writes', () => {
    const file = join(dir, 'lab.yaml');
    writeFileSync(
      file,
      [
        'master: { host: 198.51.100.11, port: 22, user: root, key: /var/lib/hagrade-lab/id_ed25519 }',
        'backup: { host: 198.51.100.12, port: 22, user: root, key: /var/lib/hagrade-lab/id_ed25519 }',
        'vip: 203.0.113.10',
        'knownHosts: /var/lib/hagrade-lab/known_hosts',
      ].join('\n'),
    );
    const inv = loadInventory(file);
    expect(inv.master).to.deep.equal({
      host: '198.51.100.11',
      port: 22,
      user: 'root',
      key: '/var/lib/hagrade-lab/id_ed25519',
    });
    expect(inv.backup.host).to.equal('198.51.100.12');
    expect(inv.target).to.deep.equal({
      master: { address: '198.51.100.11' },
      backup: { address: '198.51.100.12' },
      vip: '203.0.113.10',
    });
    expect(inv.knownHosts).to.equal('/var/lib/hagrade-lab/known_hosts');
  });

  it('applies top-level user/key/port to hosts that do not set them; relative paths follow the file', () => {
    const inv = parseInventory(
      [
        'user: student',
        'key: keys/id_ed25519',
        'port: 2222',
        'master: 198.51.100.11',
        'backup: { host: vm2, user: admin, port: 22 }',
        'knownHosts: ~/kh',
      ].join('\n'),
      '/srv/course/inv.yaml',
    );
    expect(inv.master).to.deep.equal({
      host: '198.51.100.11',
      user: 'student',
      key: '/srv/course/keys/id_ed25519',
      port: 2222,
    });
    expect(inv.backup).to.deep.equal({ host: 'vm2', user: 'admin', key: '/srv/course/keys/id_ed25519', port: 22 });
    expect(inv.knownHosts).to.equal(join(homedir(), 'kh'));
  });

  it('defaults the VIP to master when master is an IP, and to nothing when it is a name', () => {
    expect(parseInventory('master: root@198.51.100.11\nbackup: root@198.51.100.12\n', 'x.yaml').target.vip).to.equal(
      '198.51.100.11',
    );
    expect(parseInventory('master: vm1\nbackup: vm2\n', 'x.yaml').target.vip).to.equal(undefined);
  });

  it('names the file and line of an unknown setting, a missing host and a bad port', () => {
    const unknown = inventoryError(() => parseInventory('master: vm1\nbackup: vm2\nvipp: 203.0.113.10\n', 'inv.yaml'));
    expect([unknown.file, unknown.line]).to.deep.equal(['inv.yaml', 3]);
    expect(unknown.message).to.match(/^inv\.yaml:3: unknown setting 'vipp'/);

    const missing = inventoryError(() => parseInventory('master: vm1\n', 'inv.yaml'));
    expect(missing.message).to.contain("'backup' is missing");

    const port = inventoryError(() => parseInventory('master: vm1\nbackup:\n  host: vm2\n  port: 99999\n', 'inv.yaml'));
    expect(port.line).to.equal(4);

    const hostKey = inventoryError(() => parseInventory('master: vm1\nbackup:\n  hots: vm2\n', 'inv.yaml'));
    expect([hostKey.line, hostKey.message]).to.satisfy(
      ([line, msg]: [number, string]) => line === 3 && msg.includes('backup.hots'),
    );
  });

  it('reports YAML syntax errors with their line', () => {
    const err = inventoryError(() => parseInventory('master: vm1\nbackup: [vm2\n', 'inv.yaml'));
    expect(err.message).to.contain('not valid YAML');
    expect(err.line).to.be.a('number');
  });

  it('refuses a vip that is not an IP address', () => {
    expect(inventoryError(() => parseInventory('master: vm1\nbackup: vm2\nvip: vm1\n', 'inv.yaml')).line).to.equal(3);
  });

  it('reports an unreadable file by name', () => {
    expect(inventoryError(() => loadInventory(join(dir, 'nope.yaml'))).file).to.equal(join(dir, 'nope.yaml'));
  });
});

describe('loadInventory (Ansible INI)', () => {
  it('reads [master] and [backup] groups with ansible_* variables', () => {
    const inv = parseInventory(
      [
        '# course inventory',
        '[master]',
        'vm1 ansible_host=198.51.100.11 ansible_user=student ansible_ssh_private_key_file=~/.ssh/id',
        '',
        '[Backup]',
        "vm2 ansible_host=198.51.100.12 ansible_port=2222 ansible_user=student ansible_ssh_pass='se cret'  # inline comment",
      ].join('\n'),
      '/srv/hosts',
    );
    expect(inv.master).to.deep.equal({
      host: '198.51.100.11',
      user: 'student',
      key: join(homedir(), '.ssh/id'),
      name: 'vm1',
    });
    expect(inv.backup).to.deep.equal({
      host: '198.51.100.12',
      port: 2222,
      user: 'student',
      password: 'se cret',
      name: 'vm2',
    });
    expect(inv.target).to.deep.equal({
      master: { address: '198.51.100.11', name: 'vm1' },
      backup: { address: '198.51.100.12', name: 'vm2' },
      vip: '198.51.100.11',
    });
  });

  it('applies [all:vars] and [group:vars], host variables winning, and follows :children', () => {
    const inv = parseInventory(
      [
        '[all:vars]',
        'ansible_user = admin',
        'vip = 203.0.113.10',
        '[cluster:children]',
        'master',
        'backup',
        '[cluster:vars]',
        'ansible_port=2200',
        '[master]',
        '198.51.100.11',
        '[backup]',
        '198.51.100.12:2022 ansible_user=root',
        '[backup:vars]',
        'ansible_private_key_file=keys/backup',
      ].join('\n'),
      '/srv/course/hosts.ini',
    );
    expect(inv.master).to.deep.equal({ host: '198.51.100.11', port: 2200, user: 'admin', name: '198.51.100.11' });
    // The group's port applies: Ansible's ansible_port beats the port written in the alias.
    expect(inv.backup).to.deep.equal({
      host: '198.51.100.12',
      port: 2200,
      user: 'root',
      key: '/srv/course/keys/backup',
      name: '198.51.100.12:2022',
    });
    expect(inv.target.vip).to.equal('203.0.113.10');
  });

  it('takes the port from the alias when nothing else sets it', () => {
    const inv = parseInventory('[master]\n198.51.100.11:2022\n[backup]\n198.51.100.12\n', 'hosts.ini');
    expect([inv.master.port, inv.backup.port]).to.deep.equal([2022, undefined]);
  });

  it('finds master and backup by host name in a single group', () => {
    const inv = parseInventory(
      '[haproxy]\nlb-backup ansible_host=198.51.100.12\nlb-master ansible_host=198.51.100.11\n',
      'hosts',
    );
    expect([inv.master.name, inv.backup.name]).to.deep.equal(['lb-master', 'lb-backup']);
    expect(inv.master.host).to.equal('198.51.100.11');
  });

  it('says why it cannot tell master from backup', () => {
    const none = inventoryError(() => parseInventory('[web]\nvm1\nvm2\n', 'hosts.ini'));
    expect(none.message).to.contain(
      "cannot tell which host is master: no group [master] and no host whose name contains 'master'",
    );
    const twoMasters = inventoryError(() => parseInventory('[master]\nvm1\nvm3\n[backup]\nvm2\n', 'hosts.ini'));
    expect([twoMasters.message.includes('group [master] has 2 hosts'), twoMasters.line]).to.deep.equal([true, 3]);
  });

  it('names the line of a malformed host variable or header', () => {
    expect(
      inventoryError(() => parseInventory('[master]\nvm1 ansible_host\n[backup]\nvm2\n', 'hosts.ini')).line,
    ).to.equal(2);
    expect(inventoryError(() => parseInventory('[master\nvm1\n', 'hosts.ini')).line).to.equal(1);
  });
});
