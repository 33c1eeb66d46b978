// CRT004: the server certificate in rebrain.pem is inside its validity period; a note when it ends soon.
import { EXPIRED_PEM, SELF_SIGNED_PEM } from '../src/facts/cert-examples.js';
import { LEAF_SKIP_MESSAGES, certData, certDates, leafOrSkip, loadCertFile } from '../src/facts/cert.js';
import { ROLES } from '../src/model/basics.js';
import { defineCheck } from '../src/model/check.js';

const DAY_MS = 24 * 60 * 60 * 1000;

const check = defineCheck({
  id: 'CRT004',
  title: { en: 'Certificate is valid now', ru: 'Сертификат действителен' },
  area: 'certificate',
  mode: 'static',
  points: 1,
  severity: 'major',
  spec: 'Requirements 1 (Certificate)',
  asserts: {
    en: 'The first certificate in rebrain.pem is inside its validity period (a note when it is about to expire: fewer days left than certWarnDays of the lab profile, 30 by default).',
    ru: 'Первый сертификат в rebrain.pem действует сейчас (замечание, если срок скоро истекает: осталось меньше certWarnDays дней из профиля, по умолчанию 30).',
  },
  messages: {
    ...LEAF_SKIP_MESSAGES,
    expired: {
      en: 'the certificate {subject} expired on {notAfter} ({days} days ago)',
      ru: 'срок действия сертификата {subject} истёк {notAfter} ({days} дн. назад)',
    },
    notYetValid: {
      en: 'the certificate {subject} is not valid before {notBefore}',
      ru: 'сертификат {subject} начнёт действовать только {notBefore}',
    },
    expiresSoon: {
      en: 'the certificate {subject} expires on {notAfter}, in {days} days',
      ru: 'срок действия сертификата {subject} истекает {notAfter}, через {days} дн.',
    },
    badDates: {
      en: 'could not read the validity dates of {subject} ({notBefore} - {notAfter})',
      ru: 'не удалось прочитать срок действия сертификата {subject} ({notBefore} - {notAfter})',
    },
  },
  hints: {
    notYetValid: {
      en: 'Check the clock of the machine that made it (date -u), or make it again.',
      ru: 'Проверьте часы машины, на которой он создан (date -u), или создайте его заново.',
    },
  },
  hint: {
    en: 'Make a new certificate with a longer -days and put it, with its key, into rebrain.pem on both hosts.',
    ru: 'Создайте новый сертификат с бо́льшим -days и положите его вместе с ключом в rebrain.pem на обеих машинах.',
  },
  doc: {
    rationale: {
      en: 'HAProxy serves an expired or not-yet-valid certificate without complaint, but every client rejects it, so the HTTPS frontend works for nobody. A certificate close to its end is worth a warning before it breaks the site.',
      ru: 'HAProxy отдаёт просроченный или ещё не действующий сертификат без предупреждений, но клиенты его отвергают, и HTTPS-фронтенд не работает ни для кого. О скором окончании срока стоит предупредить заранее.',
    },
    failing: { file: 'rebrain.pem', text: EXPIRED_PEM },
    passing: { file: 'rebrain.pem', text: SELF_SIGNED_PEM },
    fix: {
      en: 'openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=rebrain.lab -keyout rebrain.key -out rebrain.crt && cat rebrain.crt rebrain.key > /etc/haproxy/rebrain.pem, then reload haproxy.',
      ru: 'openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=rebrain.lab -keyout rebrain.key -out rebrain.crt && cat rebrain.crt rebrain.key > /etc/haproxy/rebrain.pem, затем перезагрузите haproxy.',
    },
  },
  async run(ctx) {
    const now = Date.now();
    for (const role of ROLES) {
      const cert = await loadCertFile(ctx, role);
      const leaf = leafOrSkip(ctx, cert);
      if (!leaf) continue;
      const { notBefore, notAfter } = certDates(leaf.x509);
      const at = { host: role, file: cert.path, line: leaf.line };
      const data = certData(leaf.x509);
      if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
        ctx.report({ ...at, kind: 'error', messageId: 'badDates', data });
      } else if (now < notBefore.getTime()) {
        ctx.report({ ...at, messageId: 'notYetValid', data });
      } else if (now > notAfter.getTime()) {
        ctx.report({
          ...at,
          messageId: 'expired',
          data: { ...data, days: Math.floor((now - notAfter.getTime()) / DAY_MS) },
        });
      } else {
        const days = Math.floor((notAfter.getTime() - now) / DAY_MS);
        if (days < ctx.profile.certWarnDays)
          ctx.report({ ...at, kind: 'note', messageId: 'expiresSoon', data: { ...data, days } });
      }
    }
  },
});

export default check;
