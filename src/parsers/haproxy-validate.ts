// Whether HAProxy accepts each directive where it stands: keywords removed since the version that
// reads the file, unknown keywords and options, keywords a section's capabilities exclude, and the
// values of the keywords the checks rely on (mode, balance, option forwardfor, server, conditions).

import type { HaproxyDiagnostics } from './haproxy-diagnostics.js';
import {
  GLOBAL_KEYWORDS,
  NAMED_DEFAULTS_ONLY,
  PREDEFINED_ACLS,
  PROXY_KEYWORDS,
  REMOVED_KEYWORDS,
  SERVER_FLAG_PARAMS,
  SERVER_VALUE_PARAMS,
  TWO_WORD_KEYWORDS,
  versionAtLeast,
} from './haproxy-keywords.js';
import { PROXY_KINDS, type HaproxyDirective, type HaproxySection } from './haproxy-types.js';

/**
 * Options with arguments: `no`/`default` before them is fatal (cfgparse-listen.c, "negation/default is not supported").
 */
const NON_NEGATABLE_OPTIONS = new Set([
  'external-check',
  'forwardfor',
  'http-restrict-req-hdr-names',
  'httpchk',
  'httplog',
  'httpslog',
  'ldap-check',
  'mysql-check',
  'originalto',
  'pgsql-check',
  'redis-check',
  'smtpchk',
  'spop-check',
  'ssl-hello-chk',
  'tcp-check',
  'tcplog',
]);
/** `balance` algorithms (any version); `hdr`, `rdp-cookie` and `random` take an optional `(...)` suffix. */
const BALANCE_ALGORITHM =
  /^(roundrobin|static-rr|leastconn|first|source|uri|url_param|hash|log-hash|sticky|hdr\(.*\)|rdp-cookie(\(.*\))?|random(\(.*\))?)$/;

/**
 * Whether HAProxy knows the keyword here (section, capability, version) and, for the ones checks rely on, its values.
 */
export function validateKeyword(section: HaproxySection, d: HaproxyDirective, report: HaproxyDiagnostics): void {
  const { version } = report;
  const kw = d.keyword;
  const scope = section.kind === 'global' ? 'global' : 'proxy';
  const removedKey = REMOVED_KEYWORDS.has(`${scope}:${kw}`) ? kw : `${kw} ${d.args[0]}`;
  const removed = REMOVED_KEYWORDS.get(`${scope}:${removedKey}`);
  if (removed && versionAtLeast(version, removed.since)) {
    if (removed.use) {
      report.diag(
        'error',
        'removedKeyword',
        d.line,
        "The '{keyword}' directive is not supported anymore since HAProxy {since}. Use '{use}' instead.",
        { keyword: removedKey, since: removed.since, use: removed.use },
      );
    } else {
      report.diag(
        'error',
        'removedNoReplacement',
        d.line,
        "The '{keyword}' directive is not supported anymore since HAProxy {since}. Please just remove it.",
        { keyword: removedKey, since: removed.since },
      );
    }
    d.ignored = true;
    return;
  }
  if (removed) return; // still known to this older version
  if (section.kind === 'global') {
    if (!GLOBAL_KEYWORDS.has(kw) && !kw.startsWith('tune.')) {
      report.diag('error', 'unknownKeyword', d.line, "unknown keyword '{keyword}' in '{section}' section", {
        keyword: kw,
        section: 'global',
      });
    }
    return;
  }
  if (section.kind !== 'defaults' && !PROXY_KINDS.has(section.kind)) return; // other sections: not validated

  let label = kw;
  let caps: string | undefined;
  if (TWO_WORD_KEYWORDS.has(kw) && d.args[0] !== undefined) {
    label = `${kw} ${d.args[0]}`;
    caps = PROXY_KEYWORDS.get(label);
    if (caps === undefined && kw === 'option') {
      report.diag('error', 'unknownOption', d.line, "unknown option '{option}'.", { option: d.args[0] });
      d.ignored = true;
      return;
    }
    if (caps === undefined && kw === 'timeout') {
      report.diag(
        'error',
        'unknownTimeout',
        d.line,
        "'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '{timeout}')",
        { timeout: d.args[0] },
      );
      d.ignored = true;
      return;
    }
  }
  if (kw === 'option' && d.prefix && NON_NEGATABLE_OPTIONS.has(d.args[0])) {
    report.diag('error', 'optionNotNegatable', d.line, "negation/default is not supported for option '{option}'.", {
      option: d.args[0],
    });
    d.ignored = true;
    return;
  }
  caps ??= PROXY_KEYWORDS.get(kw) ?? (TWO_WORD_KEYWORDS.has(kw) ? 'dflb' : undefined);
  if (caps === undefined) {
    report.diag('error', 'unknownKeyword', d.line, "unknown keyword '{keyword}' in '{section}' section", {
      keyword: kw,
      section: section.kind,
    });
    d.ignored = true;
    return;
  }
  if (section.kind === 'defaults') {
    if (!caps.includes('d')) {
      report.diag('error', 'notAllowedInDefaults', d.line, "'{keyword}' not allowed in 'defaults' section.", {
        keyword: label,
      });
      d.ignored = true;
    } else if (NAMED_DEFAULTS_ONLY.has(kw) && !section.name) {
      report.diag('error', 'namedDefaultsOnly', d.line, "'{keyword}' not allowed in anonymous 'defaults' section.", {
        keyword: label,
      });
      d.ignored = true;
    }
    if (!d.ignored) validateValues(section, d, report);
    return;
  }
  const letter = section.kind === 'frontend' ? 'f' : section.kind === 'backend' ? 'b' : 'l';
  if (!caps.includes(letter)) {
    const missing = section.kind === 'frontend' ? 'backend' : 'frontend';
    const fatal =
      kw === 'server' ||
      kw === 'server-template' ||
      label === 'tcp-request connection' ||
      label === 'tcp-request session';
    report.diag(
      fatal ? 'error' : 'warning',
      'noCapability',
      d.line,
      fatal
        ? "'{keyword}' not allowed because {section} '{name}' has no {missing} capability."
        : "'{keyword}' ignored because {section} '{name}' has no {missing} capability.",
      { keyword: label, section: section.kind, name: section.name, missing },
    );
    d.ignored = true;
    return;
  }
  validateValues(section, d, report);
}

