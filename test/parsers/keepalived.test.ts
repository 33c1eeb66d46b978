// keepalived.conf parser: one group per grammar fact of GRAMMAR.md §B. Expected diagnostics were
// checked against `keepalived -t -f FILE` 2.2.7 on this machine where the fact is about messages.
import { expect } from 'chai';
import fc from 'fast-check';
import {
  formatDiagnostic,
  parseKeepalived,
  type IncludedFile,
  type KeepalivedConfig,
} from '../../src/parsers/keepalived.js';

const FILE = '/etc/keepalived/keepalived.conf';
const parse = (text: string | Buffer, opts: Parameters<typeof parseKeepalived>[2] = {}) =>
  parseKeepalived(text, FILE, opts);
/** `(Line N) message` of every diagnostic, as keepalived -t prints them. */
const said = (c: KeepalivedConfig) => c.diagnostics.map((d) => formatDiagnostic(d, FILE));
const codes = (c: KeepalivedConfig) => c.diagnostics.map((d) => d.code);
const instance = (text: string) => `vrrp_instance VI_1 {\n    virtual_router_id 51\n${text}\n}\n`;
const only = (c: KeepalivedConfig) => {
  expect(c.instances).to.have.length(1);
  return c.instances[0];
};

describe('keepalived parser', () => {
  describe('comments: ! and # anywhere outside double quotes', () => {
    it('cuts a password at ! and records what was written', () => {
      const auth = only(
        parse(instance('    authentication {\n        auth_type PASS\n        auth_pass Test123!\n    }')),
      ).authentication;
      expect(auth?.pass).to.equal('Test123');
      expect(auth?.cutFrom).to.equal('Test123!');
    });
    it('keeps ! and # inside double quotes, and after a backslash', () => {
      expect(
        only(parse(instance('    authentication {\n        auth_pass "a!b#c"\n    }'))).authentication?.pass,
      ).to.equal('a!b#c');
      const escaped = only(parse(instance('    authentication {\n        auth_pass a\\!b\n    }'))).authentication;
      expect(escaped?.pass).to.equal('a!b');
      expect(escaped?.cutFrom).to.equal(undefined);
    });
    it('a comment that eats a required argument is fatal, like keepalived', () => {
      const c = parse(instance('    authentication {\n        auth_pass #secret\n    }'));
      expect(c.fatal?.code).to.equal('missingParameter');
      expect(c.fatal?.line).to.equal(4);
      expect(formatDiagnostic(c.fatal!, FILE)).to.equal(
        '(Line 4) *** Configuration line starting `auth_pass` is missing a parameter after keyword `auth_pass` at word position 2',
      );
    });
    it('single quotes do not protect from comments', () => {
      expect(parse("global_defs {\n    router_id 'a#b'\n}\n").globalDefs.routerId).to.equal("'a");
    });
  });

  describe('words: only double quotes group at keyword level', () => {
    it('splits single-quoted text into words and drops double quotes', () => {
      const c = parse('global_defs {\n    router_id \'my router\'\n    smtp_helo_name "my host"\n}\n');
      const args = c.statements[0].children!.map((s) => s.args);
      expect(args).to.deep.equal([["'my", "router'"], ['my host']]);
    });
    it('an unmatched double quote is reported, not fatal', () => {
      const c = parse('global_defs {\n    router_id "abc\n}\n');
      expect(codes(c)).to.include('unmatchedQuote');
      expect(c.fatal).to.equal(undefined);
    });
  });

  describe('script keywords re-read the raw line with both quote styles', () => {
    const script = (line: string) => parse(`vrrp_script chk {\n    ${line}\n}\n`).scripts[0];
    it('double or single quotes make the command several words', () => {
      expect(script('script "/usr/bin/killall -0 haproxy"').argv).to.deep.equal(['/usr/bin/killall', '-0', 'haproxy']);
      expect(script("script 'killall -0 haproxy'").argv).to.deep.equal(['killall', '-0', 'haproxy']);
    });
    it('without quotes only the first word runs', () => {
      const s = script('script killall -0 haproxy');
      expect(s.argv).to.deep.equal(['killall']);
      expect(s.ignoredWords).to.deep.equal(['-0', 'haproxy']);
    });
    it('nested quotes survive for sh -c', () => {
      expect(script(`script "/bin/sh -c 'pidof haproxy'"`).argv).to.deep.equal(['/bin/sh', '-c', 'pidof haproxy']);
    });
    it('a vrrp_script without a script line is removed', () => {
      const c = parse('vrrp_script chk {\n    interval 2\n}\n');
      expect(c.scripts).to.deep.equal([]);
      expect(said(c)).to.deep.equal(['(Line 1) No script set for vrrp_script chk - removing']);
    });
  });

  describe('braces', () => {
    it('on the next line, several on one line, and `} }`', () => {
      const text =
        'vrrp_instance VI_1\n{\n    virtual_router_id 51\n    virtual_ipaddress { 203.0.113.10/24 dev eth0\n        203.0.113.11/24 }\n    authentication {\n        auth_type PASS\n        auth_pass abc } }\nvrrp_script chk\n{\n    script "true"\n}\n';
      const c = parse(text);
      expect(c.diagnostics).to.deep.equal([]);
      const vrrp = only(c);
      expect(vrrp.vips.map((v) => [v.address, v.at.line])).to.deep.equal([
        ['203.0.113.10', 4],
        ['203.0.113.11', 5],
      ]);
      expect(vrrp.authentication?.pass).to.equal('abc');
      expect(c.scripts.map((s) => s.name)).to.deep.equal(['chk']);
    });
    it('reports a stray } and unclosed blocks', () => {
      expect(said(parse('global_defs {\n}\n}\n'))).to.deep.equal([
        "(Line 3) Extra '}' found",
        "(Line 3) Unknown keyword '}'",
      ]);
      // keepalived prints this one without a line; we point at the last line read.
      expect(said(parse('global_defs {\n    router_id x\n'))).to.deep.equal([
        "(Line 2) There are 1 missing '}'s or extra '{'s",
      ]);
    });
    it('a block keyword without { is reported', () => {
      expect(codes(parse('global_defs\n    router_id x\n'))).to.include('missingOpen');
    });
  });

  describe('unknown keywords, as keepalived -t prints them', () => {
    it('reports the keyword and its line', () => {
      expect(said(parse('global_defs {\n    user root\n    router_id x\n}\n'))).to.deep.equal([
        "(Line 2) Unknown keyword 'user'",
      ]);
    });
    it('keywords are case-sensitive', () => {
      expect(said(parse('Global_defs {\n}\n'))).to.deep.equal([
        "(Line 1) Unknown keyword 'Global_defs'",
        "(Line 1) Unexpected '{' - ignoring",
        "(Line 2) Unknown keyword '}'",
      ]);
    });
    it("an unknown keyword with { makes the next } close the outer block (keepalived -t 2.2.7's exact output)", () => {
      const text =
        'vrrp_instance VI_1 {\n    virtual_router_id 51\n    foo {\n      bar\n    }\n    advert_int 1\n    virtual_ipaddress {\n        10.0.0.1\n    }\n}\n';
      expect(said(parse(text))).to.deep.equal([
        "(Line 3) Unknown keyword 'foo'",
        "(Line 3) Unexpected '{' - ignoring",
        "(Line 4) Unknown keyword 'bar'",
        "(Line 6) Unknown keyword 'advert_int'",
        "(Line 7) Unknown keyword 'virtual_ipaddress'",
        "(Line 7) Unexpected '{' - ignoring",
        "(Line 8) Unknown keyword '10.0.0.1'",
        "(Line 9) Unknown keyword '}'",
        "(Line 10) Unknown keyword '}'",
      ]);
    });
    it('knows keywords of every block: LVS checkers, sync groups, track_process', () => {
      const text = [
        'vrrp_track_process haproxy {\n    process haproxy\n    quorum 1\n    delay 2\n}',
        'vrrp_sync_group G {\n    group {\n        VI_1\n    }\n    notify_master "/bin/true"\n}',
        'virtual_server 10.0.0.1 80 {\n    lb_algo rr\n    lb_kind DR\n    real_server 10.0.0.2 80 {\n        weight 1\n        HTTP_GET {\n            url {\n                path /\n                status_code 200\n            }\n            connect_timeout 3\n        }\n    }\n}',
      ].join('\n');
      expect(said(parse(text))).to.deep.equal([]);
    });
    it('a vrrp_instance without a name is skipped with its block', () => {
      const c = parse('vrrp_instance {\n    bogus 1\n}\nglobal_defs {\n    router_id x\n}\n');
      expect(said(c)).to.deep.equal(['(Line 1) vrrp_instance must have a name']);
      expect(c.instances).to.deep.equal([]);
      expect(c.globalDefs.routerId).to.equal('x');
    });
  });

  describe('lines keepalived ignores', () => {
    it('ignores a line of 1023 bytes or more, keeps 1022', () => {
      const long = (n: number) => `global_defs {\n    router_id ${'x'.repeat(n - 14)}\n}\n`;
      expect(parse(long(1022)).globalDefs.routerId).to.have.length(1022 - 14);
      const c = parse(long(1023));
      expect(c.globalDefs.routerId).to.equal(undefined);
      expect(said(c)).to.deep.equal(['(Line 2) line too long - ignoring']);
    });
    it('ignores a line holding a NUL byte', () => {
      const c = parse(Buffer.from('global_defs {\n    router_id a\0b\n}\n'));
      expect(c.globalDefs.routerId).to.equal(undefined);
      expect(codes(c)).to.deep.equal(['embeddedNul']);
    });
    it('reads CRLF files', () => {
      const c = parse('global_defs {\r\n    router_id lb1\r\n}\r\n');
      expect(c.globalDefs.routerId).to.equal('lb1');
      expect(c.diagnostics).to.deep.equal([]);
    });
    it('keeps invalid UTF-8 as replacement characters without failing', () => {
      const c = parse(
        Buffer.concat([Buffer.from('global_defs {\n    router_id a'), Buffer.from([0xff, 0xfe]), Buffer.from('\n}\n')]),
      );
      expect(c.globalDefs.routerId).to.equal('a\ufffd\ufffd');
    });
  });

  describe('include', () => {
    const files: Record<string, string> = {
      '/etc/keepalived/conf.d/a.conf': 'vrrp_instance A {\n    virtual_router_id 1\n    inc_unknown\n}\n',
      '/etc/keepalived/conf.d/b.conf': 'vrrp_instance B {\n    virtual_router_id 2\n}\n',
    };
    const readInclude = (pattern: string): IncludedFile[] => {
      const re = new RegExp(`^${pattern.replace(/[.+^$()|]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
      return Object.keys(files)
        .filter((f) => re.test(f))
        .sort()
        .map((file) => ({ file, text: files[file] }));
    };
    it('resolves a relative glob against the including file, in order, and reports lines in the included file', () => {
      const c = parse('include conf.d/*.conf\nvrrp_instance C {\n    virtual_router_id 3\n}\n', { readInclude });
      expect(c.includeRequests).to.deep.equal(['/etc/keepalived/conf.d/*.conf']);
      expect(c.files).to.deep.equal([FILE, '/etc/keepalived/conf.d/a.conf', '/etc/keepalived/conf.d/b.conf']);
      expect(c.instances.map((i) => i.name)).to.deep.equal(['A', 'B', 'C']);
      expect(said(c)).to.deep.equal(["(/etc/keepalived/conf.d/a.conf: Line 3) Unknown keyword 'inc_unknown'"]);
    });
    it('a missing file is a warning for include and an error for includer', () => {
      const plain = parse('include /nowhere.conf\n').diagnostics[0];
      expect([plain.severity, plain.message]).to.deep.equal(['warning', "Config files missing '/nowhere.conf'."]);
      expect(parse('includer /nowhere.conf\n').diagnostics[0].severity).to.equal('error');
    });
    it('a file that includes itself twice stops at the include limits instead of growing for ever', function () {
      this.timeout(20_000);
      const self = 'include /etc/keepalived/keepalived.conf\ninclude /etc/keepalived/keepalived.conf\n';
      const c = parse(self, { readInclude: (p) => [{ file: p, text: self }] });
      expect(codes(c)).to.include.members(['includeDepth', 'includeLimit']);
    });
    it("substitutes ${_PWD} (the including file's directory) before looking for include", () => {
      expect(parse('include ${_PWD}/prio.conf\n').includeRequests).to.deep.equal(['/etc/keepalived/prio.conf']);
    });
  });

  describe('@id lines, $NAME definitions, ~SEQ', () => {
    it('keeps @id lines only for the matching config-id, @^id lines only for others', () => {
      const text = 'global_defs {\n@lb1 router_id one\n@^lb1 router_id other\n}\n';
      expect(parse(text, { configId: 'lb1' }).globalDefs.routerId).to.equal('one');
      expect(parse(text, { configId: 'lb2' }).globalDefs.routerId).to.equal('other');
      expect(parse(text).globalDefs.routerId).to.equal('other');
    });
    it('substitutes $NAME and ${NAME}, leaves undefined names as written', () => {
      const c = parse(
        '$PRIO=150\n$IF=eth1\nvrrp_instance VI_1 {\n    virtual_router_id 51\n    priority $PRIO\n    interface ${IF}\n    smtp_alert $UNDEFINED\n}\n',
      );
      expect([only(c).priority, only(c).interface]).to.deep.equal([150, 'eth1']);
      expect(c.statements[0].children!.find((s) => s.keyword === 'smtp_alert')?.args).to.deep.equal(['$UNDEFINED']);
    });
    it('expands a multi-line definition and ~SEQ', () => {
      const c = parse('$INST=vrrp_instance VI_$N { \\\n    virtual_router_id $N \\\n}\n~SEQ(N, 1, 3) $INST\n');
      expect(c.instances.map((i) => [i.name, i.virtualRouterId])).to.deep.equal([
        ['VI_1', 1],
        ['VI_2', 2],
        ['VI_3', 3],
      ]);
      expect(c.diagnostics).to.deep.equal([]);
    });
    it('a definition that refers to itself does not hang', () => {
      const c = parse('$A=$A\nglobal_defs {\n    router_id $A\n}\n');
      expect(codes(c)).to.include('substitutionLoop');
    });
  });

  describe('model of instances and scripts', () => {
    it('priority defaults: omitted is 255 with state MASTER, 100 otherwise', () => {
      expect(only(parse(instance('    state MASTER'))).priority).to.equal(255);
      expect(only(parse(instance('    state BACKUP'))).priority).to.equal(100);
      const implicit = only(parse(instance('    priority 255')));
      expect([implicit.state, implicit.initialState]).to.deep.equal([undefined, 'MASTER']);
    });
    it('extra words on the state line are ignored: `state MASTER priority 200` is priority 255', () => {
      const vrrp = only(parse(instance('    state MASTER priority 200')));
      expect([vrrp.initialState, vrrp.priority]).to.deep.equal(['MASTER', 255]);
    });
    it('state: the first MASTER wins, an unknown word is BACKUP', () => {
      expect(only(parse(instance('    state MASTER\n    state BACKUP'))).initialState).to.equal('MASTER');
      const lower = only(parse(instance('    state master')));
      expect([lower.initialState, lower.stateWritten]).to.deep.equal(['BACKUP', 'master']);
    });
    it('auth_pass is compared on its first 8 bytes', () => {
      const auth = only(
        parse(instance('    authentication {\n        auth_type PASS\n        auth_pass 1234567890\n    }')),
      ).authentication;
      expect([auth?.type, auth?.pass, auth?.effectivePass]).to.deep.equal(['PASS', '1234567890', '12345678']);
    });
    it('virtual_ipaddress entries: prefix, brd (written or +), dev, label, scope', () => {
      const vips = only(
        parse(
          instance(
            '    interface eth0\n    virtual_ipaddress {\n        203.0.113.10/24 brd 203.0.113.255 dev eth0 label eth0:10\n        198.51.100.7/25 brd + scope global\n        192.0.2.1\n    }',
          ),
        ),
      ).vips;
      expect(vips.map((v) => [v.address, v.prefix, v.broadcast, v.dev, v.label, v.scope])).to.deep.equal([
        ['203.0.113.10', 24, '203.0.113.255', 'eth0', 'eth0:10', undefined],
        ['198.51.100.7', 25, '198.51.100.127', undefined, undefined, 'global'],
        ['192.0.2.1', 32, undefined, undefined, undefined, undefined],
      ]);
    });
    it('track_script: a script defined below is dropped, the instance weight overrides the script weight', () => {
      const later = parse(
        `${instance('    track_script {\n        chk\n    }')}vrrp_script chk {\n    script "true"\n}\n`,
      );
      expect(only(later).trackScripts).to.deep.equal([]);
      expect(only(later).droppedTracks.map((d) => [d.name, d.reason])).to.deep.equal([['chk', 'definedLater']]);
      const weighted = parse(
        `vrrp_script chk {\n    script "true"\n    weight -2\n}\n${instance('    priority 110\n    track_script {\n        chk weight -30\n    }')}`,
      );
      expect(only(weighted).trackScripts.map((t) => [t.name, t.weight])).to.deep.equal([['chk', -30]]);
    });
    it('at priority 255 keepalived drops weighted track scripts', () => {
      const c = parse(
        `vrrp_script chk {\n    script "true"\n    weight -20\n}\n${instance('    state MASTER\n    track_script {\n        chk\n    }')}`,
      );
      expect(only(c).trackScripts).to.deep.equal([]);
      expect(only(c).droppedTracks.map((d) => d.reason)).to.deep.equal(['addressOwner']);
    });
    it('nopreempt and preempt: the last one wins; state MASTER clears nopreempt', () => {
      expect(only(parse(instance('    state BACKUP\n    nopreempt\n    preempt'))).nopreempt).to.equal(false);
      expect(only(parse(instance('    state BACKUP\n    preempt\n    nopreempt'))).nopreempt).to.equal(true);
      expect(only(parse(instance('    state MASTER\n    priority 110\n    nopreempt'))).nopreempt).to.equal(false);
    });
    it('global_defs: script_user, enable_script_security, vrrp_strict, vrrp_version', () => {
      const g = parse(
        'global_defs {\n    script_user keepalived_script\n    enable_script_security\n    vrrp_version 3\n    vrrp_strict\n}\n',
      ).globalDefs;
      expect([g.scriptUser?.user, g.enableScriptSecurity, g.vrrpVersion, g.vrrpStrict]).to.deep.equal([
        'keepalived_script',
        true,
        3,
        true,
      ]);
    });
  });

  describe('robustness: never throws, never hangs', () => {
    it('survives arbitrary bytes and keeps line numbers inside the input', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
          const buf = Buffer.from(bytes);
          const lines = buf.toString('latin1').split('\n').length;
          const c = parse(buf);
          return c.diagnostics.every((d) => d.line >= 1 && d.line <= lines);
        }),
        { numRuns: 300 },
      );
    });
    it('survives keepalived-like token soup', () => {
      const token = fc.constantFrom(
        '{',
        '}',
        '"',
        "'",
        '!',
        '#',
        '\\',
        '$A',
        '$A=',
        '@x',
        '~SEQ(i,1,3)',
        'include x',
        'vrrp_instance',
        'vrrp_script s',
        'script',
        'track_script',
        'virtual_ipaddress',
        'state',
        'MASTER',
        'priority',
        '\n',
        ' ',
        '\r\n',
      );
      fc.assert(
        fc.property(fc.array(token, { maxLength: 200 }), (tokens) => {
          parse(tokens.join(' '));
          return true;
        }),
        { numRuns: 300 },
      );
    });
    it('pathological repetition stays fast and reports at most 10,000 problems', function () {
      this.timeout(20_000);
      const started = Date.now();
      parse(`${'{ '.repeat(500)}\n`.repeat(10_000));
      const unknown = parse('bogus\n'.repeat(20_000));
      expect(unknown.diagnostics).to.have.length(10_001);
      expect(unknown.diagnostics[10_000].code).to.equal('tooManyProblems');
      parse(`$M=$M \\\ny\n${'$M\n'.repeat(100_000)}`);
      parse(`$A=$A\n${(`$A ${'x'.repeat(1000)}\n`).repeat(10_000)}`);
      parse('~SEQ(i,1,1000000) ~SEQ(j,1,1000000) vrrp_instance x$i$j {\n');
      expect(Date.now() - started).to.be.lessThan(15_000);
    });
    it('reads 10 MB and 20,000 nested blocks in well under a few seconds', function () {
      this.timeout(20_000);
      const started = Date.now();
      const big = instance(`    virtual_ipaddress {\n${'        203.0.113.10/24\n'.repeat(420_000)}    }`);
      expect(big.length).to.be.greaterThan(10_000_000);
      expect(only(parse(big)).vips).to.have.length(420_000);
      parse('global_defs {\n'.repeat(20_000));
      parse('x {\n'.repeat(20_000) + '}\n'.repeat(20_000));
      expect(Date.now() - started).to.be.lessThan(15_000);
    });
  });
});
