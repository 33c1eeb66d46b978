// The class report: one self-contained HTML page with a students × checks matrix, each student's
// findings and failover timeline. The matrix is rendered here (readable without JS, found by
// Ctrl+F); the page's script sorts and filters it and builds the details from the embedded JSON.
import { createHash } from 'node:crypto';
import { fill } from '../i18n/messages.js';
import type { Area, Lang, Role, Status, Text } from '../model/basics.js';
import type { Evidence, FailoverEvent, FailoverTimeline, FindingKind, RunResult } from '../model/check.js';
import { PAGE_CSS, PAGE_SCRIPT } from './html-class-assets.js';
import { CLASS_UI, type ClassUiKey } from './html-class-text.js';
import { safeLine, safeResult, safeText } from './safe-text.js';
import { AREA_TITLES, STATUS_WORDS, UI, byAreaThenId, t } from './ui-text.js';

export interface ClassStudent {
  student: string;
  /** The student's grading; absent when it could not run at all (then `error` says why). */
  result?: RunResult;
  error?: string;
}

export interface ClassReportInput {
  title?: string;
  /** Shown as given (e.g. an ISO timestamp). */
  generatedAt: string;
  lang: Lang;
  students: ClassStudent[];
}

/** A matrix cell: a check's status, or `absent` when that student's run did not include the check. */
export type CellStatus = Status | 'absent';

/** Evidence output is cut to this many characters in the page (the JSON report keeps it whole). */
const EVIDENCE_OUTPUT_CHARS = 4000;

const CELL_SYMBOLS: Record<CellStatus, string> = { pass: '✔', fail: '✘', error: '!', skip: '–', absent: '·' };

interface PageCheck {
  id: string;
  title: string;
  area: Area;
}

interface PageFinding {
  kind: FindingKind;
  host?: Role;
  file?: string;
  line?: number;
  message: string;
  hint?: string;
  excerpt?: string;
}

interface PageProblem {
  id: string;
  title: string;
  status: Status;
  findings: PageFinding[];
  evidence: Evidence[];
}

/**
 * One client request on the picture: when it was sent, and m/b/u (answered by master, backup, unknown) or x (failed).
 */
interface PageRequest {
  at: number;
  s: 'm' | 'b' | 'u' | 'x';
}

/** What clients got through the VIP, for the picture's third lane. */
interface PageService {
  requests: PageRequest[];
  outages: Array<{ from: number; to: number; label: string; open: boolean }>;
  end: number;
  figures: string;
  diagnosis?: string;
}

/** A failover timeline with the times the picture marks, all in ms since the probe started. */
interface PageTimeline {
  events: FailoverEvent[];
  stoppedAt?: number;
  startedAt?: number;
  failoverAt?: number;
  failbackAt?: number;
  deadlineAt?: number;
  failoverLabel: string;
  failbackLabel: string;
  service?: PageService;
  /** Why clients were not observed, when they were not. */
  serviceNotRun?: string;
}

interface PageStudent {
  name: string;
  error?: string;
  target?: string;
  summary?: string;
  problems: PageProblem[];
  timeline?: PageTimeline;
}

/** What the page's script reads from `<script type="application/json" id="class-data">`. */
interface PageData {
  ui: Record<ClassUiKey, string> & Record<CellStatus, string>;
  checks: PageCheck[];
  students: PageStudent[];
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** JSON that is safe inside a `<script>` element: no `<` can end it or open a comment. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * The check columns: every check id any student's run has, grouped by area (one header spans each
 * area) and by id within it, whatever order the runs list them in (the engine's static → live →
 * disruptive order would split an area: SYS002 is live, SYS001 static). A check missing from one
 * run (older tool, no live part) still gets its column from the others.
 */
export function classColumns(students: ClassStudent[]): PageCheck[] {
  const columns = new Map<string, PageCheck>();
  for (const { result } of students) {
    for (const r of result?.results ?? []) {
      if (!columns.has(r.id)) columns.set(r.id, { id: r.id, title: r.title, area: r.area });
    }
  }
  return [...columns.values()].sort(byAreaThenId);
}

