// Unit tests for the haproxy.cfg parser: one test per grammar fact of shared/GRAMMAR.md §A.
import { expect } from 'chai';
import fc from 'fast-check';
import { lexLine } from '../../src/parsers/haproxy-lexer.js';
import { parseHaproxy, semanticDiff, type HaproxyConfig } from '../../src/parsers/haproxy.js';
import { parseBindAddress, resolveHaproxy, type ResolvedProxy } from '../../src/parsers/haproxy-resolve.js';

const F = '/etc/haproxy/haproxy.cfg';
const parse = (text: string, version = '2.6') => parseHaproxy(text, F, { version });
const words = (line: string) => lexLine(line).words.map((w) => w.text);
const codes = (c: HaproxyConfig) => c.diagnostics.map((d) => `${d.line}:${d.severity}:${d.code}`);
const proxy = (text: string, name: string, version = '2.6'): ResolvedProxy => {
  const found = resolveHaproxy(parse(text, version), { version }).proxies.find((p) => p.name === name);
  if (!found) throw new Error(`no proxy ${name}`);
  return found;
};

describe('haproxy.cfg lexer (parse_line)', () => {
  it('a # starts a comment anywhere outside quotes, even inside a word', () => {
    expect(words('daemon#daemonize')).to.deep.equal(['daemon']);
    expect(words('  log /dev/log local0 # the syslog')).to.deep.equal(['log', '/dev/log', 'local0']);
    expect(words('acl x hdr(x) -m str "a#b"')).to.deep.equal(['acl', 'x', 'hdr(x)', '-m', 'str', 'a#b']);
  });

  it('backslash escapes: \\#, \\<space>, \\\\, \\xHH; any other \\c keeps its backslash', () => {
    expect(words('a\\#b c\\ d e\\\\f')).to.deep.equal(['a#b', 'c d', 'e\\f']);
    expect(words('x \\x41\\x62')).to.deep.equal(['x', 'Ab']);
    expect(words('reqrep ^(.*)\\.example\\1 x')).to.deep.equal(['reqrep', '^(.*)\\.example\\1', 'x']);
    expect(words('x trailing\\')).to.deep.equal(['x', 'trailing\\']);
  });

  it('an invalid \\x sequence is a fatal error and drops the line', () => {
    expect(lexLine('x \\xZ1').error?.code).to.equal('badHexEscape');
  });

  it('single quotes are strong, double quotes weak, and quote styles concatenate in one word', () => {
    expect(words(`log-format "%{+Q}o %t"' %s'\\ %{-Q}r`)).to.deep.equal(['log-format', '%{+Q}o %t %s %{-Q}r']);
    expect(words(`x 'a\\#b' "c\\"d"`)).to.deep.equal(['x', 'a\\#b', 'c"d']);
    expect(lexLine('x "unterminated').error).to.deep.equal({ code: 'unmatchedQuote', column: 3 });
  });

  it('variables are recognised only in double quotes and kept as written; unquoted $X is literal', () => {
    expect(words('bind "${ADDR}:${PORT}"')).to.deep.equal(['bind', '${ADDR}:${PORT}']);
    expect(words('bind 0.0.0.0:$PORT')).to.deep.equal(['bind', '0.0.0.0:$PORT']);
    expect(words('x "${A-def}" "$B" "\\$C"')).to.deep.equal(['x', '${A-def}', '$B', '$C']);
    expect(lexLine('x "${1X}"').error?.code).to.equal('badVarName');
    expect(lexLine('x "${X"').error?.code).to.equal('unmatchedBrace');
  });

  it('CR and NUL end the line (CRLF files parse)', () => {
    expect(words('mode http\r')).to.deep.equal(['mode', 'http']);
    expect(words('mode ht\0tp')).to.deep.equal(['mode', 'ht']);
  });

  it('keeps at most 64 words', () => {
    const ok = lexLine(Array.from({ length: 64 }, (_, i) => `w${i}`).join(' '));
    expect(ok.tooManyWords).to.equal(false);
    const over = lexLine(Array.from({ length: 65 }, (_, i) => `w${i}`).join(' '));
    expect(over.tooManyWords).to.equal(true);
    expect(over.words).to.have.length(64);
  });
});

