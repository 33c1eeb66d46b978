// What is inside /etc/haproxy/rebrain.pem, read the way HAProxy 2.6 loads a `crt` PEM file
// (ssl_sock_load_pem_into_ckch): the first private key block anywhere in the file is the key, the first
// certificate block is the server (leaf) certificate, later certificates are its chain, the order of
// key and certificate does not matter, other blocks (DH PARAMETERS, EC PARAMETERS) are ignored.
// Only Node's crypto is used: no openssl binary on the grader's side.
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { CheckContext, FindingInput, MessageIds } from '../model/check.js';
import type { FileRead } from '../hosts/host.js';
import type { Role, Text } from '../model/basics.js';

/** A rebrain.pem is a few kilobytes; anything this big is not one. */
export const MAX_CERT_FILE_BYTES = 1024 * 1024;

export interface PemBlock {
  label: string;
  /** 1-based line of the BEGIN marker. */
  line: number;
  /** The block as written, BEGIN to END (what createPrivateKey gets). */
  text: string;
  headers: Record<string, string>;
  der: Buffer;
  /** No matching END line. */
  unterminated: boolean;
}

export interface CertEntry {
  line: number;
  label: string;
  x509?: X509Certificate;
  /** Why it could not be read. */
  error?: string;
}

export interface KeyEntry {
  line: number;
  label: string;
  /** The private key; in a snapshot's redacted marker block, only its public half (see keyMatchesCertificate). */
  key?: KeyObject;
  /** Needs a passphrase: HAProxy cannot load it unattended. */
  encrypted: boolean;
  error?: string;
}

export interface PemContents {
  /** pem: PEM blocks found; der: one binary DER object; empty: nothing but whitespace; unknown: neither. */
  format: 'pem' | 'der' | 'empty' | 'unknown';
  certificates: CertEntry[];
  keys: KeyEntry[];
}

export interface CertFile {
  role: Role;
  path: string;
  read: FileRead;
  /** Present when the file could be read. */
  contents?: PemContents;
}

const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
const BEGIN = /^-----BEGIN (.+)-----$/;
const END = /^-----END (.+)-----$/;

/** Split PEM text into its blocks; text outside blocks (e.g. `Bag Attributes`) is ignored, as OpenSSL does. */
export function splitPem(text: string): PemBlock[] {
  const lines = text.split('\n').map((l) => l.replace(/\s+$/, ''));
  const blocks: PemBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const begin = lines[i]!.match(BEGIN);
    if (!begin) continue;
    const label = begin[1]!;
    let j = i + 1;
    while (j < lines.length && !END.test(lines[j]!) && !BEGIN.test(lines[j]!)) j++;
    const endLabel = lines[j]?.match(END)?.[1];
    const unterminated = endLabel !== label;
    const inner = lines.slice(i + 1, j);
    // RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`) come first and end with a blank line.
    const headers: Record<string, string> = {};
    let body = 0;
    if (inner[0]?.includes(':')) {
      while (body < inner.length && inner[body] !== '') {
        const colon = inner[body]!.indexOf(':');
        if (colon > 0) headers[inner[body]!.slice(0, colon).trim()] = inner[body]!.slice(colon + 1).trim();
        body++;
      }
    }
    const der = Buffer.from(inner.slice(body).join(''), 'base64');
    const last = unterminated ? j - 1 : j;
    blocks.push({ label, line: i + 1, text: `${lines.slice(i, last + 1).join('\n')}\n`, headers, der, unterminated });
    i = unterminated ? j - 1 : j;
  }
  return blocks;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function readCertificate(block: PemBlock): CertEntry {
  const entry: CertEntry = { line: block.line, label: block.label };
  if (block.unterminated) return { ...entry, error: `no "-----END ${block.label}-----" line` };
  try {
    return { ...entry, x509: new X509Certificate(block.der) };
  } catch (e) {
    return { ...entry, error: errorText(e) };
  }
}

/**
 * Snapshots never hold private keys (src/snapshot/secrets.ts): each key block is replaced by a block with this
 * label whose one body line is base64 JSON: the original label, and the public key (SPKI DER, base64),
 * or `encrypted`, or the reason the key could not be read. Read back, it is the same KeyEntry.
 */
export const REDACTED_KEY_LABEL = 'HAGRADE REDACTED PRIVATE KEY';

interface RedactedKey {
  label: string;
  publicKey?: string;
  encrypted?: boolean;
  error?: string;
}

