// HAP001-HAP006 through the CheckTester: the file as a whole, then the frontend front_cluster (its bind and
// certificate, mode, X-Forwarded-For and default backend). The cases are hap-cases.ts tables: a haproxy.cfg
// over the correct fixture and the expected status and messageIds. HAP007-HAP012 are in hap007-hap012.test.ts.
import { expect } from 'chai';
import HAP001 from '../../checks/HAP001.js';
import HAP002 from '../../checks/HAP002.js';
import HAP003 from '../../checks/HAP003.js';
import HAP004 from '../../checks/HAP004.js';
import HAP005 from '../../checks/HAP005.js';
import HAP006 from '../../checks/HAP006.js';
import HAP010 from '../../checks/HAP010.js';
import HAP012 from '../../checks/HAP012.js';
import { haproxyExample } from '../../src/facts/haproxy-examples.js';
import { expectFindings, runCheck } from '../support/check-tester.js';
import { CFG, FRONTEND, frontend, runCases, SERVERS } from './hap-cases.js';

runCases(HAP001, [
  { name: 'the reference solution', config: {}, status: 'pass', messages: [] },
  {
    name: 'a keyword typo, at its line',
    config: { defaults: ['mode http', 'timeout conect 5s'] },
    status: 'fail',
    messages: ['unknownTimeout'],
    line: 10,
  },
  { name: 'no final newline', config: haproxyExample().trimEnd(), status: 'fail', messages: ['missingFinalLf'] },
  {
    name: 'no final newline is only a warning for HAProxy 2.2',
    config: haproxyExample().trimEnd(),
    profile: { haproxyVersion: '2.2' },
    status: 'pass',
    messages: ['missingFinalLfWarned'],
  },
  {
    name: 'an .if on a predicate is assumed true (a note)',
    config: `.if defined(LAB)\n${haproxyExample()}.endif\n`,
    status: 'pass',
    messages: ['conditionAssumed'],
  },
  {
    name: 'no option forwardfor is fatal',
    config: { frontend: [...FRONTEND, 'no option forwardfor'] },
    status: 'fail',
    messages: ['optionNotNegatable'],
  },
  {
    name: 'an address on the listen line',
    config: { after: 'listen stats :8404\n    mode http\n' },
    status: 'fail',
    messages: ['addressOnSectionLine', 'noCurrentProxy'],
  },
]);

describe('HAP001 file access', () => {
  it('fails when haproxy.cfg is missing on backup, and the other checks skip there', async () => {
    const opts = { backup: { [CFG]: null } };
    const result = await runCheck(HAP001, opts);
    expect(result.status).to.equal('fail');
    expectFindings(result, [{ host: 'backup', messageId: 'fileMissing' }]);
    for (const check of [HAP002, HAP005, HAP010, HAP012]) {
      const other = await runCheck(check, opts);
      expect(other.status, check.id).to.equal('skip');
      // Only backup, whose file is missing, is reported; master's (the correct one) raises nothing.
      expectFindings(other, [{ host: 'backup', messageId: 'configMissing', kind: 'skip' }]);
    }
  });
});

runCases(HAP002, [
  { name: 'one frontend front_cluster', config: {}, status: 'pass', messages: [] },
  {
    name: 'declared as a backend',
    config: haproxyExample().replace('frontend front_cluster', 'backend front_cluster'),
    status: 'fail',
    messages: ['wrongKind'],
  },
  {
    name: 'declared twice',
    config: { after: 'frontend front_cluster\n    bind :80\n' },
    status: 'fail',
    messages: ['duplicate'],
  },
  {
    name: 'a listen section works as the frontend (note)',
    config: haproxyExample().replace('frontend front_cluster', 'listen front_cluster'),
    status: 'pass',
    messages: ['listen'],
  },
  {
    name: 'another frontend is reported as a note',
    config: { after: 'frontend stats\n    bind :8404\n    mode http\n    stats enable\n' },
    status: 'pass',
    messages: ['others'],
  },
]);

