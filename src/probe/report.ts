// Shared reporting of the probe's outcome for FOV001–FOV003.
import { hasMessage, type CheckContext, type MessageIds } from '../model/check.js';
import type { Role, Text } from '../model/basics.js';
import type { PhaseOutcome, PrecheckRefusal, ProbeLogs, ProbeOutcome } from './failover.js';
import {
  type KEEPALIVED_LOG_MESSAGES,
  LOG_CAUSE_TEXT,
  failoverCause,
  logEvidence,
  messageOf,
  quoteFindings,
  type KeepalivedLog,
} from '../facts/keepalived-log.js';

/** Why the probe did not run at all (skips) — the same for the three checks. */
export const PRECHECK_MESSAGES = {
  noVip: {
    en: 'the probe needs the VIP: pass --vip ADDRESS (or give master by its IP address)',
    ru: 'для проверки нужен виртуальный IP: укажите --vip АДРЕС (или адрес master в виде IP)',
  },
  cannotObserve: {
    en: "could not read 'ip -4 addr' on both hosts, so nothing was stopped",
    ru: "не удалось прочитать 'ip -4 addr' на обеих машинах, поэтому ничего не останавливалось",
  },
  haproxyNotActive: {
    en: 'haproxy is not active on {hosts} before the probe, so nothing was stopped (start it and run again)',
    ru: 'haproxy не запущен на {hosts} до проверки, поэтому ничего не останавливалось (запустите его и повторите)',
  },
  serviceUnknown: {
    en: "could not read the state of {service} with 'systemctl is-active' on {hosts}, so nothing was stopped",
    ru: "не удалось узнать состояние {service} командой 'systemctl is-active' на {hosts}, поэтому ничего не останавливалось",
  },
  vipNotOnMasterOnly: {
    en: 'before the probe the VIP must be on master only, but it is held by {holders}; nothing was stopped',
    ru: 'до проверки виртуальный IP должен быть только на master, а он на: {holders}; ничего не останавливалось',
  },
  interrupted: {
    en: 'the probe was interrupted; haproxy on master was restored',
    ru: 'проверка прервана; haproxy на master был запущен обратно',
  },
  vipNeverMoved: {
    en: 'not judged: the VIP never reached backup, so it could not come back',
    ru: 'не оценивалось: виртуальный IP не перешёл на backup, поэтому и вернуться не мог',
  },
  probeError: {
    en: 'the probe could not finish: {reason}',
    ru: 'проверка не смогла завершиться: {reason}',
  },
} satisfies Record<string, Text>;

export type PrecheckId = MessageIds<typeof PRECHECK_MESSAGES>;
type KeepalivedLogId = MessageIds<typeof KEEPALIVED_LOG_MESSAGES>;

/** Checks whose failure most often explains a VIP that does not move, most specific first. */
const LIKELY_CAUSES = [
  'KAD008',
  'KAD007',
  'KAD006',
  'KAD004',
  'KAD002',
  'KAD003',
  'KAD005',
  'SYS003',
  'LIV003',
  'SYS002',
];

/** The first failure among the related checks, as `ID: message`, or undefined. */
function likelyCause(ctx: CheckContext): { id: string; text: string } | undefined {
  for (const id of LIKELY_CAUSES) {
    const r = ctx.resultOf(id);
    const f = r?.status === 'fail' ? r.findings.find((x) => x.kind === 'fail') : undefined;
    if (f) return { id, text: `${id}: ${f.message}` };
  }
  return undefined;
}

/** Which of the probe's logs a phase is about. */
export type PhaseLog = 'failover' | 'whole';

function phaseLog(logs: ProbeLogs, which: PhaseLog): KeepalivedLog | undefined {
  return which === 'failover' ? logs.failover : logs.whole;
}

/** Keep the phase's keepalived lines as the check's evidence. */
export function phaseEvidence(ctx: CheckContext, outcome: ProbeOutcome, which: PhaseLog): void {
  for (const role of ['master', 'backup'] as Role[]) {
    const log = outcome.logs && phaseLog(outcome.logs[role], which);
    if (log)
      logEvidence(
        ctx,
        role,
        log,
        which === 'failover'
          ? "keepalived's log while the VIP should move to backup"
          : "keepalived's log during the whole probe",
      );
  }
}

/** Report a probe that did not run (precheck) as a skip; returns true when it did not run. */
export function reportPrecheck(ctx: CheckContext<PrecheckRefusal>, outcome: ProbeOutcome): boolean {
  if (outcome.precheck.ok) return false;
  ctx.report({ kind: 'skip', messageId: outcome.precheck.messageId, data: outcome.precheck.data });
  return true;
}

/**
 * Report one phase: pass note with the time, fail with who held the VIP and the likely cause. A
 * failure quotes keepalived's decisive lines of the phase; for the failover they also confirm the
 * cause the configs suggest, or correct it.
 */
export function reportPhase<Pass extends string, Fail extends string>(
  ctx: CheckContext<NoInfer<Pass | Fail | `${Fail}WithCause`> | KeepalivedLogId | 'probeError' | PrecheckId>,
  phase: PhaseOutcome,
  passId: Pass,
  failId: Fail,
  logs?: { outcome: ProbeOutcome; which: PhaseLog },
): void {
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  switch (phase.status) {
    case 'pass':
      ctx.report({ kind: 'note', messageId: passId, data: { seconds: seconds(phase.ms) } });
      return;
    case 'fail': {
      const named = likelyCause(ctx);
      const probeLogs = logs?.outcome.logs;
      const said =
        probeLogs && logs.which === 'failover' && probeLogs.master.failover && probeLogs.backup.failover
          ? failoverCause(
              { before: probeLogs.master.before.lines, during: probeLogs.master.failover.lines },
              { during: probeLogs.backup.failover.lines },
            )
          : undefined;
      const lang = ctx.options.lang;
      // keepalived's own words decide when they differ from what the configs suggest.
      const cause =
        said && said.checkId !== named?.id ? `${said.checkId}: ${LOG_CAUSE_TEXT[said.messageId][lang]}` : named?.text;
      ctx.report({
        host: 'master',
        messageId: cause ? `${failId}WithCause` : failId,
        data: { seconds: seconds(phase.ms), state: phase.state, cause: cause ?? '' },
      });
      if (said) {
        const line = messageOf(said.line);
        if (!named) ctx.report({ kind: 'note', host: 'master', messageId: 'logShows', data: { cause: line } });
        else if (said.checkId === named.id)
          ctx.report({ kind: 'note', host: 'master', messageId: 'logConfirms', data: { cause: line } });
        else
          ctx.report({
            kind: 'note',
            host: 'master',
            messageId: 'logCorrects',
            data: { cause: line, named: named.id },
          });
      }
      if (probeLogs) {
        for (const role of ['master', 'backup'] as Role[]) {
          const log = phaseLog(probeLogs[role], logs.which);
          if (log) for (const f of quoteFindings(role, log)) ctx.report(f);
        }
      }
      return;
    }
    case 'error':
      ctx.report({ kind: 'error', messageId: 'probeError', data: { reason: phase.reason } });
      return;
    case 'skip':
      ctx.report({
        kind: 'skip',
        messageId: hasMessage(PRECHECK_MESSAGES, phase.reason) ? phase.reason : 'interrupted',
      });
  }
}
