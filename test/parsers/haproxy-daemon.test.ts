// Differential test against the real daemon: each snippet goes through `haproxy -c` and through our parser
// (told the installed version); the lines HAProxy complains about must be exactly the lines we report.
// Skipped where no haproxy binary is installed.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHaproxy } from '../../src/parsers/haproxy.js';

const SNIPPETS: Record<string, string> = {
  'typo in a keyword': 'defaults\n  mode http\n  timout connect 5s\n',
  'typo in an option': 'defaults\n  option forwardfr\n',
  'typo in a timeout': 'defaults\n  timeout clent 5s\n',
  'removed keywords': 'frontend f\n  bind :80\n  reqadd X-A:\\ b\n  clitimeout 5\n  block if TRUE\n',
  'no option forwardfor': 'frontend f\n  bind :80\n  no option forwardfor\n',
  'no before a keyword that has no negation': 'defaults\n  no mode http\n',
  'bind and server in defaults': 'defaults\n  bind :80\n  server s 127.0.0.1:81\n',
  'server and balance in a frontend': 'frontend f\n  bind :80\n  balance roundrobin\n  server s 127.0.0.1:81\n',
  'bind, default_backend and maxconn in a backend': 'backend b\n  bind :81\n  default_backend x\n  maxconn 10\n',
  'address on the listen line': 'listen stats :1936\n  mode http\n',
  'unknown defaults in from': 'defaults base\n  mode http\nbackend b from nope\n  mode http\nbackend c\n',
  'extra words after from': 'defaults base\nbackend b from base extra\n  mode http\n  balance roundrobin\n',
  'rules in an anonymous defaults': 'defaults\n  http-request deny\n',
  'a bad mode, balance and forwardfor':
    'defaults\n  mode htpp\nbackend b\n  balance round-robin\nfrontend f\n  bind :80\n  option forwardfor X-Real-IP\n',
  'unmatched quote and bad escapes': 'global\n  log "x\n  description \\xZZ\n  description "${1X}"\n',
  'keyword out of section and case': 'daemon\nFrontend f\n',
  'duplicate backend': 'backend b\nbackend b\n',
  'invalid proxy name': 'backend a/b\n',
  'lone .endif and .else': '.endif\n.else\n',
  'an argument after .else': '.if 1\n.else x\nfrontnd f\n.endif\n',
  'unterminated .if': '.if 1\nglobal\n',
  'scope lines': '[ok]\n[]\n[a] b\n',
  'missing final LF': 'global\n  daemon',
  'a NUL in a line': 'global\n  daemon\0junk\nfrontend f\n',
  'nbproc and debug in global': 'global\n  nbproc 2\n  debug\n',
  // Issue 11: values as HAProxy reads them (case-sensitive names; atol numbers are accepted as written).
  'balance in the wrong case': 'backend b\n  balance RoundRobin\nbackend c\n  balance roundrobin\n',
  'mode in the wrong case': 'defaults\n  mode HTTP\nbackend b\n  mode http\n',
  'server keywords in the wrong case':
    'backend b\n  server s 127.0.0.1:81 Backup\n  server t 127.0.0.1:81 Check\n  server u 127.0.0.1:81 backup check\n',
  'ACL names in the wrong case':
    'frontend f\n  bind :80\n  mode http\n  http-request set-header X-Forwarded-For %[src] if true\n  http-request set-header X-A b if TRUE\n  http-request set-header X-B c unless FALSE\n  http-request set-header X-C d if !False\n',
  'maxconn as atol reads it':
    'backend b\n  server s1 127.0.0.1:81 maxconn 20k\n  server s2 127.0.0.1:81 maxconn 020000\n  server s3 127.0.0.1:81 maxconn 20000abc\n',
  'a valid configuration':
    'global\n  daemon\ndefaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\nfrontend f\n  bind :80\n  option forwardfor\n  default_backend b\nbackend b\n  balance roundrobin\n  default-server maxconn 20000\n  server s1 127.0.0.1:81\n',
};

function haproxyVersion(): string | undefined {
  const r = spawnSync('haproxy', ['-v'], { encoding: 'utf8' });
  return r.status === 0 ? /version (\d+\.\d+)/.exec(r.stdout)?.[1] : undefined;
}

describe('haproxy.cfg parser against haproxy -c', () => {
  const version = haproxyVersion();
  let dir = '';
  before(function () {
    if (!version) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'hagrade-haproxy-'));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  for (const [name, text] of Object.entries(SNIPPETS)) {
    it(`${name}: the same lines`, () => {
      const file = join(dir, 'haproxy.cfg');
      writeFileSync(file, text);
      const out = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
      // Only messages that name a line ("missing timeouts" and the like name none). HAProxy repeats
      // "'listen' or 'defaults' expected" on every line of a refused section; we report the first one.
      const messages = [...`${out.stdout}${out.stderr}`.matchAll(/haproxy\.cfg:(\d+)\](.*)/g)].map((m) => ({
        line: Number(m[1]),
        orphan: m[2].includes("'listen' or 'defaults' expected"),
      }));
      const theirs = messages.filter((m, i) => !(m.orphan && messages[i - 1]?.orphan)).map((m) => m.line);
      const ours = parseHaproxy(text, file, { version }).diagnostics.map((d) => d.line);
      expect([...new Set(ours)].sort((a, b) => a - b)).to.deep.equal([...new Set(theirs)].sort((a, b) => a - b));
    });
  }
});
