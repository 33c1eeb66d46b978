// The whole CLI against two hostile hosts (issue 15), under terminals of every size: escapes, bidi
// tricks, formulas, FIFOs, endless and dripping output all at once. It must end in bounded time, and
// neither the terminal nor any report file may carry a raw control or bidi character from the host.
// Loopback only (test/support/hostile-ssh.ts).
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { readFixtureFile } from '../support/fixtures.js';
import { startHostileHost, type HostileHostOptions, type Listening } from '../support/hostile-ssh.js';
import { CLI } from '../support/cli-path.js';
import { BIDI, mkfifo, TITLE_AND_CLEAR } from './hostile-text.js';
import { rawUnsafe } from '../support/raw-unsafe.js';

/** A pair's files: the correct fixture, with the host's hostile text written into it. */
function hostileRoot(base: string, role: 'master' | 'backup'): string {
  const root = join(base, role);
  const copy = (rel: string) => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), readFixtureFile('correct', `${role}/${rel}`));
  };
  for (const rel of [
    'etc/haproxy/haproxy.cfg',
    'etc/haproxy/rebrain.pem',
    'etc/keepalived/keepalived.conf',
    'etc/sysctl.conf',
    'etc/passwd',
  ])
    copy(rel);
  const cfg = join(root, 'etc/haproxy/haproxy.cfg');
  writeFileSync(
    cfg,
    readFileSync(cfg, 'utf8')
      .replace(/default_backend\s+back_cluster/, `default_backend back_${TITLE_AND_CLEAR}cluster${BIDI}`)
      .replace(/(server rebrain_01 \S+)/, `$1 =HYPERLINK("http://x") ${'\x9b'}31m`),
  );
  // master's keepalived.conf is a FIFO; backup's a link to a device that never ends.
  const conf = join(root, 'etc/keepalived/keepalived.conf');
  rmSync(conf);
  if (role === 'master') mkfifo(conf);
  else symlinkSync('/dev/zero', conf);
  writeFileSync(join(root, 'etc/hostname'), `${role}${TITLE_AND_CLEAR}\n`);
  return root;
}

const HOSTILE_COMMANDS: HostileHostOptions['commands'] = [
  { match: /^ip -o -4 addr show$/, reply: { endless: `2: eth0 inet 203.0.113.10/24 ${TITLE_AND_CLEAR}\n` } },
  { match: /^systemctl is-active/, reply: { drip: `active${TITLE_AND_CLEAR}\n`, everyMs: 500 } },
  { match: /^systemctl is-enabled/, reply: { stdout: `enabled${TITLE_AND_CLEAR}${BIDI}\n`, exit: 0 } },
  { match: /^haproxy -c/, reply: { endless: `[WARNING] ${TITLE_AND_CLEAR}${BIDI}\n`, stderr: true } },
  { match: /^haproxy -v/, reply: { stdout: `HAProxy version 2.6.12 ${TITLE_AND_CLEAR}\n` } },
  { match: /^keepalived/, reply: { stderr: `=cmd|' /C calc'!A0 ${BIDI}\x1b[31m\n`, exit: 1 } },
  { match: /^sysctl/, reply: { stdout: `net.ipv4.ip_nonlocal_bind = 1${TITLE_AND_CLEAR}\n` } },
];

