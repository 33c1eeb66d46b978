// Whole haproxy.cfg texts for the checks' doc examples: the reference solution with one part replaced,
// so a failing example breaks exactly one rule (a meta-test runs every example through its check).

export interface ExampleParts {
  global?: string[];
  defaults?: string[];
  frontend?: string[];
  backend?: string[];
  /** Text appended after the backend (another section). */
  after?: string;
}

const REFERENCE: Required<Omit<ExampleParts, 'after'>> = {
  global: ['log /dev/log local0', 'maxconn 4000', 'user haproxy', 'group haproxy', 'daemon'],
  defaults: [
    'log global',
    'mode http',
    'option httplog',
    'timeout connect 5s',
    'timeout client 30s',
    'timeout server 30s',
  ],
  frontend: [
    'bind *:443 ssl crt /etc/haproxy/rebrain.pem',
    'mode http',
    'option forwardfor',
    'default_backend back_cluster',
  ],
  backend: [
    'mode http',
    'balance roundrobin',
    'server rebrain_01 127.0.0.1:81 maxconn 20000',
    'server rebrain_02 127.0.0.1:81 maxconn 20000',
    'server rebrain_03 127.0.0.1:81 maxconn 20000',
  ],
};

/** The reference haproxy.cfg with the given parts replaced. */
export function haproxyExample(parts: ExampleParts = {}): string {
  const section = (header: string, lines: string[]) => `${header}\n${lines.map((l) => `    ${l}\n`).join('')}`;
  return [
    section('global', parts.global ?? REFERENCE.global),
    section('defaults', parts.defaults ?? REFERENCE.defaults),
    section('frontend front_cluster', parts.frontend ?? REFERENCE.frontend),
    section('backend back_cluster', parts.backend ?? REFERENCE.backend),
    ...(parts.after ? [parts.after] : []),
  ].join('\n');
}
