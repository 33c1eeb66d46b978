// Limits shared by every Host implementation. The host belongs to the student: whatever it sends,
// the grader reads a bounded amount of it, and says so when it stops reading.
import type { FileRead } from './host.js';

/** Files read from hosts larger than this are refused with a clear reason (configs are a few KB). */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
/** Files with more lines than this are refused too (a real haproxy.cfg has hundreds). */
export const DEFAULT_MAX_FILE_LINES = 100_000;

export interface OutputLimits {
  /** Per stream (stdout, stderr). */
  maxBytes: number;
  maxLines: number;
}

/** A command's stdout or stderr past these is cut, and the command is an error, never judged on half its output. */
export const DEFAULT_OUTPUT_LIMITS: OutputLimits = { maxBytes: 256 * 1024, maxLines: 10_000 };

/** The longest line a streamed command (`ip monitor`) may send before the stream is stopped. */
export const MAX_STREAM_LINE_BYTES = 64 * 1024;

/** Newlines in `buf`, counting no further than `stopAfter`. */
export function countLines(buf: Buffer, stopAfter = Infinity): number {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1 && n <= stopAfter; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/** The refusal of a file of `size` bytes (a number, or words such as "more than N") over `maxBytes`. */
export function fileOverByteLimit(path: string, size: number | string, maxBytes: number): FileRead {
  return { ok: false, path, reason: 'too-large', message: `${path} is ${size} bytes, over the ${maxBytes}-byte limit` };
}

/** The refusal of a file that holds more lines than `maxLines`, or undefined when it is within. */
export function fileOverLineLimit(
  path: string,
  content: Buffer,
  maxLines = DEFAULT_MAX_FILE_LINES,
): FileRead | undefined {
  if (countLines(content, maxLines) <= maxLines) return undefined;
  return {
    ok: false,
    path,
    reason: 'too-large',
    message: `${path} has more than ${maxLines} lines, over the ${maxLines}-line limit`,
  };
}

/** What is read of one output stream: chunks up to the limits; `over` says why reading stopped. */
export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private lines = 0;
  over: string | undefined;

  constructor(private readonly limits: OutputLimits) {}

  /** Keeps what fits; false once the stream went past a limit (the rest is dropped). */
  push(chunk: Buffer): boolean {
    if (this.over !== undefined) return false;
    let take = chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
      if (++this.lines > this.limits.maxLines) {
        take = i;
        this.over = `more than ${this.limits.maxLines} lines`;
        break;
      }
    }
    if (this.bytes + take > this.limits.maxBytes) {
      take = this.limits.maxBytes - this.bytes;
      this.over = `more than ${this.limits.maxBytes} bytes`;
    }
    if (take > 0) this.chunks.push(take === chunk.length ? chunk : chunk.subarray(0, take));
    this.bytes += take;
    return this.over === undefined;
  }

  get content(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Why a command's output was cut, for its result's `error` and the finding that quotes it. */
export function outputOverLimit(stream: 'stdout' | 'stderr', over: string): string {
  return `its ${stream} went on past the limit (${over}); hagrade stopped reading and did not judge it`;
}
