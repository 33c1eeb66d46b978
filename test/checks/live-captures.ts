// Real command outputs captured for the live checks' tests (fixtures/live-captures/README.md says how).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../../src/self/paths.js';
import type { CommandResult } from '../../src/hosts/host.js';

const CAPTURES = join(FIXTURES_DIR, 'live-captures');

/** `capture('ip-addr', 'vip-good')`: stdout, stderr and exit code, as a snapshot host replays them. */
export function capture(dir: string, name: string): Partial<CommandResult> {
  const base = join(CAPTURES, dir, name);
  if (!existsSync(`${base}.txt`)) throw new Error(`no capture ${dir}/${name}`);
  const read = (suffix: string) => (existsSync(base + suffix) ? readFileSync(base + suffix, 'utf8') : '');
  const exit = read('.exit').trim();
  return { stdout: read('.txt'), stderr: read('.stderr'), exitCode: exit === '' ? 0 : Number(exit) };
}

/** Just the stdout of a capture. */
export function captured(dir: string, name: string): string {
  return capture(dir, name).stdout!;
}

type Commands = Record<string, Partial<CommandResult>>;

/** Every command of a correct, running pair (the outputs of fixtures/live-correct). */
export function correctCommands(): { master: Commands; backup: Commands } {
  const common: Commands = {
    'systemctl-is-enabled-keepalived': capture('systemctl-is-enabled', 'enabled'),
    'systemctl-is-active-keepalived': capture('systemctl-is-active', 'active'),
    'systemctl-is-active-haproxy': capture('systemctl-is-active', 'active'),
    'haproxy-check': capture('haproxy-check', 'good'),
    'keepalived-check': capture('keepalived-check', 'good'),
    sysctl: capture('sysctl', 'sysctl'),
  };
  return {
    master: {
      ...common,
      'ip-addr': capture('ip-addr', 'cloud-master-good'),
      'https-vip': capture('https-vip', 'ok'),
      'tls-vip-cert': capture('tls-vip-cert', 'fixture-cert'),
    },
    backup: { ...common, 'ip-addr': capture('ip-addr', 'cloud-backup-good') },
  };
}

/** For commandsWith: a command whose output was not captured, as if the host could not run it. */
export const unavailable = null;

/** The correct commands with some replaced (a capture, or null to leave the output out). */
export function commandsWith(changes: {
  master?: Record<string, Partial<CommandResult> | null>;
  backup?: Record<string, Partial<CommandResult> | null>;
}) {
  const commands = correctCommands();
  for (const role of ['master', 'backup'] as const) {
    for (const [key, value] of Object.entries(changes[role] ?? {})) {
      if (value === null) delete commands[role][key];
      else commands[role][key] = value;
    }
  }
  return commands;
}
