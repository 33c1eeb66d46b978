// HAP007-HAP012 through the CheckTester: the backend back_cluster (mode, balance, servers, maxconn) and the
// same haproxy.cfg on both hosts. The cases are hap-cases.ts tables: a haproxy.cfg over the correct fixture
// and the expected status and messageIds. HAP001-HAP006 are in hap001-hap006.test.ts.
import HAP007 from '../../checks/HAP007.js';
import HAP008 from '../../checks/HAP008.js';
import HAP009 from '../../checks/HAP009.js';
import HAP010 from '../../checks/HAP010.js';
import HAP011 from '../../checks/HAP011.js';
import HAP012 from '../../checks/HAP012.js';
import { haproxyExample } from '../../src/facts/haproxy-examples.js';
import { FRONTEND, onBoth, runCases, SERVERS } from './hap-cases.js';

runCases(HAP007, [
  { name: 'one backend back_cluster', config: {}, status: 'pass', messages: [] },
  {
    name: 'a second backend is a note',
    config: { after: 'backend stats_be\n    mode http\n' },
    status: 'pass',
    messages: ['others'],
  },
  {
    name: 'declared twice',
    config: { after: 'backend back_cluster\n    mode http\n' },
    status: 'fail',
    messages: ['duplicate'],
  },
]);

runCases(HAP008, [
  { name: 'mode http in the backend', config: {}, status: 'pass', messages: [] },
  {
    name: 'mode tcp in the backend',
    config: { backend: ['mode tcp', 'balance roundrobin', ...SERVERS] },
    status: 'fail',
    messages: ['wrongMode'],
  },
]);

runCases(HAP009, [
  { name: 'balance roundrobin', config: {}, status: 'pass', messages: [] },
  {
    name: 'inherited from defaults (note)',
    config: { defaults: ['mode http', 'balance roundrobin'], backend: ['mode http', ...SERVERS] },
    status: 'pass',
    messages: ['inherited'],
  },
  {
    name: 'absent on HAProxy 3.3, whose default is random',
    config: { backend: ['mode http', ...SERVERS] },
    profile: { haproxyVersion: '3.3' },
    status: 'fail',
    messages: ['defaultNotExpected'],
  },
  {
    name: 'balance in the frontend is ignored, the backend has leastconn',
    config: { frontend: [...FRONTEND, 'balance roundrobin'], backend: ['mode http', 'balance leastconn', ...SERVERS] },
    status: 'fail',
    messages: ['wrongAlgorithm'],
  },
]);

runCases(HAP010, [
  { name: 'the three servers', config: {}, status: 'pass', messages: [] },
  {
    name: 'no port',
    config: {
      backend: ['mode http', 'balance roundrobin', SERVERS[0], SERVERS[1], 'server rebrain_03 127.0.0.1 maxconn 20000'],
    },
    status: 'fail',
    messages: ['noPort'],
    line: 27,
  },
  {
    name: 'a server missing',
    config: { backend: ['mode http', 'balance roundrobin', SERVERS[0], SERVERS[1]] },
    status: 'fail',
    messages: ['missingServer'],
  },
  {
    name: 'localhost instead of 127.0.0.1 (note)',
    config: {
      backend: [
        'mode http',
        'balance roundrobin',
        SERVERS[0],
        SERVERS[1],
        'server rebrain_03 localhost:81 maxconn 20000',
      ],
    },
    status: 'pass',
    messages: ['loopbackName'],
  },
  {
    name: 'a disabled server',
    config: { backend: ['mode http', 'balance roundrobin', SERVERS[0], SERVERS[1], `${SERVERS[2]} disabled`] },
    status: 'fail',
    messages: ['disabled'],
  },
  {
    name: 'a wrong name (rebrain_3)',
    config: {
      backend: [
        'mode http',
        'balance roundrobin',
        SERVERS[0],
        SERVERS[1],
        'server rebrain_3 127.0.0.1:81 maxconn 20000',
      ],
    },
    status: 'fail',
    messages: ['extraServer', 'missingServer'],
  },
]);

runCases(HAP011, [
  { name: 'maxconn on each server line', config: {}, status: 'pass', messages: [] },
  {
    name: 'default-server in defaults flows into the backend (note)',
    config: {
      defaults: ['mode http', 'default-server maxconn 20000'],
      backend: [
        'mode http',
        'balance roundrobin',
        'server rebrain_01 127.0.0.1:81',
        'server rebrain_02 127.0.0.1:81',
        'server rebrain_03 127.0.0.1:81',
      ],
    },
    status: 'pass',
    messages: ['viaDefaultServer'],
    findings: onBoth('viaDefaultServer', 3), // one per server
  },
  {
    name: 'the server line overrides default-server',
    config: {
      backend: [
        'mode http',
        'default-server maxconn 20000',
        'server rebrain_01 127.0.0.1:81',
        'server rebrain_02 127.0.0.1:81',
        'server rebrain_03 127.0.0.1:81 maxconn 100',
      ],
    },
    status: 'fail',
    messages: ['viaDefaultServer', 'wrongValue'],
    findings: [...onBoth('viaDefaultServer', 2), ...onBoth('wrongValue')],
  },
  {
    name: 'a wrong value via default-server points at the default-server line',
    config: {
      backend: ['mode http', 'default-server maxconn 2000', 'server rebrain_01 127.0.0.1:81', SERVERS[1], SERVERS[2]],
    },
    status: 'fail',
    messages: ['wrongValue'],
    line: 24,
  },
]);

runCases(HAP012, [
  { name: 'the same file', config: {}, status: 'pass', messages: [] },
  {
    name: 'master has one more line at the end',
    config: { after: 'backend extra\n    mode http\n' },
    masterOnly: true,
    status: 'fail',
    messages: ['ended', 'extra'],
    // The pair is judged once: where backup ends, and master's extra section.
    findings: [
      { host: 'backup', messageId: 'ended', line: 27 },
      { host: 'master', messageId: 'extra' },
    ],
  },
  {
    name: 'the same statements in another order',
    config: haproxyExample().replace(
      '    mode http\n    option forwardfor\n',
      '    option forwardfor\n    mode http\n',
    ),
    masterOnly: true,
    status: 'fail',
    messages: ['differs'],
    findings: [
      { host: 'master', messageId: 'differs', line: 18 },
      { host: 'backup', messageId: 'differs', line: 18 },
    ],
  },
]);
