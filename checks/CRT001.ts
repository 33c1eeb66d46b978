// CRT001: /etc/haproxy/rebrain.pem exists on both hosts, can be read and is not empty.
import { SELF_SIGNED_PEM } from '../src/facts/cert-examples.js';
import { loadCertFile } from '../src/facts/cert.js';
import { ROLES } from '../src/model/basics.js';
import { defineCheck } from '../src/model/check.js';

const check = defineCheck({
  id: 'CRT001',
  title: { en: 'Certificate file exists', ru: 'Файл сертификата существует' },
  area: 'certificate',
  mode: 'static',
  points: 2,
  severity: 'critical',
  spec: 'Requirements 1 (Certificate)',
  asserts: {
    en: 'The certificate file (/etc/haproxy/rebrain.pem) exists on both hosts, is readable and not empty.',
    ru: 'Файл сертификата (/etc/haproxy/rebrain.pem) есть на обеих машинах, читается и не пуст.',
  },
  messages: {
    missing: { en: '{file} does not exist', ru: 'файла {file} нет' },
    empty: { en: '{file} is empty', ru: 'файл {file} пуст' },
    tooLarge: {
      en: '{file} is too large for a certificate file: {error}',
      ru: 'файл {file} слишком велик для сертификата: {error}',
    },
    unreadable: { en: 'could not read {file}: {error}', ru: 'не удалось прочитать {file}: {error}' },
  },
  hints: {
    unreadable: {
      en: 'The grader reads the file as root (sudo -n when the login user is not root); check that sudo works without a password.',
      ru: 'Грейдер читает файл от root (через sudo -n, если вход не под root); проверьте, что sudo работает без пароля.',
    },
  },
  hint: {
    en: 'Create the certificate and its key in one file on both machines, e.g. openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=rebrain.lab -keyout /tmp/rebrain.key -out /tmp/rebrain.crt && cat /tmp/rebrain.crt /tmp/rebrain.key > /etc/haproxy/rebrain.pem',
    ru: 'Создайте сертификат и ключ в одном файле на обеих машинах, например: openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=rebrain.lab -keyout /tmp/rebrain.key -out /tmp/rebrain.crt && cat /tmp/rebrain.crt /tmp/rebrain.key > /etc/haproxy/rebrain.pem',
  },
  doc: {
    rationale: {
      en: 'HAProxy loads the file named by `bind ... ssl crt` while it parses its configuration: when the file is missing or empty, `haproxy -c` reports a fatal error and the service does not start, so nothing listens on 443 and the VIP has nothing to serve.',
      ru: 'HAProxy загружает файл из `bind ... ssl crt` при разборе конфигурации: если файла нет или он пуст, `haproxy -c` сообщает о фатальной ошибке и сервис не запускается, порт 443 никто не слушает.',
    },
    failing: { file: 'rebrain.pem', text: '\n' },
    passing: { file: 'rebrain.pem', text: SELF_SIGNED_PEM },
    fix: {
      en: 'Generate a self-signed certificate with its private key and concatenate both into /etc/haproxy/rebrain.pem on master and on backup (copy the same file to both).',
      ru: 'Сгенерируйте самоподписной сертификат с приватным ключом и объедините их в /etc/haproxy/rebrain.pem на master и на backup (один и тот же файл на обе машины).',
    },
  },
  async run(ctx) {
    for (const role of ROLES) {
      const cert = await loadCertFile(ctx, role);
      const base = { host: role, file: cert.path, data: { file: cert.path } };
      if (cert.read.ok) {
        if (cert.contents?.format === 'empty') ctx.report({ ...base, messageId: 'empty' });
      } else if (cert.read.reason === 'missing') {
        ctx.report({ ...base, messageId: 'missing' });
      } else if (cert.read.reason === 'too-large') {
        ctx.report({ ...base, messageId: 'tooLarge', data: { file: cert.path, error: cert.read.message } });
      } else {
        ctx.report({
          ...base,
          kind: 'error',
          messageId: 'unreadable',
          data: { file: cert.path, error: cert.read.message },
        });
      }
    }
  },
});

export default check;