/** The status of one check for one student as the matrix shows it. */
export function cellStatus(result: RunResult, checkId: string): CellStatus {
  return result.results.find((r) => r.id === checkId)?.status ?? 'absent';
}

function seconds(ms: number, lang: Lang): string {
  return fill(t(CLASS_UI.seconds, lang), { n: (ms / 1000).toFixed(1) });
}

/** When the probe stopped and started haproxy on master: a phase without its start was never judged. */
function probeMoments(fo: FailoverTimeline): { stoppedAt?: number; startedAt?: number } {
  return {
    stoppedAt: fo.events.find((e) => e.event === 'haproxy-stopped')?.atMs,
    startedAt: fo.events.find((e) => e.event === 'haproxy-started')?.atMs,
  };
}

function pageTimeline(result: RunResult, lang: Lang): PageTimeline | undefined {
  const fo = result.failover;
  if (!fo) return undefined;
  const { stoppedAt, startedAt } = probeMoments(fo);
  const after = (base: number | undefined, ms: number | undefined) =>
    base !== undefined && ms !== undefined ? base + ms : undefined;
  const label = (ms: number | undefined, begun: number | undefined, measured: Text, missed: Text) =>
    ms !== undefined
      ? fill(t(measured, lang), { time: seconds(ms, lang) })
      : begun !== undefined
        ? t(missed, lang)
        : '';
  const service = fo.service;
  const serviceParts: Pick<PageTimeline, 'service' | 'serviceNotRun'> = {};
  if (service?.notRun) {
    const reason =
      service.notRun.reason === 'disabled'
        ? t(CLASS_UI.notRunDisabled, lang)
        : service.notRun.reason === 'unreachable'
          ? fill(t(CLASS_UI.notRunUnreachable, lang), { detail: service.notRun.detail ?? '' })
          : t(CLASS_UI.notRunNoClient, lang);
    serviceParts.serviceNotRun = fill(t(CLASS_UI.serviceNotRun, lang), { target: service.target, reason });
  } else if (service) {
    const end = service.moments?.endAtMs ?? Math.max(0, ...service.samples.map((x) => x.atMs));
    serviceParts.service = {
      requests: service.samples.map((x) => ({
        at: x.atMs,
        s: x.outcome !== 'answered' ? 'x' : x.servedBy === 'master' ? 'm' : x.servedBy === 'backup' ? 'b' : 'u',
      })),
      outages: service.outages.map((o) => ({
        from: o.fromMs,
        to: o.toMs ?? end,
        open: o.toMs === undefined,
        label:
          o.toMs === undefined
            ? t(CLASS_UI.downOpen, lang)
            : fill(t(CLASS_UI.downFor, lang), { time: seconds(o.toMs - o.fromMs, lang) }),
      })),
      end,
      figures: fill(t(CLASS_UI.serviceFigures, lang), {
        target: service.target,
        failed: service.failed,
        sent: service.sent,
        failoverDown: seconds(service.failoverDowntimeMs ?? 0, lang),
        failbackDown: service.failbackDowntimeMs === undefined ? '—' : seconds(service.failbackDowntimeMs, lang),
      }),
      ...(service.diagnosis ? { diagnosis: t(CLASS_UI.vrrpIgnored, lang) } : {}),
    };
  }
  return {
    ...serviceParts,
    events: [...fo.events].sort((a, b) => a.atMs - b.atMs),
    stoppedAt,
    startedAt,
    failoverAt: after(stoppedAt, fo.failoverMs),
    failbackAt: after(startedAt, fo.failbackMs),
    deadlineAt: after(stoppedAt, fo.deadlineMs),
    failoverLabel: label(fo.failoverMs, stoppedAt, CLASS_UI.failoverTime, CLASS_UI.noFailover),
    failbackLabel: label(fo.failbackMs, startedAt, CLASS_UI.failbackTime, CLASS_UI.noFailback),
  };
}

