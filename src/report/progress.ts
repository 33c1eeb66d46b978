// Progress while checks run: one status line redrawn in place in a terminal that has room for it,
// plain lines otherwise, nothing when quiet. Every text passes safeLine: check messages quote hosts.
//
// The status line never wraps (it is cut to the width the terminal reports now) and is redrawn only
// with `\r` and erase-to-end-of-line, so it cannot scroll or climb whatever the terminal's size; the
// spinner rewrites only its own character. Where the terminal reports no usable size (0×0 under
// `docker run -t`, 1 column) or stops reporting one mid-run, the line is given up for plain lines.
import { pick } from '../i18n/messages.js';
import type { Lang } from '../model/basics.js';
import type { EngineEvent } from '../model/check.js';
import { safeLine } from './safe-text.js';
import { clipToWidth, drawArea } from './terminal.js';

export interface Progress {
  onEvent(event: EngineEvent): void;
  /** A step outside any check (connecting to a host, …). */
  note(message: string): void;
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 250;
const ERASE_LINE = '\r\x1b[K';

export interface ProgressOptions {
  interactive: boolean;
  quiet: boolean;
  lang: Lang;
  stream?: NodeJS.WriteStream;
}

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  if (opts.quiet) return { onEvent() {}, note() {}, stop() {} };
  const plainLine = (text: string) => stream.write(`${safeLine(text)}\n`);
  if (!opts.interactive) {
    // Only slow (live) checks are announced: static grading takes milliseconds.
    return {
      onEvent(event) {
        if (event.type === 'check-progress') plainLine(`[${event.check.id}] ${event.message}`);
      },
      note: plainLine,
      stop() {},
    };
  }
  return new StatusLine(stream, opts.lang);
}

/** The in-place status line of an interactive run; falls back to plain lines where it cannot draw. */
class StatusLine implements Progress {
  private text: string | undefined;
  private frame = 0;
  private drawn = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly onResize = () => this.draw();

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly lang: Lang,
  ) {
    stream.on?.('resize', this.onResize);
  }

  onEvent(event: EngineEvent): void {
    if (event.type === 'check-start' && event.check.mode !== 'static')
      this.show(`${event.check.id} ${pick(event.check.title, this.lang)}`, false);
    else if (event.type === 'check-progress') this.show(`${event.check.id} ${event.message}`, true);
    else if (event.type === 'check-end') this.hide();
  }

  note(message: string): void {
    this.show(message, true);
  }

  stop(): void {
    this.hide();
    this.stream.off?.('resize', this.onResize);
  }

  /** `announce`: worth a plain line when the terminal cannot draw (as non-interactive runs print it). */
  private show(text: string, announce: boolean): void {
    const safe = safeLine(text);
    if (safe === this.text) return;
    this.text = safe;
    if (drawArea(this.stream)) {
      this.draw();
    } else {
      this.giveUpLine();
      if (announce) this.stream.write(`${safe}\n`);
    }
  }

  private draw(): void {
    const area = drawArea(this.stream);
    if (this.text === undefined) return;
    if (!area) {
      this.giveUpLine();
      return;
    }
    // One column short of the width: a line that fills it exactly wraps the cursor on some terminals.
    this.stream.write(`${ERASE_LINE}${clipToWidth(`${FRAMES[this.frame]} ${this.text}`, area.columns - 1)}`);
    this.drawn = true;
    this.timer ??= setInterval(() => this.tick(), FRAME_MS).unref();
  }

  private tick(): void {
    if (!this.drawn) return;
    if (!drawArea(this.stream)) {
      this.giveUpLine();
      return;
    }
    this.frame = (this.frame + 1) % FRAMES.length;
    this.stream.write(`\r${FRAMES[this.frame]}`);
  }

  /** The terminal cannot draw now: stop the spinner; erase what was drawn (a `\r` works at any width). */
  private giveUpLine(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.drawn) this.stream.write(ERASE_LINE);
    this.drawn = false;
  }

  private hide(): void {
    this.giveUpLine();
    this.text = undefined;
  }
}
