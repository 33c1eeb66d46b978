// known_hosts: verify a host's key as OpenSSH does (hashed entries, [host]:port, markers, several key types).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { matchHostPatterns } from './ssh-config.js';
import type { Text } from '../model/basics.js';

export interface KnownHostEntry {
  file: string;
  line: number;
  marker?: 'revoked' | 'cert-authority';
  /** Comma-separated host patterns as written, or null for a hashed (`|1|salt|hash`) entry. */
  patterns: string[] | null;
  hashed?: { salt: Buffer; hash: Buffer };
  keyType: string;
  /** The public key blob, base64 as written. */
  key: string;
}

export type HostKeyVerdict =
  | { status: 'known'; entry: KnownHostEntry }
  | { status: 'unknown' }
  | { status: 'changed'; entry: KnownHostEntry }
  | { status: 'revoked'; entry: KnownHostEntry };

/** How OpenSSH names a host in known_hosts: the bare name on port 22, `[name]:port` otherwise. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type written inside an SSH public key blob (its first length-prefixed string). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return '';
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** OpenSSH's fingerprint form, `SHA256:` and unpadded base64. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Parse a known_hosts file. Never throws: lines it cannot read are skipped, as ssh does. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const words = raw.trim().split(/\s+/);
    if (words[0] === '' || words[0]!.startsWith('#')) return;
    let marker: KnownHostEntry['marker'];
    if (words[0] === '@revoked' || words[0] === '@cert-authority')
      marker = words.shift()!.slice(1) as KnownHostEntry['marker'];
    const [hosts, keyType, key] = words;
    if (!hosts || !keyType || !key) return;
    const entry: KnownHostEntry = {
      file,
      line: index + 1,
      patterns: hosts.split(','),
      keyType,
      key,
      ...(marker ? { marker } : {}),
    };
    const hashed = /^\|1\|([^|]+)\|([^|]+)$/.exec(hosts);
    if (hashed) {
      entry.patterns = null;
      entry.hashed = { salt: Buffer.from(hashed[1]!, 'base64'), hash: Buffer.from(hashed[2]!, 'base64') };
    }
    entries.push(entry);
  });
  return entries;
}

function entryMatches(entry: KnownHostEntry, name: string): boolean {
  if (entry.hashed) {
    const hash = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return hash.length === entry.hashed.hash.length && timingSafeEqual(hash, entry.hashed.hash);
  }
  return matchHostPatterns(name, entry.patterns ?? []);
}

/** Host key algorithms in ssh2's default order (ssh2 does not export it). */
const DEFAULT_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** An `ssh-rsa` key in known_hosts verifies any of the RSA signature algorithms. */
function algorithmsForKeyType(keyType: string): string[] {
  return keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType];
}

/**
 * Offer the key types we already know for this host first, as OpenSSH does: a host with an ed25519
 * and an ecdsa key, known by its ecdsa key, must not look unknown because ed25519 was negotiated.
 * Among known types, OpenSSH's own order (ed25519, ecdsa, rsa), never known_hosts' line order: a
 * host known by all its keys then proves itself with the key OpenSSH would check, so a changed key
 * is reported with the same fingerprint OpenSSH shows.
 */
export function preferredHostKeyAlgorithms(knownTypes: readonly string[]): string[] {
  const known = new Set(knownTypes.flatMap(algorithmsForKeyType));
  return [
    ...DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => known.has(a)),
    ...DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => !known.has(a)),
  ];
}

/** The known_hosts files hagrade consults: read-only ones (the user's) and its own, where it trusts on first use. */
export class KnownHosts {
  private entries: KnownHostEntry[] = [];

  constructor(
    /** hagrade's own file; new keys are appended here. */
    readonly writableFile: string,
    readonly readOnlyFiles: readonly string[] = [],
  ) {
    for (const file of [writableFile, ...readOnlyFiles]) {
      try {
        this.entries.push(...parseKnownHosts(readFileSync(file, 'utf8'), file));
      } catch {
        // a file that does not exist knows no hosts
      }
    }
  }

  private forHost(host: string, port: number): KnownHostEntry[] {
    const name = knownHostName(host, port);
    return this.entries.filter((e) => e.marker !== 'cert-authority' && entryMatches(e, name));
  }

  /** Key types recorded for this host, to negotiate one we can verify. */
  knownTypes(host: string, port: number): string[] {
    return [
      ...new Set(
        this.forHost(host, port)
          .filter((e) => !e.marker)
          .map((e) => e.keyType),
      ),
    ];
  }

