// The live checks' building blocks: the command registry, the `ip -o -4 addr` reader and the
// readers of systemctl, haproxy -c, keepalived -t and curl outputs, on real captured outputs.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { displayCommand, findCommand, outputExcerpt, readOnlyCommands, runCached } from '../../src/facts/commands.js';
import { broadcastOf, parseIpAddr, vipEntries } from '../../src/facts/ip-addr.js';
import {
  ACTIVE_STATES,
  commandProblem,
  echoedForwardedFor,
  ENABLED_STATES,
  haproxyMessages,
  keepalivedMessages,
  parseCurlResponse,
  serviceState,
} from '../../src/facts/live.js';
import { runChecks } from '../../src/engine/run.js';
import { MemoryHost } from '../../src/hosts/memory.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import type { Check, CheckContext } from '../../src/model/check.js';
import type { CommandResult } from '../../src/hosts/host.js';
import { capture, captured } from './live-captures.js';

const VIP = '203.0.113.10';

describe('live facts: the read-only command registry', () => {
  const commands = readOnlyCommands(DEFAULT_PROFILE, VIP);

  it('has every key the live checks, SYS001 and the snapshot use, each once', () => {
    const keys = commands.map((c) => c.key);
    expect(new Set(keys).size).to.equal(keys.length);
    expect(keys).to.include.members([
      'ip-addr',
      'systemctl-is-enabled-keepalived',
      'systemctl-is-active-keepalived',
      'systemctl-is-active-haproxy',
      'haproxy-check',
      'keepalived-check',
      'keepalived-version',
      'haproxy-version',
      'sysctl',
      'https-vip',
      'tls-vip-cert',
      'keepalived-log',
    ]);
  });

  it('takes paths, services and sysctl keys from the profile', () => {
    const profile = {
      ...DEFAULT_PROFILE,
      haproxyCfgPath: '/srv/h.cfg',
      keepalivedService: 'ka',
      sysctl: { 'a.b': '1', 'c.d': '0' },
    };
    expect(findCommand(profile, VIP, 'haproxy-check')!.argv).to.deep.equal(['haproxy', '-c', '-f', '/srv/h.cfg']);
    expect(findCommand(profile, VIP, 'systemctl-is-enabled-keepalived')!.argv).to.deep.equal([
      'systemctl',
      'is-enabled',
      'ka',
    ]);
    // SYS001 runs key 'sysctl' with exactly this argv: a snapshot captures one output for both.
    expect(findCommand(profile, VIP, 'sysctl')!.argv).to.deep.equal(['sysctl', 'a.b', 'c.d']);
  });

  it("needs root only for the config tests and keepalived's log (the journal and syslog are not for everyone), and a timeout on everything", () => {
    expect(
      commands
        .filter((c) => c.root)
        .map((c) => c.key)
        .sort(),
    ).to.deep.equal(['haproxy-check', 'keepalived-check', 'keepalived-log']);
    expect(commands.every((c) => typeof c.timeoutMs === 'number' && c.timeoutMs > 0)).to.equal(true);
  });

  it('has the VIP commands only when the VIP is known, and never pastes the VIP into a shell script', () => {
    expect(readOnlyCommands(DEFAULT_PROFILE).map((c) => c.key)).to.not.include.members(['https-vip', 'tls-vip-cert']);
    for (const c of commands.filter((c) => c.shell)) expect(c.shell).to.not.include(VIP);
    expect(findCommand(DEFAULT_PROFILE, VIP, 'tls-vip-cert')!.argv).to.deep.equal([VIP, '443']);
    expect(findCommand(DEFAULT_PROFILE, VIP, 'https-vip')!.argv!.at(-1)).to.equal('https://203.0.113.10:443/');
  });

  it('displays commands as a user would type them, the script with its values written in', () => {
    expect(displayCommand(findCommand(DEFAULT_PROFILE, VIP, 'ip-addr')!)).to.equal('ip -o -4 addr show');
    expect(displayCommand({ key: 'x', argv: ['cat', "/etc/it's here"] })).to.equal("cat '/etc/it'\\''s here'");
    expect(displayCommand(findCommand(DEFAULT_PROFILE, VIP, 'tls-vip-cert')!)).to.equal(
      'timeout 5 openssl s_client -connect "203.0.113.10:443" </dev/null 2>/dev/null | openssl x509 -outform PEM',
    );
  });

  it('the tls-vip-cert script runs under sh with its values as $1 $2 (nothing listens: x509 finds no certificate)', function () {
    const cmd = findCommand(DEFAULT_PROFILE, '127.0.0.1', 'tls-vip-cert')!;
    const run = spawnSync('sh', ['-c', cmd.shell!, 'hagrade', '127.0.0.1', '1'], { encoding: 'utf8', timeout: 10_000 });
    if (run.error) this.skip(); // no sh/openssl on this machine
    expect(run.status).to.not.equal(0);
    expect(run.stdout).to.equal('');
    expect(run.stderr).to.match(/certificate/i);
  });

  it('ip-addr really runs here and its output parses (at least the loopback address)', function () {
    const argv = findCommand(DEFAULT_PROFILE, VIP, 'ip-addr')!.argv!;
    let out: string;
    try {
      out = execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
    } catch {
      this.skip();
    }
    expect(parseIpAddr(out!).some((e) => e.address === '127.0.0.1' && e.ifname === 'lo' && e.prefix === 8)).to.equal(
      true,
    );
  });
});

