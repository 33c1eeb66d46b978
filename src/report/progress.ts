// Progress while checks run: an ora spinner in a terminal, plain lines otherwise, nothing when quiet.
import ora, { type Ora } from 'ora';
import type { EngineEvent } from '../engine/run.js';
import { pick } from '../engine/messages.js';
import type { Lang } from '../types.js';

export interface Progress {
  onEvent(event: EngineEvent): void;
  /** A step outside any check (connecting to a host, …). */
  note(message: string): void;
  stop(): void;
}

export function createProgress(opts: { interactive: boolean; quiet: boolean; lang: Lang; stream?: NodeJS.WriteStream }): Progress {
  const stream = opts.stream ?? process.stderr;
  if (opts.quiet) return { onEvent() {}, note() {}, stop() {} };
  if (!opts.interactive) {
    // Only slow (live) checks are announced: static grading takes milliseconds.
    return {
      onEvent(event) {
        if (event.type === 'check-progress') stream.write(`[${event.check.id}] ${event.message}\n`);
      },
      note(message) {
        stream.write(`${message}\n`);
      },
      stop() {},
    };
  }
  let spinner: Ora | undefined;
  return {
    onEvent(event) {
      const title = pick(event.check.title, opts.lang);
      if (event.type === 'check-start' && event.check.mode !== 'static') {
        spinner = ora({ text: `${event.check.id} ${title}`, stream }).start();
      } else if (event.type === 'check-progress') {
        if (!spinner) spinner = ora({ stream }).start();
        spinner.text = `${event.check.id} ${event.message}`;
      } else if (event.type === 'check-end') {
        spinner?.stop();
        spinner = undefined;
      }
    },
    note(message) {
      if (!spinner) spinner = ora({ stream }).start();
      spinner.text = message;
    },
    stop() {
      spinner?.stop();
      spinner = undefined;
    },
  };
}
