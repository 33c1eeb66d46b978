// What HAProxy would say about a haproxy.cfg, as the parser meets it: errors and warnings with their
// line, and whether HAProxy would have stopped reading the file there (a fatal "abort" error).

import type { HaproxyConfig, HaproxyDiagnosticCode } from './haproxy-types.js';

type Args = Record<string, string | number>;

/** `{name}` placeholders filled from args (unknown ones stay as written). */
export const fill = (template: string, args: Args) =>
  template.replace(/\{(\w+)\}/g, (_, k: string) => String(args[k] ?? `{${k}}`));

export class HaproxyDiagnostics {
  /** HAProxy stopped reading: a fatal "abort" error, or (2.3+) a NUL. */
  stopped: 'abort' | 'nul' | undefined;

  constructor(
    private readonly config: HaproxyConfig,
    /** The HAProxy version that reads the file: decides what is fatal. */
    readonly version: string,
  ) {}

  diag(
    severity: 'error' | 'warning',
    code: HaproxyDiagnosticCode,
    line: number,
    template: string,
    args: Args = {},
  ): void {
    this.config.diagnostics.push({ severity, code, args, message: fill(template, args), file: this.config.file, line });
  }

  /** A fatal error after which HAProxy reads no further (ERR_ABORT). */
  abort(code: HaproxyDiagnosticCode, line: number, template: string, args: Args = {}): void {
    this.diag('error', code, line, template, args);
    this.stopped = 'abort';
    this.config.stoppedAt ??= { line, message: fill(template, args) };
  }
}
