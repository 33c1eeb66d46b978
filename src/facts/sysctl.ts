// Kernel settings as procps `sysctl` (4.0, Debian 12) reads its configuration files, so that SYS001
// judges what the host really applies, and the values in effect as `sysctl KEY...` prints them.
//
// Line syntax (procps src/sysctl.c, parse_setting_line):
//   - leading whitespace is skipped; a line shorter than 2 characters is ignored;
//   - `#` or `;` as the first character makes a comment (only there: `1 # x` is the value "1 # x");
//   - `key = value`, whitespace around both trimmed; `-key = value` sets it but ignores failures;
//   - `-key` without `=` only excludes the key from glob settings; other lines without `=` are
//     "invalid syntax" and skipped. Newer upstream sources also let `-glob` exclude every key it
//     matches; procps 4.0.2 (Debian 12) compares exclusions literally, so `-net.ipv4.conf.e*.x`
//     excludes nothing there (seen on this machine, and pinned by test/checks/sys-real-sysctl.test.ts);
//   - a key may contain the globs `*?[` (`net.ipv4.conf.*.arp_filter = 1`); a glob never overrides a
//     key that some line sets explicitly, wherever that line is;
//   - `.` and `/` both separate key parts; when the first separator is `/`, the two are swapped
//     (`net/ipv4/conf/eth0.100/rp_filter` names the interface `eth0.100`).
// Order (PreloadSystem): `sysctl --system` reads `*.conf` of /etc/sysctl.d, /run/sysctl.d,
// /usr/local/lib/sysctl.d, /usr/lib/sysctl.d, /lib/sysctl.d (first directory wins for a file name),
// sorted by file name with strcmp, then /etc/sysctl.conf LAST; settings are written in that order, so
// a later line overrides an earlier one. Only the profile's directory (/etc/sysctl.d) and file are
// read here: the others belong to packages, not to the student. Debian links
// /etc/sysctl.d/99-sysctl.conf to ../sysctl.conf, so boot (systemd-sysctl) applies sysctl.conf too,
// while `sysctl -p`, as the assignment says, reads /etc/sysctl.conf alone.
import type { CheckContext } from '../model/check.js';
import type { FileRead } from '../hosts/host.js';
import type { LabProfile } from '../model/target.js';
import type { Role } from '../model/basics.js';

export interface SysctlSetting {
  file: string;
  line: number;
  /** The line as written, for excerpts. */
  text: string;
  /** The key as written (without a `-` prefix). */
  key: string;
  /** Path under /proc/sys, the form all comparisons use: `net/ipv4/ip_nonlocal_bind`. */
  path: string;
  /** null: a `-key` line that only excludes the key from globs. */
  value: string | null;
  ignoreFailure: boolean;
  glob: boolean;
}

export interface SysctlInvalidLine {
  file: string;
  line: number;
  text: string;
}

export interface SysctlFileParse {
  settings: SysctlSetting[];
  invalid: SysctlInvalidLine[];
}

/** One host's persistent kernel settings, files in the order `sysctl --system` applies them. */
export interface SysctlConfig extends SysctlFileParse {
  files: FileRead[];
}

export interface ExpectedSysctl {
  /** Dotted, as the profile writes it. */
  key: string;
  path: string;
  value: string;
}

export type SysctlVerdict =
  | { state: 'missing'; invalid?: SysctlInvalidLine }
  | { state: 'ok'; setting: SysctlSetting }
  | { state: 'wrong'; setting: SysctlSetting; overriddenGood?: SysctlSetting };

const SEPARATOR = /[./]/;
const GLOB_CHARS = /[*?[]/;

/** procps slashdot(): unless the first separator already is `to`, swap `.` and `/` throughout. */
function convertSeparators(key: string, to: '.' | '/'): string {
  const first = key.match(SEPARATOR);
  if (!first || first[0] === to) return key;
  return key.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}

/** `net.ipv4.ip_nonlocal_bind` or `net/ipv4/ip_nonlocal_bind` -> `net/ipv4/ip_nonlocal_bind`. */
export function sysctlPath(key: string): string {
  return convertSeparators(key, '/');
}

/** The dotted name `sysctl` prints for a key in either form. */
export function dottedKey(key: string): string {
  return convertSeparators(key, '.');
}

/** An integer as the kernel's proc_get_long() reads it (strtoul base 0: `0x1f`, `017`, `15`). */
function kernelInteger(token: string): number | undefined {
  const m = token.match(/^([+-]?)(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)$/i);
  if (!m) return undefined;
  const digits = m[2]!;
  const magnitude = /^0x/i.test(digits)
    ? parseInt(digits.slice(2), 16)
    : digits.length > 1 && digits[0] === '0'
      ? parseInt(digits, 8)
      : Number(digits);
  return m[1] === '-' ? -magnitude : magnitude;
}

/**
 * Whether `actual` (as written or read back) gives the kernel the `expected` value. Integer settings
 * compare as the kernel parses them: it reads as many whitespace-separated integers as the setting
 * holds and ignores the rest, so `1 # note` sets 1 (checked with procps 4.0.2: sysctl -p writes the
 * whole text and reading back gives 1). Other values compare with whitespace runs collapsed.
 */
export function sameSysctlValue(actual: string, expected: string): boolean {
  const want = expected.trim().split(/\s+/);
  const got = actual.trim().split(/\s+/);
  const wantNumbers = want.map(kernelInteger);
  if (wantNumbers.every((n) => n !== undefined)) {
    return wantNumbers.every((n, i) => got[i] !== undefined && kernelInteger(got[i]!) === n);
  }
  return got.join(' ') === want.join(' ');
}

// C isspace() in the "C" locale.
const SPACE = /^[ \t\n\v\f\r]+/;
const lstrip = (s: string) => s.replace(SPACE, '');
const rstrip = (s: string) => s.replace(/[ \t\n\v\f\r]+$/, '');

export function parseSysctlConf(text: string, file: string): SysctlFileParse {
  const settings: SysctlSetting[] = [];
  const invalid: SysctlInvalidLine[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, index) => {
    const line = index + 1;
    const written = raw.replace(/\r$/, '');
    // getline() keeps the newline: "rlen < 2" drops empty lines and a lone last character.
    const rlen = raw.length + (index < lines.length - 1 || text.endsWith('\n') ? 1 : 0);
    if (rlen < 2) return;
    let key = lstrip(raw);
    if (key.length < 2 || key[0] === '#' || key[0] === ';') return;
    const eq = key.indexOf('=');
    let value: string | null = null;
    let ignoreFailure = false;
    if (eq < 0) {
      if (key[0] !== '-') {
        invalid.push({ file, line, text: written });
        return;
      }
      key = rstrip(key.slice(1));
    } else {
      value = rstrip(lstrip(key.slice(eq + 1)));
      key = key.slice(0, eq);
      if (key[0] === '-') {
        ignoreFailure = true;
        key = key.slice(1);
      }
      key = rstrip(key);
    }
    const path = sysctlPath(key);
    settings.push({ file, line, text: written, key, path, value, ignoreFailure, glob: GLOB_CHARS.test(path) });
  });
  return { settings, invalid };
}

