// What parseHaproxy returns: sections of directives, every line as HAProxy tokenized it, and what
// HAProxy would say about the file, each with its file and line.

import type { SourceRef } from './source-ref.js';

/** The newest behaviour, used when the caller does not say which HAProxy reads the file. */
export const LATEST_HAPROXY = '3.5';

/** Every diagnostic code the parser emits (HAP001 has a message for each). */
export const HAPROXY_DIAGNOSTIC_CODES = [
  'strayNul',
  'unmatchedQuote',
  'badHexEscape',
  'badVarName',
  'unmatchedBrace',
  'badWordExpand',
  'tooManyWords',
  'emptyArgument',
  'negationNotSupported',
  'outOfSection',
  'unterminatedIf',
  'missingFinalLf',
  'tooManyNestedIf',
  'loneElif',
  'elifAfterElse',
  'loneElse',
  'secondElse',
  'loneEndif',
  'unexpectedArgument',
  'alertDirective',
  'warningDirective',
  'unknownDirective',
  'conditionAssumed',
  'sectionNotInVersion',
  'missingProxyName',
  'invalidProxyName',
  'tooManyArgs',
  'addressOnSectionLine',
  'extraWordsIgnored',
  'fromNotInVersion',
  'defaultsNotFound',
  'removedKeyword',
  'unknownKeyword',
  'unknownOption',
  'unknownTimeout',
  'optionNotNegatable',
  'notAllowedInDefaults',
  'namedDefaultsOnly',
  'noCapability',
  'duplicateProxy',
  'frontendBackendSameName',
  'unknownMode',
  'unknownBalance',
  'forwardforUnknownArg',
  'forwardforMissingValue',
  'removedNoReplacement',
  'emptyScope',
  'badScope',
  'noCurrentProxy',
  'unknownServerKeyword',
  'unknownAcl',
] as const;
export type HaproxyDiagnosticCode = (typeof HAPROXY_DIAGNOSTIC_CODES)[number];

export interface HaproxyDiagnostic {
  severity: 'error' | 'warning';
  /** Stable code; checks translate it (args fill the placeholders). */
  code: HaproxyDiagnosticCode;
  args: Record<string, string | number>;
  /** English, in HAProxy's own wording where it has one. */
  message: string;
  file: string;
  line: number;
}

/** A directive of a section; its SourceRef is the line as written (without its line end). */
export interface HaproxyDirective extends SourceRef {
  /** The keyword, after a `no`/`default` prefix was taken off. */
  keyword: string;
  /** The words after the keyword, unquoted and unescaped (`${VAR}` kept as written). */
  args: string[];
  prefix?: 'no' | 'default';
  /** Conditions of enclosing `.if` blocks that we could not evaluate and assumed true. */
  assumed?: string[];
  /** HAProxy ignores it here (e.g. `balance` in a frontend: "has no backend capability"). */
  ignored?: boolean;
  /** HAProxy refuses this line (a fatal error): the configuration does not load. Its message. */
  refused?: string;
}

export type ProxyKind = 'frontend' | 'backend' | 'listen';

export interface HaproxySection {
  /** The section keyword: global, defaults, frontend, backend, listen, peers, ... */
  kind: string;
  /** The section's name ('' for `global` and anonymous `defaults`). */
  name: string;
  /** `from <defaults>` on the section line. */
  from?: string;
  /** The section line itself. */
  header: HaproxyDirective;
  directives: HaproxyDirective[];
}

/** One non-empty line as HAProxy tokenized it, active or not: what HAP012 compares. */
export interface HaproxyStatement extends SourceRef {
  words: string[];
}

export interface HaproxyConfig {
  file: string;
  version: string;
  sections: HaproxySection[];
  statements: HaproxyStatement[];
  diagnostics: HaproxyDiagnostic[];
  /** Number of lines in the file. */
  lineCount: number;
  /** HAProxy stopped reading the file here (a fatal error that aborts parsing, or a NUL from 2.3). */
  stoppedAt?: { line: number; message: string };
}

export interface ParseOptions {
  /** The HAProxy version that reads the file (e.g. "2.6"): decides what is fatal. Default: the newest. */
  version?: string;
}

/** The proxy sections: they have a name, capabilities and may inherit from a defaults section. */
export const PROXY_KINDS: ReadonlySet<string> = new Set(['frontend', 'backend', 'listen']);
/** Proxy and scope names: `[A-Za-z0-9-_.:]` (cfg §4). */
export const PROXY_NAME = /^[A-Za-z0-9_.:-]+$/;

/** Label of a section as a user reads it: `frontend front_cluster`, `defaults`, `defaults web`. */
export function sectionLabel(section: HaproxySection): string {
  return section.name ? `${section.kind} ${section.name}` : section.kind;
}
