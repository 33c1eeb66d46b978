// What keepalived would say about a configuration, collected as the parser meets it: each problem
// once (four process views and a line full of `{` repeat the same one), in reading order, bounded.

import type { SourceRef } from './source-ref.js';

export type Severity = 'error' | 'warning';

export interface KeepalivedDiagnostic extends SourceRef {
  severity: Severity;
  /** Stable code for tests and checks, e.g. 'unknownKeyword', 'missingParameter'. */
  code: string;
  args: string[];
  /** English, in keepalived's own wording (without the `(Line N)` prefix). */
  message: string;
  /** keepalived exits on this one (a missing parameter). */
  fatal?: true;
  /**
   * syntax: reading the file (keywords, braces, quotes, includes); config: what a handler or the final checks say about
   * a value.
   */
  stage: 'syntax' | 'config';
}

/** `(Line 7) Unknown keyword 'user'`, or `(file: Line 7) …` for an included file, like keepalived. */
export function formatDiagnostic(d: KeepalivedDiagnostic, mainFile?: string): string {
  const where = mainFile === undefined || d.file === mainFile ? `Line ${d.line}` : `${d.file}: Line ${d.line}`;
  return `(${where}) ${d.fatal ? '*** ' : ''}${d.message}`;
}

/** Enough to show every real problem; a garbage file could otherwise produce millions. */
const MAX_DIAGNOSTICS = 10_000;

/** Report a problem at a line; `order` is the reading order (logical lines read so far) it sorts by. */
export type AddDiagnostic = (
  at: SourceRef,
  order: number,
  severity: Severity,
  code: string,
  message: string,
  args: string[],
  fatal?: boolean,
) => void;

export class DiagnosticCollector {
  private readonly collected = new Map<string, { order: number; diagnostic: KeepalivedDiagnostic }>();
  private last: { at: SourceRef; code: string; message: string } | undefined;
  /** The first fatal error: keepalived would exit here. */
  firstFatal: KeepalivedDiagnostic | undefined;

  /** Each process reports its own problems; the same problem from two processes is kept once. */
  add(
    at: SourceRef,
    order: number,
    severity: Severity,
    code: string,
    message: string,
    args: string[],
    fatal?: boolean,
    stage: KeepalivedDiagnostic['stage'] = 'syntax',
  ): void {
    // The cheap test first: a line full of `{` repeats one problem hundreds of times.
    const last = this.last;
    if (last && last.at === at && last.code === code && last.message === message) return;
    this.last = { at, code, message };
    const key = `${at.file}\0${at.line}\0${code}\0${message}`;
    if (this.collected.has(key)) return;
    const diagnostic: KeepalivedDiagnostic = {
      severity,
      code,
      args,
      message,
      file: at.file,
      line: at.line,
      text: at.text,
      stage,
    };
    if (fatal) {
      diagnostic.fatal = true;
      this.firstFatal ??= diagnostic;
    }
    if (this.collected.size < MAX_DIAGNOSTICS) this.collected.set(key, { order, diagnostic });
    else if (this.collected.size === MAX_DIAGNOSTICS) {
      const message = `more than ${MAX_DIAGNOSTICS} problems - the rest are not reported`;
      this.collected.set('', {
        order,
        diagnostic: {
          severity: 'error',
          code: 'tooManyProblems',
          args: [],
          message,
          file: at.file,
          line: at.line,
          text: at.text,
          stage: 'syntax',
        },
      });
    }
  }

  /** Everything collected, in reading order (problems found on the same line keep the order they were found in). */
  inReadingOrder(): KeepalivedDiagnostic[] {
    return [...this.collected.values()].sort((a, b) => a.order - b.order).map((c) => c.diagnostic);
  }
}
