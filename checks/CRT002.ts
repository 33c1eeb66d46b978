// CRT002: rebrain.pem holds a certificate and the private key that belongs to it, both readable by HAProxy.
import { CERT_ONLY_PEM, SELF_SIGNED_PEM } from '../src/facts/cert-examples.js';
import {
  CERT_SKIP_MESSAGES,
  MAX_CERT_FILE_BYTES,
  contentsOrSkip,
  distinguishedName,
  keyMatchesCertificate,
  loadCertFile,
  readPemContents,
  type CertFile,
} from '../src/facts/cert.js';
import { ROLES } from '../src/model/basics.js';
import { defineCheck, type CheckContext, type MessageIdOf } from '../src/model/check.js';

/** The context of this check: helpers below report only its own ids. */
type Ctx = CheckContext<MessageIdOf<typeof check>>;

const check = defineCheck({
  id: 'CRT002',
  title: { en: 'Certificate and its private key in one file', ru: 'Сертификат и его приватный ключ в одном файле' },
  area: 'certificate',
  mode: 'static',
  points: 3,
  severity: 'critical',
  spec: 'Requirements 1 (Certificate): "contains both the certificate and its private key"',
  asserts: {
    en: 'rebrain.pem holds a PEM certificate and the unencrypted private key that matches it.',
    ru: 'rebrain.pem содержит сертификат в формате PEM и соответствующий ему незашифрованный приватный ключ.',
  },
  messages: {
    ...CERT_SKIP_MESSAGES,
    noPem: {
      en: '{file} is not in PEM format: there is no "-----BEGIN ...-----" line',
      ru: '{file} не в формате PEM: нет строки "-----BEGIN ...-----"',
    },
    derFormat: {
      en: '{file} is binary DER; HAProxy reads only PEM (text with "-----BEGIN ...-----" lines)',
      ru: '{file} в двоичном формате DER; HAProxy читает только PEM (текст со строками "-----BEGIN ...-----")',
    },
    noCertificate: { en: '{file} holds no certificate', ru: 'в {file} нет сертификата' },
    noKey: { en: '{file} holds no private key', ru: 'в {file} нет приватного ключа' },
    keyInSeparateFile: {
      en: '{file} holds no private key; HAProxy would take it from {keyFile}, but the task wants the certificate and the key in one file',
      ru: 'в {file} нет приватного ключа; HAProxy возьмёт его из {keyFile}, но по заданию сертификат и ключ должны быть в одном файле',
    },
    badCertificate: {
      en: 'the certificate at line {line} cannot be read: {error}',
      ru: 'сертификат в строке {line} не читается: {error}',
    },
    badKey: {
      en: 'the private key at line {line} cannot be read: {error}',
      ru: 'приватный ключ в строке {line} не читается: {error}',
    },
    encryptedKey: {
      en: 'the private key at line {line} is encrypted: HAProxy cannot load it without a passphrase',
      ru: 'приватный ключ в строке {line} зашифрован: HAProxy не загрузит его без пароля',
    },
    keyMismatch: {
      en: 'the private key at line {line} does not belong to the certificate {subject} (line {certLine})',
      ru: 'приватный ключ в строке {line} не соответствует сертификату {subject} (строка {certLine})',
    },
    extraCertificates: {
      en: '{file} holds {count} certificates: HAProxy serves the first ({subject}) and sends the others as its chain',
      ru: 'в {file} {count} сертификата(ов): HAProxy отдаёт первый ({subject}), остальные — как цепочку',
    },
  },
  hints: {
    derFormat: {
      en: 'Convert it: openssl x509 -inform der -in cert.der -out cert.pem, then append the key.',
      ru: 'Преобразуйте: openssl x509 -inform der -in cert.der -out cert.pem, затем допишите ключ.',
    },
    noKey: {
      en: 'Append the key the certificate was made with: cat rebrain.key >> /etc/haproxy/rebrain.pem',
      ru: 'Допишите ключ, с которым создавался сертификат: cat rebrain.key >> /etc/haproxy/rebrain.pem',
    },
    keyInSeparateFile: {
      en: 'Append it: cat /etc/haproxy/rebrain.pem.key >> /etc/haproxy/rebrain.pem',
      ru: 'Допишите его: cat /etc/haproxy/rebrain.pem.key >> /etc/haproxy/rebrain.pem',
    },
    encryptedKey: {
      en: 'Remove the passphrase: openssl pkey -in encrypted.key -out rebrain.key (or generate the key with -nodes / -noenc).',
      ru: 'Снимите пароль: openssl pkey -in encrypted.key -out rebrain.key (или создавайте ключ с -nodes / -noenc).',
    },
    keyMismatch: {
      en: 'The key comes from another openssl run. Compare: openssl x509 -noout -pubkey -in rebrain.pem and openssl pkey -pubout -in rebrain.pem must print the same key.',
      ru: 'Ключ от другого запуска openssl. Сравните: openssl x509 -noout -pubkey -in rebrain.pem и openssl pkey -pubout -in rebrain.pem должны вывести один и тот же ключ.',
    },
  },
  hint: {
    en: 'rebrain.pem must be the certificate followed by its unencrypted private key, both in PEM: cat rebrain.crt rebrain.key > /etc/haproxy/rebrain.pem',
    ru: 'rebrain.pem — это сертификат и за ним его незашифрованный приватный ключ, оба в PEM: cat rebrain.crt rebrain.key > /etc/haproxy/rebrain.pem',
  },
  doc: {
    rationale: {
      en: 'HAProxy 2.6 reads the private key and the certificate from the same PEM file (the first key block and the first certificate block, in any order) and refuses to start when the key does not match the certificate ("inconsistencies between private key and certificate"). A key that needs a passphrase cannot be loaded by a service. Only when the PEM has no key does HAProxy look for `<file>.key`; the task asks for both in one file.',
      ru: 'HAProxy 2.6 читает приватный ключ и сертификат из одного PEM-файла (первый блок ключа и первый блок сертификата, в любом порядке) и не запускается, если ключ не подходит к сертификату ("inconsistencies between private key and certificate"). Ключ с паролем сервис загрузить не может. Только если в PEM нет ключа, HAProxy ищет `<файл>.key`; по заданию оба должны быть в одном файле.',
    },
    failing: { file: 'rebrain.pem', text: CERT_ONLY_PEM },
    passing: { file: 'rebrain.pem', text: SELF_SIGNED_PEM },
    fix: {
      en: 'Concatenate the certificate and the key it was generated with: cat rebrain.crt rebrain.key > /etc/haproxy/rebrain.pem, on both hosts.',
      ru: 'Объедините сертификат и ключ, с которым он создан: cat rebrain.crt rebrain.key > /etc/haproxy/rebrain.pem, на обеих машинах.',
    },
  },
  async run(ctx) {
    for (const role of ROLES) await checkHost(ctx, await loadCertFile(ctx, role));
  },
});

