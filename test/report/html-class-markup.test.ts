// The HTML class report as written, checked in Node: escaping, the columns, what the page may load,
// its strings in both languages and its size for a large class.
import { expect } from 'chai';
import { CLASS_UI } from '../../src/report/html-class-text.js';
import { classColumns, escapeHtml, renderClassReport, scriptSafeJson } from '../../src/report/html-class.js';
import type { RunResult } from '../../src/model/check.js';
import { areaOrdered, HOSTILE_NAME, resultOf, useGradedClass } from './html-class-fixtures.js';

describe('HTML class report', () => {
  const cls = useGradedClass();

  describe('the page as written', () => {
    it('escapes HTML text and attribute values', () => {
      expect(escapeHtml(`<a href="x">'&'</a>`)).to.equal('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    });

    it('embeds JSON that cannot close its script element and parses back to the same value', () => {
      const value = { name: '</script><script>alert(1)</script><!--', line: 'a\u2028b' };
      const json = scriptSafeJson(value);
      expect(json).not.to.include('<');
      expect(JSON.parse(json)).to.deep.equal(value);
    });

    it('has every check of every run as a column, grouped by area then by id, even when runs differ', () => {
      const full = resultOf(cls.students, 'Alice Ivanova');
      const partial: RunResult = { ...full, results: full.results.filter((_, i) => i % 2 === 1) };
      const columns = classColumns([
        { student: 'p', result: partial },
        { student: 'f', result: full },
      ]);
      expect(columns.map((c) => c.id)).to.deep.equal(areaOrdered(cls.checks, new Set(full.results.map((r) => r.id))));
      // The catalogue's own order (static → live → disruptive) would split areas: the columns must not.
      expect(full.results.map((r) => r.id)).not.to.deep.equal(columns.map((c) => c.id));
    });

    it('loads nothing from outside: inline CSS and JS only, locked by a Content-Security-Policy', () => {
      const html = renderClassReport({
        generatedAt: 'now',
        lang: 'en',
        students: cls.students.filter((s) => s.student !== HOSTILE_NAME),
      });
      expect(html).not.to.match(/<link\b|<img\b|<iframe\b|\bsrc=|\burl\(|@import/i);
      expect(html).to.match(
        /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[^']+'; script-src 'sha256-[^']+'/,
      );
      expect(html.match(/<script\b/g)).to.have.length(2);
    });

    it('shows hostile names and messages only in escaped form', () => {
      expect(cls.html).not.to.include(`<script>window.__pwned`);
      expect(cls.html).not.to.include(`<img src=x`);
      expect(cls.html).to.include(escapeHtml(HOSTILE_NAME));
    });

    it('has every page string in English and Russian', () => {
      for (const [key, text] of Object.entries(CLASS_UI)) {
        expect(text.en.trim(), `${key}.en`).not.to.equal('');
        expect(text.ru.trim(), `${key}.ru`).not.to.equal('');
      }
    });

    it('stays small for a class of 300', () => {
      const big = Array.from({ length: 300 }, (_, i) => ({
        ...cls.students[i % cls.students.length]!,
        student: `student ${i}`,
      }));
      const size = Buffer.byteLength(renderClassReport({ generatedAt: 'now', lang: 'en', students: big }));
      expect(size).to.be.below(1_500_000);
    });
  });
});
