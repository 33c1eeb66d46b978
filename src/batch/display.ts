// Progress of a batch: in a terminal, a live block (a line per running student with its phase,
// then the totals) redrawn in place; elsewhere (CI logs), a plain line per started and finished student.
import { fill, pick } from '../engine/messages.js';
import { STATUS_WORDS, t } from '../report/ui-text.js';
import type { Lang } from '../types.js';
import type { StudentRecord } from './outputs.js';
import type { BatchEvent } from './runner.js';
import { say } from './text.js';

export interface BatchDisplay {
  onEvent(event: BatchEvent): void;
  stop(): void;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Student ids and messages come from files: control characters would drive the terminal. */
function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function outcome(record: StudentRecord, lang: Lang): string {
  const summary = record.result?.summary;
  const status = record.status === 'pending' ? say('notGraded', lang, { reason: record.error ?? '' }) : t(STATUS_WORDS[record.status], lang);
  const score = summary ? ` ${summary.score}/${summary.maxScore}` : '';
  const why = record.status === 'error' && !record.result && record.error ? `: ${printable(record.error)}` : '';
  const time = record.durationMs !== undefined ? ` (${seconds(record.durationMs)})` : '';
  return `${status}${score}${why}${time}`;
}

export function createBatchDisplay(opts: { interactive: boolean; quiet?: boolean; lang: Lang; stream?: NodeJS.WriteStream }): BatchDisplay {
  const stream = opts.stream ?? process.stderr;
  const { lang } = opts;
  if (opts.quiet) return { onEvent() {}, stop() {} };
  const totals = { total: 0, done: 0, pass: 0, fail: 0, error: 0 };
  const running = new Map<string, { phase: string; since: number }>();
  const count = (record: StudentRecord) => {
    totals.done++;
    if (record.status !== 'pending') totals[record.status]++;
  };
  const describe = (event: BatchEvent): string | undefined => {
    switch (event.type) {
      case 'planned':
        totals.total = event.toGrade;
        return say('planned', lang, {
          toGrade: event.toGrade,
          total: event.total,
          stored: event.stored,
          concurrency: event.concurrency,
          shard: event.shard ? say('shard', lang, { index: event.shard.index, count: event.shard.count }) : '',
        });
      case 'warning':
        return `! ${printable(fill(pick(event.text, lang)!, event.data))}`;
      case 'stopping':
        return say('stopping', lang);
      default:
        return undefined;
    }
  };

  if (!opts.interactive) {
    return {
      onEvent(event) {
        const line = describe(event);
        if (line !== undefined) stream.write(`${line}\n`);
        else if (event.type === 'start') stream.write(`${printable(event.student)}: ${say('started', lang)}\n`);
        else if (event.type === 'done') {
          count(event.record);
          stream.write(`[${totals.done}/${totals.total}] ${printable(event.record.student)}: ${outcome(event.record, lang)}\n`);
        }
      },
      stop() {},
    };
  }

  let drawn = 0;
  const width = () => Math.max(20, (stream.columns || 100) - 1);
  const clip = (line: string) => (line.length > width() ? line.slice(0, width() - 1) + '…' : line);
  /** Erase the live block, print permanent lines above it, draw it again. */
  const redraw = (permanent: string[] = []) => {
    let out = drawn > 0 ? `\x1b[${drawn}F\x1b[J` : '';
    for (const line of permanent) out += `${line}\n`;
    const now = Date.now();
    const block = [...running].map(([student, r]) => clip(`  ${printable(student)}  ${printable(r.phase)}  ${seconds(now - r.since)}`));
    block.push(clip(say('totals', lang, { ...totals, running: running.size })));
    out += block.map((line) => `${line}\n`).join('');
    drawn = block.length;
    stream.write(out);
  };
  const timer = setInterval(() => redraw(), 1000);
  timer.unref();
  return {
    onEvent(event) {
      const line = describe(event);
      if (line !== undefined) return redraw([line]);
      if (event.type === 'start') running.set(event.student, { phase: say('started', lang), since: Date.now() });
      else if (event.type === 'phase') {
        const r = running.get(event.student);
        if (r) r.phase = event.phase;
      } else if (event.type === 'done') {
        running.delete(event.record.student);
        count(event.record);
        return redraw([`${printable(event.record.student)}: ${outcome(event.record, lang)}`]);
      }
      redraw();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
