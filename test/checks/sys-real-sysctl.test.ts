// Differential test against the real procps sysctl: each configuration is applied with
// `sysctl -p FILE...` inside a fresh network namespace (net.* keys are per namespace, so the
// machine's own settings are untouched), then the values in effect are compared with what
// src/facts/sysctl.ts says the files set. Files are given in the order `sysctl --system` uses
// (sysctl.d by name, then sysctl.conf); -p with several files builds one setting list the same way.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  effectiveSetting,
  parseSysctlConf,
  parseSysctlOutput,
  sameSysctlValue,
  sysctlDirOrder,
  sysctlPath,
} from '../../src/facts/sysctl.js';
import { FIXTURES_DIR } from '../../src/self/paths.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { fixtureFiles, readFixtureFile } from '../support/fixtures.js';

const NETNS = `hgc-sysctl-${process.pid}`;
const KEYS = [
  ...Object.keys(DEFAULT_PROFILE.sysctl),
  'net.ipv4.conf.lo.arp_filter',
  'net.ipv4.conf.default.arp_filter',
  'net.ipv4.conf.eth0/100.rp_filter',
  'net.ipv4.conf.eth0/100.arp_filter',
  'net.core.somaxconn',
];

const SYNTHETIC: Record<string, string[]> = {
  'globs, exclusions, comments, invalid lines, slash keys, inline text': [
    [
      'net.ipv4.conf.*.arp_filter = 1',
      'net.ipv4.conf.all.arp_filter = 0',
      '-net.ipv4.conf.lo.arp_filter',
      // The kernel copies a new `default` value to every interface that never set its own:
      // keep the glob off `default` so that what we compare is sysctl's doing, not the kernel's.
      '-net.ipv4.conf.default.arp_filter',
      // A glob exclusion: procps 4.0.2 ignores it (newer upstream sources honour it).
      '-net.ipv4.conf.eth0/1*.arp_filter',
      'net.ipv4.conf.all.arp_ignore 1',
      'net/ipv4/conf/eth0.100/rp_filter = 2',
      'net.ipv4.ip_nonlocal_bind = 1 # inline',
      ' ; net.ipv4.conf.all.arp_announce = 2',
      '-net.ipv4.conf.nosuch.arp_announce = 1',
      'net.ipv4.conf.all.arp_announce = 1',
      'net.ipv4.conf.all.arp_announce = 2',
    ].join('\n'),
  ],
  'a later file overrides an earlier one; a glob loses to an explicit key in an earlier file': [
    'net.ipv4.conf.eth0.arp_filter = 1\nnet.core.somaxconn = 1024\n',
    'net.ipv4.conf.*.arp_filter = 0\nnet.core.somaxconn=2048\n',
  ],
};

function sh(argv: string[]): string {
  return execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Files of a fixture host in `sysctl --system` order. */
function sysctlFiles(fixture: string, role: string): string[] {
  const dir = `${role}/etc/sysctl.d`;
  const names = sysctlDirOrder(fixtureFiles(fixture, dir).map((p) => p.slice(dir.length + 1)));
  return [
    ...names.map((n) => readFixtureFile(fixture, `${dir}/${n}`)),
    readFixtureFile(fixture, `${role}/etc/sysctl.conf`),
  ];
}

describe('@lab SYS001 reads sysctl files as procps sysctl applies them', function () {
  this.timeout(30000);
  const work = mkdtempSync(join(tmpdir(), 'hagrade-sysctl-'));

  before(function () {
    if (process.getuid?.() !== 0) this.skip();
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  /** Apply the files in a fresh namespace and return the values in effect (path -> value) and the defaults. */
  function applyInNamespace(contents: string[]): { applied: Map<string, string>; defaults: Map<string, string> } {
    sh(['ip', 'netns', 'add', NETNS]);
    try {
      const inNs = (argv: string[]) => sh(['ip', 'netns', 'exec', NETNS, ...argv]);
      inNs(['ip', 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0-peer']);
      inNs(['ip', 'link', 'add', 'eth0.100', 'type', 'veth', 'peer', 'name', 'eth0.100-peer']);
      const defaults = parseSysctlOutput(inNs(['sysctl', '-e', ...KEYS]));
      const files = contents.map((text, i) => {
        const file = join(work, `${i}.conf`);
        writeFileSync(file, text);
        return file;
      });
      try {
        inNs(['sysctl', '-q', '-p', ...files]);
      } catch {
        // unknown keys and invalid lines make sysctl exit non-zero; the values are what matters
      }
      return { applied: parseSysctlOutput(inNs(['sysctl', '-e', ...KEYS])), defaults };
    } finally {
      sh(['ip', 'netns', 'del', NETNS]);
    }
  }

  function expectAgreement(contents: string[]): void {
    const settings = contents.flatMap((text, i) => parseSysctlConf(text, `${i}.conf`).settings);
    const { applied, defaults } = applyInNamespace(contents);
    const disagreements: string[] = [];
    for (const key of KEYS) {
      const path = sysctlPath(key);
      const ours = effectiveSetting(settings, path)?.value ?? defaults.get(path);
      const real = applied.get(path);
      if (real === undefined || ours === undefined || !sameSysctlValue(ours, real))
        disagreements.push(`${key}: kernel ${real}, we say ${ours}`);
    }
    expect(disagreements).to.deep.equal([]);
  }

  for (const [name, contents] of Object.entries(SYNTHETIC)) {
    it(name, () => expectAgreement(contents));
  }

  for (const fixture of readdirSync(FIXTURES_DIR).filter((n) => n === 'correct' || n.startsWith('sys001-'))) {
    it(`fixture ${fixture}, both hosts`, () => {
      for (const role of ['master', 'backup']) expectAgreement(sysctlFiles(fixture, role));
    });
  }
});
