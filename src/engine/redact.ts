// Secrets never leave the grader: keepalived passwords and private keys are masked in every output.

const PRIVATE_KEY_BLOCK = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(-----END \1PRIVATE KEY-----|$)/g;
// The whole word: a `!` or `#` inside it cuts what keepalived reads, but the rest is still secret.
const AUTH_PASS = /(\bauth_pass\s+)("[^"\n]*"|\S+)/g;
const PASSWORD_ASSIGNMENT =
  /(\b(?:password|passwd|pass|ansible_password|ansible_become_pass(?:word)?|sudo_pass(?:word)?)\s*[=:]\s*)("[^"\n]*"|'[^'\n]*'|\S+)/gi;

export function redact(text: string, extraSecrets: readonly string[] = []): string {
  let out = text
    .replace(
      PRIVATE_KEY_BLOCK,
      (_m, kind: string) => `-----BEGIN ${kind}PRIVATE KEY----- [redacted] -----END ${kind}PRIVATE KEY-----`,
    )
    .replace(AUTH_PASS, (_m, head: string) => `${head}********`)
    .replace(PASSWORD_ASSIGNMENT, (_m, head: string) => `${head}********`);
  for (const secret of extraSecrets) {
    if (secret && secret.length >= 3) out = out.split(secret).join('********');
  }
  return out;
}
