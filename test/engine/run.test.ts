// The engine: folding findings into statuses, isolating a crashing check, unreachable hosts,
// scores, exit codes, and secrets redacted from everything it returns.
import { expect } from 'chai';
import { foldStatus, runChecks, exitCodeFor } from '../../src/engine/run.js';
import { redact } from '../../src/engine/redact.js';
import { MemoryHost } from '../../src/hosts/memory.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import type { Check, CheckContext, RunOptions } from '../../src/model/check.js';

const text = (en: string) => ({ en, ru: `ru: ${en}` });

function check(
  id: string,
  run: (ctx: CheckContext<string>) => Promise<void>,
  mode: Check['mode'] = 'static',
  points = 2,
): Check {
  return {
    id,
    title: text(id),
    area: 'haproxy',
    mode,
    points,
    severity: 'major',
    spec: 'test',
    asserts: text('asserts'),
    messages: { bad: text('bad {what}'), note: text('note') },
    hint: text('fix {what}'),
    doc: { rationale: text('r'), failing: { file: 'x', text: 'x' }, passing: { file: 'x', text: 'x' }, fix: text('f') },
    run,
  };
}

const hosts = { master: new MemoryHost('master', {}), backup: new MemoryHost('backup', {}) };
const options: RunOptions = { lang: 'en', failover: false, live: false };
const run = (checks: Check[], extra: Partial<Parameters<typeof runChecks>[0]> = {}) =>
  runChecks({
    checks,
    hosts,
    target: { master: { address: '203.0.113.10' }, backup: { address: '203.0.113.20' } },
    profile: DEFAULT_PROFILE,
    options,
    ...extra,
  });

describe('engine', () => {
  it('folds findings: error over fail over skip; notes alone pass', () => {
    expect(foldStatus([])).to.equal('pass');
    expect(foldStatus([{ kind: 'note' }])).to.equal('pass');
    expect(foldStatus([{ kind: 'skip' }])).to.equal('skip');
    expect(foldStatus([{ kind: 'skip' }, { kind: 'note' }])).to.equal('pass');
    expect(foldStatus([{ kind: 'fail' }, { kind: 'skip' }])).to.equal('fail');
    expect(foldStatus([{ kind: 'fail' }, { kind: 'error' }])).to.equal('error');
  });

  it('renders messages and hints in the chosen language, with data', async () => {
    const failing = check('TST001', async (ctx) =>
      ctx.report({ host: 'master', messageId: 'bad', data: { what: 'mode' }, file: '/f', line: 3 }),
    );
    const en = await run([failing]);
    expect(en.results[0]!.findings[0]).to.include({
      message: 'bad mode',
      hint: 'fix mode',
      host: 'master',
      line: 3,
      kind: 'fail',
    });
    const ru = await run([failing], { options: { ...options, lang: 'ru' } });
    expect(ru.results[0]!.findings[0]!.message).to.equal('ru: bad mode');
  });

  it('a check that throws is an ERROR for that check only; the run goes on', async () => {
    const result = await run([
      check('TST001', async () => {
        throw new Error('boom');
      }),
      check('TST002', async () => {}),
    ]);
    expect(result.results.map((r) => r.status)).to.deep.equal(['error', 'pass']);
    expect(result.results[0]!.findings[0]!.message).to.contain('boom');
    expect(result.exitCode).to.equal(3);
  });

  it('scores passed points; skipped checks count in neither score nor maximum', async () => {
    const result = await run([
      check('TST001', async () => {}),
      check('TST002', async (ctx) => ctx.report({ messageId: 'bad' }), 'static', 3),
      check('TST003', async () => {}, 'live', 5),
    ]);
    expect(result.summary).to.include({ pass: 1, fail: 1, skip: 1, score: 2, maxScore: 5 });
    expect(result.exitCode).to.equal(1);
  });

  it('an unreachable host makes every check an ERROR naming it, never a FAIL', async () => {
    let ran = false;
    const result = await run([check('TST001', async () => void (ran = true))], {
      unreachable: { backup: 'connection refused' },
    });
    expect(ran).to.equal(false);
    expect(result.results[0]!.status).to.equal('error');
    expect(result.results[0]!.findings[0]!.message).to.equal('cannot reach backup: connection refused');
    expect(result.exitCode).to.equal(3);
  });

  it('a warm-up fills the memo the checks read, and is skipped when a host is unreachable', async () => {
    let computed = 0;
    const reader = check('TST001', async (ctx) => {
      const value = await ctx.memo('answer', async () => ++computed);
      if (value !== 1) ctx.report({ messageId: 'bad', data: { what: String(value) } });
    });
    const warmUp = async (ctx: CheckContext) => void (await ctx.memo('answer', async () => ++computed));
    const result = await run([reader, reader], { warmUp });
    expect(result.results.map((r) => r.status)).to.deep.equal(['pass', 'pass']);
    expect(computed).to.equal(1);
    computed = 0;
    await run([reader], { warmUp, unreachable: { master: 'down' } });
    expect(computed).to.equal(0);
  });

  it('exit codes: 0 all passed, 1 any failure, 3 errors without failures', () => {
    const s = { pass: 1, fail: 0, error: 0, skip: 0, score: 1, maxScore: 1 };
    expect(exitCodeFor(s)).to.equal(0);
    expect(exitCodeFor({ ...s, fail: 1, error: 1 })).to.equal(1);
    expect(exitCodeFor({ ...s, error: 1 })).to.equal(3);
  });

  it('redacts secrets from messages, excerpts and evidence', async () => {
    const leaky = check('TST001', async (ctx) => {
      ctx.report({ messageId: 'bad', data: { what: 'hunter22' }, excerpt: '    auth_pass s3cret12' });
      ctx.evidence({
        command: 'cat /etc/haproxy/rebrain.pem',
        exitCode: 0,
        output: '-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----\n',
      });
    });
    const result = await run([leaky], { secrets: ['hunter22'] });
    const json = JSON.stringify(result);
    expect(json).to.not.contain('hunter22');
    expect(json).to.not.contain('s3cret12');
    expect(json).to.not.contain('MIIEv');
    expect(result.results[0]!.findings[0]!.excerpt).to.equal('    auth_pass ********');
  });

  it('redact() masks auth_pass, private key blocks and password assignments, and leaves the rest', () => {
    expect(redact('auth_pass "a b c"\nauth_type PASS')).to.equal('auth_pass ********\nauth_type PASS');
    expect(redact('auth_pass s3cr!t12')).to.equal('auth_pass ********');
    expect(redact('ansible_password=pw1 ansible_host=1.2.3.4')).to.equal(
      'ansible_password=******** ansible_host=1.2.3.4',
    );
    expect(redact('-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----')).to.not.contain('AAAA');
    expect(redact('-----BEGIN CERTIFICATE-----\nCCCC\n-----END CERTIFICATE-----')).to.contain('CCCC');
  });
});
