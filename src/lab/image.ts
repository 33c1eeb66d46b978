// The lab's machine images: one Debian root file system per release, made once with debootstrap from
// this machine's own Debian mirror, cached, and shared read-only by every host (each host is an
// overlay on it, see machine.ts).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabError, mustRun } from './system.js';

export const RELEASES = ['bullseye', 'bookworm', 'trixie'] as const;
export type Release = (typeof RELEASES)[number];
export const DEFAULT_RELEASE: Release = 'bookworm';

export const IMAGE_CACHE = '/var/cache/hagrade-lab/images';
/** Written last into a finished image: a half-built one (interrupted debootstrap) is never used. */
const MARKER = '.hagrade-image.json';
/** Bump when the recipe below changes: older cached images are rebuilt. */
const RECIPE = 3;

/**
 * What a course VM has: systemd and its logind/networkd, sshd, the two daemons, sudo, the tools the
 * assignment and the grader use, and python3 for the web server behind HAProxy.
 */
export const IMAGE_PACKAGES = [
  'systemd',
  'systemd-sysv',
  'dbus',
  'libpam-systemd',
  'openssh-server',
  'haproxy',
  'keepalived',
  'sudo',
  'iproute2',
  'procps',
  'psmisc',
  'curl',
  'openssl',
  'python3',
  'ca-certificates',
  'less',
];

/** The web server behind HAProxy on 127.0.0.1:81, a unit of its own as on a student's VM. */
export const WEB_UNIT = 'lab-web.service';
const WEB_PROGRAM = '/usr/local/lib/hagrade-lab/web.py';
/**
 * Answers with the host's name and the X-Forwarded-For it received (LIV004 reads it, the client probe tells hosts apart
 * by it).
 */
const WEB_SERVER = `# hagrade lab web server: the backend behind HAProxy on a lab host.
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        name = socket.gethostname()
        body = ("host: %s\\nx-forwarded-for: %s\\n" % (name, self.headers.get("X-Forwarded-For", ""))).encode()
        self.send_response(200)
        self.send_header("content-type", "text/plain; charset=utf-8")
        self.send_header("x-lab-host", name)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", 81), Handler).serve_forever()
`;
const WEB_UNIT_FILE = `[Unit]
Description=Web server behind HAProxy on 127.0.0.1:81 (hagrade lab)
After=network.target

[Service]
ExecStart=/usr/bin/python3 ${WEB_PROGRAM}
Restart=on-failure

[Install]
WantedBy=multi-user.target
`;

/**
 * Run once in the new image (chroot): what every course VM shares. Per-host identity (hostname,
 * machine-id, SSH host keys, addresses, authorized keys) is written into each host's own layer.
 */
const IMAGE_SETUP = `set -e
systemctl enable systemd-networkd.service >/dev/null 2>&1
systemctl enable ${WEB_UNIT} >/dev/null 2>&1
id student >/dev/null 2>&1 || useradd --create-home --shell /bin/bash student
echo 'student ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/student
chmod 0440 /etc/sudoers.d/student
rm -f /etc/ssh/ssh_host_*
: > /etc/machine-id
rm -f /etc/hostname
apt-get clean
rm -rf /var/lib/apt/lists/*
`;

export interface ImageInfo {
  release: Release;
  dir: string;
  /** Debian package versions of the daemons, as dpkg records them in the image. */
  versions: { haproxy: string; keepalived: string; openssh: string; systemd: string };
  builtAt: string;
}

interface Marker extends ImageInfo {
  recipe: number;
}

export function isRelease(name: string): name is Release {
  return (RELEASES as readonly string[]).includes(name);
}

export function imageDir(release: Release): string {
  return join(IMAGE_CACHE, release);
}

/** The cached image of a release, when it is complete and made by the current recipe. */
export function cachedImage(release: Release): ImageInfo | undefined {
  try {
    const marker = JSON.parse(readFileSync(join(imageDir(release), MARKER), 'utf8')) as Marker;
    if (marker.recipe !== RECIPE || marker.release !== release) return undefined;
    const { recipe: _recipe, ...info } = marker;
    return info;
  } catch {
    return undefined;
  }
}

/** The image of a release: from the cache, or built now (about a minute on this machine's mirror). */
export async function ensureImage(
  release: Release,
  progress: (msg: string) => void,
  mirror = findMirror(),
): Promise<ImageInfo> {
  const cached = cachedImage(release);
  if (cached) return cached;
  const final = imageDir(release);
  const building = join(IMAGE_CACHE, `.build-${release}-${process.pid}`);
  mkdirSync(IMAGE_CACHE, { recursive: true, mode: 0o755 });
  removeStaleBuilds();
  progress(`building the ${release} machine image with debootstrap (once; cached in ${final})`);
  try {
    await debootstrap(release, building, mirror, progress);
    progress(`setting up the ${release} image (student user, units, no per-host identity)`);
    writeFileSync(join(building, 'etc/systemd/system', WEB_UNIT), WEB_UNIT_FILE);
    mkdirSync(join(building, WEB_PROGRAM, '..'), { recursive: true });
    writeFileSync(join(building, WEB_PROGRAM), WEB_SERVER);
    await mustRun('chroot', [building, '/bin/sh', '-c', IMAGE_SETUP], `setting up the ${release} image`, {
      timeoutMs: 120_000,
    });
    const info: ImageInfo = {
      release,
      dir: final,
      versions: await packageVersions(building),
      builtAt: new Date().toISOString(),
    };
    writeFileSync(join(building, MARKER), `${JSON.stringify({ ...info, recipe: RECIPE }, null, 2)}\n`);
    rmSync(final, { recursive: true, force: true });
    renameSync(building, final);
    progress(`image ${release} ready: haproxy ${info.versions.haproxy}, keepalived ${info.versions.keepalived}`);
    return info;
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    throw error;
  }
}