describe('live facts: runCached', () => {
  it('runs a command once per host per run, and records it as evidence for every check that asks', async () => {
    const master = new MemoryHost('master', {}, { 'ip-addr': capture('ip-addr', 'vip-good') });
    const backup = new MemoryHost('backup', {}, { 'ip-addr': capture('ip-addr', 'cloud-backup-good') });
    const asker = (id: string): Check =>
      ({
        id,
        run: async (ctx: CheckContext) => {
          await runCached(ctx, 'master', 'ip-addr');
          await runCached(ctx, 'master', 'ip-addr');
          await runCached(ctx, 'backup', 'ip-addr');
        },
      }) as unknown as Check;
    const meta = {
      title: { en: 't', ru: 't' },
      area: 'live',
      mode: 'live',
      points: 1,
      severity: 'minor',
      messages: {},
    };
    const result = await runChecks({
      checks: [{ ...meta, ...asker('T1') } as Check, { ...meta, ...asker('T2') } as Check],
      hosts: { master, backup },
      target: { master: { address: VIP }, backup: { address: '203.0.113.20' } },
      profile: DEFAULT_PROFILE,
      options: { lang: 'en', failover: false, live: true },
    });
    expect(master.ran.map((c) => c.key)).to.deep.equal(['ip-addr']);
    expect(backup.ran.map((c) => c.key)).to.deep.equal(['ip-addr']);
    for (const r of result.results) {
      expect(r.status).to.equal('pass');
      expect(r.evidence!.map((e) => e.host)).to.deep.equal(['master', 'master', 'backup']);
      expect(r.evidence![0]!.command).to.equal('ip -o -4 addr show');
      expect(r.evidence![0]!.output).to.include('inet 203.0.113.10/24 brd 203.0.113.255 scope global eth0:10');
    }
  });

  it('refuses a key that is not in the registry (a grader bug, not a finding)', async () => {
    const ctx = { profile: DEFAULT_PROFILE, vip: undefined } as never;
    let error: unknown;
    await runCached(ctx, 'master', 'https-vip').catch((e) => (error = e));
    expect(String(error)).to.match(/no read-only command 'https-vip'.*VIP/);
  });

  it('keeps evidence short: the first lines of stdout and stderr', () => {
    const long = {
      command: 'x',
      exitCode: 1,
      stdout: Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n'),
      stderr: 'oops',
    };
    const excerpt = outputExcerpt(long);
    expect(excerpt.split('\n')).to.have.length(21);
    expect(excerpt)
      .to.match(/^line 0\n/)
      .and.match(/…$/);
    expect(outputExcerpt({ command: 'x', exitCode: 0, stdout: 'a\n', stderr: 'b\n' })).to.equal('a\n\nb');
  });
});