/** fnmatch(3) with no flags: `*` and `?` also match `/`, `[...]`/`[!...]` classes, `\` escapes. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '\\' && i + 1 < glob.length) re += escapeRegExp(glob[++i]!);
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, close);
      const negate = body[0] === '!' || body[0] === '^';
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else re += escapeRegExp(c);
  }
  return new RegExp(`^${re}$`, 's');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function matches(setting: SysctlSetting, path: string): boolean {
  return setting.glob ? globToRegExp(setting.path).test(path) : setting.path === path;
}

/** The line whose value the kernel ends up with for `path`, as procps write_setting_list() decides. */
export function effectiveSetting(settings: readonly SysctlSetting[], path: string): SysctlSetting | undefined {
  const explicit = settings.filter((s) => !s.glob && s.path === path);
  const setters = explicit.filter((s) => s.value !== null);
  if (setters.length > 0) return setters[setters.length - 1];
  // Any explicit line, even a `-key` exclusion, keeps globs off this key.
  if (explicit.length > 0) return undefined;
  const globSetters = settings.filter((s) => s.value !== null && s.glob && matches(s, path));
  return globSetters[globSetters.length - 1];
}

export function judgeSetting(config: SysctlFileParse, expected: ExpectedSysctl): SysctlVerdict {
  const setting = effectiveSetting(config.settings, expected.path);
  if (!setting) {
    // A line such as `net.ipv4.ip_nonlocal_bind 1` (no `=`) is the usual reason.
    const invalid = config.invalid.find((l) => sysctlPath(lstrip(l.text).split(/\s/)[0]!) === expected.path);
    return invalid ? { state: 'missing', invalid } : { state: 'missing' };
  }
  if (sameSysctlValue(setting.value!, expected.value)) return { state: 'ok', setting };
  const overriddenGood = config.settings.find(
    (s) => s !== setting && s.value !== null && matches(s, expected.path) && sameSysctlValue(s.value, expected.value),
  );
  return overriddenGood ? { state: 'wrong', setting, overriddenGood } : { state: 'wrong', setting };
}

export function expectedSysctl(profile: LabProfile): ExpectedSysctl[] {
  return Object.entries(profile.sysctl).map(([key, value]) => ({ key: dottedKey(key), path: sysctlPath(key), value }));
}

/** `sysctl --system` order within one directory: names ending in `.conf`, sorted bytewise (strcmp). */
export function sysctlDirOrder(names: readonly string[]): string[] {
  return names
    .filter((n) => n.length >= 5 && n.endsWith('.conf'))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** Read and parse a host's persistent settings once per run (memo key `sysctl:<role>`). */
export function loadSysctl(ctx: CheckContext, role: Role): Promise<SysctlConfig> {
  return ctx.memo(`sysctl:${role}`, async () => {
    const host = ctx.host(role);
    const { sysctlDir, sysctlPath: confPath } = ctx.profile;
    const names = sysctlDirOrder((await host.listDir(sysctlDir)) ?? []);
    const paths = [...names.map((n) => `${sysctlDir.replace(/\/+$/, '')}/${n}`), confPath];
    const config: SysctlConfig = { files: [], settings: [], invalid: [] };
    for (const path of paths) {
      const read = await host.readFile(path);
      config.files.push(read);
      if (!read.ok) continue;
      const parsed = parseSysctlConf(read.content.toString('utf8'), path);
      config.settings.push(...parsed.settings);
      config.invalid.push(...parsed.invalid);
    }
    return config;
  });
}

/**
 * Parse `sysctl KEY...` output (`net.ipv4.ip_nonlocal_bind = 1` per line) into path -> value.
 * Unknown keys print nothing on stdout, so they are simply absent.
 */
export function parseSysctlOutput(stdout: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf(' = ');
    if (eq < 0) continue;
    values.set(sysctlPath(line.slice(0, eq).trim()), line.slice(eq + 3).trim());
  }
  return values;
}
