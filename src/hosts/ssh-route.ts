// The way to a host: its address, port, user and key files after ~/.ssh/config, and the ProxyJump
// hops before it. Resolved once, when the SshHost is made; the handshake then walks the hops in order.
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { InventoryError, parseHostSpec, type HostSpec } from '../inputs/inventory.js';
import { resolveSshConfig } from './ssh-config.js';

/** OpenSSH's default identities, in its order (minus the security-key types ssh2 cannot use). */
const DEFAULT_IDENTITIES = ['id_rsa', 'id_ecdsa', 'id_ed25519', 'id_dsa'];

export interface Hop {
  host: string;
  port: number;
  user: string;
  /** Explicit key first, then the config's IdentityFile entries, else OpenSSH's defaults. */
  keyFiles: string[];
  password?: string;
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}

/** One hop from ~/.ssh/config (`sshConfigFile`: another file, or false for none); its notes go to `notes`. */
function resolveHop(
  spec: HostSpec,
  sshConfigFile: string | false | undefined,
  notes: string[],
): { hop: Hop; jumps: string[] } {
  const file = sshConfigFile;
  const cfg =
    file === false
      ? {
          hostName: spec.host,
          port: spec.port ?? 22,
          user: spec.user ?? localUser(),
          identityFiles: [],
          proxyJump: [],
          notes: [],
        }
      : resolveSshConfig(spec.host, { file, user: spec.user, port: spec.port });
  notes.push(...cfg.notes);
  const explicit = spec.key ? [spec.key] : [];
  const keyFiles =
    explicit.length || cfg.identityFiles.length
      ? [...explicit, ...cfg.identityFiles]
      : DEFAULT_IDENTITIES.map((id) => join(homedir(), '.ssh', id));
  const hop: Hop = { host: cfg.hostName, port: cfg.port, user: cfg.user, keyFiles };
  if (spec.password !== undefined) hop.password = spec.password;
  return { hop, jumps: cfg.proxyJump };
}

/** Hops to the host, jump hosts first; a jump host's own ProxyJump is not followed. Notes go to `notes`. */
export function resolveRoute(spec: HostSpec, sshConfigFile: string | false | undefined, notes: string[]): Hop[] {
  const { hop, jumps } = resolveHop(spec, sshConfigFile, notes);
  const jumpHops: Hop[] = [];
  for (const jump of jumps) {
    try {
      const resolved = resolveHop(parseHostSpec(jump.replace(/^ssh:\/\//, '')), sshConfigFile, notes);
      if (resolved.jumps.length)
        notes.push(`ProxyJump of the jump host ${jump} is not followed; connecting to it directly`);
      jumpHops.push(resolved.hop);
    } catch (e) {
      if (!(e instanceof InventoryError)) throw e;
      notes.push(`ProxyJump '${jump}' is not [user@]host[:port]; ignored`);
    }
  }
  return [...jumpHops, hop];
}
