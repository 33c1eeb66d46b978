// Logging in: key files, then ssh-agent, then password, as OpenSSH orders them; each attempt made
// only when its turn comes and the server still accepts its method. The connect deadline pauses
// while the user types a passphrase or a password, so it lives here with the prompts.
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { AnyAuthMethod, AuthenticationType } from 'ssh2';
import type { SshHostOptions } from './ssh-options.js';
import type { Hop } from './ssh-route.js';

/** A connect deadline that stops counting while the user types a passphrase or password. */
export class Deadline {
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  constructor(
    private readonly ms: number,
    private readonly onExpire: () => void,
  ) {
    this.resume();
  }
  pause(): void {
    clearTimeout(this.timer);
  }
  resume(): void {
    clearTimeout(this.timer);
    if (!this.finished) this.timer = setTimeout(this.onExpire, this.ms);
  }
  /** The handshake ended one way or the other: a prompt that returns late must not re-arm it. */
  finish(): void {
    this.finished = true;
    clearTimeout(this.timer);
  }
}

export interface AuthStep {
  /** The method as the server names it in its list of those it still accepts. */
  wire: AuthenticationType;
  make: () => Promise<AnyAuthMethod | undefined>;
}

/** What the attempts need from the options: the agent and the prompts. */
export type AuthOptions = Pick<SshHostOptions, 'agentSocket' | 'promptPassphrase' | 'promptPassword'>;

/**
 * The attempts in order, each made only when its turn comes and the server still accepts its
 * method: nobody is asked for a passphrase or a password the server would not take.
 */
export function authSteps(hop: Hop, tried: string[], deadline: Deadline, options: AuthOptions): AuthStep[] {
  const username = hop.user;
  const prompt = async <T>(ask: () => Promise<T>): Promise<T> => {
    deadline.pause();
    try {
      return await ask();
    } finally {
      deadline.resume();
    }
  };
  const keyStep = (file: string): AuthStep => ({
    wire: 'publickey',
    make: async () => {
      let data: Buffer;
      try {
        data = readFileSync(file);
      } catch {
        return undefined; // as OpenSSH: identities that do not exist are skipped
      }
      let passphrase: string | undefined;
      let parsed = ssh2.utils.parseKey(data);
      if (parsed instanceof Error && /passphrase/i.test(parsed.message)) {
        passphrase = options.promptPassphrase ? await prompt(() => options.promptPassphrase!(file)) : undefined;
        if (passphrase === undefined) {
          tried.push(`key ${file} (encrypted, no passphrase given)`);
          return undefined;
        }
        parsed = ssh2.utils.parseKey(data, passphrase);
      }
      if (parsed instanceof Error) {
        tried.push(`key ${file} (${parsed.message})`);
        return undefined;
      }
      tried.push(`key ${file}`);
      return { type: 'publickey', username, key: data, ...(passphrase !== undefined ? { passphrase } : {}) };
    },
  });
  const agent = options.agentSocket === false ? undefined : (options.agentSocket ?? process.env.SSH_AUTH_SOCK);
  const agentStep: AuthStep = {
    wire: 'publickey',
    make: async () => {
      if (!agent) return undefined;
      tried.push('ssh-agent');
      return { type: 'agent', username, agent };
    },
  };
  const passwordStep: AuthStep = {
    wire: 'password',
    make: async () => {
      const password =
        hop.password ??
        process.env.HAGRADE_SSH_PASSWORD ??
        (options.promptPassword
          ? await prompt(() => options.promptPassword!({ user: username, host: hop.host }))
          : undefined);
      if (password === undefined) return undefined;
      tried.push('password');
      return { type: 'password', username, password };
    },
  };
  return [...hop.keyFiles.map(keyStep), agentStep, passwordStep];
}

/** The next attempt the server still accepts (`methodsLeft` is null before the first one). */
export async function nextAuthMethod(
  steps: AuthStep[],
  methodsLeft: AuthenticationType[] | null,
): Promise<AnyAuthMethod | undefined> {
  for (let step = steps.shift(); step; step = steps.shift()) {
    if (methodsLeft && !methodsLeft.includes(step.wire)) continue;
    const method = await step.make();
    if (method) return method;
  }
  return undefined;
}