async function checkHost(ctx: Ctx, cert: CertFile): Promise<void> {
  const contents = contentsOrSkip(ctx, cert);
  if (!contents) return;
  const at = (line: number, label: string) => ({
    host: cert.role,
    file: cert.path,
    line,
    excerpt: `-----BEGIN ${label}-----`,
  });
  const whole = { host: cert.role, file: cert.path };
  if (contents.format !== 'pem') {
    ctx.report({ ...whole, messageId: contents.format === 'der' ? 'derFormat' : 'noPem', data: { file: cert.path } });
    return;
  }
  const [leaf] = contents.certificates;
  const [key] = contents.keys;
  if (!leaf) ctx.report({ ...whole, messageId: 'noCertificate', data: { file: cert.path } });
  else if (!leaf.x509)
    ctx.report({
      ...at(leaf.line, leaf.label),
      messageId: 'badCertificate',
      data: { line: leaf.line, error: leaf.error ?? '' },
    });

  if (!key) {
    await reportMissingKey(ctx, cert);
  } else if (key.encrypted) {
    ctx.report({ ...at(key.line, key.label), messageId: 'encryptedKey', data: { line: key.line } });
  } else if (!key.key) {
    ctx.report({ ...at(key.line, key.label), messageId: 'badKey', data: { line: key.line, error: key.error ?? '' } });
  } else if (leaf?.x509 && !keyMatchesCertificate(leaf.x509, key.key)) {
    ctx.report({
      ...at(key.line, key.label),
      messageId: 'keyMismatch',
      data: { line: key.line, certLine: leaf.line, subject: distinguishedName(leaf.x509.subject) },
    });
  }

  if (leaf?.x509 && contents.certificates.length > 1) {
    ctx.report({
      ...whole,
      kind: 'note',
      messageId: 'extraCertificates',
      data: { file: cert.path, count: contents.certificates.length, subject: distinguishedName(leaf.x509.subject) },
    });
  }
}

/** HAProxy falls back to `<crt>.key` when the PEM has no key: say so when that file holds one. */
async function reportMissingKey(ctx: Ctx, cert: CertFile): Promise<void> {
  const keyFile = `${cert.path}.key`;
  const side = await ctx.host(cert.role).readFile(keyFile, { maxBytes: MAX_CERT_FILE_BYTES });
  const sideHasKey = side.ok && readPemContents(side.content).keys.length > 0;
  ctx.report({
    host: cert.role,
    file: cert.path,
    messageId: sideHasKey ? 'keyInSeparateFile' : 'noKey',
    data: { file: cert.path, keyFile },
  });
}

export default check;
