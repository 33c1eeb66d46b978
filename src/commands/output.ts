// Writing a finished RunResult in the requested format, to stdout or a file.
import { writeFileSync } from 'node:fs';
import { renderGithub } from '../report/github.js';
import { renderJson } from '../report/json.js';
import { renderJunit } from '../report/junit.js';
import { renderPretty } from '../report/pretty.js';
import type { RunResult } from '../model/check.js';

export const FORMATS = ['pretty', 'json', 'junit', 'github'] as const;
export type Format = (typeof FORMATS)[number];

export function render(result: RunResult, format: Format, color: boolean): string {
  switch (format) {
    case 'json':
      return renderJson(result);
    case 'junit':
      return renderJunit(result);
    case 'github':
      return renderGithub(result);
    case 'pretty':
      return renderPretty(result, { color });
  }
}

/**
 * With --out, the chosen format goes to the file and the pretty report to the terminal;
 * without it, the chosen format goes to stdout.
 */
export function emit(result: RunResult, format: Format, out: string | undefined, color: boolean): void {
  if (out) {
    writeFileSync(out, render(result, format, false));
    if (format !== 'pretty') process.stdout.write(renderPretty(result, { color }));
  } else {
    process.stdout.write(render(result, format, color && format === 'pretty'));
  }
}

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function wantColor(): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(process.stdout.isTTY);
}
