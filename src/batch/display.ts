// Progress of a batch: in a terminal, a live block (a line per running student with its phase,
// then the totals) redrawn in place; elsewhere (CI logs), a plain line per started and finished student.
// Every line passes safeLine where it is written: ids, phases and reasons come from rosters and hosts.
// The block is drawn only while the terminal reports room for it (drawArea), each line cut to the
// width, at most as many lines as the terminal has rows; otherwise the events are plain lines.
import { fill, pick } from '../i18n/messages.js';
import { safeLine } from '../report/safe-text.js';
import { clipToWidth, drawArea } from '../report/terminal.js';
import { STATUS_WORDS, t } from '../report/ui-text.js';
import type { Lang } from '../model/basics.js';
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

function outcome(record: StudentRecord, lang: Lang): string {
  const summary = record.result?.summary;
  const status =
    record.status === 'pending'
      ? say('notGraded', lang, { reason: record.error ?? '' })
      : t(STATUS_WORDS[record.status], lang);
  const score = summary ? ` ${summary.score}/${summary.maxScore}` : '';
  const why = record.status === 'error' && !record.result && record.error ? `: ${record.error}` : '';
  const time = record.durationMs !== undefined ? ` (${seconds(record.durationMs)})` : '';
  return `${status}${score}${why}${time}`;
}

export function createBatchDisplay(opts: {
  interactive: boolean;
  quiet?: boolean;
  lang: Lang;
  stream?: NodeJS.WriteStream;
}): BatchDisplay {
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
        return `! ${fill(pick(event.text, lang)!, event.data)}`;
      case 'stopping':
        return say('stopping', lang);
      default:
        return undefined;
    }
  };

  const plain = (line: string) => stream.write(`${safeLine(line)}\n`);
  /** A plain line for an event (CI logs, or a terminal without room for the block). */
  const plainEvent = (event: BatchEvent, line: string | undefined) => {
    if (line !== undefined) plain(line);
    else if (event.type === 'start') plain(`${event.student}: ${say('started', lang)}`);
    else if (event.type === 'done')
      plain(`[${totals.done}/${totals.total}] ${event.record.student}: ${outcome(event.record, lang)}`);
  };

  if (!opts.interactive) {
    return {
      onEvent(event) {
        const line = describe(event);
        if (event.type === 'done') count(event.record);
        plainEvent(event, line);
      },
      stop() {},
    };
  }

  let drawn = 0;
  /**
   * Erase the live block, print permanent lines above it, draw it again; false when the terminal
   * has no room for it now (the block is then left as it is: it cannot be erased reliably).
   */
  const redraw = (permanent: string[] = []): boolean => {
    const area = drawArea(stream, 3);
    if (!area) {
      drawn = 0;
      return false;
    }
    const clip = (line: string) => clipToWidth(safeLine(line), area.columns - 1);
    let out = drawn > 0 ? `\x1b[${drawn}F\x1b[J` : '';
    for (const line of permanent) out += `${safeLine(line)}\n`;
    const now = Date.now();
    const lines = [...running].map(([student, r]) => `  ${student}  ${r.phase}  ${seconds(now - r.since)}`);
    // The block never climbs above the screen: what does not fit is counted, not drawn.
    const room = area.rows - 1;
    const shown = lines.length + 1 > room ? [...lines.slice(0, room - 2), `  … +${lines.length - (room - 2)}`] : lines;
    const block = [...shown, say('totals', lang, { ...totals, running: running.size })].map(clip);
    out += block.map((line) => `${line}\n`).join('');
    drawn = block.length;
    stream.write(out);
    return true;
  };
  const timer = setInterval(() => redraw(), 1000);
  timer.unref();
  return {
    onEvent(event) {
      const line = describe(event);
      if (event.type === 'start') running.set(event.student, { phase: say('started', lang), since: Date.now() });
      else if (event.type === 'phase') {
        const r = running.get(event.student);
        if (r) r.phase = event.phase;
      } else if (event.type === 'done') {
        running.delete(event.record.student);
        count(event.record);
      }
      const permanent =
        line !== undefined
          ? [line]
          : event.type === 'done'
            ? [`${event.record.student}: ${outcome(event.record, lang)}`]
            : [];
      if (!redraw(permanent)) plainEvent(event, line);
    },
    stop() {
      clearInterval(timer);
    },
  };
}