function pageStudent(s: ClassStudent, lang: Lang): PageStudent {
  const { result } = s;
  if (!result) return { name: s.student, error: s.error ?? '', problems: [] };
  const target = result.target;
  const where = fill(t(CLASS_UI.target, lang), { master: target.master.address, backup: target.backup.address });
  const vip = target.vip ? `, ${fill(t(CLASS_UI.vip, lang), { vip: target.vip })}` : '';
  return {
    name: s.student,
    ...(s.error ? { error: s.error } : {}),
    target: where + vip,
    summary: fill(t(UI.summary!, lang), { ...result.summary }),
    problems: result.results
      .filter((r) => r.status !== 'pass')
      .map((r) => ({
        id: r.id,
        title: r.title,
        status: r.status,
        findings: r.findings.map(({ kind, host, file, line, message, hint, excerpt }) => ({
          kind,
          host,
          file,
          line,
          message,
          hint,
          excerpt,
        })),
        evidence: (r.evidence ?? []).map((e) => ({
          ...e,
          output: e.output.length > EVIDENCE_OUTPUT_CHARS ? `${e.output.slice(0, EVIDENCE_OUTPUT_CHARS)}…` : e.output,
        })),
      })),
    timeline: pageTimeline(result, lang),
  };
}

function uiStrings(lang: Lang): PageData['ui'] {
  const ui = Object.fromEntries(Object.entries(CLASS_UI).map(([key, text]) => [key, t(text, lang)])) as Record<
    ClassUiKey,
    string
  >;
  const statuses = Object.fromEntries(
    Object.entries(STATUS_WORDS).map(([status, word]) => [status, t(word, lang)]),
  ) as Record<Status, string>;
  return { ...ui, ...statuses };
}

/** The failover column: "4.1 s / 3.9 s"; ✘ for a phase that began but did not complete, — when it did not begin. */
function failoverCell(result: RunResult | undefined, lang: Lang): { text: string; sortMs: string } {
  const fo = result?.failover;
  if (!fo) return { text: '—', sortMs: '' };
  const { stoppedAt, startedAt } = probeMoments(fo);
  const phase = (ms: number | undefined, begun: number | undefined) =>
    ms !== undefined ? seconds(ms, lang) : begun !== undefined ? '✘' : '—';
  return {
    text: `${phase(fo.failoverMs, stoppedAt)} / ${phase(fo.failbackMs, startedAt)}`,
    sortMs: fo.failoverMs === undefined ? '' : String(fo.failoverMs),
  };
}

/**
 * The downtime column: "4.1 s / 0.0 s" (failover / failback) from the client probe; — when clients were not observed.
 */
function downtimeCell(result: RunResult | undefined, lang: Lang): { text: string; sortMs: string; title: string } {
  const service = result?.failover?.service;
  if (!service || service.notRun) return { text: '—', sortMs: '', title: '' };
  const phase = (ms: number | undefined) => (ms === undefined ? '—' : seconds(ms, lang));
  return {
    text: `${phase(service.failoverDowntimeMs)} / ${phase(service.failbackDowntimeMs)}${service.diagnosis ? ' ⚠' : ''}`,
    sortMs: String((service.failoverDowntimeMs ?? 0) + (service.failbackDowntimeMs ?? 0)),
    title:
      fill(t(CLASS_UI.downtimeTitle, lang), { failed: service.failed, sent: service.sent }) +
      (service.diagnosis ? ` — ${t(CLASS_UI.vrrpIgnored, lang)}` : ''),
  };
}