/** The marker block standing for a key entry: BEGIN, one body line, END. */
export function redactedKeyBlock(entry: KeyEntry): string {
  const marker: RedactedKey = { label: entry.label };
  if (entry.key)
    marker.publicKey = createPublicKey(entry.key).export({ type: 'spki', format: 'der' }).toString('base64');
  else if (entry.encrypted) marker.encrypted = true;
  else marker.error = entry.error ?? 'unreadable';
  const body = Buffer.from(JSON.stringify(marker)).toString('base64');
  return `-----BEGIN ${REDACTED_KEY_LABEL}-----\n${body}\n-----END ${REDACTED_KEY_LABEL}-----`;
}

function readRedactedKey(block: PemBlock): KeyEntry {
  try {
    const marker = JSON.parse(block.der.toString('utf8')) as RedactedKey;
    const entry: KeyEntry = { line: block.line, label: String(marker.label), encrypted: marker.encrypted === true };
    if (marker.publicKey !== undefined)
      return {
        ...entry,
        key: createPublicKey({ key: Buffer.from(marker.publicKey, 'base64'), format: 'der', type: 'spki' }),
      };
    return marker.encrypted ? entry : { ...entry, error: String(marker.error) };
  } catch (e) {
    return { line: block.line, label: block.label, encrypted: false, error: `damaged redacted key: ${errorText(e)}` };
  }
}

/**
 * Whether the key belongs to the certificate: a private key (or a snapshot's public half of one) with the certificate's
 * public key.
 */
export function keyMatchesCertificate(x509: X509Certificate, key: KeyObject): boolean {
  try {
    if (key.type === 'private') return x509.checkPrivateKey(key);
    const spki = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });
    return spki(x509.publicKey).equals(spki(key));
  } catch {
    return false; // e.g. an RSA key against an EC certificate
  }
}

function readKey(block: PemBlock): KeyEntry {
  if (block.label === REDACTED_KEY_LABEL && !block.unterminated) return readRedactedKey(block);
  const encryptedByForm = block.label === 'ENCRYPTED PRIVATE KEY' || /ENCRYPTED/.test(block.headers['Proc-Type'] ?? '');
  const entry: KeyEntry = { line: block.line, label: block.label, encrypted: encryptedByForm };
  if (block.unterminated) return { ...entry, error: `no "-----END ${block.label}-----" line` };
  if (encryptedByForm) return entry;
  try {
    return { ...entry, key: createPrivateKey(block.text) };
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_MISSING_PASSPHRASE') return { ...entry, encrypted: true };
    return { ...entry, error: errorText(e) };
  }
}

/** Try the file as one binary DER certificate or key, to tell the student it is DER rather than garbage. */
function readDer(content: Buffer): PemContents | undefined {
  try {
    return {
      format: 'der',
      certificates: [{ line: 1, label: 'CERTIFICATE', x509: new X509Certificate(content) }],
      keys: [],
    };
  } catch {
    // not a DER certificate; try a key
  }
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      const key = createPrivateKey({ key: content, format: 'der', type });
      return { format: 'der', certificates: [], keys: [{ line: 1, label: 'PRIVATE KEY', key, encrypted: false }] };
    } catch {
      // try the next encoding
    }
  }
  return undefined;
}

/** Everything a certificate file holds. Never throws. */
export function readPemContents(content: Buffer): PemContents {
  // latin1 maps every byte to one character, so binary content cannot break the line scan.
  const text = content.toString('latin1');
  const blocks = splitPem(text);
  if (blocks.length === 0) {
    if (text.trim() === '') return { format: 'empty', certificates: [], keys: [] };
    return readDer(content) ?? { format: 'unknown', certificates: [], keys: [] };
  }
  return {
    format: 'pem',
    certificates: blocks.filter((b) => CERT_LABELS.has(b.label)).map(readCertificate),
    keys: blocks.filter((b) => b.label.endsWith('PRIVATE KEY')).map(readKey),
  };
}

/** Read and parse a host's certificate file once per run (memo key `cert:<role>`). */
export function loadCertFile(ctx: CheckContext, role: Role): Promise<CertFile> {
  return ctx.memo(`cert:${role}`, async () => {
    const path = ctx.profile.certPath;
    const read = await ctx.host(role).readFile(path, { maxBytes: MAX_CERT_FILE_BYTES });
    return read.ok ? { role, path, read, contents: readPemContents(read.content) } : { role, path, read };
  });
}

/** The server certificate HAProxy would present: the first certificate block. */
export function leafCertificate(contents: PemContents | undefined): CertEntry | undefined {
  return contents?.certificates[0];
}

