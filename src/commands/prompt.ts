// Asking for a password or passphrase on the terminal without echoing it.
import { createInterface } from 'node:readline';

/** Undefined when there is no terminal to ask on (CI, a pipe): the caller reports why it could not log in. */
export function promptHidden(question: string): Promise<string | undefined> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const output = rl as unknown as { _writeToOutput: (s: string) => void };
    let asked = false;
    output._writeToOutput = (s: string) => {
      // Show the question once, then nothing of what is typed.
      if (!asked) process.stderr.write(s);
      asked = true;
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    rl.on('SIGINT', () => {
      rl.close();
      resolve(undefined);
    });
  });
}

/** A yes/no question on the terminal (default no); undefined when there is no terminal to ask on. */
export function confirm(question: string): Promise<boolean | undefined> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    rl.question(question, (answer) => {
      rl.close();
      resolve(/^(y|yes|д|да)$/i.test(answer.trim()));
    });
    rl.on('SIGINT', () => {
      rl.close();
      resolve(false);
    });
  });
}
