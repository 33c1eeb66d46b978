// Our own keepalived.conf parser. It reads the file the way keepalived 2.2–2.4 does (GRAMMAR.md §B),
// in three stages, one module each:
//   keepalived-reader  physical lines -> logical lines (comments, includes, definitions, braces)
//   keepalived-tree    logical lines -> statements, as each keepalived process reads them
//   keepalived-model-* statements -> what keepalived would run (instances, scripts, defaults)
// The result keeps every statement's file, line and text. It never throws and stays linear:
// malformed input yields diagnostics.

import { DiagnosticCollector, type KeepalivedDiagnostic } from './keepalived-diagnostics.js';
import { buildModel } from './keepalived-model-build.js';
import type { KeepalivedModel } from './keepalived-model.js';
import { LineReader, type ReaderOptions } from './keepalived-reader.js';
import { readStatements, type KeepalivedStatement } from './keepalived-tree.js';

export { formatDiagnostic } from './keepalived-diagnostics.js';
export type { KeepalivedDiagnostic, Severity } from './keepalived-diagnostics.js';
export type { IncludeReader, IncludedFile } from './keepalived-reader.js';
export type { KeepalivedEntry, KeepalivedStatement } from './keepalived-tree.js';
export type * from './keepalived-model.js';
export type { SourceRef } from './source-ref.js';

export type ParseOptions = ReaderOptions & {
  /**
   * Whether a user exists on the host (getpwnam there): keepalived removes a vrrp_script that has
   * no user it can run as. Unknown (undefined) removes nothing.
   */
  userExists?: (name: string) => boolean;
};

export interface KeepalivedConfig extends KeepalivedModel {
  /** The main file. */
  file: string;
  /** Every file read, main file first. */
  files: string[];
  /** Every include pattern met, made absolute (for loaders that fetch included files first). */
  includeRequests: string[];
  statements: KeepalivedStatement[];
  /** In reading order. */
  diagnostics: KeepalivedDiagnostic[];
  /** The first fatal error: keepalived would exit here. Parsing goes on to tell the rest. */
  fatal?: KeepalivedDiagnostic;
}

export function parseKeepalived(text: string | Buffer, file: string, opts: ParseOptions = {}): KeepalivedConfig {
  const diagnostics = new DiagnosticCollector();
  const add = diagnostics.add.bind(diagnostics);
  const reader: LineReader = new LineReader(text, file, opts, (severity, code, message, args, fatal) =>
    add(reader.origin, reader.count, severity, code, message, args, fatal),
  );

  // Read once; every process then walks the same lines with its own view of which blocks are its.
  const lines = reader.readAll();
  if (reader.blockDepth > 0) {
    add(
      reader.origin,
      reader.count + 1,
      'error',
      'missingClose',
      `There are ${reader.blockDepth} missing '}'s or extra '{'s`,
      [String(reader.blockDepth)],
    );
  }
  const statements = readStatements(lines, reader.origin, add);
  const model = buildModel(
    statements,
    (at, severity, code, message, args) => add(at, at.order + 0.5, severity, code, message, args, false, 'config'),
    opts.userExists,
  );

  return {
    file,
    files: reader.files,
    includeRequests: reader.includeRequests,
    statements,
    diagnostics: diagnostics.inReadingOrder(),
    fatal: diagnostics.firstFatal,
    ...model,
  };
}
