import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { matchHostPatterns, parseSshConfig, resolveSshConfig } from '../../src/hosts/ssh-config.js';

describe('ssh config', () => {
  describe('matchHostPatterns', () => {
    it('matches * and ? case-insensitively', () => {
      expect(matchHostPatterns('vm1.lab.example', ['*.lab.example'])).to.equal(true);
      expect(matchHostPatterns('VM1', ['vm?'])).to.equal(true);
      expect(matchHostPatterns('vm10', ['vm?'])).to.equal(false);
      expect(matchHostPatterns('vm1', ['other', 'vm*'])).to.equal(true);
      expect(matchHostPatterns('a.b', ['a?b'])).to.equal(true);
      expect(matchHostPatterns('axb', ['a.b'])).to.equal(false); // a dot is literal
    });

    it('lets a matching negation win over any positive pattern', () => {
      expect(matchHostPatterns('bastion', ['*', '!bastion'])).to.equal(false);
      expect(matchHostPatterns('vm1', ['*', '!bastion'])).to.equal(true);
      expect(matchHostPatterns('vm1', ['!bastion'])).to.equal(false); // a negation alone matches nothing
    });
  });

  describe('parseSshConfig', () => {
    it('reads Keyword value, Keyword=value, quotes and trailing comments, with lines', () => {
      const { entries, notes } = parseSshConfig(
        [
          '# comment',
          'Host vm1 "vm 2"',
          '  HostName=198.51.100.11',
          '  IdentityFile "~/keys/my key" # mine',
          '\tPort = 2222',
          '  ??? bad',
        ].join('\n'),
        'cfg',
      );
      expect(entries.map((e) => [e.keyword, e.args, e.line])).to.deep.equal([
        ['host', ['vm1', 'vm 2'], 2],
        ['hostname', ['198.51.100.11'], 3],
        ['identityfile', ['~/keys/my key'], 4],
        ['port', ['2222'], 5],
      ]);
      expect(notes).to.deep.equal(["cfg:6: cannot read '??? bad'"]);
    });
  });

  describe('resolveSshConfig', () => {
    let home: string;
    const write = (rel: string, text: string): string => {
      const path = join(home, rel);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, text);
      return path;
    };
    beforeEach(() => (home = mkdtempSync(join(tmpdir(), 'hagrade-sshcfg-'))));
    afterEach(() => rmSync(home, { recursive: true, force: true }));

    it('takes the first value of each keyword, accumulates IdentityFile and expands tokens', () => {
      write(
        '.ssh/config',
        [
          'Host master',
          '  HostName 198.51.100.11',
          '  User student',
          '  IdentityFile ~/.ssh/%h-%r-%p',
          'Host m*',
          '  User ignored-second-value',
          '  Port 2222',
          '  IdentityFile %d/keys/%n_%u_%l_%%',
          'Host *',
          '  Port 22',
        ].join('\n'),
      );
      const cfg = resolveSshConfig('master', { home, localUser: 'me' });
      expect(cfg.hostName).to.equal('198.51.100.11');
      expect(cfg.user).to.equal('student');
      expect(cfg.port).to.equal(2222);
      expect(cfg.identityFiles).to.deep.equal([
        `${home}/.ssh/198.51.100.11-student-2222`,
        `${home}/keys/master_me_${hostname()}_%`,
      ]);
      expect(cfg.proxyJump).to.deep.equal([]);
    });

    it('lets explicit user and port win, and uses defaults without a config file', () => {
      write('.ssh/config', 'Host vm1\n  User student\n  Port 2222\n');
      expect(resolveSshConfig('vm1', { home, user: 'root', port: 22 })).to.include({
        user: 'root',
        port: 22,
        hostName: 'vm1',
      });
      rmSync(join(home, '.ssh/config'));
      expect(resolveSshConfig('vm1', { home, localUser: 'me' })).to.deep.include({
        user: 'me',
        port: 22,
        hostName: 'vm1',
        identityFiles: [],
      });
    });

    it('expands %h in HostName and honours negated patterns', () => {
      write('.ssh/config', 'Host * !bastion\n  HostName %h.lab.example\nHost bastion\n  HostName 192.0.2.1\n');
      expect(resolveSshConfig('vm1', { home }).hostName).to.equal('vm1.lab.example');
      expect(resolveSshConfig('bastion', { home }).hostName).to.equal('192.0.2.1');
    });

    it('skips Match blocks with a note and resumes at the next Host', () => {
      write('.ssh/config', 'Match user root\n  User from-match\nHost vm1\n  User student\n');
      const cfg = resolveSshConfig('vm1', { home, localUser: 'me' });
      expect(cfg.user).to.equal('student');
      expect(cfg.notes).to.deep.equal([`${home}/.ssh/config:1: 'Match' blocks are not supported; skipped`]);
    });

    it("reads Include (relative to ~/.ssh, globs), each file starting active, and restores the includer's state after", () => {
      write('.ssh/conf.d/10-lab.conf', 'Host vm1\n  HostName 198.51.100.11\nHost nomatch\n  Port 1\n');
      write('.ssh/conf.d/20-users.conf', 'User from-include\n');
      write('.ssh/conf.d/.hidden.conf', 'User hidden\n');
      write('.ssh/only-other.conf', 'Host *\n  Port 2200\n');
      write(
        '.ssh/config',
        [
          'Host vm1',
          '  Include conf.d/*.conf',
          '  Port 2201',
          'Host other',
          '  Include only-other.conf',
          'Host *',
          '  Port 2202',
        ].join('\n'),
      );
      const cfg = resolveSshConfig('vm1', { home });
      expect(cfg.hostName).to.equal('198.51.100.11');
      // 20-users.conf starts active although 10-lab.conf ended inside `Host nomatch`.
      expect(cfg.user).to.equal('from-include');
      // Back in `Host vm1` after the Include, so Port 2201 applies; the `Host *` inside only-other.conf
      // cannot match because it was included from a block that does not match.
      expect(cfg.port).to.equal(2201);
      const other = resolveSshConfig('other', { home });
      expect(other.port).to.equal(2200);
    });

    it('splits ProxyJump chains and treats "none" as no jump', () => {
      write('.ssh/config', 'Host vm*\n  ProxyJump jump@192.0.2.1:2222,ssh://bastion2\nHost direct\n  ProxyJump none\n');
      expect(resolveSshConfig('vm1', { home }).proxyJump).to.deep.equal(['jump@192.0.2.1:2222', 'ssh://bastion2']);
      expect(resolveSshConfig('direct', { home }).proxyJump).to.deep.equal([]);
    });

    it('notes ProxyCommand, which it does not run', () => {
      write('.ssh/config', 'Host vm1\n  ProxyCommand nc %h %p\n');
      expect(resolveSshConfig('vm1', { home }).notes[0]).to.contain('ProxyCommand');
    });
  });
});
