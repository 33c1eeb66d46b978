// What an SshHost can be told (SshHostOptions) and its defaults: timeouts, channels at once, where
// hagrade keeps the host keys it trusted on first use. A module of its own so that the parts of the
// SSH code (route, authentication, handshake) read the same options without importing SshHost.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { HostSpec } from '../inputs/inventory.js';
import type { Role } from '../model/basics.js';

export interface NewHostKey {
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
  /** Where it was recorded (hagrade's own known_hosts) and on which line. */
  file: string;
  line: number;
}

export interface SshHostOptions {
  role: Role;
  spec: HostSpec;
  /** hagrade's own known_hosts, where unknown keys are trusted on first use. Default ~/.config/hagrade/known_hosts. */
  knownHostsFile?: string;
  /** Read-only known_hosts files consulted too. Default ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts, as OpenSSH. */
  userKnownHostsFiles?: string[];
  /** Refuse hosts whose key is not known yet (no trust on first use). A changed key is always refused. */
  strictHostKeys?: boolean;
  /** The ssh config to read (default ~/.ssh/config); false reads none. */
  sshConfigFile?: string | false;
  /** TCP connect plus SSH handshake, per hop; time spent in prompts does not count. Default 10 s. */
  connectTimeoutMs?: number;
  /** For commands without their own timeoutMs. Default 60 s. */
  commandTimeoutMs?: number;
  /** Wrap root commands in `sudo -n` when the login user is not root (default true). */
  useSudo?: boolean;
  /** Reconnect once when the connection drops (default true). */
  reconnect?: boolean;
  /** Channels open at once; OpenSSH allows 10 sessions per connection by default. Default 8. */
  maxChannels?: number;
  /** The ssh-agent socket; default $SSH_AUTH_SOCK; false for none. */
  agentSocket?: string | false;
  /** Asked for an encrypted key's passphrase; undefined skips the key. */
  promptPassphrase?: (keyFile: string) => Promise<string | undefined>;
  /** Asked for the password when keys and agent failed (after spec.password and $HAGRADE_SSH_PASSWORD). */
  promptPassword?: (login: { user: string; host: string }) => Promise<string | undefined>;
  /** Told when an unknown key was trusted on first use, so the user can see it happened. */
  onNewHostKey?: (key: NewHostKey) => void;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_CHANNELS = 8;

export function defaultKnownHostsFile(): string {
  return join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'hagrade', 'known_hosts');
}
