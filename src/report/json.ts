// The JSON report is the RunResult itself: a versioned contract (DESIGN.md §3).
// Data stays faithful (`data`, `excerpt`, evidence `output` hold the host's text exactly; JSON
// escapes it), but `message` and `hint`, the texts consumers print as they are, are safe to print,
// and the file itself holds no raw control or bidi character (safeJsonText).
import type { RunResult } from '../model/check.js';
import { safeJsonText, safeText } from './safe-text.js';

function withSafeMessages(result: RunResult): RunResult {
  return {
    ...result,
    results: result.results.map((r) => ({
      ...r,
      findings: r.findings.map((f) => ({
        ...f,
        message: safeText(f.message),
        ...(f.hint !== undefined ? { hint: safeText(f.hint) } : {}),
      })),
    })),
  };
}

export function renderJson(result: RunResult): string {
  return `${safeJsonText(JSON.stringify(withSafeMessages(result), null, 2))}\n`;
}
