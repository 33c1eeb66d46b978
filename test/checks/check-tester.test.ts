// The CheckTester itself: strict about every finding (extra, missing, duplicate), lenient only about order.
import { expect } from 'chai';
import HAP005 from '../../checks/HAP005.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { haproxyExample } from '../../src/facts/haproxy-examples.js';
import type { CheckResult, Finding } from '../../src/model/check.js';
import { expectFindings, findingProblems, testCheck } from '../support/check-tester.js';

const finding = (f: Partial<Finding> & { messageId: string }): Finding => ({ kind: 'fail', message: 'm', ...f });
const result = (findings: Finding[]): CheckResult => ({
  id: 'TST001',
  title: 't',
  area: 'haproxy',
  mode: 'static',
  severity: 'minor',
  status: 'fail',
  points: 0,
  maxPoints: 1,
  findings,
  durationMs: 0,
});

describe('CheckTester', () => {
  const onBoth = [
    finding({ host: 'master', messageId: 'ifNone', line: 7 }),
    finding({ host: 'backup', messageId: 'ifNone', line: 7 }),
  ];

  it('accepts exactly the expected findings, in any order', () => {
    expect(
      findingProblems(onBoth, [
        { host: 'backup', messageId: 'ifNone', line: 7 },
        { host: 'master', messageId: 'ifNone', line: 7, kind: 'fail' },
      ]),
    ).to.deep.equal([]);
    expect(() => expectFindings(result([]), [])).to.not.throw();
  });

  it('rejects a finding nobody expected', () => {
    expect(findingProblems(onBoth, [{ host: 'master', messageId: 'ifNone' }])).to.deep.equal([
      'unexpected finding: fail backup ifNone:7 m',
    ]);
    expect(() => expectFindings(result(onBoth), [{ host: 'master', messageId: 'ifNone' }])).to.throw(
      /unexpected finding: fail backup ifNone:7/,
    );
  });

  it('rejects a missing finding, a wrong host, line or kind', () => {
    const expected = [
      { host: 'master' as const, messageId: 'ifNone', line: 7 },
      { host: 'backup' as const, messageId: 'ifNone', line: 7 },
      { host: 'backup' as const, messageId: 'missing' },
    ];
    expect(findingProblems(onBoth, expected)).to.deep.equal(['missing finding: * backup missing']);
    expect(() => expectFindings(result(onBoth), expected)).to.throw(/missing finding: \* backup missing/);
    expect(findingProblems(onBoth, [{ messageId: 'ifNone' }, { messageId: 'ifNone' }])).to.have.length(4);
    expect(
      findingProblems(onBoth, [
        { host: 'master', messageId: 'ifNone', line: 8 },
        { host: 'backup', messageId: 'ifNone', line: 7, kind: 'note' },
      ]),
    ).to.deep.equal([
      'missing finding: * master ifNone:8',
      'missing finding: note backup ifNone:7',
      'unexpected finding: fail master ifNone:7 m',
      'unexpected finding: fail backup ifNone:7 m',
    ]);
  });

  it('rejects a finding reported twice, even when it was expected once or twice', () => {
    const twice = [...onBoth, finding({ host: 'master', messageId: 'ifNone', line: 7 })];
    const once = [
      { host: 'master' as const, messageId: 'ifNone', line: 7 },
      { host: 'backup' as const, messageId: 'ifNone', line: 7 },
    ];
    expect(findingProblems(twice, once)).to.deep.equal([
      'duplicate finding: fail master ifNone:7 m',
      'unexpected finding: fail master ifNone:7 m',
    ]);
    expect(findingProblems(twice, [...once, once[0]!])).to.deep.equal(['duplicate finding: fail master ifNone:7 m']);
    expect(() => expectFindings(result(twice), [...once, once[0]!])).to.throw(/duplicate finding/);
  });

  it('two findings of one id on different lines are not duplicates', () => {
    const two = [
      finding({ host: 'master', messageId: 'x', line: 1 }),
      finding({ host: 'master', messageId: 'x', line: 2 }),
    ];
    expect(
      findingProblems(two, [
        { host: 'master', messageId: 'x' },
        { host: 'master', messageId: 'x', line: 1 },
      ]),
    ).to.deep.equal([]);
  });

  it('matches precisely first: an entry without a line leaves the finding a precise entry needs', () => {
    const two = [
      finding({ host: 'master', messageId: 'x', line: 1 }),
      finding({ host: 'master', messageId: 'x', line: 2 }),
    ];
    // Greedy in this order would give line 1 to the loose entry and leave `line: 1` unmatched.
    expect(
      findingProblems(two, [
        { host: 'master', messageId: 'x' },
        { host: 'master', messageId: 'x', line: 1 },
      ]),
    ).to.deep.equal([]);
    expect(
      findingProblems(two, [
        { host: 'master', messageId: 'x', line: 2 },
        { host: 'master', messageId: 'x' },
      ]),
    ).to.deep.equal([]);
  });
});

// testCheck end to end, on a real check.
const CFG = DEFAULT_PROFILE.haproxyCfgPath;
const withFrontend = (line: string) =>
  haproxyExample({
    frontend: ['bind *:443 ssl crt /etc/haproxy/rebrain.pem', 'mode http', line, 'default_backend back_cluster'],
  });
testCheck(HAP005, {
  valid: [
    { name: 'the reference solution' },
    {
      name: 'set-header, noted on both hosts',
      master: { [CFG]: withFrontend('http-request set-header X-Forwarded-For %[src]') },
      backup: { [CFG]: withFrontend('http-request set-header X-Forwarded-For %[src]') },
      findings: [
        { host: 'master', messageId: 'setHeader', kind: 'note' },
        { host: 'backup', messageId: 'setHeader', kind: 'note' },
      ],
    },
  ],
  invalid: [
    {
      name: 'if-none on master only',
      master: { [CFG]: withFrontend('option forwardfor if-none') },
      findings: [{ host: 'master', messageId: 'ifNone' }],
      status: 'fail',
    },
  ],
});
