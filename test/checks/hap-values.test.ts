// HAProxy values as HAProxy parses them (issue 11, class 4): case-sensitive keywords, algorithm and
// ACL names; numbers read by atol(); conditions that always or never match; `crt DIR` loading every
// file; backup and disabled servers. Where HAProxy refuses the config, HAP001 fails and the check
// that depends on the refused line says so. Each verdict was checked with haproxy -c 2.6.12
// (test/parsers/haproxy-values-daemon.test.ts runs the same snippets) or is cited from the source.
import HAP001 from '../../checks/HAP001.js';
import HAP003 from '../../checks/HAP003.js';
import HAP004 from '../../checks/HAP004.js';
import HAP005 from '../../checks/HAP005.js';
import HAP008 from '../../checks/HAP008.js';
import HAP009 from '../../checks/HAP009.js';
import HAP010 from '../../checks/HAP010.js';
import HAP011 from '../../checks/HAP011.js';
import { haproxyExample, type ExampleParts } from '../../src/facts/haproxy-examples.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { type ExpectedFinding, type TesterOptions, testCheck } from '../support/check-tester.js';
import { readFixtureFile } from '../support/fixtures.js';

const CFG = DEFAULT_PROFILE.haproxyCfgPath;
const PEM = readFixtureFile('correct', 'master/etc/haproxy/rebrain.pem');
const FRONTEND = [
  'bind *:443 ssl crt /etc/haproxy/rebrain.pem',
  'mode http',
  'option forwardfor',
  'default_backend back_cluster',
];
const server = (n: number, extra = 'maxconn 20000') => `server rebrain_0${n} 127.0.0.1:81 ${extra}`;
const SERVERS = [server(1), server(2), server(3)];
const backend = (...lines: string[]) => ['mode http', 'balance roundrobin', ...lines];

/** The config (and other files) on both hosts. */
function both(config: ExampleParts, files: Record<string, string | Buffer> = {}): TesterOptions {
  const onHost = { [CFG]: haproxyExample(config), ...files };
  return { master: onHost, backup: onHost };
}
/** The same finding on both hosts (the config is the same on both). */
const onBoth = <Id extends string>(messageId: Id, more: Omit<ExpectedFinding, 'messageId' | 'host'> = {}) =>
  (['master', 'backup'] as const).map((host) => ({ host, messageId, ...more }));

// "balance only supports 'roundrobin', …" and "unknown proxy mode 'HTTP'" are fatal in haproxy -c 2.6.
testCheck(HAP009, {
  invalid: [
    {
      name: 'balance RoundRobin (names are case-sensitive): refused, not "no balance line"',
      ...both({ backend: ['mode http', 'balance RoundRobin', ...SERVERS] }),
      findings: [...onBoth('refused', { line: 24 })],
    },
    {
      name: 'balance round-robin',
      ...both({ backend: ['mode http', 'balance round-robin', ...SERVERS] }),
      findings: [...onBoth('refused', { line: 24 })],
    },
    {
      name: 'a refused balance in defaults',
      ...both({
        defaults: ['mode http', 'balance ROUNDROBIN', 'timeout connect 5s', 'timeout client 30s', 'timeout server 30s'],
        backend: ['mode http', ...SERVERS],
      }),
      findings: [...onBoth('refused', { line: 10 })],
    },
  ],
});
testCheck(HAP008, {
  invalid: [
    {
      name: 'mode HTTP in the backend',
      ...both({ backend: ['mode HTTP', 'balance roundrobin', ...SERVERS] }),
      findings: [...onBoth('refused', { line: 23 })],
    },
    {
      name: 'mode Http in defaults, inherited',
      ...both({
        defaults: ['mode Http', 'timeout connect 5s', 'timeout client 30s', 'timeout server 30s'],
        backend: ['balance roundrobin', ...SERVERS],
      }),
      findings: [...onBoth('refused', { line: 9 })],
    },
  ],
});
testCheck(HAP004, {
  invalid: [
    {
      name: 'mode HTTP in the frontend',
      ...both({
        frontend: [
          'bind *:443 ssl crt /etc/haproxy/rebrain.pem',
          'mode HTTP',
          'option forwardfor',
          'default_backend back_cluster',
        ],
      }),
      findings: [...onBoth('refused', { line: 18 })],
    },
  ],
});

