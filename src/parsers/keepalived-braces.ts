// What keepalived's process walks need to know about the logical lines before reading them: every
// `{` and `}` word in reading order with the `}` that closes each `{`, so a walk can skip another
// process's block in one step, and the lines whose `"` is not closed, which every walk reports.

import type { LogicalLines } from './keepalived-reader.js';
import { splitWords } from './keepalived-words.js';
import type { SourceRef } from './source-ref.js';

/**
 * The logical lines, with their brace words ("events") in reading order and, for each `{`, the
 * `}` that closes it: the first one where the count from it drops to 0, which is where counting
 * braces word by word would stop. Words themselves are cut when a walk reads a line.
 */
export class BraceIndex {
  readonly texts: string[];
  readonly origins: SourceRef[];
  /** Lines where a `"` is not closed: each walk that reads one says so (keepalived's "Unmatched quote"). */
  readonly unmatchedQuote: Uint8Array;
  /** Ascending indexes of those lines, for the ones a skip passes over. */
  private readonly unmatchedLines: number[] = [];
  /** firstEvent[i]: index of the first brace event on line i or after (length: lines + 1). */
  readonly firstEvent: Int32Array;
  /** For a `{` event, its closing `}` event; -1 for a `}` event or a `{` never closed. */
  readonly closing: Int32Array;
  /** The line of each event. */
  readonly eventLine: Int32Array;

  constructor(lines: LogicalLines) {
    const { texts } = lines;
    const n = texts.length;
    this.texts = texts;
    this.origins = lines.origins;
    this.unmatchedQuote = new Uint8Array(n);
    this.firstEvent = new Int32Array(n + 1);
    const eventLine: number[] = [];
    const opens: boolean[] = [];
    let line = 0;
    const unmatched = () => {
      this.unmatchedQuote[line] = 1;
      this.unmatchedLines.push(line);
    };
    for (; line < n; line++) {
      const text = texts[line];
      this.firstEvent[line] = eventLine.length;
      // The reader splits every unquoted `{` and `}` onto a line of its own; any other brace word
      // was quoted, so only lines with a `"` need cutting (and only they can leave one open).
      if (text === '{' || text === '}') {
        eventLine.push(line);
        opens.push(text === '{');
      } else if (text.includes('"')) {
        for (const w of splitWords(text, unmatched)) {
          if (w === '{' || w === '}') {
            eventLine.push(line);
            opens.push(w === '{');
          }
        }
      }
    }
    this.firstEvent[n] = eventLine.length;
    this.eventLine = new Int32Array(eventLine);
    this.closing = new Int32Array(eventLine.length).fill(-1);
    const stack: number[] = [];
    for (let e = 0; e < opens.length; e++) {
      if (opens[e]) stack.push(e);
      else if (stack.length > 0) this.closing[stack.pop()!] = e;
    }
  }

  /** The lines from `from` to `to` (inclusive) with an unclosed `"`. */
  *unmatchedBetween(from: number, to: number): Generator<number> {
    const list = this.unmatchedLines;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid] < from) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < list.length && list[k] <= to; k++) yield list[k];
  }
}
