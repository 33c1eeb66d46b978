// The pure judgements of src/facts/ that KAD005-KAD008 share: include globbing on a host,
// effective priorities (weights, reverse, FAULT, owner), the failover prediction, the script user.
import { expect } from 'chai';
import { effectivePriority, predictFailover, type NodeView } from '../../src/facts/failover-prediction.js';
import { haproxyTrackers } from '../../src/facts/haproxy-trackers.js';
import { expandBraces, globOnHost, parseWithIncludes } from '../../src/facts/keepalived-includes.js';
import { judgeArgv } from '../../src/facts/script-exec.js';
import { scriptRunUser } from '../../src/facts/track-scripts.js';
import { MemoryHost } from '../../src/hosts/memory.js';
import { parseKeepalived } from '../../src/parsers/keepalived.js';

const node = (
  body: string,
  scripts = 'vrrp_script chk {\n    script "/usr/bin/killall -0 haproxy"\n    weight -20\n}\n',
): NodeView => {
  const config = parseKeepalived(`${scripts}vrrp_instance VI_1 {\n    virtual_router_id 51\n${body}\n}\n`, '/k.conf');
  const instance = config.instances[0];
  return { instance, haproxyTrackers: haproxyTrackers(instance) };
};
const TRACK = '    track_script {\n        chk\n    }';

