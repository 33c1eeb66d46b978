// Secrets in the files `hagrade snapshot` captures. A snapshot is evidence that gets mailed, attached
// to CI runs and kept for disputes, so it must not carry private keys or keepalived passwords; yet
// re-grading it offline must reach the same verdicts. So each secret is replaced by exactly what the
// checks compare, and nothing more, on the same lines:
// - a private key block becomes a marker block carrying only its public half (CRT002 still matches
//   it against the certificate), or only "encrypted" / the reason it cannot be read;
// - an auth_pass value becomes a keyed hash of what keepalived compares (its first 8 bytes after the
//   comment cut). One random key per snapshot keeps equal passwords equal across master and backup
//   (KAD003) while the key, never written anywhere, makes the hashes useless for guessing.
import { createHmac, randomBytes } from 'node:crypto';
import { REDACTED_KEY_LABEL, readPemContents, redactedKeyBlock, splitPem } from '../facts/cert.js';
import type { KeepalivedStatement } from '../parsers/keepalived.js';
import { AUTH_PASS_LENGTH, effectiveAuthPass } from '../parsers/keepalived-model.js';

/** A fresh key for one snapshot: the same password hashes the same on both hosts of that snapshot only. */
export function newSnapshotKey(): Buffer {
  return randomBytes(32);
}

/** Written instead of a binary (DER) private key, which has no lines to keep. */
export const DER_KEY_REMOVED = 'hagrade: a binary (DER) private key was here; it is not kept in snapshots\n';

/**
 * Every private key block in a file replaced by a marker block of the same number of lines (padded
 * with blank lines after it), so findings keep their line numbers. Text outside keys is unchanged;
 * a file with no key comes back as is.
 */
export function redactPrivateKeys(content: Buffer): Buffer {
  // latin1 maps bytes to characters one to one, so any binary content survives the round trip.
  const text = content.toString('latin1');
  const contents = readPemContents(content);
  if (contents.format === 'der' && contents.keys.length > 0) return Buffer.from(DER_KEY_REMOVED);
  if (!/PRIVATE KEY-----/.test(text)) return content;
  const lines = text.split('\n');
  const keys = new Map(contents.keys.map((k) => [k.line, k]));
  for (const block of splitPem(text)) {
    const key = keys.get(block.line);
    if (!key || block.label === REDACTED_KEY_LABEL) continue;
    const length = block.text.split('\n').length - 1;
    // A block of BEGIN and END alone holds no secret (and no room for a marker).
    if (length < 3) continue;
    const marker = redactedKeyBlock(key).split('\n');
    const padded = [...marker, ...Array<string>(Math.max(0, length - marker.length)).fill('')];
    lines.splice(block.line - 1, length, ...padded.slice(0, length));
  }
  return Buffer.from(lines.join('\n'), 'latin1');
}

/** Characters keepalived reads as plain word characters anywhere. */
const HASH_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * What replaces a password: a keyed hash of what keepalived compares, as many characters as that
 * has bytes (so messages about its length stay true), then filler up to the byte length of the
 * whole value (a password keepalived truncates is still one it truncates).
 */
function hashedPassword(pass: string, key: Buffer): string {
  const effective = effectiveAuthPass(pass);
  const digest = createHmac('sha256', key).update(effective, 'utf8').digest();
  const length = Math.min(AUTH_PASS_LENGTH, Buffer.byteLength(effective, 'utf8'));
  const hash = [...digest.subarray(0, length)].map((byte) => HASH_ALPHABET[byte % HASH_ALPHABET.length]).join('');
  return hash + 'x'.repeat(Math.max(0, Buffer.byteLength(pass, 'utf8') - length));
}

/** Index of the first `!` or `#` that starts a keepalived comment (outside double quotes, not after `\`), or -1. */
function commentStart(text: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (c === '\\' && !quoted) i++;
    else if (!quoted && (c === '!' || c === '#')) return i;
  }
  return -1;
}

const redactedComment = (mark: string) => `${mark} (comment removed by hagrade: it followed a password)`;
/** The keyword, at the start of a word (or of a definition's value: `$A=auth_pass …`), and its value as written. */
const AUTH_PASS_VALUE = /(^|[\s=])auth_pass(\s+)("[^"]*"|[^\s"]+|"[^"]*$)?/;

