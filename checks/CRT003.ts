// CRT003: the server certificate in rebrain.pem is self-signed (issuer = subject, signed by its own key).
import { CA_SIGNED_PEM, SELF_SIGNED_PEM } from '../src/facts/cert-examples.js';
import { LEAF_SKIP_MESSAGES, certData, leafOrSkip, loadCertFile } from '../src/facts/cert.js';
import { ROLES } from '../src/model/basics.js';
import { defineCheck } from '../src/model/check.js';

const check = defineCheck({
  id: 'CRT003',
  title: { en: 'Certificate is self-signed', ru: 'Сертификат самоподписной' },
  area: 'certificate',
  mode: 'static',
  points: 1,
  severity: 'minor',
  spec: 'Requirements 1 (Certificate): "A self-signed certificate"',
  asserts: {
    en: 'The first certificate in rebrain.pem names itself as its issuer and its signature verifies with its own public key.',
    ru: 'Первый сертификат в rebrain.pem выпущен сам на себя (издатель = субъект) и его подпись проверяется его же открытым ключом.',
  },
  messages: {
    ...LEAF_SKIP_MESSAGES,
    notSelfSigned: {
      en: 'the certificate {subject} is issued by {issuer}, not by itself',
      ru: 'сертификат {subject} выпущен {issuer}, а не самим собой',
    },
    foreignSignature: {
      en: 'the certificate {subject} names itself as issuer, but its signature does not verify with its own key: another key signed it',
      ru: 'сертификат {subject} указывает себя издателем, но его подпись не проверяется его же ключом: его подписал другой ключ',
    },
    cannotVerify: {
      en: 'could not verify the signature of {subject}: {error}',
      ru: 'не удалось проверить подпись сертификата {subject}: {error}',
    },
  },
  hint: {
    en: 'Make the certificate with openssl req -x509 (it signs the certificate with its own key), not with a CSR signed by a CA.',
    ru: 'Создавайте сертификат командой openssl req -x509 (она подписывает сертификат его же ключом), а не запросом (CSR), подписанным центром сертификации.',
  },
  doc: {
    rationale: {
      en: 'The task asks for a self-signed certificate. A certificate is self-signed when its issuer is its own subject and its signature verifies with its own public key; a certificate issued by a CA (even a home-made one) is not, and HAProxy would serve it without the CA unless the chain is added.',
      ru: 'Задание требует самоподписной сертификат: издатель совпадает с субъектом и подпись проверяется его же открытым ключом. Сертификат, выпущенный центром сертификации (даже своим), самоподписным не является.',
    },
    failing: { file: 'rebrain.pem', text: CA_SIGNED_PEM },
    passing: { file: 'rebrain.pem', text: SELF_SIGNED_PEM },
    fix: {
      en: 'openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=rebrain.lab -keyout rebrain.key -out rebrain.crt && cat rebrain.crt rebrain.key > /etc/haproxy/rebrain.pem',
      ru: 'openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=rebrain.lab -keyout rebrain.key -out rebrain.crt && cat rebrain.crt rebrain.key > /etc/haproxy/rebrain.pem',
    },
  },
  async run(ctx) {
    for (const role of ROLES) {
      const cert = await loadCertFile(ctx, role);
      const leaf = leafOrSkip(ctx, cert);
      if (!leaf) continue;
      const at = { host: role, file: cert.path, line: leaf.line, data: certData(leaf.x509) };
      if (leaf.x509.issuer !== leaf.x509.subject) {
        ctx.report({ ...at, messageId: 'notSelfSigned' });
        continue;
      }
      let verified: boolean;
      try {
        verified = leaf.x509.verify(leaf.x509.publicKey);
      } catch (e) {
        ctx.report({
          ...at,
          kind: 'error',
          messageId: 'cannotVerify',
          data: { ...at.data, error: (e as Error).message },
        });
        continue;
      }
      if (!verified) ctx.report({ ...at, messageId: 'foreignSignature' });
    }
  },
});

export default check;
