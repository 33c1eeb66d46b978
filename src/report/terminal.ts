// What a terminal can show in place: live progress redraws lines only where the terminal says it
// has room for them. A terminal may report any size (0×0 under `docker run -t` or an unsized pty,
// 1 column, a few rows) and change it mid-run; where lines cannot be drawn, progress is plain lines.

/** Narrower than this, a status line would be mostly cut off: plain lines instead. */
export const MIN_DRAW_COLUMNS = 20;

export interface DrawArea {
  columns: number;
  rows: number;
}

/** The size to draw in, or undefined when the stream is not a terminal that reports a usable one. */
export function drawArea(
  stream: Pick<NodeJS.WriteStream, 'columns' | 'rows'> & { isTTY?: boolean },
  minRows = 1,
): DrawArea | undefined {
  const { columns, rows } = stream;
  if (!Number.isInteger(columns) || !Number.isInteger(rows)) return undefined;
  if (columns < MIN_DRAW_COLUMNS || rows < minRows) return undefined;
  return { columns, rows };
}

/** Columns a code point takes: 0 for combining marks, 2 for wide East Asian and emoji, else 1. */
function charWidth(code: number): number {
  if ((code >= 0x300 && code <= 0x36f) || (code >= 0x200b && code <= 0x200d) || code === 0xfe0f) return 0;
  if (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    code >= 0x1f300
  ) {
    return 2;
  }
  return 1;
}

/** The text cut to at most `width` columns (with `…` when cut). Meant for text already made safe (one line). */
export function clipToWidth(text: string, width: number): string {
  if (width <= 0) return '';
  let used = 0;
  let out = '';
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const w = charWidth(chars[i]!.codePointAt(0)!);
    if (used + w > width || (used + w === width && i < chars.length - 1)) {
      // Room for the ellipsis: drop characters until one column is free.
      while (used + 1 > width && out) {
        const last = [...out].pop()!;
        out = out.slice(0, out.length - last.length);
        used -= charWidth(last.codePointAt(0)!);
      }
      return `${out}…`;
    }
    out += chars[i];
    used += w;
  }
  return out;
}