  /** Is this the key recorded for the host? A different key of the same type is a changed key. */
  check(host: string, port: number, blob: Buffer): HostKeyVerdict {
    const entries = this.forHost(host, port);
    const keyType = keyTypeOf(blob);
    const key = blob.toString('base64');
    const revoked = this.entries.find((e) => e.marker === 'revoked' && e.key === key);
    if (revoked) return { status: 'revoked', entry: revoked };
    const same = entries.find((e) => !e.marker && e.key === key);
    if (same) return { status: 'known', entry: same };
    const other = entries.find((e) => !e.marker && e.keyType === keyType);
    return other ? { status: 'changed', entry: other } : { status: 'unknown' };
  }

  /** Trust on first use: append the key to hagrade's own file. Returns where it was written. */
  add(host: string, port: number, blob: Buffer): { file: string; line: number } {
    let existing = '';
    try {
      existing = readFileSync(this.writableFile, 'utf8');
    } catch {
      mkdirSync(dirname(this.writableFile), { recursive: true, mode: 0o700 });
    }
    const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
    const text = `${knownHostName(host, port)} ${keyTypeOf(blob)} ${blob.toString('base64')}\n`;
    appendFileSync(this.writableFile, separator + text, { mode: 0o600 });
    const line = (existing + separator).split('\n').length;
    const entry = parseKnownHosts(text, this.writableFile)[0]!;
    this.entries.push({ ...entry, line });
    return { file: this.writableFile, line };
  }
}

// ---------------------------------------------------------------------------------------------
// What the user reads when a key is refused

/** As loud as OpenSSH's "REMOTE HOST IDENTIFICATION HAS CHANGED", with the file and line to fix. */
export function changedKeyText(host: string, port: number, blob: Buffer, entry: KnownHostEntry): Text {
  const name = knownHostName(host, port);
  const type = keyTypeOf(blob);
  const banner = '@'.repeat(59);
  return {
    en: [
      banner,
      '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
      banner,
      `The ${type} host key of ${name} is not the one recorded in ${entry.file} line ${entry.line}.`,
      'Someone could be intercepting the connection (a man-in-the-middle attack), or the host was',
      'reinstalled or recreated and has a new key. hagrade refuses to connect.',
      `The key the host sent has the fingerprint ${fingerprint(blob)}.`,
      'If you know the host was recreated, remove the old key and run hagrade again:',
      `  ssh-keygen -f "${entry.file}" -R "${name}"`,
      `(or delete line ${entry.line} of ${entry.file}).`,
    ].join('\n'),
    ru: [
      banner,
      '@    ВНИМАНИЕ: КЛЮЧ УДАЛЁННОГО СЕРВЕРА ИЗМЕНИЛСЯ!         @',
      banner,
      `Ключ ${type} сервера ${name} не совпадает с записанным в ${entry.file}, строка ${entry.line}.`,
      'Возможно, соединение кто-то перехватывает (атака «человек посередине»), или машину',
      'переустановили или пересоздали и у неё новый ключ. hagrade не будет подключаться.',
      `Отпечаток ключа, присланного сервером: ${fingerprint(blob)}.`,
      'Если вы знаете, что машину пересоздали, удалите старый ключ и запустите hagrade снова:',
      `  ssh-keygen -f "${entry.file}" -R "${name}"`,
      `(или удалите строку ${entry.line} файла ${entry.file}).`,
    ].join('\n'),
  };
}

export function revokedKeyText(host: string, port: number, blob: Buffer, entry: KnownHostEntry): Text {
  const name = knownHostName(host, port);
  return {
    en: `The host key of ${name} (${fingerprint(blob)}) is marked @revoked in ${entry.file} line ${entry.line}; hagrade refuses to connect. Ask whoever runs the host for its new key.`,
    ru: `Ключ сервера ${name} (${fingerprint(blob)}) отозван (@revoked) в ${entry.file}, строка ${entry.line}; hagrade не будет подключаться. Узнайте новый ключ у того, кто отвечает за сервер.`,
  };
}

export function unknownKeyText(host: string, port: number, blob: Buffer, file: string): Text {
  const name = knownHostName(host, port);
  const scan = `ssh-keyscan -p ${port} ${host} >> "${file}"`;
  return {
    en: `The host key of ${name} is not known (${keyTypeOf(blob)} ${fingerprint(blob)}) and strict host key checking is on. Check the fingerprint with whoever runs the host, then add the key: ${scan}, or connect once without strict host key checking.`,
    ru: `Ключ сервера ${name} неизвестен (${keyTypeOf(blob)} ${fingerprint(blob)}), а строгая проверка ключей включена. Сверьте отпечаток с тем, кто отвечает за сервер, и добавьте ключ: ${scan}, или подключитесь один раз без строгой проверки ключей.`,
  };
}