testCheck(HAP001, {
  valid: [
    {
      name: 'an acl named true defined in the section is fine',
      ...both({
        frontend: [
          ...FRONTEND.slice(0, 2),
          'acl true src 0.0.0.0/0',
          'http-request set-header X-Forwarded-For %[src] if true',
          FRONTEND[3]!,
        ],
      }),
    },
  ],
  invalid: [
    // haproxy -c 2.6.12: "unknown keyword 'Backup'; did you mean 'backup' maybe ?"
    {
      name: 'a server flagged Backup',
      ...both({ backend: backend(server(1), server(2), server(3, 'maxconn 20000 Backup')) }),
      findings: [...onBoth('unknownServerKeyword', { line: 27 })],
    },
    {
      name: 'a server with Check',
      ...both({ backend: backend(server(1, 'Check maxconn 20000'), server(2), server(3)) }),
      findings: [...onBoth('unknownServerKeyword', { line: 25 })],
    },
    // haproxy -c 2.6.12: "no such ACL : 'true'"
    {
      name: 'if true (the ACL is TRUE)',
      ...both({
        frontend: [...FRONTEND.slice(0, 2), 'http-request set-header X-Forwarded-For %[src] if true', FRONTEND[3]!],
      }),
      findings: [...onBoth('unknownAcl', { line: 19 })],
    },
    {
      name: 'crt names /etc/haproxy/ where haproxy.cfg lives',
      ...both({ frontend: ['bind *:443 ssl crt /etc/haproxy/', ...FRONTEND.slice(1)] }),
      findings: [...onBoth('crtDirectoryFile', { line: 17 })],
    },
  ],
});

testCheck(HAP005, {
  valid: [
    {
      name: 'set-header … if TRUE applies to every request',
      ...both({
        frontend: [...FRONTEND.slice(0, 2), 'http-request set-header X-Forwarded-For %[src] if TRUE', FRONTEND[3]!],
      }),
      findings: [...onBoth('setHeader', { kind: 'note', line: 19 })],
    },
    {
      name: 'unless FALSE applies to every request',
      ...both({
        frontend: [
          ...FRONTEND.slice(0, 2),
          'http-request set-header X-Forwarded-For %[src] unless FALSE',
          FRONTEND[3]!,
        ],
      }),
      findings: [...onBoth('setHeader', { kind: 'note', line: 19 })],
    },
    {
      name: 'if { always_true } applies to every request',
      ...both({
        frontend: [
          ...FRONTEND.slice(0, 2),
          'http-request add-header X-Forwarded-For %[src] if { always_true }',
          FRONTEND[3]!,
        ],
      }),
      findings: [...onBoth('setHeader', { kind: 'note', line: 19 })],
    },
    {
      name: 'if FALSE or TRUE applies',
      ...both({
        frontend: [
          ...FRONTEND.slice(0, 2),
          'http-request set-header X-Forwarded-For %[src] if FALSE or TRUE',
          FRONTEND[3]!,
        ],
      }),
      findings: [...onBoth('setHeader', { kind: 'note', line: 19 })],
    },
  ],
  invalid: [
    {
      name: 'if FALSE never applies',
      ...both({
        frontend: [...FRONTEND.slice(0, 2), 'http-request set-header X-Forwarded-For %[src] if FALSE', FRONTEND[3]!],
      }),
      findings: [...onBoth('neverApplies', { line: 19 })],
    },
    {
      name: 'unless TRUE never applies',
      ...both({
        frontend: [...FRONTEND.slice(0, 2), 'http-request set-header X-Forwarded-For %[src] unless TRUE', FRONTEND[3]!],
      }),
      findings: [...onBoth('neverApplies', { line: 19 })],
    },
    {
      name: 'if TRUE FALSE (and) never applies',
      ...both({
        frontend: [
          ...FRONTEND.slice(0, 2),
          'http-request set-header X-Forwarded-For %[src] if TRUE FALSE',
          FRONTEND[3]!,
        ],
      }),
      findings: [...onBoth('neverApplies', { line: 19 })],
    },
    {
      name: 'if LOCALHOST depends on the client',
      ...both({
        frontend: [
          ...FRONTEND.slice(0, 2),
          'http-request set-header X-Forwarded-For %[src] if LOCALHOST',
          FRONTEND[3]!,
        ],
      }),
      findings: [...onBoth('conditional', { line: 19 })],
    },
    // haproxy -c 2.6.12 stops reading the file at that line (nothing after it is reported): every proxy check says so.
    {
      name: 'if true: HAProxy stops reading there, and this check says so',
      ...both({
        frontend: [...FRONTEND.slice(0, 2), 'http-request set-header X-Forwarded-For %[src] if true', FRONTEND[3]!],
      }),
      findings: [...onBoth('notRead', { line: 19 })],
    },
    {
      name: 'option forwardfor with a bad argument: refused',
      ...both({ frontend: [FRONTEND[0]!, 'mode http', 'option forwardfor if-none header', FRONTEND[3]!] }),
      findings: [...onBoth('refused', { line: 19 })],
    },
  ],
});