/**
 * The values HAProxy checks while parsing the keywords the checks rely on (mode, balance, option forwardfor, server,
 * conditions).
 */
function validateValues(section: HaproxySection, d: HaproxyDirective, report: HaproxyDiagnostics): void {
  const { version } = report;
  const [first, ...rest] = d.args;
  if (d.keyword === 'server' || d.keyword === 'default-server') validateServerWords(section, d, report);
  validateCondition(section, d, report);
  if (d.keyword === 'mode' && first !== undefined) {
    const known = first === 'http' || first === 'tcp' || (first === 'spop' && versionAtLeast(version, '3.1'));
    if (!known) {
      report.diag('error', 'unknownMode', d.line, "unknown proxy mode '{mode}'.", { mode: first });
      d.ignored = true;
    }
  } else if (d.keyword === 'balance' && first !== undefined && !BALANCE_ALGORITHM.test(first)) {
    report.diag(
      'error',
      'unknownBalance',
      d.line,
      "balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options.",
      { algorithm: first },
    );
    d.ignored = true;
  } else if (d.keyword === 'option' && first === 'forwardfor' && !d.prefix) {
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === 'if-none') continue;
      if (rest[i] !== 'except' && rest[i] !== 'header') {
        report.diag(
          'error',
          'forwardforUnknownArg',
          d.line,
          "'option forwardfor' only supports optional values: 'except', 'header' and 'if-none'.",
          { arg: rest[i] },
        );
      } else if (rest[i + 1] === undefined) {
        report.diag('error', 'forwardforMissingValue', d.line, "'option forwardfor {arg}' expects an argument.", {
          arg: rest[i],
        });
      } else {
        i++;
        continue;
      }
      d.ignored = true;
      return;
    }
  }
}

/**
 * Server keywords are case-sensitive: `Backup` is "unknown keyword 'Backup'; did you mean 'backup'
 * maybe ?" (haproxy -c 2.6), fatal. Only case variants of known keywords are reported here.
 */
function validateServerWords(section: HaproxySection, d: HaproxyDirective, report: HaproxyDiagnostics): void {
  const words = d.keyword === 'server' ? d.args.slice(2) : d.args;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (SERVER_VALUE_PARAMS.has(w)) {
      i++;
      continue;
    }
    if (SERVER_FLAG_PARAMS.has(w)) continue;
    const lower = w.toLowerCase();
    if (SERVER_VALUE_PARAMS.has(lower) || SERVER_FLAG_PARAMS.has(lower)) {
      const name = d.keyword === 'server' ? `${section.name}/${d.args[0] ?? ''}` : section.name;
      report.diag(
        'error',
        'unknownServerKeyword',
        d.line,
        "'{keyword} {name}' : unknown keyword '{word}'; did you mean '{lower}' maybe ?",
        { keyword: d.keyword, name, word: w, lower },
      );
      return;
    }
  }
}

/**
 * ACL names in `if`/`unless` conditions are case-sensitive: `if true` is "no such ACL : 'true'"
 * (haproxy -c 2.6), fatal. Reported for case variants of the predefined ACLs (src/acl.c) that no
 * `acl` line of the section defines.
 */
function validateCondition(section: HaproxySection, d: HaproxyDirective, report: HaproxyDiagnostics): void {
  const at = d.args.findIndex((w) => w === 'if' || w === 'unless');
  if (
    at < 0 ||
    !['http-request', 'http-response', 'use_backend', 'redirect', 'tcp-request', 'http-after-response'].includes(
      d.keyword,
    )
  )
    return;
  const defined = new Set(section.directives.filter((x) => x.keyword === 'acl').map((x) => x.args[0]));
  for (const term of d.args.slice(at + 1)) {
    const name = term.replace(/^!/, '');
    if (name === '' || defined.has(name) || PREDEFINED_ACLS.has(name)) continue;
    if (PREDEFINED_ACLS.has(name.toUpperCase())) {
      // A rule HAProxy cannot parse ends the reading of the file (ERR_ABORT): nothing after it is reported.
      report.abort(
        'unknownAcl',
        d.line,
        "error detected while parsing an '{keyword}' condition : no such ACL : '{acl}'.",
        { keyword: `${d.keyword} ${d.args[0] ?? ''}`, acl: name, upper: name.toUpperCase() },
      );
      return;
    }
  }
}
