// Section lines (cfg §4): `defaults [<name>] [from <defaults>]`, `frontend|backend|listen <name>
// [from <defaults>]` and the other section keywords. A proxy HAProxy refuses to create is no
// section: its lines then belong to no proxy. Once all are read, proxies that share a name.

import type { HaproxyDiagnostics } from './haproxy-diagnostics.js';
import { SECTION_KEYWORDS, versionAtLeast } from './haproxy-keywords.js';
import {
  PROXY_KINDS,
  PROXY_NAME,
  type HaproxyConfig,
  type HaproxyDirective,
  type HaproxySection,
} from './haproxy-types.js';

export class Sections {
  private readonly defaultsByName = new Map<string, HaproxySection>();

  constructor(
    private readonly config: HaproxyConfig,
    private readonly report: HaproxyDiagnostics,
  ) {}

  private get version(): string {
    return this.report.version;
  }

  /** The new section, or undefined when HAProxy refuses to create the proxy (its lines then have no proxy). */
  open(header: HaproxyDirective): HaproxySection | undefined {
    const kind = header.keyword;
    const lineNo = header.line;
    const known = SECTION_KEYWORDS.get(kind)!;
    if (
      (known.since && !versionAtLeast(this.version, known.since)) ||
      (known.until && versionAtLeast(this.version, known.until))
    ) {
      this.report.diag(
        'error',
        'sectionNotInVersion',
        lineNo,
        "section '{section}' is not supported by HAProxy {version}.",
        { section: kind, version: this.version },
      );
    }
    const section: HaproxySection = { kind, name: '', header, directives: [] };
    const args = header.args;
    if (kind === 'defaults') {
      // defaults [<name>] [from <defaults>], and "defaults from <defaults>" without a name.
      let rest = args;
      if (rest[0] !== undefined && !(rest[0] === 'from' && rest.length === 2)) {
        section.name = rest[0];
        rest = rest.slice(1);
      }
      if (!this.readFrom(section, rest, lineNo)) return undefined;
      if (section.name) this.defaultsByName.set(section.name, section);
    } else if (PROXY_KINDS.has(kind)) {
      if (!args[0]) {
        this.report.abort('missingProxyName', lineNo, "'{section}' expects an <id> argument", { section: kind });
        return undefined;
      } else {
        section.name = args[0];
        const bad = [...args[0]].find((c) => !PROXY_NAME.test(c));
        if (bad) {
          this.report.diag(
            'error',
            'invalidProxyName',
            lineNo,
            "character '{char}' is not permitted in '{section}' name '{name}'.",
            { char: bad, section: kind, name: args[0] },
          );
        }
        if (args.length > 1 && args[1] !== 'from') {
          if (kind === 'backend') {
            this.report.diag('error', 'tooManyArgs', lineNo, "'{section}' cannot handle unexpected argument '{arg}'.", {
              section: kind,
              arg: args[1],
            });
          } else {
            this.report.diag(
              'error',
              'addressOnSectionLine',
              lineNo,
              "please use the 'bind' keyword for listening addresses.",
            );
          }
          return undefined;
        }
        if (!this.readFrom(section, args.slice(1), lineNo)) return undefined;
      }
    } else if (args[0] !== undefined) {
      section.name = args[0];
    }
    this.config.sections.push(section);
    return section;
  }

  /** Read `from <defaults>` after the name; false when the section cannot be created. */
  private readFrom(section: HaproxySection, rest: string[], lineNo: number): boolean {
    if (rest.length === 0) return true;
    if (section.kind === 'defaults' && rest[0] !== 'from') {
      // HAProxy silently ignores them; say so, since the author surely meant something.
      this.report.diag('warning', 'extraWordsIgnored', lineNo, "the words after '{section} {name}' are ignored.", {
        section: section.kind,
        name: section.name,
      });
      return true;
    }
    if (rest[0] !== 'from' || rest.length !== 2) {
      this.report.diag('error', 'tooManyArgs', lineNo, "'{section}' cannot handle unexpected argument '{arg}'.", {
        section: section.kind,
        arg: rest[rest.length > 2 ? 2 : 0],
      });
      return false;
    }
    if (!versionAtLeast(this.version, '2.4')) {
      this.report.diag(
        'error',
        'fromNotInVersion',
        lineNo,
        "'from' on a section line is not supported by HAProxy {version}.",
        { version: this.version },
      );
    }
    section.from = rest[1];
    if (!this.defaultsByName.has(rest[1])) {
      this.report.abort('defaultsNotFound', lineNo, "defaults section '{from}' not found for {section} '{name}'.", {
        from: rest[1],
        section: section.kind,
        name: section.name,
      });
      return false;
    }
    return true;
  }

  /**
   * Proxies with the same name: fatal for the same capability; a frontend and a backend, by version
   * (cfgparse-listen.c:450).
   */
  reportDuplicates(): void {
    const seen = new Map<string, HaproxySection>();
    for (const s of this.config.sections) {
      if (!PROXY_KINDS.has(s.kind) || !s.name) continue;
      const sameCap = (['frontend', 'backend'] as const).filter((cap) => s.kind === cap || s.kind === 'listen');
      for (const cap of sameCap) {
        const key = `${cap}:${s.name}`;
        const earlier = seen.get(key);
        if (earlier) {
          this.report.diag(
            'error',
            'duplicateProxy',
            s.header.line,
            "{section} '{name}' has the same name as {other} '{name}' declared at {file}:{line}.",
            { section: s.kind, name: s.name, other: earlier.kind, file: this.config.file, line: earlier.header.line },
          );
          break;
        }
      }
      for (const cap of sameCap) if (!seen.has(`${cap}:${s.name}`)) seen.set(`${cap}:${s.name}`, s);
      // A frontend and a backend sharing a name: accepted up to 3.0, warned in 3.1/3.2, fatal from 3.3.
      const other =
        s.kind === 'frontend'
          ? seen.get(`backend:${s.name}`)
          : s.kind === 'backend'
            ? seen.get(`frontend:${s.name}`)
            : undefined;
      if (other && other !== s && other.kind !== 'listen' && versionAtLeast(this.version, '3.1')) {
        const fatal = versionAtLeast(this.version, '3.3');
        this.report.diag(
          fatal ? 'error' : 'warning',
          'frontendBackendSameName',
          s.header.line,
          "{section} '{name}' has the same name as {other} '{name}' declared at {file}:{line}." +
            (fatal ? ' This is no longer supported as of 3.3.' : ''),
          { section: s.kind, name: s.name, other: other.kind, file: this.config.file, line: other.header.line },
        );
      }
    }
  }
}