/** Remove every cached image (`lab down --images`). The lab must be down: hosts are overlays on them. */
export function removeImages(): void {
  rmSync(IMAGE_CACHE, { recursive: true, force: true });
}

function removeStaleBuilds(): void {
  for (const name of readdirSync(IMAGE_CACHE)) {
    const pid = /^\.build-\w+-(\d+)$/.exec(name)?.[1];
    if (pid && !processAlive(Number(pid))) rmSync(join(IMAGE_CACHE, name), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function packageVersions(root: string): Promise<ImageInfo['versions']> {
  const query = await mustRun(
    'chroot',
    [root, 'dpkg-query', '-W', '-f', '${Package} ${Version}\\n', 'haproxy', 'keepalived', 'openssh-server', 'systemd'],
    'reading package versions',
  );
  const version = (pkg: string): string => new RegExp(`^${pkg} (\\S+)$`, 'm').exec(query)?.[1] ?? 'unknown';
  return {
    haproxy: version('haproxy'),
    keepalived: version('keepalived'),
    openssh: version('openssh-server'),
    systemd: version('systemd'),
  };
}

/**
 * The Debian mirror this machine's apt uses (the lab must not reach anywhere else): the first
 * archive (not security) URI in /etc/apt/sources.list or sources.list.d. HAGRADE_LAB_MIRROR overrides.
 */
export function findMirror(): string {
  const override = process.env.HAGRADE_LAB_MIRROR?.trim();
  if (override) return override;
  const files = ['/etc/apt/sources.list'];
  try {
    files.push(...readdirSync('/etc/apt/sources.list.d').map((f) => join('/etc/apt/sources.list.d', f)));
  } catch {
    // no sources.list.d
  }
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const uri = archiveUri(text);
    if (uri) return uri;
  }
  throw new LabError(
    'found no Debian mirror in /etc/apt/sources.list(.d) to build the lab image from; set HAGRADE_LAB_MIRROR to one (e.g. http://<mirror>/debian)',
  );
}

/** The first Debian archive URI of an apt sources file, one-line (`deb URI SUITE ...`) or deb822 (`URIs:`). */
export function archiveUri(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const oneLine = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
    if (oneLine && isArchive(oneLine[1]!, oneLine[2]!)) return oneLine[1];
  }
  for (const stanza of text.split(/\n\s*\n/)) {
    const uris = /^URIs:\s*(.+)$/im.exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
    const suites = /^Suites:\s*(.+)$/im.exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
    if (/^Types:.*\bdeb\b/im.test(stanza) && /^Enabled:\s*no/im.test(stanza) === false) {
      const uri = uris.find((u) => suites.some((s) => isArchive(u, s)));
      if (uri) return uri;
    }
  }
  return undefined;
}

function isArchive(uri: string, suite: string): boolean {
  return /^https?:\/\//.test(uri) && /\/debian\/?$/.test(uri) && !/-security/.test(suite) && !/-security/.test(uri);
}

/** debootstrap with its "I: ..." lines as progress; a failure names the mirror and what to do. */
function debootstrap(release: Release, target: string, mirror: string, progress: (msg: string) => void): Promise<void> {
  const args = ['--variant=minbase', `--include=${IMAGE_PACKAGES.join(',')}`, release, target, mirror];
  return new Promise((resolve, reject) => {
    const child = spawn('debootstrap', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    // debootstrap alternates retrieving and validating each package: report each phase once, in order.
    const phases = ['Retrieving', 'Extracting', 'Installing', 'Unpacking', 'Configuring'];
    let reached = -1;
    const onLine = (line: string): void => {
      tail.push(line);
      if (tail.length > 8) tail.shift();
      const phase = phases.findIndex((p) => line.startsWith(`I: ${p}`));
      if (phase > reached) {
        reached = phase;
        progress(`debootstrap ${release}: ${phases[phase]!.toLowerCase()} packages`);
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      let buffered = '';
      stream.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        lines.forEach(onLine);
      });
    }
    const timer = setTimeout(() => child.kill('SIGTERM'), 20 * 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new LabError(`cannot run debootstrap (${e.message}); install it: apt-get install -y debootstrap`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const unreachable = tail.some((l) =>
        /Failed getting release file|Couldn't download|Temporary failure|Could not resolve|Connection refused|timed out/i.test(
          l,
        ),
      );
      reject(
        new LabError(
          `debootstrap of ${release} from ${mirror} failed (exit ${code})` +
            (unreachable
              ? ": the mirror cannot be reached; check this machine's apt sources or set HAGRADE_LAB_MIRROR"
              : '') +
            `\n${tail.join('\n')}`,
        ),
      );
    });
  });
}
