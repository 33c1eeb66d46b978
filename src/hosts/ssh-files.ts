// Reading files and directories over SSH: the two fixed scripts the host runs (they take the path
// only as $1), and what their exit codes and stderr mean, as a FileRead or a sorted list of names.
import type { FileRead } from './host.js';
import { fileOverByteLimit, fileOverLineLimit } from './limits.js';
import type { RawResult } from './ssh-channels.js';
import { SshError, t } from './ssh-errors.js';

// Fixed scripts of our own, run through shellPayload.
/**
 * Read file $1 of at most $2 bytes. Only a regular file (after links) is read: a FIFO, a device or
 * a link to one is refused after `stat` (exit 5, its type on stderr), so it can neither hang the
 * read nor pour out bytes without end. `head -c` still stops one byte past the limit if the file
 * grows or is swapped between the `stat` and the read.
 */
export const READ_FILE_SCRIPT = [
  'size=$(stat -L -c %s -- "$1") || exit 3',
  'if [ ! -f "$1" ]; then stat -L -c %F -- "$1" >&2; exit 5; fi',
  'if [ "$size" -gt "$2" ]; then echo "$size" >&2; exit 4; fi',
  'exec head -c "$(($2 + 1))" -- "$1"',
].join('\n');
export const LIST_DIR_SCRIPT = [
  '[ -d "$1" ] || exit 3',
  'cd -- "$1" || exit 4',
  'for f in .* *; do',
  '  case $f in .|..) continue ;; esac',
  '  [ -e "$f" ] || [ -L "$f" ] || continue',
  '  printf \'%s\\0\' "$f"',
  'done',
].join('\n');

/** Who reads: the host's label and login user, and the failure of our own sudo wrapper, if it failed. */
export interface Reader {
  label: string;
  user: string;
  sudoError: string | undefined;
}

/** READ_FILE_SCRIPT's result for `path` (at most `max` bytes, `maxLines` lines) as a FileRead. */
export function fileReadOf(
  raw: RawResult,
  path: string,
  max: number,
  maxLines: number | undefined,
  reader: Reader,
): FileRead {
  const stderr = raw.stderr.toString('utf8').trim();
  const tooLarge = (size: string): FileRead => fileOverByteLimit(path, size, max);
  if (raw.overLimit !== undefined && raw.stdout.length > max) return tooLarge(`more than ${max}`);
  const unavailable = raw.unavailable
    ? raw.error
    : raw.timedOut
      ? `reading ${path} on ${reader.label} timed out`
      : raw.overLimit !== undefined
        ? `reading ${path} on ${reader.label}: ${raw.overLimit}`
        : reader.sudoError;
  if (unavailable !== undefined) return { ok: false, path, reason: 'unavailable', message: unavailable };
  if (raw.exitCode === 0) {
    if (raw.stdout.length > max) return tooLarge(`more than ${max}`);
    return fileOverLineLimit(path, raw.stdout, maxLines) ?? { ok: true, path, content: raw.stdout };
  }
  if (raw.exitCode === 4) return tooLarge(stderr);
  if (raw.exitCode === 5)
    return {
      ok: false,
      path,
      reason: 'error',
      message: `${path} is not a regular file (${stderr || 'unknown type'}): hagrade does not read it`,
    };
  if (/No such file or directory|Not a directory/.test(stderr))
    return { ok: false, path, reason: 'missing', message: `${path} does not exist` };
  if (/Permission denied/.test(stderr))
    return { ok: false, path, reason: 'denied', message: `${path} is not readable by ${reader.user}` };
  return { ok: false, path, reason: 'error', message: `${path}: ${stderr || `exit code ${raw.exitCode}`}` };
}

/**
 * LIST_DIR_SCRIPT's result: the names in `path` (sorted), null when it does not exist; throws when
 * the host cannot tell.
 */
export function dirListingOf(raw: RawResult, path: string, reader: Reader): string[] | null {
  if (raw.exitCode === 3) return null;
  if (raw.exitCode === 0) return raw.stdout.toString('utf8').split('\0').filter(Boolean).sort();
  const why = raw.unavailable
    ? raw.error
    : raw.timedOut
      ? 'timed out'
      : (raw.overLimit ?? reader.sudoError ?? (raw.stderr.toString('utf8').trim() || `exit code ${raw.exitCode}`));
  throw new SshError(
    'protocol',
    t(
      `cannot list ${path} on ${reader.label}: ${why}`,
      `не удалось прочитать каталог ${path} на ${reader.label}: ${why}`,
    ),
  );
}
