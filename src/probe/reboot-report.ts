// Shared reporting of the reboot probe for RBT001–RBT005: why it did not run, and a master that
// did not come back (an ERROR that says what to do; nothing else was touched).
import { KEEPALIVED_LOG_MESSAGES, logEvidence, quoteFindings } from '../facts/keepalived-log.js';
import type { CheckContext, MessageIds } from '../model/check.js';
import type { Role, Text } from '../model/basics.js';
import type { RebootOutcome, RebootRefusal } from './reboot.js';

export const REBOOT_MESSAGES = {
  ...KEEPALIVED_LOG_MESSAGES,
  noVip: {
    en: 'the reboot probe needs the VIP: pass --vip ADDRESS (or give master by its IP address)',
    ru: 'для проверки перезагрузкой нужен виртуальный IP: укажите --vip АДРЕС (или адрес master в виде IP)',
  },
  cannotReconnect: {
    en: 'this kind of host cannot be reconnected to after a reboot, so nothing was rebooted',
    ru: 'к такой машине нельзя переподключиться после перезагрузки, поэтому ничего не перезагружалось',
  },
  cannotObserve: {
    en: "could not read 'ip -4 addr' on both hosts, so nothing was rebooted",
    ru: "не удалось прочитать 'ip -4 addr' на обеих машинах, поэтому ничего не перезагружалось",
  },
  servicesNotActive: {
    en: 'before the reboot haproxy and keepalived must run on both hosts, but not: {what}; nothing was rebooted',
    ru: 'до перезагрузки haproxy и keepalived должны работать на обеих машинах, а не работают: {what}; ничего не перезагружалось',
  },
  vipNotOnMasterOnly: {
    en: 'before the reboot the VIP must be on master only, but it is held by {holders}; nothing was rebooted',
    ru: 'до перезагрузки виртуальный IP должен быть только на master, а он на: {holders}; ничего не перезагружалось',
  },
  noBootId: {
    en: "could not read master's boot id (/proc/sys/kernel/random/boot_id), so a reboot could not be told apart from a dropped connection; nothing was rebooted",
    ru: 'не удалось прочитать идентификатор загрузки master (/proc/sys/kernel/random/boot_id), поэтому перезагрузку нельзя отличить от обрыва связи; ничего не перезагружалось',
  },
  interrupted: {
    en: 'the reboot probe was interrupted',
    ru: 'проверка перезагрузкой прервана',
  },
  notReached: {
    en: 'not judged: the reboot probe did not get this far',
    ru: 'не оценивалось: проверка перезагрузкой до этого не дошла',
  },
  rebootFailed: {
    en: 'master could not be rebooted ({reason}); nothing else was touched',
    ru: 'перезагрузить master не удалось ({reason}); больше ничего не трогали',
  },
  notDown: {
    en: 'master was asked to reboot but still ran the same boot {seconds} s later; nothing else was touched. Look at `systemctl list-jobs` on master: a stop job may hold the shutdown',
    ru: 'master получил команду перезагрузки, но и через {seconds} с работала та же загрузка; больше ничего не трогали. Посмотрите `systemctl list-jobs` на master: остановку может держать какая-то служба',
  },
  masterNotBack: {
    en: "master did not answer SSH again within {seconds} s of its reboot (last attempt: {reason}). hagrade touched nothing else. Open master's console in your cloud's panel: start the VM if it is stopped, or see where its boot hangs; then run hagrade again",
    ru: 'master не ответил по SSH в течение {seconds} с после перезагрузки (последняя попытка: {reason}). Больше hagrade ничего не трогал. Откройте консоль master в панели облака: запустите ВМ, если она остановлена, или посмотрите, где зависла загрузка; затем запустите hagrade снова',
  },
  notRebooted: {
    en: 'the connection to master dropped, but it answered with the same boot id: it did not reboot; nothing else was touched',
    ru: 'соединение с master обрывалось, но он ответил с тем же идентификатором загрузки: перезагрузки не было; больше ничего не трогали',
  },
} satisfies Record<string, Text>;

export type RebootId = MessageIds<typeof REBOOT_MESSAGES>;
type KeepalivedLogId = MessageIds<typeof KEEPALIVED_LOG_MESSAGES>;

/** A probe that did not run: a skip that says why. True when it did not run. */
export function reportRebootPrecheck(ctx: CheckContext<RebootRefusal>, outcome: RebootOutcome): boolean {
  if (outcome.precheck.ok) return false;
  ctx.report({ kind: 'skip', messageId: outcome.precheck.messageId, data: outcome.precheck.data });
  return true;
}

/** master did not reboot or did not come back: an ERROR for the checks that need it back. True then. */
export function reportNotBack(
  ctx: CheckContext<'notReached' | 'interrupted' | 'masterNotBack' | 'rebootFailed' | 'notDown' | 'notRebooted'>,
  outcome: RebootOutcome,
): boolean {
  const back = outcome.back;
  if (!back) {
    ctx.report({ kind: 'skip', messageId: 'notReached' });
    return true;
  }
  if (back.ok) return false;
  if (back.messageId === 'interrupted') ctx.report({ kind: 'skip', messageId: 'interrupted' });
  else
    ctx.report({
      kind: 'error',
      host: 'master',
      messageId: back.messageId === 'notBack' ? 'masterNotBack' : back.messageId,
      data: back.data,
    });
  return true;
}

/** keepalived's lines of the reboot, as evidence and (for a failure) quoted. */
export function reportRebootLogs(
  ctx: CheckContext<KeepalivedLogId>,
  outcome: RebootOutcome,
  what: { evidence: boolean; quote: boolean },
): void {
  for (const role of ['master', 'backup'] as Role[]) {
    const log = outcome.logs?.[role];
    if (!log) continue;
    if (what.evidence) logEvidence(ctx, role, log, "keepalived's log from the reboot to the end of the probe");
    if (what.quote) for (const f of quoteFindings(role, log)) ctx.report(f);
  }
}