/** `CN=a\nO=b` (Node's form) -> `CN=a, O=b`. */
export function distinguishedName(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

/** `2026-11-23 06:33 UTC`; the date as written when it does not parse. */
export function formatCertDate(date: Date, asWritten: string): string {
  return Number.isNaN(date.getTime()) ? asWritten : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function certDates(x509: X509Certificate): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(x509.validFrom), notAfter: new Date(x509.validTo) };
}

/** Facts every certificate finding carries: which certificate, valid when. */
export function certData(x509: X509Certificate): Record<string, string> {
  const { notBefore, notAfter } = certDates(x509);
  return {
    subject: distinguishedName(x509.subject),
    issuer: distinguishedName(x509.issuer),
    notBefore: formatCertDate(notBefore, x509.validFrom),
    notAfter: formatCertDate(notAfter, x509.validTo),
  };
}

// ---------------------------------------------------------------------------------------------
// CRT002-CRT004 need the file's content: they skip, with the reason, when CRT001 could not read it.

export const CERT_SKIP_MESSAGES = {
  fileMissing: {
    en: 'cannot judge: {file} does not exist (see CRT001)',
    ru: 'невозможно проверить: файла {file} нет (см. CRT001)',
  },
  fileEmpty: {
    en: 'cannot judge: {file} is empty (see CRT001)',
    ru: 'невозможно проверить: файл {file} пуст (см. CRT001)',
  },
  fileUnreadable: {
    en: 'cannot judge: {file} could not be read: {error} (see CRT001)',
    ru: 'невозможно проверить: не удалось прочитать {file}: {error} (см. CRT001)',
  },
} satisfies Record<string, Text>;

export const LEAF_SKIP_MESSAGES = {
  ...CERT_SKIP_MESSAGES,
  noCertificate: {
    en: 'cannot judge: {file} holds no readable certificate (see CRT002)',
    ru: 'невозможно проверить: в {file} нет читаемого сертификата (см. CRT002)',
  },
} satisfies Record<string, Text>;

export type CertSkipId = MessageIds<typeof CERT_SKIP_MESSAGES>;
export type LeafSkipId = MessageIds<typeof LEAF_SKIP_MESSAGES>;

function skipFor(file: CertFile): FindingInput<CertSkipId> | undefined {
  const base = { kind: 'skip' as const, host: file.role, file: file.path, data: { file: file.path } };
  if (file.read.ok) return file.contents?.format === 'empty' ? { ...base, messageId: 'fileEmpty' } : undefined;
  return file.read.reason === 'missing'
    ? { ...base, messageId: 'fileMissing' }
    : { ...base, messageId: 'fileUnreadable', data: { file: file.path, error: file.read.message } };
}

/** The file's non-empty contents, or undefined after reporting a skip (messages: CERT_SKIP_MESSAGES). */
export function contentsOrSkip(ctx: CheckContext<CertSkipId>, file: CertFile): PemContents | undefined {
  const skip = skipFor(file);
  if (skip) {
    ctx.report(skip);
    return undefined;
  }
  return file.contents;
}

/** The parsed leaf certificate, or undefined after reporting a skip (messages: LEAF_SKIP_MESSAGES). */
export function leafOrSkip(
  ctx: CheckContext<LeafSkipId>,
  file: CertFile,
): { x509: X509Certificate; line: number } | undefined {
  const contents = contentsOrSkip(ctx, file);
  if (!contents) return undefined;
  const leaf = leafCertificate(contents);
  if (leaf?.x509) return { x509: leaf.x509, line: leaf.line };
  ctx.report({ kind: 'skip', host: file.role, messageId: 'noCertificate', file: file.path, data: { file: file.path } });
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Fingerprints, for CRT005 (the certificate served on VIP:443 is the one in the file).

/** SHA-256 fingerprint as lowercase hex without separators, from any usual notation
 *  (`AB:CD:…` from Node/tls, `sha256 Fingerprint=AB:CD:…` from openssl, plain hex). */
export function normalizeFingerprint(fingerprint: string): string {
  const value = fingerprint.includes('=') ? fingerprint.slice(fingerprint.lastIndexOf('=') + 1) : fingerprint;
  return value.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
}

/** The SHA-256 fingerprint (normalized) of the leaf certificate in a host's certificate file, if any. */
export async function certFingerprint(ctx: CheckContext, role: Role): Promise<string | undefined> {
  const leaf = leafCertificate((await loadCertFile(ctx, role)).contents);
  return leaf?.x509 ? normalizeFingerprint(leaf.x509.fingerprint256) : undefined;
}
