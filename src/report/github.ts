// GitHub Actions workflow commands: `::error file=…,line=…::` annotations on the offending lines.
import type { Finding, RunResult } from '../model/check.js';
import { safeResult } from './safe-text.js';
import { explainLine } from './ui-text.js';

/** Escape per the workflow-command rules: data escapes %, CR, LF; properties also : and , */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** In a snapshot run, point at the snapshot's copy of the file (a path in the repository). */
function annotatedFile(result: RunResult, f: Finding): string | undefined {
  if (!f.file) return undefined;
  if (result.target.snapshot && f.host) return `${result.target.snapshot.replace(/\/$/, '')}/${f.host}${f.file}`;
  return f.file;
}

export function renderGithub(input: RunResult): string {
  const result = safeResult(input);
  const lines: string[] = [];
  for (const r of result.results) {
    for (const f of r.findings) {
      const level = f.kind === 'fail' || f.kind === 'error' ? 'error' : f.kind === 'note' ? 'notice' : undefined;
      if (!level) continue;
      const props = [`title=${escapeProperty(`${r.id} ${r.title}${f.host ? ` (${f.host})` : ''}`)}`];
      const file = annotatedFile(result, f);
      if (file) props.unshift(`file=${escapeProperty(file)}`, ...(f.line ? [`line=${f.line}`] : []));
      const more = f.kind === 'fail' ? `\n${explainLine(r.id, result.lang)}` : '';
      lines.push(`::${level} ${props.join(',')}::${escapeData(f.message + (f.hint ? `\n${f.hint}` : '') + more)}`);
    }
  }
  const s = result.summary;
  lines.push(
    `hagrade: ${s.pass} passed, ${s.fail} failed, ${s.error} errors, ${s.skip} skipped; score ${s.score}/${s.maxScore}`,
  );
  return `${lines.join('\n')}\n`;
}