describe('live facts: ip -o -4 addr show', () => {
  it('reads the VIP as keepalived adds it: /24, brd, scope global, label eth0:10', () => {
    const [vip] = vipEntries(parseIpAddr(captured('ip-addr', 'vip-good')), VIP);
    expect(vip).to.deep.include({
      ifindex: 3,
      ifname: 'eth0',
      address: VIP,
      prefix: 24,
      brd: '203.0.113.255',
      scope: 'global',
      label: 'eth0:10',
      secondary: false,
    });
    expect(vip!.text).to.equal('3: eth0    inet 203.0.113.10/24 brd 203.0.113.255 scope global eth0:10');
    expect(vip!.line).to.equal(3);
  });

  it('reads `secondary` as a flag, not as the label', () => {
    const [vip] = vipEntries(parseIpAddr(captured('ip-addr', 'vip-secondary')), '198.51.100.10');
    expect(vip).to.deep.include({ label: 'eth0:10', secondary: true, flags: ['secondary'] });
  });

  it('reads a DHCP-like primary (metric before brd, dynamic) and a VIP without brd or label', () => {
    const entries = parseIpAddr(captured('ip-addr', 'cloud-master-nobrd'));
    expect(entries.map((e) => e.address)).to.deep.equal(['127.0.0.1', '192.0.2.15', VIP]);
    expect(entries[1]).to.deep.include({ brd: '192.0.2.255', scope: 'global', flags: ['dynamic'], label: 'eth0' });
    expect(entries[2]!.brd).to.equal(undefined);
    expect(entries[2]!.label).to.equal('eth0:10');
    const [nolabel] = vipEntries(parseIpAddr(captured('ip-addr', 'cloud-master-nolabel')), VIP);
    expect(nolabel!.label).to.equal('eth0');
    const [host] = vipEntries(parseIpAddr(captured('ip-addr', 'vip-32')), VIP);
    expect(host).to.deep.include({ prefix: 32, label: 'eth0' });
    expect(host!.brd).to.equal(undefined);
  });

  it('reads a peer address and takes the prefix from it', () => {
    const [entry] = parseIpAddr(
      '5: tun0    inet 192.0.2.1 peer 192.0.2.2/32 scope global tun0\\       valid_lft forever preferred_lft forever',
    );
    expect(entry).to.deep.include({ address: '192.0.2.1', peer: '192.0.2.2', prefix: 32, label: 'tun0' });
  });

  it('skips what is not an IPv4 address line and never throws', () => {
    expect(parseIpAddr('')).to.deep.equal([]);
    expect(
      parseIpAddr('Device "eth9" does not exist.\n3: eth0    inet6 fe80::1/64 scope link \\ valid_lft forever'),
    ).to.deep.equal([]);
    fc.assert(fc.property(fc.string(), (s) => Array.isArray(parseIpAddr(s))));
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('1:', 'eth0', 'inet', '203.0.113.10/24', 'brd', 'scope', 'peer', '\\', ' ', '\n')),
        (words) => {
          parseIpAddr(words.join(' '));
        },
      ),
    );
  });

  it('computes broadcast addresses', () => {
    expect(broadcastOf('203.0.113.10', 24)).to.equal('203.0.113.255');
    expect(broadcastOf('51.250.86.11', 24)).to.equal('51.250.86.255');
    expect(broadcastOf('203.0.113.10', 16)).to.equal('203.0.255.255');
    expect(broadcastOf('203.0.113.10', 32)).to.equal('203.0.113.10');
    expect(broadcastOf('203.0.113.10', 0)).to.equal('255.255.255.255');
    expect(broadcastOf('203.0.113.10', 33)).to.equal(undefined);
    expect(broadcastOf('203.0.113.300', 24)).to.equal(undefined);
  });
});

