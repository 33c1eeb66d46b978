// The files of a snapshot directory, which may be an overlay: a directory that holds only what it
// changes on top of another snapshot next to it (README "Fixtures are overlays"). Its overlay.yaml says
//
//   base: correct                          # the sibling directory it starts from (itself full or an overlay)
//   absent: [backup/etc/haproxy/rebrain.pem] # files (or directories) of the base this snapshot does not have
//
// A file is read from the first layer that has it (this directory, then its base, then the base's
// base...) unless a layer above says it is absent. Only the snapshot proper is inherited (hosts.yaml,
// master/, backup/); a fixture's expected.yaml and overlay.yaml are its own. A snapshot without
// overlay.yaml (every snapshot `hagrade snapshot` writes) is one layer: exactly its own files.
import { closeSync, lstatSync, openSync, readdirSync, readSync, type Stats, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse as parseYaml } from 'yaml';

export class SnapshotError extends Error {}

/** The file that makes a directory an overlay. */
export const OVERLAY_FILE = 'overlay.yaml';
/** What a snapshot is made of, and so what an overlay inherits from its base. */
export const SNAPSHOT_ENTRIES: readonly string[] = ['hosts.yaml', 'master', 'backup'];
/** Bases of bases are followed this deep at most. */
export const MAX_OVERLAY_DEPTH = 8;
const MAX_OVERLAY_BYTES = 64 * 1024;
/** A base is named as a directory next to the overlay: one plain path segment, never `.`, `..` or a path. */
const BASE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The first `max` bytes of a regular file, or why it is not read: a snapshot comes from a student
 * too (or from a CI checkout), and a FIFO or device in it would block or never end.
 */
export function readRegular(local: string, max: number): { content: Buffer; size: number } | { notRegular: string } {
  const st = statSync(local);
  if (!st.isFile())
    return {
      notRegular: st.isDirectory()
        ? 'a directory'
        : st.isFIFO()
          ? 'a FIFO'
          : st.isCharacterDevice() || st.isBlockDevice()
            ? 'a device'
            : st.isSocket()
              ? 'a socket'
              : 'not a regular file',
    };
  const fd = openSync(local, 'r');
  try {
    const content = Buffer.alloc(Math.min(st.size, max));
    const n = readSync(fd, content, 0, content.length, 0);
    return { content: content.subarray(0, n), size: st.size };
  } finally {
    closeSync(fd);
  }
}

/** A path inside a snapshot, relative, without `.`/`..` segments (they cannot climb out) or slashes at its ends. */
export function snapshotPath(path: string): string {
  return posix.normalize(`/${path}`).replace(/^\/+|\/+$/g, '');
}

const errnoCode = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code;

interface Layer {
  dir: string;
  /** Paths (snapshotPath form) of the layers below that this layer hides. */
  absent: string[];
}

const hides = (absent: readonly string[], path: string): boolean =>
  absent.some((a) => path === a || path.startsWith(`${a}/`));

export class SnapshotTree {
  private constructor(
    /** The snapshot directory as it was named. */
    readonly dir: string,
    /** This directory first, then its base, its base's base... */
    private readonly layers: readonly Layer[],
  ) {}

  /** The directory and every base under it, top first. */
  get dirs(): string[] {
    return this.layers.map((l) => l.dir);
  }

  /**
   * Open DIR and its bases. A bad overlay.yaml (unreadable, a loop, a base that is not a sibling directory) is a
   * SnapshotError.
   */
  static open(dir: string): SnapshotTree {
    return new SnapshotTree(dir, SnapshotTree.openLayers(dir, []));
  }

  /** Layers a path of the snapshot is looked up in (a fixture's own files are never inherited). */
  private layersFor(path: string): readonly Layer[] {
    return SNAPSHOT_ENTRIES.includes(path.split('/')[0]!) ? this.layers : this.layers.slice(0, 1);
  }

  /**
   * The local path that holds `path`, or undefined when no layer has it or a layer above hides it.
   * A path that exists but cannot be examined (EACCES, a link loop) is located where it is, so
   * reading it gives the error it gives; a file where a directory of the path should be hides the
   * layers below, as it would on a host.
   */
  locate(path: string): string | undefined {
    const p = snapshotPath(path);
    for (const layer of this.layersFor(p)) {
      const local = join(layer.dir, p);
      try {
        statSync(local);
        return local;
      } catch (e) {
        if (errnoCode(e) === 'ENOTDIR') return undefined;
        if (errnoCode(e) !== 'ENOENT') return local;
      }
      if (hides(layer.absent, p)) return undefined;
    }
    return undefined;
  }

  /** The names in a directory of the snapshot, merged over the layers and sorted; null when it is not a directory. */
  listDir(path: string): string[] | null {
    const p = snapshotPath(path);
    const names = new Set<string>();
    let found = false;
    const hiddenAbove: string[] = [];
    for (const layer of this.layersFor(p)) {
      try {
        for (const name of readdirSync(join(layer.dir, p)))
          if (!hides(hiddenAbove, p ? `${p}/${name}` : name)) names.add(name);
        found = true;
      } catch (e) {
        // Not a directory here (a file hides the base's directory) or not listable: what is above is all.
        if (errnoCode(e) !== 'ENOENT') break;
      }
      if (hides(layer.absent, p)) break;
      hiddenAbove.push(...layer.absent);
    }
    return found ? [...names].sort() : null;
  }