testCheck(HAP010, {
  valid: [
    {
      name: 'default-server backup, then no-backup on each server line',
      ...both({
        backend: backend(
          'default-server backup',
          server(1, 'maxconn 20000 no-backup'),
          server(2, 'maxconn 20000 no-backup'),
          server(3, 'maxconn 20000 no-backup'),
        ),
      }),
    },
  ],
  invalid: [
    {
      name: 'a server flagged backup takes no traffic in normal operation',
      ...both({ backend: backend(server(1), server(2), server(3, 'maxconn 20000 backup')) }),
      findings: [...onBoth('backupServer', { line: 27 })],
    },
    {
      name: 'default-server backup flags them all',
      ...both({ backend: backend('default-server backup', ...SERVERS) }),
      // Each of the three server lines inherits the flag: one finding per server, at its line.
      findings: [26, 27, 28].flatMap((line) => onBoth('backupServer', { line })),
    },
    {
      name: 'a disabled server',
      ...both({ backend: backend(server(1), server(2, 'maxconn 20000 disabled'), server(3)) }),
      findings: [...onBoth('disabled', { line: 26 })],
    },
    {
      name: 'a server line HAProxy refuses (Backup)',
      ...both({ backend: backend(server(1), server(2), server(3, 'maxconn 20000 Backup')) }),
      findings: [...onBoth('refused', { line: 27 })],
    },
  ],
});

// srv_parse_maxconn(): newsrv->maxconn = atol(arg) (src/server.c v2.6.0:605-610; the same through 3.x). haproxy -c
// accepts all of these.
testCheck(HAP011, {
  valid: [
    {
      name: 'maxconn 020000 is 20000 (note)',
      ...both({ backend: backend(server(1, 'maxconn 020000'), server(2), server(3)) }),
      findings: [...onBoth('writtenOddly', { kind: 'note', line: 25 })],
    },
    {
      name: 'maxconn +20000 is 20000 (note)',
      ...both({ backend: backend(server(1, 'maxconn +20000'), server(2), server(3)) }),
      findings: [...onBoth('writtenOddly', { kind: 'note', line: 25 })],
    },
    {
      name: 'maxconn 20000abc is 20000 (note)',
      ...both({ backend: backend(server(1, 'maxconn 20000abc'), server(2), server(3)) }),
      findings: [...onBoth('writtenOddly', { kind: 'note', line: 25 })],
    },
  ],
  invalid: [
    {
      name: 'maxconn 20k is 20',
      ...both({ backend: backend(server(1, 'maxconn 20k'), server(2), server(3)) }),
      findings: [...onBoth('readAs', { line: 25 })],
    },
    {
      name: 'maxconn 2e4 is 2',
      ...both({ backend: backend(server(1, 'maxconn 2e4'), server(2), server(3)) }),
      findings: [...onBoth('readAs', { line: 25 })],
    },
    {
      name: 'maxconn 0x4e20 is 0',
      ...both({ backend: backend(server(1, 'maxconn 0x4e20'), server(2), server(3)) }),
      findings: [...onBoth('readAs', { line: 25 })],
    },
  ],
});

const CERTS = '/etc/haproxy/certs';
testCheck(HAP003, {
  valid: [
    {
      name: 'crt names a directory of certificates (dotfiles and .key skipped): it loads',
      ...both(
        { frontend: [`bind *:443 ssl crt ${CERTS}`, ...FRONTEND.slice(1)] },
        {
          [`${CERTS}/rebrain.pem`]: PEM,
          [`${CERTS}/.notes`]: 'x',
          [`${CERTS}/rebrain.pem.key`]: 'x',
          [`${CERTS}/old.ocsp`]: 'x',
        },
      ),
      profile: { certPath: `${CERTS}/rebrain.pem` },
      findings: [...onBoth('viaDirectory', { kind: 'note', line: 17 })],
    },
  ],
  invalid: [
    {
      name: 'crt names a directory with a README in it: HAProxy refuses the config',
      ...both(
        { frontend: [`bind *:443 ssl crt ${CERTS}`, ...FRONTEND.slice(1)] },
        { [`${CERTS}/rebrain.pem`]: PEM, [`${CERTS}/README`]: 'my certificates\n' },
      ),
      profile: { certPath: `${CERTS}/rebrain.pem` },
      findings: [...onBoth('crtDirectoryFile', { line: 17 })],
    },
  ],
});
