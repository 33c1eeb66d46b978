// The table the HAP check tests share, ESLint RuleTester style: each case puts a haproxy.cfg over the correct
// fixture (on master only, or on both hosts) and names the expected status and messageIds; runCases turns a
// table into testCheck's valid and invalid cases. Also the reference frontend and servers to vary.
import { haproxyExample, type ExampleParts } from '../../src/facts/haproxy-examples.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import type { Check, MessageIdOf } from '../../src/model/check.js';
import type { LabProfile } from '../../src/model/target.js';
import type { Role, Status } from '../../src/model/basics.js';
import { type ExpectedFinding, testCheck, type TesterOptions } from '../support/check-tester.js';

export const CFG = DEFAULT_PROFILE.haproxyCfgPath;
export const FRONTEND = [
  'bind *:443 ssl crt /etc/haproxy/rebrain.pem',
  'mode http',
  'option forwardfor',
  'default_backend back_cluster',
];
export const SERVERS = [
  'server rebrain_01 127.0.0.1:81 maxconn 20000',
  'server rebrain_02 127.0.0.1:81 maxconn 20000',
  'server rebrain_03 127.0.0.1:81 maxconn 20000',
];
/** The reference frontend with `line` replaced by `by` (or removed when `by` is empty). */
export const frontend = (line: string, ...by: string[]) => FRONTEND.flatMap((l) => (l === line ? by : [l]));

export interface Case {
  name: string;
  /** The whole file, or parts of the reference solution to replace. */
  config: string | ExampleParts;
  /** Put it on both hosts (default) or on master only. */
  masterOnly?: boolean;
  profile?: Partial<LabProfile>;
  status: Status;
  messages: string[];
  /** Line of the first finding. */
  line?: number;
  /** Every finding, when not each message once on every host the config went to. */
  findings?: ExpectedFinding<string>[];
}

export const onBoth = (messageId: string, times = 1): ExpectedFinding<string>[] =>
  (['master', 'backup'] as const).flatMap((host) => Array.from({ length: times }, () => ({ host, messageId })));

function options(c: Case): TesterOptions {
  const text = typeof c.config === 'string' ? c.config : haproxyExample(c.config);
  return {
    master: { [CFG]: text },
    ...(c.masterOnly ? {} : { backup: { [CFG]: text } }),
    ...(c.profile ? { profile: c.profile } : {}),
  };
}

/**
 * The table's shorthand as testCheck cases: unless a case lists its findings, each message once on every
 * host the config went to (at `line` when given), nothing else.
 */
export function runCases<C extends Check>(check: C, cases: Case[]): void {
  const asTesterCase = (c: Case) => {
    const hosts: Role[] = c.masterOnly ? ['master'] : ['master', 'backup'];
    const findings =
      c.findings ??
      [...new Set(c.messages)].flatMap((messageId) =>
        hosts.map((host) => ({ host, messageId, ...(c.line !== undefined ? { line: c.line } : {}) })),
      );
    return { name: c.name, ...options(c), findings: findings as ExpectedFinding<MessageIdOf<C>>[] };
  };
  testCheck(check, {
    valid: cases.filter((c) => c.status === 'pass').map(asTesterCase),
    invalid: cases.filter((c) => c.status !== 'pass').map((c) => ({ ...asTesterCase(c), status: c.status })),
  });
}
