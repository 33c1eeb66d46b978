// The JSON report is the RunResult itself: a versioned contract (DESIGN.md §3).
import type { RunResult } from '../types.js';

export function renderJson(result: RunResult): string {
  return JSON.stringify(result, null, 2) + '\n';
}