/**
 * One physical line with its auth_pass value replaced: `pass` is the value keepalived read (undefined
 * when it read none). A comment after the keyword is dropped (it may spell the password out) but
 * still starts where it did relative to the value, so a password cut short by `!` is still cut.
 */
function rewriteAuthPassLine(line: string, pass: string | undefined, key: Buffer): string | undefined {
  const m = AUTH_PASS_VALUE.exec(line);
  if (!m) return undefined;
  const valueAt = m.index + m[1]!.length + 'auth_pass'.length + m[2]!.length;
  const cr = line.endsWith('\r') ? '\r' : '';
  const rest = line.slice(valueAt, line.length - cr.length);
  const written = m[3] ?? '';
  const head = line.slice(0, valueAt) + (pass === undefined ? '' : hashedPassword(pass, key));
  const comment = commentStart(rest);
  if (comment < 0) return head + rest.slice(written.length) + cr;
  const tail = redactedComment(rest[comment]!) + cr;
  // The comment began inside the written value (`s3cr!t12`): the hash, then the comment, no space.
  return comment < written.length ? head + tail : head + rest.slice(written.length, comment) + tail;
}

function* walk(statements: readonly KeepalivedStatement[]): Generator<KeepalivedStatement> {
  for (const st of statements) {
    yield st;
    if (st.children) yield* walk(st.children);
  }
}

/** Any other `auth_pass WORD` (commented out, in a file keepalived does not read): masked outright. */
const LEFTOVER_AUTH_PASS = /(\bauth_pass\s+)("[^"\n]*"|[^\s]+)/g;
/** `$NAME=value` (GRAMMAR.md B1: the line starts with `$`, no space before `=`). */
const DEFINITION = /^\s*\$([A-Za-z_][A-Za-z0-9_]*)=/;
/** The names a line uses: `$NAME` and `${NAME}`. */
const usedNames = (text: string) => [...text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);

/**
 * keepalived's passwords replaced in the captured files. `statements` is the parsed configuration
 * (its files included): each auth_pass it holds gets the keyed hash of what keepalived compares,
 * also where the password comes from a definition (`auth_pass $PASS`, or `$A` standing for a whole
 * `auth_pass …` line); any other auth_pass line in any file is masked. Line counts are kept.
 */
export function redactAuthPasswords(
  files: Map<string, Buffer>,
  statements: readonly KeepalivedStatement[],
  key: Buffer,
): Map<string, Buffer> {
  // Files are handled as bytes (latin1) to keep any encoding; the parser's words are text (UTF-8).
  const lines = new Map([...files].map(([file, content]) => [file, content.toString('latin1').split('\n')]));
  const done = new Set<string>();
  const textOf = (file: string, i: number) => Buffer.from(lines.get(file)![i] ?? '', 'latin1').toString('utf8');
  const replace = (file: string, i: number, text: string) => {
    lines.get(file)![i] = Buffer.from(text, 'utf8').toString('latin1');
    done.add(`${file}\0${i}`);
  };
  /** Definitions a password was read through, with that password. */
  const definitions = new Map<string, string | undefined>();
  for (const st of walk(statements)) {
    const i = st.line - 1;
    if (st.keyword !== 'auth_pass' || !lines.has(st.file) || done.has(`${st.file}\0${i}`)) continue;
    const line = textOf(st.file, i);
    const updated = rewriteAuthPassLine(line, st.args[0], key);
    if (updated !== undefined) replace(st.file, i, updated);
    for (const name of usedNames(line)) definitions.set(name, st.args[0]);
  }
  for (const [file, fileLines] of lines) {
    for (let i = 0; i < fileLines.length; i++) {
      if (done.has(`${file}\0${i}`)) continue;
      const line = textOf(file, i);
      const name = DEFINITION.exec(line)?.[1];
      if (name !== undefined && definitions.has(name)) {
        const cr = line.endsWith('\r') ? '\r' : '';
        replace(
          file,
          i,
          rewriteAuthPassLine(line, definitions.get(name), key) ??
            `${line.slice(0, line.indexOf('=') + 1)}********${cr}`,
        );
      } else if (line.includes('auth_pass')) {
        replace(file, i, line.replace(LEFTOVER_AUTH_PASS, '$1********'));
      }
    }
  }
  return new Map([...lines].map(([file, fileLines]) => [file, Buffer.from(fileLines.join('\n'), 'latin1')]));
}