describe('live facts: systemctl, haproxy -c, keepalived -t, curl', () => {
  it('reads the systemctl state word, whatever the exit code', () => {
    const state = (dir: string, name: string, states: string[]) =>
      serviceState(capture(dir, name) as CommandResult, states);
    expect(state('systemctl-is-enabled', 'enabled', ENABLED_STATES)).to.deep.equal({ known: true, state: 'enabled' });
    expect(state('systemctl-is-enabled', 'disabled', ENABLED_STATES)).to.deep.equal({ known: true, state: 'disabled' });
    expect(state('systemctl-is-enabled', 'masked', ENABLED_STATES)).to.deep.equal({ known: true, state: 'masked' });
    expect(state('systemctl-is-enabled', 'not-found', ENABLED_STATES)).to.deep.equal({
      known: true,
      state: 'not-found',
    });
    expect(state('systemctl-is-active', 'inactive', ACTIVE_STATES)).to.deep.equal({ known: true, state: 'inactive' });
    expect(state('systemctl-is-active', 'nosystemd', ACTIVE_STATES)).to.deep.equal({
      known: false,
      reason: "System has not been booted with systemd as init system (PID 1). Can't operate.",
    });
  });

  it('reads haproxy ALERT lines with their file and line, without the summary lines', () => {
    expect(haproxyMessages(capture('haproxy-check', 'nocert').stderr!, 'ALERT')).to.deep.equal([
      {
        text: "parsing [/etc/haproxy/haproxy.cfg:17] : 'bind *:443' in section 'frontend' : unable to stat SSL certificate from file '/etc/haproxy/rebrain.pem' : No such file or directory.",
        file: '/etc/haproxy/haproxy.cfg',
        line: 17,
      },
    ]);
    expect(haproxyMessages(capture('haproxy-check', 'nocfg').stderr!, 'ALERT')).to.deep.equal([
      { text: 'Cannot open configuration file/directory /etc/haproxy/haproxy.cfg : No such file or directory' },
    ]);
    const warnings = haproxyMessages(capture('haproxy-check', 'warnings').stderr!, 'WARNING');
    expect(warnings.map((w) => w.text)).to.deep.equal([
      "missing timeouts for frontend 'front_cluster'.",
      "missing timeouts for backend 'back_cluster'.",
    ]);
    expect(haproxyMessages(capture('haproxy-check', 'good').stdout!, 'ALERT')).to.deep.equal([]);
  });

  it('reads keepalived -t lines: the main file when unnamed, the named file otherwise, repeats once', () => {
    const main = '/etc/keepalived/keepalived.conf';
    expect(keepalivedMessages(capture('keepalived-check', 'unknown-keyword').stderr!, main)).to.deep.equal([
      { text: "(Line 3) Unknown keyword 'user'", file: main, line: 3 },
    ]);
    expect(
      keepalivedMessages(capture('keepalived-check', 'include').stderr!, main).map((m) => [m.file, m.line]),
    ).to.deep.equal([
      ['/tmp/fwork/ka/inc.conf', 4],
      ['/tmp/fwork/ka/inc.conf', 5],
    ]);
    const braces = keepalivedMessages(capture('keepalived-check', 'unclosed-braces').stderr!, main);
    expect(braces.filter((m) => m.text.startsWith('There are 3 missing'))).to.have.length(1);
    expect(braces.at(-1)).to.deep.equal({ text: "There are 3 missing '}'s or extra '{'s" });
  });

  it('reads curl -D - output: status line and body', () => {
    const ok = parseCurlResponse(captured('https-vip', 'ok'))!;
    expect(ok.status).to.equal(200);
    expect(ok.statusLine).to.equal('HTTP/1.1 200 OK');
    expect(ok.body).to.equal('host: master\nx-forwarded-for: 203.0.113.10\n');
    expect(parseCurlResponse(captured('https-vip', 'status-503'))!.status).to.equal(503);
    expect(parseCurlResponse(captured('https-vip', 'refused'))).to.equal(undefined);
    const interim = parseCurlResponse('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 302 Found\r\nlocation: /x\r\n\r\nmoved');
    expect(interim).to.deep.equal({ status: 302, statusLine: 'HTTP/1.1 302 Found', body: 'moved' });
  });

  it('finds the X-Forwarded-For a backend echoes, empty when it echoes none, undefined when it shows no headers', () => {
    expect(echoedForwardedFor(parseCurlResponse(captured('https-vip', 'ok'))!.body)).to.equal('203.0.113.10');
    expect(echoedForwardedFor(parseCurlResponse(captured('https-vip', 'no-xff'))!.body)).to.equal('');
    expect(echoedForwardedFor('<h1>Welcome to nginx!</h1>')).to.equal(undefined);
    expect(
      echoedForwardedFor('{\n  "headers": {\n    "X-Forwarded-For": "198.51.100.7",\n    "Host": "x"\n  }\n}'),
    ).to.equal('198.51.100.7');
    expect(echoedForwardedFor('X-Forwarded-For=198.51.100.7, 203.0.113.1')).to.equal('198.51.100.7, 203.0.113.1');
  });

  it('tells skip (no output) from error (grader failed) from a result to judge', () => {
    const base = { command: 'haproxy -c -f /etc/haproxy/haproxy.cfg', stdout: '', stderr: '' };
    const kind = (r: Partial<CommandResult>, zeroExit = false) => {
      const problem = commandProblem({ ...base, exitCode: 0, ...r }, zeroExit);
      return problem && `${problem.kind}:${problem.messageId}`;
    };
    expect(
      kind({ unavailable: true, exitCode: null, error: "no captured output for 'haproxy-check' in the snapshot" }),
    ).to.equal('skip:commandUnavailable');
    expect(kind({ timedOut: true, exitCode: null })).to.equal('error:commandTimedOut');
    expect(kind({ exitCode: null, error: 'channel closed' })).to.equal('error:commandNotRun');
    expect(kind({ exitCode: 1, stderr: 'sudo: a password is required\n' })).to.equal('error:sudoRefused');
    expect(kind({ exitCode: 127, stderr: 'sh: 1: haproxy: not found\n' })).to.equal('error:commandNotFound');
    expect(kind({ exitCode: 1 }, true)).to.equal('error:commandFailed');
    expect(kind({ exitCode: 1 })).to.equal(undefined);
    expect(kind(capture('haproxy-check', 'nocert'))).to.equal(undefined);
  });
});
