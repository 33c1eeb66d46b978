// The class the HTML class report tests grade: eleven students over the fixtures, each failover
// timeline the page draws, and the rules the page promises (column order, sort order), written out
// again here to hold the page to them. Graded once per process and shared by every file.
import { join } from 'node:path';
import { loadCatalogue } from '../../src/engine/registry.js';
import { REPO_ROOT } from '../../src/self/paths.js';
import { AREA_TITLES } from '../../src/report/ui-text.js';
import { renderClassReport, type ClassStudent } from '../../src/report/html-class.js';
import type { Check, FailoverEvent, FailoverTimeline, RunResult } from '../../src/model/check.js';
import type { ServedBy, ServiceSample, ServiceTimeline } from '../../src/model/service.js';
import type { Status } from '../../src/model/basics.js';
import { summarizeService } from '../../src/probe/service.js';
import { runOnFixture, type TesterOptions } from '../support/check-tester.js';
import { readFixtureFile } from '../support/fixtures.js';

export const HOSTILE_NAME = `<script>window.__pwned = 'name'</script>"Mallory" & 'co' <img src=x onerror="window.__pwned='img'">`;
export const HOSTILE_LINE = `net.ipv4.conf.eth0.arp_filter = 0 # <script>window.__pwned='excerpt'</script>`;
/** Screenshots for a person to look at (git-ignored). */
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const SYSCTL_KEYS = [
  'net.ipv6.conf.all.disable_ipv6',
  'net.ipv6.conf.default.disable_ipv6',
  'net.ipv4.ip_nonlocal_bind',
  'net.ipv4.conf.all.arp_ignore',
  'net.ipv4.conf.all.arp_announce',
  'net.ipv4.conf.all.arp_filter',
  'net.ipv4.conf.eth0.arp_filter',
];

/** `sysctl KEY...` output with the task's values, some replaced. */
function sysctlOutput(changes: Record<string, string> = {}): string {
  const value = (key: string) => changes[key] ?? (key.endsWith('all.arp_filter') ? '0' : '1');
  return `${SYSCTL_KEYS.map((key) => `${key} = ${value(key)}`).join('\n')}\n`;
}

/**
 * What clients got, a request every 100 ms until `endMs`: refused from the stop, then answered by
 * `during` while backup held the VIP (or failing, on a cloud), by master once it was back.
 */
function clients(events: FailoverEvent[], endMs: number, during: ServedBy | 'x'): ServiceTimeline {
  const at = (host: string, event: string) => events.find((e) => e.host === host && e.event === event)?.atMs;
  const moments = {
    stopAtMs: at('master', 'haproxy-stopped')!,
    vipOnBackupAtMs: at('backup', 'vip-added')!,
    startAtMs: at('master', 'haproxy-started')!,
    vipBackAtMs: at('master', 'vip-added')!,
    endAtMs: endMs,
  };
  const samples: ServiceSample[] = [];
  for (let t = 0; t < endMs; t += 100) {
    const by: ServedBy | 'x' =
      t < moments.stopAtMs || t >= moments.vipBackAtMs ? 'master' : t < moments.vipOnBackupAtMs ? 'x' : during;
    samples.push(
      by === 'x'
        ? { atMs: t, outcome: 'refused', latencyMs: 1 }
        : { atMs: t, outcome: 'answered', latencyMs: 4, servedBy: by },
    );
  }
  return {
    target: '203.0.113.10:443',
    origin: 'test',
    ratePerSecond: 10,
    maxRequests: 300,
    samples,
    cancelled: 0,
    moments,
    ...summarizeService(samples, moments),
  };
}

const PROBE_EVENTS: FailoverEvent[] = [
  { atMs: 120, host: 'master', event: 'haproxy-stopped' },
  { atMs: 4010, host: 'master', event: 'vip-removed' },
  { atMs: 4250, host: 'backup', event: 'vip-added', detail: 'eth0:10' },
  { atMs: 4400, host: 'master', event: 'haproxy-started' },
  { atMs: 8270, host: 'master', event: 'vip-added', detail: 'eth0:10' },
  { atMs: 8270, host: 'backup', event: 'vip-removed' },
];

/** The same probe on a cloud network: the VIP moved, clients failed until it was back on master. */
export const CLOUD_FAILOVER: FailoverTimeline = {
  deadlineMs: 12_000,
  failoverMs: 4130,
  failbackMs: 3870,
  events: PROBE_EVENTS,
  service: clients(PROBE_EVENTS, 8600, 'x'),
};

/** A probe that saw the VIP move to backup and back. */
export const GOOD_FAILOVER: FailoverTimeline = {
  deadlineMs: 12_000,
  failoverMs: 4130,
  failbackMs: 3870,
  service: clients(PROBE_EVENTS, 8600, 'backup'),
  events: [
    { atMs: 120, host: 'master', event: 'haproxy-stopped' },
    { atMs: 4010, host: 'master', event: 'vip-removed' },
    { atMs: 4250, host: 'backup', event: 'vip-added', detail: 'eth0:10' },
    { atMs: 4400, host: 'master', event: 'haproxy-started' },
    { atMs: 8270, host: 'master', event: 'vip-added', detail: 'eth0:10' },
    { atMs: 8270, host: 'backup', event: 'vip-removed' },
  ],
};

/** A probe where both nodes lowered their priority alike: the VIP stayed on master until the deadline. */
export const STUCK_FAILOVER: FailoverTimeline = {
  deadlineMs: 12_000,
  events: [
    { atMs: 150, host: 'master', event: 'haproxy-stopped' },
    { atMs: 12_400, host: 'master', event: 'note', detail: 'VIP still on master at the deadline' },
  ],
};