describe('haproxy.cfg parser', () => {
  it('keeps file, line and raw text of sections and directives', () => {
    const c = parse('global\n  daemon\n\nfrontend web\n    bind :80 # plain\n');
    expect(c.sections.map((s) => [s.kind, s.name, s.header.line])).to.deep.equal([
      ['global', '', 1],
      ['frontend', 'web', 4],
    ]);
    const bind = c.sections[1].directives[0];
    expect(bind).to.include({ keyword: 'bind', file: F, line: 5, text: '    bind :80 # plain' });
    expect(bind.args).to.deep.equal([':80']);
  });

  it('a missing final LF is fatal from 2.3, a warning in 2.2, nothing before', () => {
    expect(codes(parse('global\n  daemon', '2.6'))).to.deep.equal(['2:error:missingFinalLf']);
    expect(codes(parse('global\n  daemon', '2.2'))).to.deep.equal(['2:warning:missingFinalLf']);
    expect(codes(parse('global\n  daemon', '2.1'))).to.deep.equal([]);
    expect(codes(parse(''))).to.deep.equal([]);
  });

  it('a NUL truncates its line; from 2.3 HAProxy stops reading there (2.2 warns and goes on)', () => {
    const text = 'global\n  daemon\0junk\n  log "x\nfrontend f\n';
    const strict = parse(text, '2.6');
    expect(codes(strict)).to.deep.equal(['2:error:strayNul']);
    expect(strict.diagnostics[0].args).to.deep.equal({ position: 9 });
    expect(strict.sections.map((s) => s.kind)).to.deep.equal(['global']);
    const lenient = parse(text, '2.2');
    expect(codes(lenient)).to.deep.equal(['2:warning:strayNul', '3:error:unmatchedQuote']);
    expect(lenient.sections.map((s) => s.kind)).to.deep.equal(['global', 'frontend']);
    // On the last line the truncation is reported as a missing LF, at the NUL's position.
    expect(parse('global\n  daemon\0x\n').diagnostics.map((d) => [d.code, d.args.position])).to.deep.equal([
      ['missingFinalLf', 9],
    ]);
  });

  it('a [name] line selects a scope and must stand alone', () => {
    expect(codes(parse('[my-scope]  # filters\nglobal\n'))).to.deep.equal([]);
    expect(codes(parse('[]\n[a/b]\n'))).to.deep.equal(['1:error:emptyScope', '2:error:badScope']);
    // A bad scope line is an abort: HAProxy reads no further.
    expect(codes(parse('[a] b\nfrontend\n'))).to.deep.equal(['1:error:badScope']);
  });

  it('keywords are case-sensitive: Frontend is not a section', () => {
    expect(codes(parse('Frontend web\n'))).to.deep.equal(['1:error:outOfSection']);
    expect(codes(parse('defaults\n  Mode http\n'))).to.deep.equal(['2:error:unknownKeyword']);
  });

  it('knows keywords of old and new versions, and reports removed ones from the version that removed them', () => {
    expect(
      codes(parse('defaults\n  option http-server-close\n  timeout http-keep-alive 1s\n  http-reuse safe\n')),
    ).to.deep.equal([]);
    expect(codes(parse('frontend f\n  reqadd X-A:\\ b\n', '2.6'))).to.deep.equal(['2:error:removedKeyword']);
    expect(codes(parse('frontend f\n  reqadd X-A:\\ b\n', '2.0'))).to.deep.equal([]);
    expect(codes(parse('global\n  nbproc 2\n', '2.4'))).to.deep.equal([]);
    expect(codes(parse('global\n  nbproc 2\n', '2.5'))).to.deep.equal(['2:error:removedKeyword']);
    expect(codes(parse('defaults\n  option forwardfr\n  timeout clent 1s\n'))).to.deep.equal([
      '2:error:unknownOption',
      '3:error:unknownTimeout',
    ]);
  });

  it('checks the values of mode, balance and option forwardfor as HAProxy does, and ignores a refused line', () => {
    const c = parse(
      'defaults\n  mode htpp\nbackend b\n  balance round-robin\nbackend c\n  balance hdr(host)\n  balance random(2)\nfrontend f\n  option forwardfor X-Real-IP\n  option forwardfor header\n',
    );
    expect(codes(c)).to.deep.equal([
      '2:error:unknownMode',
      '4:error:unknownBalance',
      '9:error:forwardforUnknownArg',
      '10:error:forwardforMissingValue',
    ]);
    const resolved = resolveHaproxy(c, { version: '2.6' }).proxies;
    expect(resolved.map((p) => [p.name, p.mode.value, p.forwardfor.value])).to.deep.equal([
      ['b', 'tcp', null],
      ['c', 'tcp', null],
      ['f', 'tcp', null],
    ]);
    expect(codes(parse('backend b\n  mode spop\n', '3.1'))).to.deep.equal([]);
    // In a frontend, balance is ignored for lack of capability before its value is looked at.
    expect(codes(parse('frontend f\n  balance round-robin\n'))).to.deep.equal(['2:warning:noCapability']);
  });

  it('no/default prefixes: only before some keywords; options with arguments cannot be negated', () => {
    expect(codes(parse('defaults\n  no option http-server-close\n  no log\n'))).to.deep.equal([]);
    expect(codes(parse('defaults\n  no option forwardfor\n'))).to.deep.equal(['2:error:optionNotNegatable']);
    expect(codes(parse('defaults\n  no mode http\n'))).to.deep.equal(['2:error:negationNotSupported']);
  });

  it('section keywords follow the version: crt-store from 3.0, program until 3.2', () => {
    expect(codes(parse('crt-store web\n', '2.6'))).to.deep.equal(['1:error:sectionNotInVersion']);
    expect(codes(parse('crt-store web\n', '3.0'))).to.deep.equal([]);
    expect(codes(parse('program x\n', '3.2'))).to.deep.equal([]);
    expect(codes(parse('program x\n', '3.3'))).to.deep.equal(['1:error:sectionNotInVersion']);
  });

  it('keywords in a section that lacks the capability: fatal in defaults, ignored with a warning in proxies', () => {
    const c = parse(
      'defaults\n  bind :80\nfrontend f\n  balance roundrobin\nbackend b\n  maxconn 10\n  server s 127.0.0.1:81\n',
    );
    expect(codes(c)).to.deep.equal([
      '2:error:notAllowedInDefaults',
      '4:warning:noCapability',
      '6:warning:noCapability',
    ]);
    expect(codes(parse('defaults\n  http-request deny\ndefaults named\n  http-request deny\n'))).to.deep.equal([
      '2:error:namedDefaultsOnly',
    ]);
  });

  it('listen with an address on its line is refused since 1.6; a proxy needs a name', () => {
    expect(codes(parse('listen stats :1936\n  mode http\n  bind :80\nbackend b\n  mode http\n'))).to.deep.equal([
      '1:error:addressOnSectionLine',
      '2:error:noCurrentProxy',
    ]);
    expect(parse('listen stats :1936\n').sections).to.deep.equal([]);
    expect(codes(parse('backend\n  mode http\nfrontend\n'))).to.deep.equal(['1:error:missingProxyName']); // an abort
    expect(codes(parse('backend a/b\n'))).to.deep.equal(['1:error:invalidProxyName']);
  });

  it('named defaults and from: unknown names are fatal; from needs 2.4', () => {
    const c = parse(
      'defaults base\n  mode http\ndefaults web from base\nfrontend f from web\nbackend b from nope\nbackend c\n',
    );
    // An unknown defaults name aborts the reading: backend b is not created, backend c never read.
    expect(c.sections.map((s) => [s.name, s.from ?? null])).to.deep.equal([
      ['base', null],
      ['web', 'base'],
      ['f', 'web'],
    ]);
    expect(codes(c)).to.deep.equal(['5:error:defaultsNotFound']);
    expect(codes(parse('defaults web\nbackend b from web extra\n  mode http\n'))).to.deep.equal([
      '2:error:tooManyArgs',
      '3:error:noCurrentProxy',
    ]);
    expect(codes(parse('defaults web\nfrontend f from web\n', '2.3'))).to.deep.equal(['2:error:fromNotInVersion']);
  });

  it('duplicate proxies are fatal; a frontend and a backend sharing a name: silent up to 3.0, warned in 3.1-3.2, fatal from 3.3', () => {
    expect(codes(parse('backend b\nbackend b\n'))).to.deep.equal(['2:error:duplicateProxy']);
    const sameName = 'frontend www\nbackend www\n';
    expect(codes(parse(sameName, '3.0'))).to.deep.equal([]);
    expect(codes(parse(sameName, '3.1'))).to.deep.equal(['2:warning:frontendBackendSameName']);
    expect(codes(parse(sameName, '3.3'))).to.deep.equal(['2:error:frontendBackendSameName']);
  });

  it('an empty argument ends the argument list (warning before 3.3, fatal from 3.3)', () => {
    const text = 'defaults\n  option forwardfor "" header X-Real-IP\n';
    expect(codes(parse(text, '2.6'))).to.deep.equal(['2:warning:emptyArgument']);
    expect(codes(parse(text, '3.3'))).to.deep.equal(['2:error:emptyArgument']);
    expect(parse(text).sections[0].directives[0].args).to.deep.equal(['forwardfor']);
  });

  it('.if blocks: 0/1 are evaluated, other conditions assumed true with a warning, misuse reported', () => {
    const c = parse(
      '.if 0\nglobal\n.elif 1\ndefaults\n.else\nfrontend f\n.endif\n.if defined(HAPROXY_LOCALPEER)\nbackend b\n.else\nbackend c\n.endif\n',
    );
    expect(c.sections.map((s) => s.kind + (s.name ? ` ${s.name}` : ''))).to.deep.equal(['defaults', 'backend b']);
    expect(c.sections[1].header.assumed).to.deep.equal(['defined(HAPROXY_LOCALPEER)']);
    expect(codes(c)).to.deep.equal(['8:warning:conditionAssumed']);
    expect(codes(parse('.if 1\n'))).to.deep.equal(['1:error:unterminatedIf']);
    // Misplaced .elif/.else/.endif abort the reading, so nothing after them is reported.
    expect(codes(parse('.endif\n.else x\n.if 1\n'))).to.deep.equal(['1:error:loneEndif']);
    expect(codes(parse('.if 1\n.else x\n.endif\n'))).to.deep.equal(['2:error:unexpectedArgument']);
    // Lines inside a false block are still tokenized: an unmatched quote there is fatal too.
    expect(codes(parse('.if 0\n  log "x\n.endif\n'))).to.deep.equal(['2:error:unmatchedQuote']);
  });

  it('never throws on arbitrary input, and every diagnostic points inside the file', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        const c = parse(text);
        for (const d of c.diagnostics) expect(d.line).to.be.within(1, Math.max(1, c.lineCount));
        resolveHaproxy(c, { version: '2.6' });
      }),
      { numRuns: 300 },
    );
  });

  it('is linear: a 10 MB file, a 1 MB line and invalid UTF-8 parse quickly', () => {
    const block = 'backend b{i}\n    server s1 127.0.0.1:81 maxconn 20000 # comment\n    option forwardfor\n';
    const big = Array.from({ length: 120_000 }, (_, i) => block.replace('{i}', String(i))).join('');
    expect(big.length).to.be.greaterThan(10_000_000);
    let t = performance.now();
    const c = parse(big);
    expect(c.sections).to.have.length(120_000);
    expect(performance.now() - t).to.be.lessThan(8000);
    t = performance.now();
    const long = parse(`global\n  description ${'x'.repeat(1 << 20)}\n`);
    expect(long.sections[0].directives[0].args[0]).to.have.length(1 << 20);
    expect(performance.now() - t).to.be.lessThan(2000);
    const bytes = Buffer.concat([
      Buffer.from('global\n  description '),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('\n'),
    ]);
    expect(codes(parseHaproxy(bytes, F))).to.deep.equal([]);
  });

  it('parses a typical config well under a millisecond', () => {
    const typical =
      'global\n  daemon\n  maxconn 4000\ndefaults\n  mode http\n  timeout client 30s\nfrontend front_cluster\n  bind *:443 ssl crt /etc/haproxy/rebrain.pem\n  option forwardfor\n  default_backend back_cluster\nbackend back_cluster\n  balance roundrobin\n  server rebrain_01 127.0.0.1:81 maxconn 20000\n  server rebrain_02 127.0.0.1:81 maxconn 20000\n';
    for (let i = 0; i < 200; i++) parse(typical); // warm up
    const runs = 2000;
    const t = performance.now();
    for (let i = 0; i < runs; i++) resolveHaproxy(parse(typical), { version: '2.6' });
    expect((performance.now() - t) / runs).to.be.lessThan(1);
  });
});

