// The lab profile: expected values of the assignment. Defaults are LAB-SPEC.md; a YAML file overrides.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { LabProfile } from '../model/target.js';

export const DEFAULT_PROFILE: LabProfile = Object.freeze({
  haproxyCfgPath: '/etc/haproxy/haproxy.cfg',
  keepalivedConfPath: '/etc/keepalived/keepalived.conf',
  certPath: '/etc/haproxy/rebrain.pem',
  frontendName: 'front_cluster',
  frontendPort: 443,
  frontendMode: 'http',
  backendName: 'back_cluster',
  backendMode: 'http',
  balance: 'roundrobin',
  servers: [
    { name: 'rebrain_01', address: '127.0.0.1', port: 81 },
    { name: 'rebrain_02', address: '127.0.0.1', port: 81 },
    { name: 'rebrain_03', address: '127.0.0.1', port: 81 },
  ],
  serverMaxconn: 20000,
  vipPrefix: 24,
  vipLabel: 'eth0:10',
  interface: 'eth0',
  sysctlPath: '/etc/sysctl.conf',
  sysctlDir: '/etc/sysctl.d',
  sysctl: {
    'net.ipv6.conf.all.disable_ipv6': '1',
    'net.ipv6.conf.default.disable_ipv6': '1',
    'net.ipv4.ip_nonlocal_bind': '1',
    'net.ipv4.conf.all.arp_ignore': '1',
    'net.ipv4.conf.all.arp_announce': '1',
    'net.ipv4.conf.all.arp_filter': '0',
    'net.ipv4.conf.eth0.arp_filter': '1',
  },
  haproxyService: 'haproxy',
  keepalivedService: 'keepalived',
  haproxyVersion: '2.6',
  certWarnDays: 30,
  clientRate: 10,
  servicePoints: 0,
}) as LabProfile;

export class ProfileError extends Error {}

/** The client probe is a gentle observer, not a load test. */
export const MAX_CLIENT_RATE = 50;
const NON_NEGATIVE = new Set(['clientRate', 'servicePoints']);

/** Merge a YAML profile over the defaults; unknown keys and wrong types are a ProfileError (exit 2). */
export function loadProfile(file?: string): LabProfile {
  if (!file) return { ...DEFAULT_PROFILE };
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ProfileError(`cannot read lab profile ${file}: ${(e as Error).message}`);
  }
  return mergeProfile(raw, file);
}

export function mergeProfile(raw: unknown, source = 'profile'): LabProfile {
  const profile: LabProfile = { ...DEFAULT_PROFILE };
  if (raw == null) return profile;
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ProfileError(`${source}: expected a mapping of settings`);
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!(key in DEFAULT_PROFILE)) {
      throw new ProfileError(`${source}: unknown setting '${key}' (known: ${Object.keys(DEFAULT_PROFILE).join(', ')})`);
    }
    const def = (DEFAULT_PROFILE as unknown as Record<string, unknown>)[key];
    if (key === 'servers') {
      if (
        !Array.isArray(value) ||
        value.some(
          (s) => typeof s?.name !== 'string' || typeof s?.address !== 'string' || !Number.isInteger(Number(s?.port)),
        )
      ) {
        throw new ProfileError(`${source}: 'servers' must be a list of {name, address, port}`);
      }
      profile.servers = value.map((s) => ({ name: String(s.name), address: String(s.address), port: Number(s.port) }));
    } else if (key === 'sysctl') {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new ProfileError(`${source}: 'sysctl' must be a mapping`);
      profile.sysctl = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
    } else if (typeof def === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new ProfileError(`${source}: '${key}' must be a number`);
      if (NON_NEGATIVE.has(key) && n < 0) throw new ProfileError(`${source}: '${key}' must be 0 or more`);
      if (key === 'clientRate' && n > MAX_CLIENT_RATE)
        throw new ProfileError(`${source}: 'clientRate' must be at most ${MAX_CLIENT_RATE} requests per second`);
      (profile as unknown as Record<string, unknown>)[key] = n;
    } else {
      if (typeof value !== 'string' && typeof value !== 'number')
        throw new ProfileError(`${source}: '${key}' must be a string`);
      (profile as unknown as Record<string, unknown>)[key] = String(value);
    }
  }
  return profile;
}
