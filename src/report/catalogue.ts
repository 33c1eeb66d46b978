// Rendering the catalogue: `hagrade checks`, `hagrade explain ID`, and the README's check table.
import type { Check } from '../model/check.js';
import type { Lang } from '../model/basics.js';
import { pick } from '../i18n/messages.js';
import { safeText } from './safe-text.js';

export interface CatalogueEntry {
  id: string;
  title: string;
  area: string;
  mode: string;
  points: number;
  severity: string;
  spec: string;
  asserts: string;
}

export function catalogueEntries(checks: Check[], lang: Lang): CatalogueEntry[] {
  return checks.map((c) => ({
    id: c.id,
    title: pick(c.title, lang)!,
    area: c.area,
    mode: c.alsoLive ? `${c.mode}+live` : c.mode,
    points: c.points,
    severity: c.severity,
    spec: c.spec,
    asserts: pick(c.asserts, lang)!,
  }));
}

export function catalogueText(checks: Check[], lang: Lang): string {
  return safeText(
    `${catalogueEntries(checks, lang)
      .map((e) => `${e.id}  ${e.mode.padEnd(11)} ${String(e.points).padStart(2)} pt  ${e.title}`)
      .join('\n')}\n`,
  );
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The README table; a test keeps README.md in step with it. */
export function catalogueMarkdown(checks: Check[]): string {
  const rows = catalogueEntries(checks, 'en').map(
    (e) => `| ${e.id} | ${e.mode} | ${e.points} | ${cell(e.title)} | ${cell(e.asserts)} | ${cell(e.spec)} |`,
  );
  return `${['| id | mode | points | check | asserts | LAB-SPEC |', '|---|---|---|---|---|---|', ...rows].join('\n')}\n`;
}

const HEADINGS = {
  asserts: { en: 'What it asserts', ru: 'Что проверяется' },
  spec: { en: 'Assignment', ru: 'Задание' },
  why: { en: 'Why', ru: 'Почему' },
  failing: { en: 'Failing example', ru: 'Пример с ошибкой' },
  passing: { en: 'Passing example', ru: 'Правильный пример' },
  backup: { en: 'on backup', ru: 'на backup' },
  fix: { en: 'How to fix', ru: 'Как исправить' },
} as const;

function indent(text: string): string {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

/**
 * For the terminal: the docs are ours, but their examples are configuration text, printed through safeText all the
 * same.
 */
export function explainText(check: Check, lang: Lang): string {
  const h = (k: keyof typeof HEADINGS) => HEADINGS[k][lang];
  const example = (ex: Check['doc']['failing']) =>
    `  (${ex.file})\n${indent(ex.text)}` +
    (ex.backup !== undefined ? `\n  (${ex.file}, ${h('backup')})\n${indent(ex.backup)}` : '');
  return safeText(
    `${[
      `${check.id} — ${pick(check.title, lang)}`,
      `${check.area}, ${check.mode}${check.alsoLive ? '+live' : ''}, ${check.points} pt, ${check.severity}`,
      '',
      `${h('asserts')}:`,
      `  ${pick(check.asserts, lang)}`,
      `${h('spec')}: ${check.spec}`,
      '',
      `${h('why')}:`,
      `  ${pick(check.doc.rationale, lang)}`,
      '',
      `${h('failing')}:`,
      example(check.doc.failing),
      '',
      `${h('passing')}:`,
      example(check.doc.passing),
      '',
      `${h('fix')}:`,
      `  ${pick(check.doc.fix, lang)}`,
    ].join('\n')}\n`,
  );
}