describe('haproxy.cfg resolution (defaults, default-server)', () => {
  it('mode: own line, inherited from the last defaults, or tcp by default', () => {
    const text = 'defaults\n  mode http\nfrontend a\nbackend b\n  mode tcp\ndefaults\nfrontend c\n';
    expect(proxy(text, 'a').mode).to.deep.include({ value: 'http' });
    expect(proxy(text, 'a').mode.origin).to.include({ line: 2, section: 'defaults', inherited: true });
    expect(proxy(text, 'b').mode.origin).to.include({ line: 5, inherited: false });
    // A new defaults section starts from scratch: c is in tcp mode again.
    expect(proxy(text, 'c').mode).to.deep.equal({ value: 'tcp', origin: null });
  });

  it('named defaults: "from" picks the section, and a defaults section inherits along its own "from"', () => {
    const text =
      'defaults base\n  mode http\n  balance leastconn\ndefaults web from base\n  balance source\ndefaults\n  mode tcp\nbackend b from web\nbackend c\n';
    const b = proxy(text, 'b');
    expect(b.mode.value).to.equal('http');
    expect(b.mode.origin).to.include({ section: 'defaults base', line: 2 });
    expect(b.balance.value.algorithm).to.equal('source');
    expect(proxy(text, 'c').mode.value).to.equal('tcp');
  });

  it('option forwardfor: the last line wins, with if-none, except and header', () => {
    const ff = proxy(
      'frontend f\n  option forwardfor header X-Real-IP\n  option forwardfor except 127.0.0.0/8 if-none\n',
      'f',
    ).forwardfor;
    expect(ff.value).to.deep.equal({ header: 'X-Forwarded-For', ifNone: true, except: '127.0.0.0/8' });
    expect(ff.origin?.line).to.equal(3);
    expect(
      proxy('defaults\n  option forwardfor\nfrontend f\n  no option forwardfor\n', 'f').forwardfor.value,
    ).to.deep.include({ ifNone: false });
  });

  it('http-request set-header/add-header X-Forwarded-For rules, with their conditions', () => {
    const p = proxy(
      'frontend f\n  http-request set-header x-forwarded-for %[src]\n  http-request add-header X-Forwarded-For %[src] if { ssl_fc }\n  http-request set-header X-Other %[src]\n',
      'f',
    );
    expect(p.xffRules.map((r) => [r.action, r.value, r.condition ?? null])).to.deep.equal([
      ['set-header', '%[src]', null],
      ['add-header', '%[src]', 'if { ssl_fc }'],
    ]);
  });

  it('balance: absent means roundrobin up to 3.2 and random from 3.3; frontends do not inherit it', () => {
    expect(proxy('backend b\n', 'b', '2.6').balance).to.deep.equal({
      value: { algorithm: 'roundrobin', args: [] },
      origin: null,
    });
    expect(proxy('backend b\n', 'b', '3.3').balance.value.algorithm).to.equal('random');
    expect(proxy('defaults\n  balance source\nbackend b\n', 'b').balance.origin).to.include({ inherited: true });
  });

  it('maxconn in defaults is copied to frontends only; in a backend it is ignored', () => {
    const text = 'defaults\n  maxconn 20000\nfrontend f\nbackend b\n  maxconn 5\n';
    expect(proxy(text, 'f').maxconn.value).to.equal(20000);
    expect(proxy(text, 'b').maxconn.value).to.equal(null);
  });

  it('default-server applies only to servers declared after it, accumulates, and flows from defaults', () => {
    const text =
      'defaults\n  default-server inter 3s\nbackend b\n  server s0 127.0.0.1:81\n  default-server maxconn 100\n  server s1 127.0.0.1:81\n  default-server maxconn 200 check\n  server s2 127.0.0.1:81 maxconn 300\n  server s3 127.0.0.1:81\n';
    const servers = proxy(text, 'b').servers;
    const param = (i: number, name: string) => servers[i].params.get(name)?.value;
    expect(servers.map((s) => [s.name, s.address, s.port])).to.deep.equal([
      ['s0', '127.0.0.1', '81'],
      ['s1', '127.0.0.1', '81'],
      ['s2', '127.0.0.1', '81'],
      ['s3', '127.0.0.1', '81'],
    ]);
    expect([0, 1, 2, 3].map((i) => param(i, 'maxconn'))).to.deep.equal([undefined, '100', '300', '200']);
    expect(param(0, 'inter')).to.equal('3s');
    expect(servers[0].params.get('inter')?.origin).to.include({ section: 'defaults', inherited: true });
    expect(param(3, 'check')).to.equal(true);
  });

  it('bind addresses: every form of "all IPv4 addresses, port 443", IPv6, prefixes, lists, ranges and unix sockets', () => {
    for (const form of [':443', '*:443', '0.0.0.0:443', 'ipv4@:443']) {
      expect(parseBindAddress(form), form).to.deep.include({
        family: 'ipv4',
        anyAddress: true,
        ports: { from: 443, to: 443 },
      });
    }
    expect(parseBindAddress('[::]:443')).to.deep.include({ family: 'ipv6', host: '::', anyAddress: true });
    expect(parseBindAddress(':::443')).to.deep.include({ family: 'ipv6', host: '::', ports: { from: 443, to: 443 } });
    expect(parseBindAddress('10.0.0.1:8000-8100')).to.deep.include({
      anyAddress: false,
      ports: { from: 8000, to: 8100 },
    });
    expect(parseBindAddress('/run/haproxy.sock')).to.deep.include({ family: 'unix' });
    expect(parseBindAddress('${ADDR}:${PORT}')).to.not.have.property('ports');
    const bind = proxy('frontend f\n  bind :80,:443 ssl crt /a.pem crt /b.pem alpn h2\n', 'f').binds[0];
    expect(bind.addresses.map((a) => a.raw)).to.deep.equal([':80', ':443']);
    expect(bind).to.deep.include({ ssl: true, crts: ['/a.pem', '/b.pem'] });
  });

  it('directives HAProxy ignores (wrong capability) have no effect', () => {
    expect(proxy('frontend f\n  balance source\n  default_backend b\n', 'f').defaultBackend.value).to.equal('b');
    expect(proxy('backend b\n  default_backend x\n', 'b').defaultBackend.value).to.equal(null);
  });
});

describe('semanticDiff', () => {
  const base = 'global\n  daemon\nbackend b\n  server s 127.0.0.1:81 maxconn 20000\n';
  it('ignores comments, blank lines, indentation and quoting', () => {
    const other = '# header\nglobal\n\tdaemon   # yes\n\nbackend "b"\n  server s 127.0.0.1:81 maxconn \'20000\'\n';
    expect(semanticDiff(parse(base), parse(other))).to.equal(undefined);
  });
  it('reports the first differing statement with both lines', () => {
    const diff = semanticDiff(
      parse(base),
      parse('global\n  daemon\n\nbackend b\n  server s 127.0.0.1:81 maxconn 2000\n'),
    );
    expect([diff?.a?.line, diff?.b?.line]).to.deep.equal([4, 5]);
  });
  it('reports a statement missing on one side', () => {
    const diff = semanticDiff(parse(base), parse('global\n  daemon\nbackend b\n'));
    expect(diff?.a?.line).to.equal(4);
    expect(diff?.b).to.equal(undefined);
  });
});