/** What the CLI writes of its own: SGR colours, the status line, CR LF from the pty, tabs. */
const OWN_TERMINAL = /\x1b\[[0-9;]*m|\r\x1b\[K|\r(?=[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏])|\x1b\[\d+F\x1b\[J|\r\n|[\n\t]/g;

interface Run {
  code: number | null;
  transcript: string;
  killed: boolean;
  ms: number;
}

/**
 * The CLI under `script` on a pty of rows×cols; `bound` kills it if it never ends (a hang is then a failure, not a
 * stuck test).
 */
function underPty(
  rows: number,
  cols: number,
  args: string[],
  env: NodeJS.ProcessEnv,
  transcriptFile: string,
  bound = 150_000,
): Promise<Run> {
  const command = `stty rows ${rows} cols ${cols}; exec ${[process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')}`;
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('script', ['-q', '-e', '-c', command, transcriptFile], {
      env,
      stdio: ['ignore', 'ignore', 'ignore'],
      detached: true,
    });
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      process.kill(-child.pid!, 'SIGKILL');
    }, bound);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, transcript: readFileSync(transcriptFile, 'utf8'), killed, ms: Date.now() - started });
    });
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('the CLI against a hostile pair, under ptys of 0×0, 1×1, 20×5 and 80×24 (issue 15)', function () {
  this.timeout(300_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const servers: Listening[] = [];
  let ports: { master: number; backup: number };

  before(async function () {
    if (spawnSync('script', ['--version']).status !== 0) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'hagrade-hostile-cli-'));
    for (const role of ['master', 'backup'] as const)
      servers.push(
        await startHostileHost({
          root: hostileRoot(dir, role),
          commands: HOSTILE_COMMANDS,
          unsolicited: true,
          banner: TITLE_AND_CLEAR,
        }),
      );
    ports = { master: servers[0]!.port, backup: servers[1]!.port };
    env = {
      PATH: process.env.PATH,
      HOME: dir,
      XDG_CONFIG_HOME: join(dir, 'config'),
      HAGRADE_SSH_PASSWORD: 'x',
      LANG: 'C.UTF-8',
      TERM: 'xterm-256color',
      FORCE_COLOR: '1',
    } as NodeJS.ProcessEnv;
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const target = () => [
    '--master',
    `root@127.0.0.1:${ports.master}`,
    '--backup',
    `root@127.0.0.1:${ports.backup}`,
    '--vip',
    '203.0.113.10',
  ];

  it('check: ends in its time bound with ERRORs and FAILs; the terminal and every report file hold no raw control or bidi character', async () => {
    const sizes: Array<[number, number]> = [
      [0, 0],
      [1, 1],
      [5, 20],
      [24, 80],
    ];
    const formats = ['json', 'junit', 'github', 'pretty'];
    const runs = await Promise.all(
      sizes.map(([rows, cols], i) => {
        const out = join(dir, `report-${rows}x${cols}.${formats[i]}`);
        return underPty(
          rows,
          cols,
          ['check', ...target(), '--format', formats[i]!, '--out', out],
          env,
          join(dir, `tty-${rows}x${cols}.txt`),
        ).then((run) => ({ run, out, rows, cols }));
      }),
    );
    for (const [i, { run, out, rows, cols }] of runs.entries()) {
      const size = `${rows}×${cols}`;
      expect(run.killed, `${size}: hagrade never ended`).to.equal(false);
      // 1: some check failed (HAP006 on the hostile default_backend); ERRORs for what could not be read.
      expect(run.code, `${size}\n${run.transcript.slice(-3000)}`).to.equal(1);
      expect(rawUnsafe(run.transcript, OWN_TERMINAL), `${size}: raw characters in the terminal`).to.deep.equal([]);
      const report = readFileSync(out, 'utf8');
      // The host's escape is shown, not obeyed, nor silently dropped (with --out, the terminal gets the pretty report
      // unless that is the file's).
      const pretty = formats[i] === 'pretty' ? report : run.transcript;
      expect(pretty, size).to.contain('\\x1b]0;pwned\\x07\\x1b[2J');
      expect(pretty, size).to.match(/ERROR/);
      expect(rawUnsafe(report, /\r\n|[\n\t]/g), `${size}: raw characters in ${out}`).to.deep.equal([]);
      // Bounded: a page of report and a line or so per check, whatever the terminal reports.
      expect(run.transcript.length, `${size}: ${run.transcript.length} bytes`).to.be.below(64 * 1024);
    }
    const json = JSON.parse(readFileSync(runs[0]!.out, 'utf8')) as {
      results: Array<{ id: string; status: string; findings: Array<{ message: string; excerpt?: string }> }>;
    };
    const byId = new Map(json.results.map((r) => [r.id, r]));
    expect(byId.get('HAP006')?.status).to.equal('fail');
    // The JSON keeps the host's line exactly, escaped by JSON.
    expect(byId.get('HAP006')?.findings.some((f) => f.excerpt?.includes(TITLE_AND_CLEAR))).to.equal(true);
    expect(
      byId
        .get('KAD001')
        ?.findings.map((f) => f.message)
        .join('\n'),
    ).to.match(/not a regular file \(fifo\)|not a regular file \(character special file\)/);
    expect(byId.get('LIV003')?.status).to.equal('error');
    expect(
      byId
        .get('LIV003')
        ?.findings.map((f) => f.message)
        .join('\n'),
    ).to.contain('went on past the limit');
    expect(byId.get('SYS003')?.status).to.equal('error');
  });

  it('batch: class files and logs hold no raw control or bidi character; ids that a spreadsheet would run are neutralized', async () => {
    const roster = join(dir, 'roster.yaml');
    const student = `=HYPERLINK("x")${TITLE_AND_CLEAR}${BIDI}`;
    writeFileSync(
      roster,
      `students:\n  - student: ${JSON.stringify(student)}\n    master: root@127.0.0.1:${ports.master}\n    backup: root@127.0.0.1:${ports.backup}\n    vip: 203.0.113.10\n`,
    );
    const out = join(dir, 'grades');
    const run = await underPty(
      5,
      20,
      ['batch', roster, '--out', out, '--no-failover'],
      env,
      join(dir, 'tty-batch.txt'),
    );
    expect(run.killed, 'batch never ended').to.equal(false);
    expect(run.code, run.transcript.slice(-3000)).to.equal(0);
    expect(rawUnsafe(run.transcript, OWN_TERMINAL), 'raw characters in the batch log').to.deep.equal([]);
    // The snapshot under students/*/snapshot/ is the host's files byte for byte (evidence for disputes): not rendered
    // output.
    const outputs = filesUnder(out).filter((f) => !relative(out, f).split('/').includes('snapshot'));
    expect(outputs.map((f) => relative(out, f))).to.include.members([
      'summary.csv',
      'gradebook.csv',
      'class-report.html',
      'batch.json',
    ]);
    for (const file of outputs) {
      expect(statSync(file).size).to.be.above(0);
      expect(rawUnsafe(readFileSync(file, 'utf8'), /\r\n|[\n\t]/g), relative(out, file)).to.deep.equal([]);
    }
    const gradebook = readFileSync(join(out, 'gradebook.csv'), 'utf8');
    expect(gradebook.split('\r\n')[1]).to.match(/^"'=HYPERLINK\(""x""\)\\x1b\]0;pwned\\x07\\x1b\[2J\\u202egnp/);
  });
});
