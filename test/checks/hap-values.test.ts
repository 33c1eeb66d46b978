// HAProxy values as HAProxy parses them (issue 11, class 4): case-sensitive keywords, algorithm and
// ACL names; numbers read by atol(); conditions that always or never match; `crt DIR` loading every
// file; backup and disabled servers. Where HAProxy refuses the config, HAP001 fails and the check
// that depends on the refused line says so. Each verdict was checked with haproxy -c 2.6.12
// (test/parsers/haproxy-values-daemon.test.ts runs the same snippets) or is cited from the source.
import { expect } from 'chai';
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
import type { Check } from '../../src/model/check.js';
import type { LabProfile } from '../../src/model/target.js';
import type { Status } from '../../src/model/basics.js';
import { messageIds, runCheck } from '../support/check-tester.js';
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

interface Case {
  name: string;
  config: ExampleParts;
  files?: Record<string, string | Buffer>;
  profile?: Partial<LabProfile>;
  status: Status;
  messages: string[];
}

function runCases(check: Check, cases: Case[]): void {
  describe(`${check.id} (values as HAProxy reads them)`, () => {
    for (const c of cases) {
      it(`${c.status} [${c.messages.join(', ')}]: ${c.name}`, async () => {
        const files = { [CFG]: haproxyExample(c.config), ...c.files };
        const result = await runCheck(check, {
          master: files,
          backup: files,
          ...(c.profile ? { profile: c.profile } : {}),
        });
        const described = result.findings
          .map((f) => `${f.kind} ${f.messageId} ${f.host}:${f.line} ${f.message}`)
          .join('\n');
        expect(result.status, described).to.equal(c.status);
        expect([...new Set(messageIds(result))], described).to.deep.equal([...new Set(c.messages)].sort());
      });
    }
  });
}

// "balance only supports 'roundrobin', …" and "unknown proxy mode 'HTTP'" are fatal in haproxy -c 2.6.
runCases(HAP009, [
  {
    name: 'balance RoundRobin (names are case-sensitive): refused, not "no balance line"',
    config: { backend: ['mode http', 'balance RoundRobin', ...SERVERS] },
    status: 'fail',
    messages: ['refused'],
  },
  {
    name: 'balance round-robin',
    config: { backend: ['mode http', 'balance round-robin', ...SERVERS] },
    status: 'fail',
    messages: ['refused'],
  },
  {
    name: 'a refused balance in defaults',
    config: {
      defaults: ['mode http', 'balance ROUNDROBIN', 'timeout connect 5s', 'timeout client 30s', 'timeout server 30s'],
      backend: ['mode http', ...SERVERS],
    },
    status: 'fail',
    messages: ['refused'],
  },
]);
runCases(HAP008, [
  {
    name: 'mode HTTP in the backend',
    config: { backend: ['mode HTTP', 'balance roundrobin', ...SERVERS] },
    status: 'fail',
    messages: ['refused'],
  },
  {
    name: 'mode Http in defaults, inherited',
    config: {
      defaults: ['mode Http', 'timeout connect 5s', 'timeout client 30s', 'timeout server 30s'],
      backend: ['balance roundrobin', ...SERVERS],
    },
    status: 'fail',
    messages: ['refused'],
  },
]);
runCases(HAP004, [
  {
    name: 'mode HTTP in the frontend',
    config: {
      frontend: [
        'bind *:443 ssl crt /etc/haproxy/rebrain.pem',
        'mode HTTP',
        'option forwardfor',
        'default_backend back_cluster',
      ],
    },
    status: 'fail',
    messages: ['refused'],
  },
]);

