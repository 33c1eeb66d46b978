// The status line of `hagrade check` in terminals of any size, and when the size changes mid-run (issue 15).
import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import { createBatchDisplay } from '../../src/batch/display.js';
import { createProgress } from '../../src/report/progress.js';
import { clipToWidth, drawArea } from '../../src/report/terminal.js';

class FakeTty extends EventEmitter {
  readonly isTTY = true;
  written = '';
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write(s: string): boolean {
    this.written += s;
    return true;
  }
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
  take(): string {
    const w = this.written;
    this.written = '';
    return w;
  }
}

const CURSOR_UP = /\x1b\[\d*[AF]/;

function progressOn(tty: FakeTty) {
  return createProgress({ interactive: true, quiet: false, lang: 'en', stream: tty as unknown as NodeJS.WriteStream });
}

describe('progress in terminals of any size', () => {
  it('draws one line cut to the width, with \\r and erase, never moving the cursor up', () => {
    const tty = new FakeTty(20, 5);
    const p = progressOn(tty);
    p.note('connecting to master (student@a-rather-long-host-name.example.org)');
    const out = tty.take();
    expect(out.startsWith('\r\x1b[K')).to.equal(true);
    const shown = out.slice('\r\x1b[K'.length);
    expect([...shown].length).to.equal(19);
    expect(shown.endsWith('…')).to.equal(true);
    expect(out).to.not.match(CURSOR_UP);
    p.stop();
    expect(tty.take()).to.equal('\r\x1b[K');
  });

  it('writes plain lines, no escape at all, when the terminal reports 0×0 or 1 column', () => {
    for (const [columns, rows] of [
      [0, 0],
      [1, 1],
      [19, 40],
    ] as const) {
      const tty = new FakeTty(columns, rows);
      const p = progressOn(tty);
      p.note('connecting to master');
      p.note('connecting to master');
      p.note('connecting to backup');
      p.stop();
      expect(tty.take(), `${columns}×${rows}`).to.equal('connecting to master\nconnecting to backup\n');
    }
  });

  it('gives the line up when the terminal shrinks to nothing mid-run, and draws again when it grows back', () => {
    const tty = new FakeTty(80, 24);
    const p = progressOn(tty);
    p.note('step one');
    expect(tty.take()).to.match(/^\r\x1b\[K. step one$/);
    tty.resize(0, 0);
    expect(tty.take()).to.equal('\r\x1b[K');
    p.note('step two');
    expect(tty.take()).to.equal('step two\n');
    tty.resize(30, 10);
    expect(tty.take()).to.match(/^\r\x1b\[K. step two$/);
    p.stop();
  });

  it('shows host text in progress visibly', () => {
    const tty = new FakeTty(0, 0);
    const p = progressOn(tty);
    p.note('connecting to ma\x1b]0;x\x07ster\u202e');
    p.stop();
    expect(tty.take()).to.equal('connecting to ma\\x1b]0;x\\x07ster\\u202e\n');
  });

  it('drawArea and clipToWidth: sizes that cannot draw, and wide characters', () => {
    expect(drawArea({ columns: 0, rows: 0 })).to.equal(undefined);
    expect(drawArea({ columns: 80, rows: undefined as unknown as number })).to.equal(undefined);
    expect(drawArea({ columns: 20, rows: 5 })).to.deep.equal({ columns: 20, rows: 5 });
    expect(drawArea({ columns: 80, rows: 2 }, 3)).to.equal(undefined);
    expect(clipToWidth('abcdef', 6)).to.equal('abcdef');
    expect(clipToWidth('abcdefg', 6)).to.equal('abcde…');
    expect(clipToWidth('中文中文', 5)).to.equal('中文…');
    expect(clipToWidth('abc', 0)).to.equal('');
  });

  it('the batch block never has more lines than the terminal has rows, nor lines wider than it; 0×0 gets plain lines', () => {
    for (const [columns, rows] of [
      [20, 5],
      [0, 0],
    ] as const) {
      const tty = new FakeTty(columns, rows);
      const display = createBatchDisplay({
        interactive: true,
        lang: 'en',
        stream: tty as unknown as NodeJS.WriteStream,
      });
      display.onEvent({ type: 'planned', total: 16, toGrade: 16, stored: 0, concurrency: 16 });
      for (let i = 0; i < 16; i++) display.onEvent({ type: 'start', student: `student-with-a-long-name-${i}` });
      display.stop();
      const last = tty.written.split('\x1b[J').pop()!;
      if (columns === 0) {
        expect(tty.written).to.not.contain('\x1b');
        expect(tty.written.split('\n').filter(Boolean)).to.have.length(17);
      } else {
        const lines = last.split('\n').filter(Boolean);
        expect(lines.length).to.be.at.most(rows - 1);
        for (const line of lines) expect([...line].length).to.be.at.most(columns - 1);
        expect(lines.at(-2)).to.match(/^ {2}… \+\d+$/);
      }
    }
  });
});
