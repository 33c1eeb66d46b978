// CRT005: the certificate HAProxy serves on VIP:443 is the one in master's /etc/haproxy/rebrain.pem
// (same SHA-256 fingerprint), so the file graded by CRT001-CRT004 is the one really in use.
import { CERT_ONLY_PEM } from '../src/facts/cert-examples.js';
import {
  certData,
  leafOrSkip,
  LEAF_SKIP_MESSAGES,
  loadCertFile,
  normalizeFingerprint,
  readPemContents,
} from '../src/facts/cert.js';
import { commandOrReport, firstLine, LIVE_HINTS, LIVE_MESSAGES, requireVip } from '../src/facts/live.js';
import { defineCheck } from '../src/model/check.js';

// What `openssl s_client -connect VIP:443 | openssl x509 -outform PEM` printed against the correct fixture.
const SERVED_FIXTURE_CERT = `-----BEGIN CERTIFICATE-----
MIIDDzCCAfegAwIBAgIUEUrbos98tecg/hKcPVm/wr5iCK8wDQYJKoZIhvcNAQEL
BQAwFjEUMBIGA1UEAwwLcmVicmFpbi5sYWIwIBcNMjYxMTIzMDYzMzQ3WhgPMjEy
NjEwMzAwNjMzNDdaMBYxFDASBgNVBAMMC3JlYnJhaW4ubGFiMIIBIjANBgkqhkiG
9w0BAQEFAAOCAQ8AMIIBCgKCAQEAyZbHCl8Zsgtz8PeWWMCan/LfDUgRmhXjQAwv
fbUeMGRjA9XSmTlJ4S+XlaZM+Y5pFXKRudKgi+Kokv4W6xq8rLV6o1gkBfvLlLHV
n3cOpmg6aofbnj6m8njFih6CgutLmLmWc/pb9OV/9l4+Z7tmiuBHiAOtQf8LNR+4
dmwbNDdkL3/hk3rQkYpzd9BJM52YRhVW6hXjFh+/85df/ohTuwa6CKJPBLeA5fvq
3stv5/rAIEISpfLU12UnzTGtPlXLfFUZ+BL554c3pmPi3T+pe7puQHKQ3FKiUvXR
QtbsCkKgHlhjjcmfJPxYNpgKx5vHGn/a55GGKYHpAStXB9hL3wIDAQABo1MwUTAd
BgNVHQ4EFgQU2kExcu1m26wUsWP8T/FLO8J9sE8wHwYDVR0jBBgwFoAU2kExcu1m
26wUsWP8T/FLO8J9sE8wDwYDVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOC
AQEAUORvy+Z46109w5oQinvIgRb3oQJsDE08pU/s0OGuZc3oYsb9yg7XC9qNIbvu
q1bOl6BaAMWBlZtuFp3TLpXFjuIB9sqdU3Zo+JRIqGjdP6l2tQnI8pbdvzFbrqZL
KAeNxdpSdcHqIW/PBu05CtmC+b4Z2bJ+c+NukBRtH6PcwLEZ+Bzx0uKJYi5B6qQw
32GVIQfZX2xXsJtsLDzDfYlbgQPxHis1N74xJzBKQB3JOHYNk72QDAGAt6AMbQck
kaxo5YnaAuBkAp72nF85qzUfsvbOLUxtlcJdjhB/CgLGZ5hasx30q7RiGVS14lHp
svYqUwdv14Q0MdS1ykzpHwNq/Q==
-----END CERTIFICATE-----
`;

