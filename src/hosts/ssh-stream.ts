// A stream's lines: what arrives on a pseudo-terminal channel, cut into lines for the caller until
// it stops the stream, the command ends, a line grows without end, or the connection drops.
import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import type { StreamHandle } from './host.js';
import { MAX_STREAM_LINE_BYTES } from './limits.js';

/**
 * Hand each line of `channel` to `onLine` (if it throws, the stream stops). `release` frees the
 * channel's slot once it has closed; `pending` is the connection's set of things to end when it drops.
 */
export function streamLines(
  channel: ClientChannel,
  release: () => void,
  pending: Set<(reason: string) => void>,
  onLine: (line: string) => void,
): StreamHandle {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    channel.close();
  };
  const emit = (text: string): void => {
    if (stopped) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    // A line without end is no line: the stream stops rather than hold it (its user falls back to polling).
    if (partial.length > MAX_STREAM_LINE_BYTES) {
      partial = '';
      stop();
      return;
    }
    for (const l of lines) {
      if (stopped) return;
      try {
        onLine(l.replace(/\r$/, ''));
      } catch {
        stop();
      }
    }
  };
  channel.on('data', (d: Buffer) => emit(decoder.write(d)));
  const closed = new Promise<void>((resolve) => {
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      pending.delete(end);
      const rest = partial + decoder.end();
      partial = '';
      if (rest) emit(`${rest}\n`);
      stopped = true;
      release();
      resolve();
    };
    channel.on('close', end);
    channel.on('error', end);
    pending.add(end); // a lost connection ends the stream too
  });
  return {
    stop: async () => {
      stop();
      // unref: a stream that closed in time must not keep the process alive for the rest of the wait.
      await Promise.race([closed, new Promise((r) => setTimeout(r, 3000).unref())]);
    },
  };
}