runCases(HAP001, [
  // haproxy -c 2.6.12: "unknown keyword 'Backup'; did you mean 'backup' maybe ?"
  {
    name: 'a server flagged Backup',
    config: { backend: backend(server(1), server(2), server(3, 'maxconn 20000 Backup')) },
    status: 'fail',
    messages: ['unknownServerKeyword'],
  },
  {
    name: 'a server with Check',
    config: { backend: backend(server(1, 'Check maxconn 20000'), server(2), server(3)) },
    status: 'fail',
    messages: ['unknownServerKeyword'],
  },
  // haproxy -c 2.6.12: "no such ACL : 'true'"
  {
    name: 'if true (the ACL is TRUE)',
    config: {
      frontend: [...FRONTEND.slice(0, 2), 'http-request set-header X-Forwarded-For %[src] if true', FRONTEND[3]!],
    },
    status: 'fail',
    messages: ['unknownAcl'],
  },
  {
    name: 'an acl named true defined in the section is fine',
    config: {
      frontend: [
        ...FRONTEND.slice(0, 2),
        'acl true src 0.0.0.0/0',
        'http-request set-header X-Forwarded-For %[src] if true',
        FRONTEND[3]!,
      ],
    },
    status: 'pass',
    messages: [],
  },
  {
    name: 'crt names /etc/haproxy/ where haproxy.cfg lives',
    config: { frontend: ['bind *:443 ssl crt /etc/haproxy/', ...FRONTEND.slice(1)] },
    status: 'fail',
    messages: ['crtDirectoryFile'],
  },
]);

runCases(HAP005, [
  {
    name: 'set-header … if TRUE applies to every request',
    config: {
      frontend: [...FRONTEND.slice(0, 2), 'http-request set-header X-Forwarded-For %[src] if TRUE', FRONTEND[3]!],
    },
    status: 'pass',
    messages: ['setHeader'],
  },
  {
    name: 'unless FALSE applies to every request',
    config: {
      frontend: [...FRONTEND.slice(0, 2), 'http-request set-header X-Forwarded-For %[src] unless FALSE', FRONTEND[3]!],
    },
    status: 'pass',
    messages: ['setHeader'],
  },
  {
    name: 'if { always_true } applies to every request',
    config: {
      frontend: [
        ...FRONTEND.slice(0, 2),
        'http-request add-header X-Forwarded-For %[src] if { always_true }',
        FRONTEND[3]!,
      ],
    },
    status: 'pass',
    messages: ['setHeader'],
  },
  {
    name: 'if FALSE never applies',
    config: {
      frontend: [...FRONTEND.slice(0, 2), 'http-request set-header X-Forwarded-For %[src] if FALSE', FRONTEND[3]!],
    },
    status: 'fail',
    messages: ['neverApplies'],
  },
  {
    name: 'unless TRUE never applies',
    config: {
      frontend: [...FRONTEND.slice(0, 2), 'http-request set-header X-Forwarded-For %[src] unless TRUE', FRONTEND[3]!],
    },
    status: 'fail',
    messages: ['neverApplies'],
  },
  {
    name: 'if FALSE or TRUE applies',
    config: {
      frontend: [
        ...FRONTEND.slice(0, 2),
        'http-request set-header X-Forwarded-For %[src] if FALSE or TRUE',
        FRONTEND[3]!,
      ],
    },
    status: 'pass',
    messages: ['setHeader'],
  },
  {
    name: 'if TRUE FALSE (and) never applies',
    config: {
      frontend: [...FRONTEND.slice(0, 2), 'http-request set-header X-Forwarded-For %[src] if TRUE FALSE', FRONTEND[3]!],
    },
    status: 'fail',
    messages: ['neverApplies'],
  },
  {
    name: 'if LOCALHOST depends on the client',
    config: {
      frontend: [...FRONTEND.slice(0, 2), 'http-request set-header X-Forwarded-For %[src] if LOCALHOST', FRONTEND[3]!],
    },
    status: 'fail',
    messages: ['conditional'],
  },
  // haproxy -c 2.6.12 stops reading the file at that line (nothing after it is reported): every proxy check says so.
  {
    name: 'if true: HAProxy stops reading there, and this check says so',
    config: {
      frontend: [...FRONTEND.slice(0, 2), 'http-request set-header X-Forwarded-For %[src] if true', FRONTEND[3]!],
    },
    status: 'fail',
    messages: ['notRead'],
  },
  {
    name: 'option forwardfor with a bad argument: refused',
    config: { frontend: [FRONTEND[0]!, 'mode http', 'option forwardfor if-none header', FRONTEND[3]!] },
    status: 'fail',
    messages: ['refused'],
  },
]);

