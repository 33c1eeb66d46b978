// What the remote shell is given for a command: the C locale and a fixed PATH, `sudo -n` (or
// runuser) for root or another user, a `timeout` wrapper that kills the whole command, values
// passed to fixed scripts only as $1, $2…; and what it means when our own sudo wrapper fails.
import type { Command } from './host.js';
import type { Text } from '../model/basics.js';
import { t } from './ssh-errors.js';
import { shellQuote } from './quote.js';

/**
 * Commands see English messages whatever the host's locale: results are parsed.
 * Every command runs in the C locale and with the system's full PATH: a non-root login's PATH on
 * Debian has no /usr/sbin (sysctl, ip, haproxy, keepalived live there), and a fixed PATH makes the
 * same host give the same answers whoever logs in.
 */
const C_LOCALE = ['env', 'LC_ALL=C', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];

/** `sh -c SCRIPT hagrade ARGS...`: values reach a fixed script only as $1, $2…, never pasted into it. */
export function shellPayload(script: string, args: readonly string[] = []): string[] {
  return ['sh', '-c', script, 'hagrade', ...args];
}

export interface CommandLine {
  /** What the remote shell gets. */
  remote: string;
  /** What the evidence shows: without the locale and time-limit wrappers. */
  shown: string;
  viaSudo: boolean;
}

/** Who logs in, and whether root commands may go through sudo (SshHostOptions.useSudo). */
export interface Login {
  isRoot: boolean;
  useSudo: boolean;
}

/** The payload wrapped for the host: locale and PATH, privilege (sudo -n or runuser), time limit. */
export function commandLine(
  payload: readonly string[],
  opts: { root?: boolean; asUser?: string; timeoutMs?: number },
  login: Login,
): CommandLine {
  const sudo = login.useSudo && !login.isRoot;
  let privilege: string[] = [];
  if (opts.asUser)
    privilege = login.isRoot ? ['runuser', '-u', opts.asUser, '--'] : ['sudo', '-n', '-u', opts.asUser, '--'];
  else if (opts.root && sudo) privilege = ['sudo', '-n', '--'];
  // `timeout` runs under sudo so it can kill what it started; it kills the command's whole process group.
  const limit = opts.timeoutMs ? ['timeout', '-k', '2', String(Math.ceil(opts.timeoutMs / 1000) + 1)] : [];
  // sudo resets the environment, so the locale is set again after it.
  const argv = privilege.length
    ? [...C_LOCALE, ...privilege, ...C_LOCALE, ...limit, ...payload]
    : [...C_LOCALE, ...limit, ...payload];
  return {
    remote: shellQuote(argv),
    shown: shellQuote([...privilege, ...payload]),
    viaSudo: privilege[0] === 'sudo',
  };
}

/** The argv to run: a fixed `shell` script gets `argv` as its positional parameters $1, $2… (types.ts). */
export function payloadOf(cmd: Command): string[] | undefined {
  if (cmd.shell !== undefined) return shellPayload(cmd.shell, cmd.argv);
  if (cmd.argv?.length) return cmd.argv;
  return undefined;
}

/** A sudo failure in a command's stderr, as a message naming the fix; undefined when it is not one. */
export function sudoProblem(stderr: string, user: string, host: string): Text | undefined {
  const sudoers = `/etc/sudoers.d/${user}`;
  const rule = `${user} ALL=(ALL) NOPASSWD: ALL`;
  if (/sudo: a password is required|sudo: a terminal is required|sudo: no askpass program/.test(stderr)) {
    return t(
      `sudo on ${host} asks ${user} for a password, and hagrade cannot type one. Fix: let ${user} use sudo without a password (the line "${rule}" in ${sudoers}, edited with visudo), or log in as root.`,
      `sudo на ${host} запрашивает пароль пользователя ${user}, а hagrade не может его ввести. Исправление: разрешите ${user} sudo без пароля (строка "${rule}" в ${sudoers}, правка через visudo) или подключайтесь под root.`,
    );
  }
  if (/sudo: sorry, you must have a tty/.test(stderr)) {
    return t(
      `sudo on ${host} requires a terminal (Defaults requiretty). Fix: add "Defaults:${user} !requiretty" to ${sudoers} with visudo, or log in as root.`,
      `sudo на ${host} требует терминал (Defaults requiretty). Исправление: добавьте "Defaults:${user} !requiretty" в ${sudoers} через visudo или подключайтесь под root.`,
    );
  }
  if (/is not in the sudoers file|is not allowed to (run|execute)|may not run sudo/.test(stderr)) {
    return t(
      `${user} may not use sudo on ${host}, and hagrade needs root to read the configuration. Fix: add "${rule}" to ${sudoers} with visudo, or log in as root.`,
      `Пользователю ${user} на ${host} не разрешён sudo, а hagrade нужен root, чтобы прочитать конфигурацию. Исправление: добавьте "${rule}" в ${sudoers} через visudo или подключайтесь под root.`,
    );
  }
  if (/sudo: (command )?not found/.test(stderr)) {
    return t(
      `sudo is not installed on ${host}, and ${user} is not root. Fix: install sudo and allow ${user} to use it without a password, or log in as root.`,
      `На ${host} не установлен sudo, а ${user} не root. Исправление: установите sudo и разрешите ${user} использовать его без пароля или подключайтесь под root.`,
    );
  }
  return undefined;
}

/** When our own sudo wrapper failed, the command never ran: say why and how to fix it. */
export function sudoError(
  line: CommandLine,
  raw: { exitCode: number | null; stderr: Buffer },
  user: string,
  host: string,
): string | undefined {
  if (!line.viaSudo || raw.exitCode === 0) return undefined;
  return sudoProblem(raw.stderr.toString('utf8'), user, host)?.en;
}