runCases(HAP003, [
  { name: 'bind *:443 ssl crt', config: {}, status: 'pass', messages: [] },
  {
    name: 'bind [::]:443 v4v6',
    config: { frontend: frontend(FRONTEND[0], 'bind [::]:443 v4v6 ssl crt /etc/haproxy/rebrain.pem') },
    status: 'pass',
    messages: [],
  },
  {
    name: 'a comma list with 443 second',
    config: { frontend: frontend(FRONTEND[0], 'bind :80,:443 ssl crt /etc/haproxy/rebrain.pem') },
    status: 'pass',
    messages: [],
  },
  {
    name: 'the plain bind comes first, the TLS one second',
    config: { frontend: frontend(FRONTEND[0], 'bind :443', 'bind :443 ssl crt /etc/haproxy/rebrain.pem') },
    status: 'pass',
    messages: [],
  },
  {
    name: 'a specific address (note)',
    config: { frontend: frontend(FRONTEND[0], 'bind 203.0.113.10:443 ssl crt /etc/haproxy/rebrain.pem') },
    status: 'pass',
    messages: ['specificAddress'],
  },
  // haproxy -c 2.6.12: "unable to load certificate from file '/etc/haproxy/haproxy.cfg'" (src/ssl_crtlist.c
  // v2.6.0:687-730).
  {
    name: 'crt names /etc/haproxy/, where haproxy.cfg is not a certificate',
    config: { frontend: frontend(FRONTEND[0], 'bind *:443 ssl crt /etc/haproxy/') },
    status: 'fail',
    messages: ['crtDirectoryFile'],
  },
  {
    name: "a relative crt under Debian's crt-base /etc/ssl/private is another file",
    config: {
      global: ['daemon', 'crt-base /etc/ssl/private'],
      frontend: frontend(FRONTEND[0], 'bind *:443 ssl crt rebrain.pem'),
    },
    status: 'fail',
    messages: ['wrongCrt'],
  },
  {
    name: 'ssl without crt',
    config: { frontend: frontend(FRONTEND[0], 'bind *:443 ssl') },
    status: 'fail',
    messages: ['noCrt'],
  },
  {
    name: 'another certificate',
    config: { frontend: frontend(FRONTEND[0], 'bind *:443 ssl crt /etc/ssl/private/site.pem') },
    status: 'fail',
    messages: ['wrongCrt'],
  },
  {
    name: 'a port range that does not reach 443',
    config: { frontend: frontend(FRONTEND[0], 'bind *:8000-8443 ssl crt /etc/haproxy/rebrain.pem') },
    status: 'fail',
    messages: ['noPort'],
  },
  {
    name: 'a unix socket only',
    config: { frontend: frontend(FRONTEND[0], 'bind /run/haproxy/443.sock ssl crt /etc/haproxy/rebrain.pem') },
    status: 'fail',
    messages: ['noPort'],
  },
  {
    name: 'a crt-list cannot be judged',
    config: { frontend: frontend(FRONTEND[0], 'bind *:443 ssl crt-list /etc/haproxy/list.txt') },
    status: 'skip',
    messages: ['crtList'],
  },
  {
    name: 'a port from an environment variable',
    config: { frontend: frontend(FRONTEND[0], 'bind "*:${HTTPS_PORT}" ssl crt /etc/haproxy/rebrain.pem') },
    status: 'fail',
    messages: ['noPort'],
  },
  {
    name: 'the frontend is missing',
    config: haproxyExample().replace('frontend front_cluster', 'frontend web'),
    status: 'skip',
    messages: ['noFrontend'],
  },
]);

runCases(HAP004, [
  { name: 'mode http in the frontend', config: {}, status: 'pass', messages: [] },
  {
    name: 'mode tcp in the frontend',
    config: { frontend: frontend('mode http', 'mode tcp') },
    status: 'fail',
    messages: ['wrongMode'],
    line: 18,
  },
  {
    name: 'mode tcp inherited from defaults',
    config: { defaults: ['mode tcp', 'timeout client 30s'], frontend: frontend('mode http') },
    status: 'fail',
    messages: ['wrongMode'],
    line: 9,
  },
  {
    name: 'a later defaults section without mode resets it to tcp',
    config: haproxyExample({ frontend: frontend('mode http') }).replace(
      'frontend front_cluster',
      'defaults\n    timeout client 30s\n\nfrontend front_cluster',
    ),
    status: 'fail',
    messages: ['defaultMode'],
  },
]);

runCases(HAP005, [
  { name: 'option forwardfor in the frontend', config: {}, status: 'pass', messages: [] },
  {
    name: 'add-header X-Forwarded-For %[src] (note)',
    config: { frontend: frontend('option forwardfor', 'http-request add-header X-Forwarded-For %[src]') },
    status: 'pass',
    messages: ['setHeader'],
  },
  {
    name: 'set-header with a condition only',
    config: { frontend: frontend('option forwardfor', 'http-request set-header X-Forwarded-For %[src] if { ssl_fc }') },
    status: 'fail',
    messages: ['conditional'],
  },
  {
    name: 'set-header with another value',
    config: { frontend: frontend('option forwardfor', 'http-request set-header X-Forwarded-For %[hdr(x-real-ip)]') },
    status: 'fail',
    messages: ['missing'],
  },
  {
    name: 'if-none in the frontend, plain in the backend: the backend adds it anyway',
    config: {
      frontend: frontend('option forwardfor', 'option forwardfor if-none'),
      backend: ['mode http', 'option forwardfor', 'balance roundrobin', ...SERVERS],
    },
    status: 'pass',
    messages: ['inBackend'],
  },
  {
    name: 'the last forwardfor line wins',
    config: { frontend: frontend('option forwardfor', 'option forwardfor if-none', 'option forwardfor') },
    status: 'pass',
    messages: [],
  },
  {
    name: 'in a frontend that works in tcp mode the option is ignored',
    config: { frontend: frontend('mode http', 'mode tcp') },
    status: 'fail',
    messages: ['notHttp'],
  },
]);

runCases(HAP006, [
  { name: 'default_backend back_cluster', config: {}, status: 'pass', messages: [] },
  {
    name: 'inherited from defaults (note)',
    config: {
      defaults: ['mode http', 'default_backend back_cluster'],
      frontend: frontend('default_backend back_cluster'),
    },
    status: 'pass',
    messages: ['inherited'],
  },
  {
    name: 'use_backend only',
    config: { frontend: frontend('default_backend back_cluster', 'use_backend back_cluster') },
    status: 'fail',
    messages: ['missing'],
  },
]);
