// `npm run bench` (part): a hostile pair whose every command pours output without end, and whose
// configs sit at the size limit. Prints the grading's wall time and the grader's peak RSS, measured
// in a fresh process per case (a process's peak RSS only grows), and the bytes the CLI writes under
// a 0×0 pty. Figures are printed, never asserted.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalogue } from '../../src/engine/registry.js';
import { gradePair } from '../../src/engine/grade.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import { readSnapshotFile } from '../../src/hosts/snapshot.js';
import { startHostileHost, type HostileHostOptions } from '../support/hostile-ssh.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SELF = fileURLToPath(import.meta.url);

function hostRoot(base: string, role: 'master' | 'backup', bigConfigs: boolean): string {
  const root = join(base, role);
  for (const rel of [
    'etc/haproxy/haproxy.cfg',
    'etc/haproxy/rebrain.pem',
    'etc/keepalived/keepalived.conf',
    'etc/sysctl.conf',
    'etc/passwd',
  ]) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), readSnapshotFile(join(REPO, 'fixtures', 'correct'), `${role}/${rel}`));
  }
  if (bigConfigs) {
    // Just under the line limit (100 000) and well within the byte limit: the most a config may be.
    writeFileSync(
      join(root, 'etc/haproxy/haproxy.cfg'),
      `global\n${'    # padding padding padding padding padding\n'.repeat(99_990)}`,
    );
  }
  return root;
}

/** One case in this process: grade the hostile pair, print one JSON line. */
async function runCase(kind: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hagrade-bench-hostile-'));
  const endless: HostileHostOptions['commands'] =
    kind === 'quiet' ? [] : [{ match: /./, reply: { endless: `${'y'.repeat(79)}\n` } }];
  const servers = await Promise.all(
    (['master', 'backup'] as const).map((role) =>
      startHostileHost({ root: hostRoot(dir, role, kind === 'capped+big-configs'), commands: endless }),
    ),
  );
  process.env.HAGRADE_SSH_PASSWORD = 'x';
  const t0 = Date.now();
  try {
    const result = await gradePair(
      {
        master: { host: '127.0.0.1', port: servers[0]!.port, user: 'root' },
        backup: { host: '127.0.0.1', port: servers[1]!.port, user: 'root' },
        vip: '203.0.113.10',
        knownHosts: join(dir, 'known_hosts'),
      },
      { profile: DEFAULT_PROFILE, lang: 'en', failover: false, checks: await loadCatalogue() },
    );
    const ms = Date.now() - t0;
    process.stdout.write(
      `${JSON.stringify({
        kind,
        ms,
        maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        error: result.summary.error,
        fail: result.summary.fail,
      })}\n`,
    );
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}

function bytesUnderZeroPty(): number | undefined {
  const cli = join(REPO, 'dist', 'src', 'commands', 'main.js');
  const r = spawnSync(
    'script',
    [
      '-qc',
      `stty cols 0 rows 0; timeout -s KILL 60 ${process.execPath} ${cli} check --snapshot ${join(REPO, 'fixtures', 'live-correct')}`,
      '/dev/null',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 30 },
  );
  return r.status === null ? undefined : r.stdout.length;
}

if (process.argv[2] === '--case') {
  await runCase(process.argv[3]!);
} else {
  console.log(
    'hostile hosts (every command endless: capped at 256 KiB / 10 000 lines per stream), peak RSS in a fresh process:',
  );
  for (const kind of ['quiet', 'capped', 'capped+big-configs']) {
    const r = spawnSync(process.execPath, [SELF, '--case', kind], { encoding: 'utf8' });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    try {
      const f = JSON.parse(line) as { ms: number; maxRssMb: number; error: number; fail: number };
      console.log(
        `  ${kind.padEnd(20)} ${(f.ms / 1000).toFixed(1)} s, peak RSS ${f.maxRssMb} MB (${f.error} errors, ${f.fail} failed)`,
      );
    } catch {
      console.log(`  ${kind}: no figure (${r.stderr.trim().split('\n').pop() ?? r.status})`);
    }
  }
  const bytes = bytesUnderZeroPty();
  console.log(
    `check --snapshot fixtures/live-correct under a 0×0 pty: ${bytes === undefined ? 'killed after 60 s' : `${bytes} bytes`}`,
  );
}