describe('keepalived facts', () => {
  describe('include globbing on a host', () => {
    const host = new MemoryHost('master', {
      '/etc/keepalived/conf.d/b.conf': 'vrrp_instance B {\n    virtual_router_id 2\n}\n',
      '/etc/keepalived/conf.d/a.conf': 'include ../more/*.conf\n',
      '/etc/keepalived/conf.d/.hidden.conf': 'bogus\n',
      '/etc/keepalived/more/c.conf': 'vrrp_instance C {\n    virtual_router_id 3\n}\n',
    });
    it('expands csh braces in order', () => {
      expect(expandBraces('/x/{a,b{1,2}}.conf')).to.deep.equal(['/x/a.conf', '/x/b1.conf', '/x/b2.conf']);
    });
    it('matches * per directory, sorted, without dotfiles', async () => {
      const files = await globOnHost(host, '/etc/keepalived/conf.d/*.conf');
      expect(files.map((f) => f.file)).to.deep.equal([
        '/etc/keepalived/conf.d/a.conf',
        '/etc/keepalived/conf.d/b.conf',
      ]);
    });
    it('follows includes of included files, relative to each file', async () => {
      const config = await parseWithIncludes(
        'include conf.d/*.conf\n',
        '/etc/keepalived/keepalived.conf',
        undefined,
        (p) => globOnHost(host, p),
      );
      expect(config.instances.map((i) => i.name)).to.deep.equal(['C', 'B']);
      expect(config.diagnostics).to.deep.equal([]);
    });
  });

  describe('effective priority', () => {
    it('a negative weight counts while the check fails, a positive one while it succeeds', () => {
      const negative = node(`    priority 110\n${TRACK}`);
      expect([effectivePriority(negative, true), effectivePriority(negative, false)]).to.deep.equal([110, 90]);
      const positive = node(
        `    priority 100\n${TRACK}`,
        'vrrp_script chk {\n    script "/usr/bin/pgrep haproxy"\n    weight 30\n}\n',
      );
      expect([effectivePriority(positive, true), effectivePriority(positive, false)]).to.deep.equal([130, 100]);
    });
    it('reverse turns the weight around', () => {
      const reversed = node(
        `    priority 100\n${TRACK}`,
        'vrrp_script chk {\n    script "/usr/bin/pgrep haproxy"\n    weight 30 reverse\n}\n',
      );
      expect([effectivePriority(reversed, true), effectivePriority(reversed, false)]).to.deep.equal([70, 100]);
    });
    it('weight 0 is FAULT when the check fails; 255 never moves; clamped to 1..254', () => {
      expect(
        effectivePriority(
          node(`    priority 110\n${TRACK}`, 'vrrp_script chk {\n    script "/usr/bin/pgrep haproxy"\n}\n'),
          false,
        ),
      ).to.equal('FAULT');
      expect(effectivePriority(node(`    state MASTER\n${TRACK}`), false)).to.equal(255);
      expect(effectivePriority(node(`    priority 10\n${TRACK}`), false)).to.equal(1);
      expect(
        effectivePriority(
          node(
            `    priority 250\n${TRACK}`,
            'vrrp_script chk {\n    script "/usr/bin/pgrep haproxy"\n    weight 30\n}\n',
          ),
          true,
        ),
      ).to.equal(254);
    });
  });

  describe('failover prediction', () => {
    it('the lecture shape with MASTER 110 / BACKUP 100 and weight -20 fails over and back', () => {
      const p = predictFailover(
        node(`    state MASTER\n    priority 110\n${TRACK}`),
        node(`    state BACKUP\n    priority 100\n${TRACK}`),
      );
      expect([p.start, p.afterStop, p.afterStart, p.reason]).to.deep.equal(['master', 'backup', 'master', 'ok']);
      expect([p.masterUp, p.masterDown, p.backup]).to.deep.equal([110, 90, 100]);
    });
    it('nopreempt on backup stops a weight-based failover, not a FAULT one', () => {
      const backup = node(`    state BACKUP\n    priority 100\n    nopreempt\n${TRACK}`);
      expect(predictFailover(node(`    state MASTER\n    priority 110\n${TRACK}`), backup).reason).to.equal(
        'backupNopreempt',
      );
      const unweighted = 'vrrp_script chk {\n    script "/usr/bin/pgrep haproxy"\n}\n';
      expect(
        predictFailover(node(`    state MASTER\n    priority 110\n${TRACK}`, unweighted), backup).afterStop,
      ).to.equal('backup');
    });
  });

  describe('who runs the track script, and what it can see', () => {
    const script = (text: string) => parseKeepalived(text, '/k.conf');
    it('user, then script_user, then keepalived_script if it exists, then root; removed under script security', () => {
      const c = script(
        'global_defs {\n    script_user ka\n}\nvrrp_script a {\n    script "true"\n    user u1\n}\nvrrp_script b {\n    script "true"\n}\n',
      );
      expect(scriptRunUser(c.scripts[0], c.globalDefs, () => true)).to.deep.equal({ user: 'u1', source: 'user' });
      expect(scriptRunUser(c.scripts[1], c.globalDefs, () => true)).to.deep.equal({
        user: 'ka',
        source: 'script_user',
      });
      const bare = script('vrrp_script b {\n    script "true"\n}\n');
      expect(scriptRunUser(bare.scripts[0], bare.globalDefs, (n) => n === 'keepalived_script').user).to.equal(
        'keepalived_script',
      );
      expect(scriptRunUser(bare.scripts[0], bare.globalDefs, () => false)).to.deep.equal({
        user: 'root',
        source: 'root',
      });
      const secure = script('global_defs {\n    enable_script_security\n}\nvrrp_script b {\n    script "true"\n}\n');
      expect(scriptRunUser(secure.scripts[0], secure.globalDefs, () => false).user).to.equal(undefined);
    });
    it('signal 0 needs permission, /proc readers do not, direct pidof is killall5', () => {
      const s = (cmd: string, user: string) =>
        judgeArgv(script(`vrrp_script a {\n    script ${cmd}\n}\n`).scripts[0].argv, {
          user,
          service: 'haproxy',
          keepalivedVersion: '2.2.7',
        }).why;
      expect(s('"/usr/bin/killall -0 haproxy"', 'keepalived_script')).to.equal('eperm');
      expect(s('"/usr/bin/killall -0 haproxy"', 'root')).to.equal('checksHaproxy');
      expect(s('"pkill -0 haproxy"', 'nobody')).to.equal('eperm');
      expect(s('"pgrep -x haproxy"', 'nobody')).to.equal('checksHaproxy');
      expect(s('"/bin/pidof haproxy"', 'root')).to.equal('pidofSymlink');
      expect(s(`"/bin/sh -c 'pidof haproxy'"`, 'nobody')).to.equal('checksHaproxy');
    });
  });
});