const check = defineCheck({
  id: 'CRT005',
  title: { en: 'The VIP serves the certificate from the file', ru: 'Виртуальный IP отдаёт сертификат из файла' },
  area: 'certificate',
  mode: 'live',
  points: 1,
  severity: 'minor',
  spec: 'Requirements 1 (the certificate) and 2 (port 443 bound to the certificate of item 1)',
  asserts: {
    en: "The certificate presented on VIP:443 has the same SHA-256 fingerprint as the certificate in master's /etc/haproxy/rebrain.pem.",
    ru: 'Сертификат, который отдаётся на VIP:443, имеет тот же отпечаток SHA-256, что и сертификат в /etc/haproxy/rebrain.pem на master.',
  },
  messages: {
    ...LIVE_MESSAGES,
    ...LEAF_SKIP_MESSAGES,
    noCertificateServed: {
      en: 'no certificate could be read from {address}: {reason}',
      ru: 'не удалось получить сертификат с {address}: {reason}',
    },
    differentCertificate: {
      en: '{address} serves another certificate ({servedSubject}, SHA-256 {servedFingerprint}) than {file} ({subject}, SHA-256 {fileFingerprint})',
      ru: '{address} отдаёт другой сертификат ({servedSubject}, SHA-256 {servedFingerprint}), чем в {file} ({subject}, SHA-256 {fileFingerprint})',
    },
  },
  hints: {
    ...LIVE_HINTS,
    noCertificateServed: {
      en: 'Is haproxy running on master and listening on 443 with ssl (SYS003, LIV004)?',
      ru: 'Запущен ли haproxy на master и слушает ли он 443 с ssl (SYS003, LIV004)?',
    },
    differentCertificate: {
      en: 'HAProxy read the file when it started: after replacing rebrain.pem, reload it (systemctl reload haproxy); also check that bind ... crt names {file}.',
      ru: 'HAProxy читает файл при запуске: после замены rebrain.pem перезагрузите его (systemctl reload haproxy); также проверьте, что в bind ... crt указан {file}.',
    },
  },
  hint: {
    en: 'Compare openssl s_client -connect VIP:443 </dev/null | openssl x509 -noout -fingerprint -sha256 with openssl x509 -in /etc/haproxy/rebrain.pem -noout -fingerprint -sha256.',
    ru: 'Сравните openssl s_client -connect VIP:443 </dev/null | openssl x509 -noout -fingerprint -sha256 с openssl x509 -in /etc/haproxy/rebrain.pem -noout -fingerprint -sha256.',
  },
  doc: {
    rationale: {
      en: 'HAProxy loads the certificate when it starts. A rebrain.pem replaced afterwards, or a bind line pointing at another file, means the certificate clients get is not the one in the file: the grader compares the two by fingerprint.',
      ru: 'HAProxy загружает сертификат при запуске. Если rebrain.pem заменили после этого или строка bind указывает на другой файл, клиенты получают не тот сертификат, что в файле: грейдер сравнивает их по отпечатку.',
    },
    failing: { file: 'command:tls-vip-cert', text: CERT_ONLY_PEM },
    passing: { file: 'command:tls-vip-cert', text: SERVED_FIXTURE_CERT },
    fix: {
      en: 'Point bind *:443 ssl crt at /etc/haproxy/rebrain.pem and reload haproxy after every change of the file.',
      ru: 'Укажите в bind *:443 ssl crt файл /etc/haproxy/rebrain.pem и перезагружайте haproxy после каждого изменения файла.',
    },
  },
  async run(ctx) {
    if (!requireVip(ctx)) return;
    const leaf = leafOrSkip(ctx, await loadCertFile(ctx, 'master'));
    if (!leaf) return;
    const result = await commandOrReport(ctx, 'master', 'tls-vip-cert');
    if (!result) return;
    const address = `${ctx.vip}:${ctx.profile.frontendPort}`;
    const served = readPemContents(Buffer.from(result.stdout)).certificates.find((c) => c.x509)?.x509;
    if (!served) {
      const reason = firstLine(result.stderr) || 'no certificate in the answer';
      ctx.report({ host: 'master', messageId: 'noCertificateServed', data: { address, reason } });
      return;
    }
    const servedFingerprint = normalizeFingerprint(served.fingerprint256);
    const fileFingerprint = normalizeFingerprint(leaf.x509.fingerprint256);
    if (servedFingerprint === fileFingerprint) return;
    ctx.report({
      host: 'master',
      messageId: 'differentCertificate',
      file: ctx.profile.certPath,
      line: leaf.line,
      data: {
        ...certData(leaf.x509),
        address,
        file: ctx.profile.certPath,
        servedSubject: certData(served).subject,
        servedFingerprint,
        fileFingerprint,
      },
    });
  },
});

export default check;