  /** Every file of the snapshot under `under` ('' = all of hosts.yaml, master/, backup/), sorted. */
  files(under = ''): string[] {
    const out: string[] = [];
    const walk = (p: string): void => {
      const local = this.locate(p);
      if (local === undefined) return;
      if (statSync(local).isDirectory()) {
        for (const name of this.listDir(p) ?? []) walk(`${p}/${name}`);
      } else out.push(p);
    };
    const start = snapshotPath(under);
    for (const top of start === '' ? SNAPSHOT_ENTRIES : [start]) walk(top);
    return out.sort();
  }

  /** The whole content of a file of the snapshot; a SnapshotError when it has none or it is not a regular file. */
  read(path: string): Buffer {
    const local = this.locate(path);
    if (local === undefined) throw new SnapshotError(`${this.dir}: no ${snapshotPath(path)}`);
    const file = readRegular(local, Number.MAX_SAFE_INTEGER);
    if ('notRegular' in file) throw new SnapshotError(`${local} is ${file.notRegular}, not a regular file`);
    return file.content;
  }

  /** DIR's layers: itself, then (when it has an overlay.yaml) its base's. `chain` holds the overlays above it. */
  private static openLayers(dir: string, chain: string[]): Layer[] {
    const overlayFile = join(dir, OVERLAY_FILE);
    let file: ReturnType<typeof readRegular>;
    try {
      file = readRegular(overlayFile, MAX_OVERLAY_BYTES + 1);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return [{ dir, absent: [] }];
      throw new SnapshotError(`${overlayFile}: cannot be read: ${(e as Error).message}`);
    }
    const bad = (why: string): SnapshotError => new SnapshotError(`${overlayFile}: ${why}`);
    if ('notRegular' in file) throw bad(`is ${file.notRegular}, not a regular file`);
    if (file.size > MAX_OVERLAY_BYTES) throw bad(`is ${file.size} bytes, over the ${MAX_OVERLAY_BYTES}-byte limit`);
    let decl: unknown;
    try {
      decl = parseYaml(file.content.toString('utf8'));
    } catch (e) {
      throw bad(`not valid YAML: ${(e as Error).message.split('\n')[0]}`);
    }
    if (decl === null || typeof decl !== 'object' || Array.isArray(decl))
      throw bad('must be a mapping such as `base: correct` (and optionally `absent: [paths]`)');
    const { base, absent = [], ...rest } = decl as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length)
      throw bad(
        `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (an overlay has only 'base' and 'absent')`,
      );
    if (typeof base !== 'string' || !BASE_NAME.test(base)) {
      throw bad(
        `'base' must name a directory next to this one (such as \`base: correct\`), not ${(JSON.stringify(base) ?? 'nothing').slice(0, 80)}: a base is never a path, '.' or '..'`,
      );
    }
    if (!Array.isArray(absent) || absent.some((a) => typeof a !== 'string'))
      throw bad("'absent' must be a list of paths such as backup/etc/haproxy/rebrain.pem");

    const baseDir = join(dir, '..', base);
    const here = [...chain, dir];
    if (here.length > MAX_OVERLAY_DEPTH)
      throw bad(`overlays are stacked more than ${MAX_OVERLAY_DEPTH} deep: ${[...here, baseDir].join(' → ')}`);
    if (here.some((d) => samePlace(d, baseDir))) throw bad(`overlays form a loop: ${[...here, baseDir].join(' → ')}`);
    let st: Stats;
    try {
      st = lstatSync(baseDir);
    } catch {
      throw bad(`its base '${base}' does not exist (no directory ${baseDir})`);
    }
    if (st.isSymbolicLink())
      throw bad(`its base '${base}' is a symbolic link: a base must be a directory next to the overlay (${baseDir})`);
    if (!st.isDirectory()) throw bad(`its base '${base}' is not a directory (${baseDir})`);

    const below = new SnapshotTree(baseDir, SnapshotTree.openLayers(baseDir, here));
    const hidden: string[] = [];
    for (const entry of absent as string[]) {
      const p = snapshotPath(entry);
      if (p !== entry.replace(/\/+$/, '') || !SNAPSHOT_ENTRIES.includes(p.split('/')[0]!)) {
        throw bad(
          `'absent' entry '${entry.slice(0, 200)}' must be a path inside the snapshot such as backup/etc/haproxy/rebrain.pem (under master/ or backup/, or hosts.yaml; no '.', '..' or leading '/')`,
        );
      }
      if (existsLocal(join(dir, p))) throw bad(`'absent' names ${p}, which this directory has itself`);
      if (below.locate(p) === undefined)
        throw bad(`'absent' names ${p}, which its base '${base}' does not have either`);
      hidden.push(p);
    }
    return [{ dir, absent: hidden }, ...below.layers];
  }
}

function existsLocal(local: string): boolean {
  try {
    lstatSync(local);
    return true;
  } catch {
    return false;
  }
}

/** Two names of the same directory (compared by device and inode, so links and `..` do not fool it). */
function samePlace(a: string, b: string): boolean {
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}