function headerRows(columns: PageCheck[], students: ClassStudent[], lang: Lang): string {
  const areaGroups: Array<{ area: Area; span: number }> = [];
  for (const c of columns) {
    const last = areaGroups[areaGroups.length - 1];
    if (last && last.area === c.area) last.span += 1;
    else areaGroups.push({ area: c.area, span: 1 });
  }
  const areaRow = areaGroups
    .map((g) => {
      const title = escapeHtml(t(AREA_TITLES[g.area], lang));
      return `<th scope="colgroup" colspan="${g.span}" data-area="${g.area}" title="${title}">${title}</th>`;
    })
    .join('');
  const sortable = (label: string, key: string, extra = '') =>
    `<th scope="col" aria-sort="none"${extra}><button type="button" data-sort="${key}">${label}</button></th>`;
  const checkHeads = columns
    .map((c, j) =>
      sortable(
        escapeHtml(c.id),
        `check:${j}`,
        ` class="check" data-area="${c.area}" title="${escapeHtml(`${c.id} ${c.title}`)}"`,
      ),
    )
    .join('');
  const counts = columns
    .map((c) => {
      const tally: Record<CellStatus, number> = { pass: 0, fail: 0, error: 0, skip: 0, absent: 0 };
      for (const s of students) if (s.result) tally[cellStatus(s.result, c.id)] += 1;
      const title = fill(t(CLASS_UI.countTitle, lang), {
        id: c.id,
        fail: tally.fail,
        error: tally.error,
        skip: tally.skip,
      });
      return `<td class="count${tally.fail ? ' some' : ''}" data-area="${c.area}" title="${escapeHtml(title)}">${tally.fail}</td>`;
    })
    .join('');
  return (
    `<tr class="areas"><td class="corner" colspan="2"></td>${areaRow}<td class="corner"></td><td class="corner"></td></tr>` +
    `<tr class="heads">${sortable(escapeHtml(t(CLASS_UI.student, lang)), 'name', ' class="name-head"')}${sortable(escapeHtml(t(CLASS_UI.score, lang)), 'score')}` +
    `${checkHeads}${sortable(escapeHtml(t(CLASS_UI.failoverColumn, lang)), 'failover', ' class="fo-head"')}` +
    `${sortable(escapeHtml(t(CLASS_UI.downtimeColumn, lang)), 'downtime', ' class="down-head"')}</tr>` +
    `<tr class="counts"><th scope="row" colspan="2">${escapeHtml(t(CLASS_UI.failedCount, lang))}</th>${counts}<td></td><td></td></tr>`
  );
}

function studentRow(s: ClassStudent, index: number, columns: PageCheck[], lang: Lang): string {
  const name = escapeHtml(s.student);
  const nameCell = `<th scope="row"><button type="button" class="open">${name}</button></th>`;
  const fo = failoverCell(s.result, lang);
  const down = downtimeCell(s.result, lang);
  const foCell = `<td class="fo">${escapeHtml(fo.text)}</td><td class="down"${down.title ? ` title="${escapeHtml(down.title)}"` : ''}>${escapeHtml(down.text)}</td>`;
  if (!s.result) {
    const message = escapeHtml(fill(t(CLASS_UI.gradingError, lang), { error: s.error ?? '' }));
    return (
      `<tr class="errored" data-index="${index}" data-score="-1" data-failover="" data-downtime="">${nameCell}` +
      `<td class="score">${escapeHtml(t(STATUS_WORDS.error, lang))}</td>` +
      `<td class="grading-error" colspan="${columns.length}" title="${message}">${message}</td>${foCell}</tr>`
    );
  }
  const { score, maxScore } = s.result.summary;
  const cells = columns
    .map((c) => {
      const status = cellStatus(s.result!, c.id);
      return `<td data-s="${status}">${CELL_SYMBOLS[status]}</td>`;
    })
    .join('');
  return (
    `<tr data-index="${index}" data-score="${score}" data-failover="${fo.sortMs}" data-downtime="${down.sortMs}">${nameCell}` +
    `<td class="score"><span>${score}/${maxScore}</span><meter min="0" max="${maxScore}" value="${score}"></meter></td>${cells}${foCell}</tr>`
  );
}

