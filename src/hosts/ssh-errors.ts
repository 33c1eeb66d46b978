// Why an SSH host cannot be used: SshError and its codes, the bilingual texts, and what a failed
// handshake means for the user (unreachable, timed out, refused login). Apart from SshHost so that
// every part of the SSH code (route, handshake, channels, files) throws the same error.
import type { Text } from '../model/basics.js';
import type { Hop } from './ssh-route.js';

export type SshErrorCode =
  | 'unreachable'
  | 'timeout'
  | 'auth'
  | 'hostkey-unknown'
  | 'hostkey-changed'
  | 'sudo-password'
  | 'protocol';

/** Why a host could not be used, with a message in every language that names the fix. */
export class SshError extends Error {
  constructor(
    readonly code: SshErrorCode,
    readonly text: Text,
    options?: { cause?: unknown },
  ) {
    super(text.en, options);
    this.name = 'SshError';
  }
}

const UNREACHABLE_CODES = [
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EPIPE',
];

/** A message in English and Russian. */
export function t(en: string, ru: string): Text {
  return { en, ru };
}

export function textOf(e: unknown): Text {
  if (e instanceof SshError) return e.text;
  const message = e instanceof Error ? e.message : String(e);
  return t(`SSH error: ${message}`, `ошибка SSH: ${message}`);
}

/** A handshake that failed, as the error that names the fix; `tried` lists the login attempts made. */
export function connectError(err: Error & { code?: string; level?: string }, hop: Hop, tried: string[]): SshError {
  const where = `${hop.host}:${hop.port}`;
  if (err.level === 'client-authentication') {
    const methods = tried.length ? tried.join(', ') : 'nothing to try';
    return new SshError(
      'auth',
      t(
        `${where} refused ${hop.user} (tried: ${methods}). Fix: give the right key (-i, the inventory's key, ansible_ssh_private_key_file), put your public key in ~${hop.user}/.ssh/authorized_keys on the host, or set HAGRADE_SSH_PASSWORD.`,
        `${where} не пускает ${hop.user} (пробовали: ${methods}). Исправление: укажите правильный ключ (-i, key в inventory, ansible_ssh_private_key_file), добавьте ваш открытый ключ в ~${hop.user}/.ssh/authorized_keys на сервере или задайте HAGRADE_SSH_PASSWORD.`,
      ),
      { cause: err },
    );
  }
  if (err.code && UNREACHABLE_CODES.includes(err.code)) {
    return new SshError(
      'unreachable',
      t(
        `cannot connect to ${where}: ${err.message}. Check the address and port, that the host is up and that sshd is running.`,
        `не удаётся подключиться к ${where}: ${err.message}. Проверьте адрес и порт, что машина включена и sshd запущен.`,
      ),
      { cause: err },
    );
  }
  if (err.code === 'ETIMEDOUT' || err.level === 'client-timeout') {
    return new SshError(
      'timeout',
      t(`${where} timed out: ${err.message}`, `${where}: истекло время ожидания: ${err.message}`),
      { cause: err },
    );
  }
  return new SshError(
    'protocol',
    t(`SSH to ${where} failed: ${err.message}`, `SSH-подключение к ${where} не удалось: ${err.message}`),
    { cause: err },
  );
}
