// Whole keepalived.conf texts for the checks' doc examples: master's reference file with some
// lines replaced (null drops a line), so a failing example breaks exactly one rule.

export interface KeepalivedExampleParts {
  globalDefs?: string[];
  script?: string[];
  state?: string | null;
  priority?: string | null;
  virtualRouterId?: string;
  advertInt?: string;
  authentication?: string[] | null;
  vip?: string[];
  track?: string[] | null;
  /** Lines added at the end of the vrrp_instance block. */
  instanceExtra?: string[];
}

export function keepalivedExample(parts: KeepalivedExampleParts = {}): string {
  const block = (header: string, lines: string[]) => `${header} {\n${lines.map((l) => `    ${l}\n`).join('')}}\n`;
  const inner = (header: string, lines: string[]) =>
    `    ${header} {\n${lines.map((l) => `        ${l}\n`).join('')}    }\n`;
  const opt = (line: string | null | undefined, fallback: string) => (line === null ? [] : [line ?? fallback]);
  const instance =
    [
      ...opt(parts.state, 'state MASTER'),
      'interface eth0',
      parts.virtualRouterId ?? 'virtual_router_id 51',
      ...opt(parts.priority, 'priority 110'),
      parts.advertInt ?? 'advert_int 1',
    ]
      .map((l) => `    ${l}\n`)
      .join('') +
    (parts.authentication === null
      ? ''
      : inner('authentication', parts.authentication ?? ['auth_type PASS', 'auth_pass s3cret12'])) +
    inner('virtual_ipaddress', parts.vip ?? ['203.0.113.10/24 brd 203.0.113.255 dev eth0 label eth0:10']) +
    (parts.track === null ? '' : inner('track_script', parts.track ?? ['check_haproxy'])) +
    (parts.instanceExtra ?? []).map((l) => `    ${l}\n`).join('');
  return [
    block('global_defs', parts.globalDefs ?? ['router_id master', 'script_user root', 'enable_script_security']),
    block(
      'vrrp_script check_haproxy',
      parts.script ?? ['script "/usr/bin/killall -0 haproxy"', 'interval 1', 'fall 2', 'rise 2', 'weight -20'],
    ),
    `vrrp_instance VI_1 {\n${instance}}\n`,
  ].join('\n');
}
