// A short fingerprint of everything a parser returned, so that a refactoring of the parsers can be
// checked against what the code before it returned: the digests in test/parsers/parse-digests.json
// were written by the parsers as they were before issue 14, and must not be regenerated to make a
// change pass (only for a deliberate change of behaviour, said in its commit).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseHaproxy } from '../../src/parsers/haproxy.js';
import { resolveHaproxy } from '../../src/parsers/haproxy-resolve.js';
import { parseKeepalived, type IncludedFile } from '../../src/parsers/keepalived.js';
import { FIXTURES_DIR, REPO_ROOT, SHARED_DIR } from '../../src/self/paths.js';

/**
 * JSON with sorted keys, where an `undefined` property, a Map and a Set still show (plain JSON
 * would drop them silently, and a difference there is a difference).
 */
export function canonical(value: unknown): string {
  const seen = (v: unknown): unknown => {
    if (v === undefined) return { $undefined: true };
    if (v instanceof Map) return { $map: [...v].map(([k, x]) => [seen(k), seen(x)]) };
    if (v instanceof Set) return { $set: [...v].map(seen) };
    if (Array.isArray(v)) return v.map(seen);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = seen((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  };
  return JSON.stringify(seen(value));
}

export const digest = (value: unknown): string =>
  createHash('sha256').update(canonical(value)).digest('hex').slice(0, 16);

/** Every input file: the corpus (when ../shared is there) and the fixtures' configurations. */
export function digestInputs(): Array<{ name: string; kind: 'haproxy' | 'keepalived'; path: string }> {
  const inputs: Array<{ name: string; kind: 'haproxy' | 'keepalived'; path: string }> = [];
  for (const kind of ['haproxy', 'keepalived'] as const) {
    const dir = join(SHARED_DIR, 'corpus', kind);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) inputs.push({ name: `corpus/${kind}/${f}`, kind, path: join(dir, f) });
  }
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name === 'haproxy.cfg') inputs.push({ name: relative(REPO_ROOT, path), kind: 'haproxy', path });
      else if (entry.name === 'keepalived.conf')
        inputs.push({ name: relative(REPO_ROOT, path), kind: 'keepalived', path });
    }
  };
  walk(FIXTURES_DIR);
  return inputs;
}

/** Digests of one file, parsed in a few ways (versions, config-ids, includes, users). */
export function digestsOf(kind: 'haproxy' | 'keepalived', path: string, name: string): Record<string, string> {
  const text = readFileSync(path);
  // The name the parsers see (and record in every node) does not depend on where the checkout is.
  path = `/${name}`;
  if (kind === 'haproxy') {
    const out: Record<string, string> = {};
    for (const version of ['2.2', '2.6', '3.5']) {
      const config = parseHaproxy(text, path, { version });
      out[version] = digest({ config, resolved: resolveHaproxy(config, { version }) });
    }
    out.default = digest(parseHaproxy(text, path));
    return out;
  }
  // An include resolves to a fixed small file, so included files and their line numbers count too.
  const included: IncludedFile = {
    file: '/etc/keepalived/included.conf',
    text: 'vrrp_script chk {\n  script "pidof haproxy"\n  user nobody\n}\n$X=1\n',
  };
  return {
    default: digest(parseKeepalived(text, path)),
    none: digest(parseKeepalived(text, path, { configId: 'hagrade-none', readInclude: () => [] })),
    ids: digest(
      parseKeepalived(text, path, {
        configId: 'nfs1',
        readInclude: (pattern) => [{ ...included, file: pattern }],
        userExists: (u) => u !== 'nobody',
      }),
    ),
    low: digest(parseKeepalived(text.toString('latin1'), path, { configId: 'low', userExists: () => false })),
  };
}