/** The VIP moved to backup but stayed there after haproxy came back (nopreempt on master). */
export const NO_FAILBACK: FailoverTimeline = {
  deadlineMs: 12_000,
  failoverMs: 3960,
  events: [
    { atMs: 100, host: 'master', event: 'haproxy-stopped' },
    { atMs: 3900, host: 'master', event: 'vip-removed' },
    { atMs: 4050, host: 'backup', event: 'vip-added', detail: 'eth0:10' },
    { atMs: 4200, host: 'master', event: 'haproxy-started' },
    { atMs: 16_300, host: 'backup', event: 'note', detail: 'VIP still on backup at the failback deadline' },
  ],
};

interface StudentSpec {
  name: string;
  run?: TesterOptions;
  failover?: FailoverTimeline;
  error?: string;
}

const CLASS: StudentSpec[] = [
  { name: 'Alice Ivanova', run: { fixture: 'correct' }, failover: GOOD_FAILOVER },
  { name: 'Boris Petrov', run: { fixture: 'crt001-missing-on-backup' } },
  { name: 'Chen Wei', run: { fixture: 'crt004-expired' }, failover: STUCK_FAILOVER },
  {
    name: 'Dana Smirnova',
    run: {
      fixture: 'sys001-wrong-value',
      commands: {
        master: { sysctl: { stdout: sysctlOutput({ 'net.ipv4.ip_nonlocal_bind': '0' }) } },
        backup: { sysctl: { stdout: sysctlOutput() } },
      },
    },
  },
  {
    name: 'Egor Kuznetsov',
    run: {
      fixture: 'correct',
      commands: {
        master: { sysctl: { exitCode: null, timedOut: true } },
        backup: { sysctl: { stdout: sysctlOutput() } },
      },
    },
  },
  {
    name: HOSTILE_NAME,
    run: {
      fixture: 'sys001-wrong-value',
      master: {
        '/etc/sysctl.conf': readFixtureFile('sys001-wrong-value', 'master/etc/sysctl.conf').replace(
          /^net\.ipv4\.conf\.eth0\.arp_filter = 0$/m,
          HOSTILE_LINE,
        ),
      },
    },
  },
  { name: 'Fedor Orlov', error: `ssh: connect to host 198.51.100.7 port 22: Connection refused <b>"bold"</b>` },
  { name: 'Галина Орлова', run: { fixture: 'crt002-cert-without-key' } },
  { name: 'Ivan Sokolov', run: { fixture: 'sys001-overridden' }, failover: NO_FAILBACK },
  { name: 'alina k', run: { fixture: 'crt003-ca-signed' } },
  { name: 'Kira Oblakova', run: { fixture: 'correct' }, failover: CLOUD_FAILOVER },
];

async function gradeClass(checks: Check[]): Promise<ClassStudent[]> {
  const students: ClassStudent[] = [];
  for (const spec of CLASS) {
    if (!spec.run) {
      students.push({ student: spec.name, error: spec.error });
      continue;
    }
    const result = await runOnFixture(checks, { ...spec.run, target: { student: spec.name } });
    if (spec.failover) result.failover = spec.failover;
    students.push({ student: spec.name, result });
  }
  return students;
}

/**
 * The ids of the catalogue's checks that are in `ids`, by area in the order the reports name the
 * areas (AREA_TITLES), then by id: the columns' order, derived from the checks' metadata.
 */
export function areaOrdered(checks: Check[], ids: Set<string>): string[] {
  const areas = Object.keys(AREA_TITLES);
  return checks
    .filter((c) => ids.has(c.id))
    .sort((a, b) => areas.indexOf(a.area) - areas.indexOf(b.area) || a.id.localeCompare(b.id))
    .map((c) => c.id);
}

export function statusOf(result: RunResult, id: string): Status | 'absent' {
  return result.results.find((r) => r.id === id)?.status ?? 'absent';
}

export function resultOf(students: ClassStudent[], name: string): RunResult {
  const result = students.find((s) => s.student === name)?.result;
  if (!result) throw new Error(`no result for ${name}`);
  return result;
}

/** The rule the page promises: by the key, ties in name order. */
export function expectedOrder(
  students: ClassStudent[],
  key: (s: ClassStudent) => number,
  descending: boolean,
): string[] {
  return [...students]
    .sort((a, b) => {
      const order = (key(a) - key(b)) * (descending ? -1 : 1);
      return order || a.student.toLocaleLowerCase().localeCompare(b.student.toLocaleLowerCase());
    })
    .map((s) => s.student);
}

/** The class as graded, with the catalogue it was graded by and its page in English. */
export interface GradedClass {
  checks: Check[];
  students: ClassStudent[];
  html: string;
}

let graded: Promise<GradedClass> | undefined;

async function gradeOnce(): Promise<GradedClass> {
  const checks = await loadCatalogue();
  const students = await gradeClass(checks);
  const html = renderClassReport({ generatedAt: '2026-11-23 09:00 UTC', lang: 'en', students });
  return { checks, students, html };
}

/**
 * The graded class, filled in by a `before` hook this registers in the calling suite. The grading
 * runs once per process: the files that share it read the same students, which no test changes.
 */
export function useGradedClass(): GradedClass {
  const shared = {} as GradedClass;
  before(async function () {
    this.timeout(60_000); // grades ten students with the whole catalogue
    graded ??= gradeOnce();
    Object.assign(shared, await graded);
  });
  return shared;
}