function controls(columns: PageCheck[], total: number, lang: Lang): string {
  const areas = [...new Set(columns.map((c) => c.area))];
  const option = (value: string, label: string) => `<option value="${value}">${escapeHtml(label)}</option>`;
  return (
    `<div class="controls" role="search">` +
    `<label>${escapeHtml(t(CLASS_UI.findStudent, lang))} <input type="search" id="filter-name" autocomplete="off"></label>` +
    `<label>${escapeHtml(t(CLASS_UI.show, lang))} <select id="filter-show">${option('all', t(CLASS_UI.showAll, lang))}` +
    `${option('failing', t(CLASS_UI.showFailing, lang))}${option('errors', t(CLASS_UI.showErrors, lang))}</select></label>` +
    `<label>${escapeHtml(t(CLASS_UI.area, lang))} <select id="filter-area">${option('', t(CLASS_UI.allAreas, lang))}` +
    `${areas.map((a) => option(a, t(AREA_TITLES[a], lang))).join('')}</select></label>` +
    `<output id="shown" aria-live="polite">${escapeHtml(fill(t(CLASS_UI.shown, lang), { shown: total, total }))}</output></div>`
  );
}

function legend(lang: Lang): string {
  const items = (Object.keys(CELL_SYMBOLS) as CellStatus[])
    .map(
      (s) =>
        `<li><span class="swatch" data-s="${s}">${CELL_SYMBOLS[s]}</span> ${escapeHtml(s === 'absent' ? t(CLASS_UI.absent, lang) : t(STATUS_WORDS[s], lang))}</li>`,
    )
    .join('');
  return `<ul class="legend" aria-label="${escapeHtml(t(CLASS_UI.legend, lang))}">${items}</ul>`;
}

function overview(students: ClassStudent[], lang: Lang): string {
  const graded = students.filter((s) => s.result);
  const failing = graded.filter((s) => s.result!.summary.fail > 0).length;
  const withErrors = students.filter((s) => !s.result || s.result.summary.error > 0).length;
  const passed = graded.filter((s) => s.result!.summary.fail === 0 && s.result!.summary.error === 0).length;
  return fill(t(CLASS_UI.overview, lang), { total: students.length, passed, failing, errors: withErrors });
}

/** A Content-Security-Policy source for exactly this inline text. */
function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** What the page may show: every text from hosts, rosters and reports with control and bidi characters made visible. */
function safeInput(input: ClassReportInput): ClassReportInput {
  return {
    ...input,
    ...(input.title !== undefined ? { title: safeLine(input.title) } : {}),
    generatedAt: safeLine(input.generatedAt),
    students: input.students.map((s) => ({
      student: safeLine(s.student),
      ...(s.result ? { result: safeResult(s.result) } : {}),
      ...(s.error !== undefined ? { error: safeText(s.error) } : {}),
    })),
  };
}

/** The whole page. No network: inline CSS and JS only, and a CSP that lets nothing else load or run. */
export function renderClassReport(raw: ClassReportInput): string {
  const input = safeInput(raw);
  const { lang, students } = input;
  const columns = classColumns(students);
  const title = input.title ?? t(CLASS_UI.defaultTitle, lang);
  const data: PageData = { ui: uiStrings(lang), checks: columns, students: students.map((s) => pageStudent(s, lang)) };
  const csp = `default-src 'none'; style-src ${cspHash(PAGE_CSS)}; script-src ${cspHash(PAGE_SCRIPT)}`;
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>${escapeHtml(title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${escapeHtml(fill(t(CLASS_UI.generated, lang), { at: input.generatedAt }))} · ${escapeHtml(overview(students, lang))}</p>
</header>
${controls(columns, students.length, lang)}
${legend(lang)}
<p class="help">${escapeHtml(t(CLASS_UI.openDetails, lang))}</p>
<div class="matrix-wrap">
<table id="matrix">
<thead>${headerRows(columns, students, lang)}</thead>
<tbody>
${students.map((s, i) => studentRow(s, i, columns, lang)).join('\n')}
</tbody>
</table>
</div>
<dialog id="details" aria-labelledby="details-title">
<div class="dialog-head"><h2 id="details-title"></h2><button type="button" class="close">${escapeHtml(t(CLASS_UI.close, lang))}</button></div>
<div id="details-body"></div>
</dialog>
<script type="application/json" id="class-data">${scriptSafeJson(data)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
