// The terminal report: grouped by area, each failure with where, the offending line and a hint.
import { Chalk, type ChalkInstance } from 'chalk';
import { fill } from '../i18n/messages.js';
import type { Area, Lang, Status } from '../model/basics.js';
import type { CheckResult, Finding, RunResult } from '../model/check.js';
import { safeResult } from './safe-text.js';
import { AREA_TITLES, STATUS_WORDS, UI, explainLine, t } from './ui-text.js';
import { timelineStrips } from './timeline-strip.js';
import type { FailoverTimeline } from '../model/check.js';

export interface PrettyOptions {
  color: boolean;
  /** Show passing checks' notes and every skip reason (default true). */
  verbose?: boolean;
}

const ICONS: Record<Status, string> = { pass: '✔', fail: '✘', error: '!', skip: '-' };

function paint(c: ChalkInstance, status: Status): (s: string) => string {
  return status === 'pass' ? c.green : status === 'fail' ? c.red : status === 'error' ? c.magenta : c.gray;
}

function formatMs(ms: number | undefined): string {
  return ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`;
}

function renderFinding(c: ChalkInstance, f: Finding, lang: Lang): string[] {
  const where = [f.host, f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : undefined].filter(Boolean).join(' ');
  const tag =
    f.kind === 'note' ? c.cyan(`${t(UI.note!, lang)}: `) : f.kind === 'skip' ? c.gray(`${t(UI.skipped!, lang)}: `) : '';
  const lines = [`      ${where ? `${c.bold(where)}  ` : ''}${tag}${f.message}`];
  if (f.excerpt !== undefined) {
    const num = f.line ? String(f.line) : '';
    lines.push(c.gray(`        ${num.padStart(4)} │ `) + f.excerpt.replace(/\t/g, '    '));
  }
  if (f.hint) lines.push(`        ${c.yellow(`→ ${t(UI.hint!, lang)}:`)} ${f.hint}`);
  return lines;
}

/** An unreachable host's reason, said once at the top rather than under each of its ERRORs. */
const UNREACHABLE = 'hostUnreachable';

function renderResult(c: ChalkInstance, r: CheckResult, lang: Lang, verbose: boolean): string[] {
  const color = paint(c, r.status);
  const head = `  ${color(ICONS[r.status])} ${c.dim(r.id)} ${r.title}`;
  const tail = r.status === 'pass' ? '' : ` ${color(t(STATUS_WORDS[r.status], lang))}`;
  const lines = [head + tail];
  const shown = r.findings.filter((f) => verbose || f.kind === 'fail' || f.kind === 'error');
  for (const f of shown) {
    if (f.messageId === UNREACHABLE) lines.push(`      ${c.bold(f.host ?? '')}  ${t(UI.unreachableSeeAbove!, lang)}`);
    else lines.push(...renderFinding(c, f, lang));
  }
  if (r.status === 'fail') lines.push(`      ${c.dim(explainLine(r.id, lang))}`);
  return lines;
}

function renderUnreachable(c: ChalkInstance, result: RunResult, lang: Lang): string[] {
  const once = new Map<string, Finding>();
  for (const f of result.results.flatMap((r) => r.findings)) {
    if (f.messageId === UNREACHABLE && f.host && !once.has(f.host)) once.set(f.host, f);
  }
  return [...once.values()].map(
    (f) => c.magenta(`  ${ICONS.error} `) + fill(t(UI.unreachableOnce!, lang), { host: f.host!, reason: f.message }),
  );
}

/** The VIP and the clients side by side, one line each, on one time axis; then the service's figures. */
function renderTimeline(c: ChalkInstance, fo: FailoverTimeline, lang: Lang): string[] {
  const strips = timelineStrips(fo);
  const marks = Array.from({ length: strips.vip.length }, (_, i) =>
    i === strips.stopColumn ? '^' : i === strips.startColumn ? 'v' : ' ',
  ).join('');
  const lines = [`  ${' '.repeat(7)} ${c.gray(marks.trimEnd())}`, `  ${t(UI.vipLine!, lang)} ${strips.vip}`];
  const service = fo.service;
  if (!service) return lines;
  if (strips.service !== undefined)
    lines.push(`  ${t(UI.serviceLine!, lang)} ${strips.service.replace(/x/g, c.red('x'))}`);
  lines.push(c.gray(`  ${fill(t(UI.stripKey!, lang), { seconds: (strips.endMs / 1000).toFixed(1) })}`));
  if (service.notRun) {
    const reason =
      service.notRun.reason === 'disabled'
        ? t(UI.notRunDisabled!, lang)
        : service.notRun.reason === 'unreachable'
          ? fill(t(UI.notRunUnreachable!, lang), { detail: service.notRun.detail ?? '' })
          : t(UI.notRunNoClient!, lang);
    lines.push(`  ${fill(t(UI.serviceNotRun!, lang), { target: service.target, reason })}`);
    return lines;
  }
  const sec = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(1);
  lines.push(
    `  ${fill(t(UI.serviceFigures!, lang), { target: service.target, failed: service.failed, sent: service.sent, failoverDown: sec(service.failoverDowntimeMs), failbackDown: sec(service.failbackDowntimeMs) })}`,
  );
  if (service.diagnosis) lines.push(`  ${c.yellow(t(UI.vrrpIgnored!, lang))}`);
  return lines;
}

export function renderPretty(input: RunResult, opts: PrettyOptions): string {
  const result = safeResult(input);
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const lang = result.lang;
  const verbose = opts.verbose ?? true;
  const target = result.target;
  const out: string[] = [];
  const who = target.student ? `${target.student}: ` : '';
  out.push(
    c.bold(`hagrade ${result.tool.version}`) +
      ` — ${who}master ${target.master.address}, backup ${target.backup.address}` +
      (target.vip ? `, ${t(UI.vip!, lang)} ${target.vip}` : ''),
  );
  const unreachable = renderUnreachable(c, result, lang);
  if (unreachable.length) out.push('', ...unreachable);
  const areas = [...new Set(result.results.map((r) => r.area))] as Area[];
  for (const area of areas) {
    out.push('', c.bold.underline(t(AREA_TITLES[area], lang)));
    for (const r of result.results.filter((x) => x.area === area)) out.push(...renderResult(c, r, lang, verbose));
  }
  if (result.failover) {
    out.push(
      '',
      c.bold(
        fill(t(UI.failoverTimes!, lang), {
          failover: formatMs(result.failover.failoverMs),
          failback: formatMs(result.failover.failbackMs),
        }),
      ),
    );
    out.push(...renderTimeline(c, result.failover, lang));
  }
  const s = result.summary;
  out.push('', c.bold(fill(t(UI.summary!, lang), { ...s })));
  const verdict =
    s.fail > 0
      ? c.red(t(UI.verdictFail!, lang))
      : s.error > 0
        ? c.magenta(t(UI.verdictError!, lang))
        : c.green(t(UI.verdictPass!, lang));
  out.push(verdict);
  return `${out.join('\n')}\n`;
}