runCases(HAP010, [
  {
    name: 'a server flagged backup takes no traffic in normal operation',
    config: { backend: backend(server(1), server(2), server(3, 'maxconn 20000 backup')) },
    status: 'fail',
    messages: ['backupServer'],
  },
  {
    name: 'default-server backup flags them all',
    config: { backend: backend('default-server backup', ...SERVERS) },
    status: 'fail',
    messages: ['backupServer'],
  },
  {
    name: 'default-server backup, then no-backup on each server line',
    config: {
      backend: backend(
        'default-server backup',
        server(1, 'maxconn 20000 no-backup'),
        server(2, 'maxconn 20000 no-backup'),
        server(3, 'maxconn 20000 no-backup'),
      ),
    },
    status: 'pass',
    messages: [],
  },
  {
    name: 'a disabled server',
    config: { backend: backend(server(1), server(2, 'maxconn 20000 disabled'), server(3)) },
    status: 'fail',
    messages: ['disabled'],
  },
  {
    name: 'a server line HAProxy refuses (Backup)',
    config: { backend: backend(server(1), server(2), server(3, 'maxconn 20000 Backup')) },
    status: 'fail',
    messages: ['refused'],
  },
]);

// srv_parse_maxconn(): newsrv->maxconn = atol(arg) (src/server.c v2.6.0:605-610; the same through 3.x). haproxy -c
// accepts all of these.
runCases(HAP011, [
  {
    name: 'maxconn 20k is 20',
    config: { backend: backend(server(1, 'maxconn 20k'), server(2), server(3)) },
    status: 'fail',
    messages: ['readAs'],
  },
  {
    name: 'maxconn 2e4 is 2',
    config: { backend: backend(server(1, 'maxconn 2e4'), server(2), server(3)) },
    status: 'fail',
    messages: ['readAs'],
  },
  {
    name: 'maxconn 0x4e20 is 0',
    config: { backend: backend(server(1, 'maxconn 0x4e20'), server(2), server(3)) },
    status: 'fail',
    messages: ['readAs'],
  },
  {
    name: 'maxconn 020000 is 20000 (note)',
    config: { backend: backend(server(1, 'maxconn 020000'), server(2), server(3)) },
    status: 'pass',
    messages: ['writtenOddly'],
  },
  {
    name: 'maxconn +20000 is 20000 (note)',
    config: { backend: backend(server(1, 'maxconn +20000'), server(2), server(3)) },
    status: 'pass',
    messages: ['writtenOddly'],
  },
  {
    name: 'maxconn 20000abc is 20000 (note)',
    config: { backend: backend(server(1, 'maxconn 20000abc'), server(2), server(3)) },
    status: 'pass',
    messages: ['writtenOddly'],
  },
]);

const CERTS = '/etc/haproxy/certs';
runCases(HAP003, [
  {
    name: 'crt names a directory of certificates (dotfiles and .key skipped): it loads',
    config: { frontend: [`bind *:443 ssl crt ${CERTS}`, ...FRONTEND.slice(1)] },
    files: {
      [`${CERTS}/rebrain.pem`]: PEM,
      [`${CERTS}/.notes`]: 'x',
      [`${CERTS}/rebrain.pem.key`]: 'x',
      [`${CERTS}/old.ocsp`]: 'x',
    },
    profile: { certPath: `${CERTS}/rebrain.pem` },
    status: 'pass',
    messages: ['viaDirectory'],
  },
  {
    name: 'crt names a directory with a README in it: HAProxy refuses the config',
    config: { frontend: [`bind *:443 ssl crt ${CERTS}`, ...FRONTEND.slice(1)] },
    files: { [`${CERTS}/rebrain.pem`]: PEM, [`${CERTS}/README`]: 'my certificates\n' },
    profile: { certPath: `${CERTS}/rebrain.pem` },
    status: 'fail',
    messages: ['crtDirectoryFile'],
  },
]);
