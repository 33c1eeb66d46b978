// JUnit XML: one testsuite per area, one testcase per check, so CI dashboards show each rule.
import { fill } from '../i18n/messages.js';
import type { CheckResult, RunResult } from '../model/check.js';
import { safeResult } from './safe-text.js';

/** XML 1.0 cannot hold C0 controls at all; safeResult has already made the host's visible. */
function xml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function findingLines(r: CheckResult): string {
  return r.findings
    .map(
      (f) =>
        `${f.host ?? ''}${f.file ? ` ${f.file}${f.line ? `:${f.line}` : ''}` : ''}: ${f.message}${f.hint ? `\n  hint: ${f.hint}` : ''}`,
    )
    .join('\n');
}

export function renderJunit(input: RunResult): string {
  const result = safeResult(input);
  const areas = [...new Set(result.results.map((r) => r.area))];
  const name = fill('hagrade {m}+{b}', { m: result.target.master.address, b: result.target.backup.address });
  const s = result.summary;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(name)}" tests="${result.results.length}" failures="${s.fail}" errors="${s.error}" skipped="${s.skip}" time="${(result.timings.totalMs / 1000).toFixed(3)}">`,
  ];
  for (const area of areas) {
    const cases = result.results.filter((r) => r.area === area);
    const count = (status: string) => cases.filter((r) => r.status === status).length;
    out.push(
      `  <testsuite name="${xml(area)}" tests="${cases.length}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('skip')}">`,
    );
    for (const r of cases) {
      out.push(
        `    <testcase classname="hagrade.${xml(area)}" name="${xml(`${r.id} ${r.title}`)}" time="${(r.durationMs / 1000).toFixed(3)}">`,
      );
      const body = xml(findingLines(r));
      const first = xml(r.findings[0]?.message ?? r.status);
      if (r.status === 'fail') out.push(`      <failure message="${first}">${body}</failure>`);
      else if (r.status === 'error') out.push(`      <error message="${first}">${body}</error>`);
      else if (r.status === 'skip') out.push(`      <skipped message="${first}"/>`);
      else if (r.findings.length) out.push(`      <system-out>${body}</system-out>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
