// Words of the reports themselves (headings, labels), in both languages.
import { fill } from '../i18n/messages.js';
import { AREA_ORDER, type Area, type Lang, type Status, type Text } from '../model/basics.js';

export const AREA_TITLES: Record<Area, Text> = {
  certificate: { en: 'Certificate', ru: 'Сертификат' },
  haproxy: { en: 'HAProxy configuration', ru: 'Конфигурация haproxy' },
  keepalived: { en: 'keepalived configuration', ru: 'Конфигурация keepalived' },
  system: { en: 'System settings', ru: 'Системные настройки' },
  live: { en: 'Live state', ru: 'Состояние машин' },
  failover: { en: 'Failover probe', ru: 'Проверка переключения' },
};

/**
 * Area order (AREA_ORDER), then id: how the class report, summary.csv and the gradebook list checks,
 * so each area is one block (the catalogue runs static → live → disruptive, which splits some
 * areas). An area this version does not know (a newer tool's report) comes last.
 */
export function byAreaThenId(a: { area: Area; id: string }, b: { area: Area; id: string }): number {
  const rank = (area: Area) => {
    const i = AREA_ORDER.indexOf(area);
    return i < 0 ? AREA_ORDER.length : i;
  };
  return rank(a.area) - rank(b.area) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export const STATUS_WORDS: Record<Status, Text> = {
  pass: { en: 'PASSED', ru: 'PASSED' },
  fail: { en: 'FAILED', ru: 'FAILED' },
  error: { en: 'ERROR', ru: 'ОШИБКА' },
  skip: { en: 'SKIPPED', ru: 'ПРОПУЩЕНО' },
};

export const UI: Record<string, Text> = {
  hint: { en: 'fix', ru: 'как исправить' },
  note: { en: 'note', ru: 'примечание' },
  skipped: { en: 'skipped', ru: 'пропущено' },
  grading: { en: 'Grading', ru: 'Проверка' },
  vip: { en: 'VIP', ru: 'виртуальный IP' },
  unreachableOnce: {
    en: 'every check that needs {host} is an ERROR: {reason}',
    ru: 'все проверки, которым нужен {host}, — ошибка: {reason}',
  },
  unreachableSeeAbove: { en: 'unreachable (see above)', ru: 'недоступен (см. выше)' },
  summary: {
    en: '{pass} passed, {fail} failed, {error} errors, {skip} skipped; score {score}/{maxScore}',
    ru: 'успешно: {pass}, не пройдено: {fail}, ошибок: {error}, пропущено: {skip}; баллы {score}/{maxScore}',
  },
  verdictPass: { en: 'All checks passed.', ru: 'Все проверки пройдены.' },
  verdictFail: {
    en: 'Some checks failed: fix them and run hagrade again.',
    ru: 'Есть непройденные проверки: исправьте и запустите hagrade снова.',
  },
  verdictError: {
    en: 'hagrade could not decide some checks (ERROR): see the reasons above; this is not a failed check.',
    ru: 'hagrade не смог выполнить часть проверок (ОШИБКА): причины выше; это не проваленная проверка.',
  },
  failoverTimes: { en: 'failover {failover}, failback {failback}', ru: 'переключение {failover}, возврат {failback}' },
  evidence: { en: 'ran', ru: 'команда' },
  vipLine: { en: 'VIP    ', ru: 'IP     ' },
  serviceLine: { en: 'clients', ru: 'клиенты' },
  stripKey: {
    en: 'M/B: VIP on master/backup; m/b: answered by master/backup, +: by an unknown host, x: failed; ^ haproxy stopped, v started; {seconds} s',
    ru: 'M/B: IP на master/backup; m/b: ответил master/backup, +: неизвестная машина, x: нет ответа; ^ haproxy остановлен, v запущен; {seconds} с',
  },
  serviceFigures: {
    en: 'clients through {target}: {failed} of {sent} requests failed; down {failoverDown} s during failover, {failbackDown} s during failback',
    ru: 'клиенты через {target}: не получили ответа {failed} из {sent} запросов; простой {failoverDown} с при переключении, {failbackDown} с при возврате',
  },
  serviceNotRun: {
    en: 'clients through {target}: not observed ({reason})',
    ru: 'клиенты через {target}: не проверялись ({reason})',
  },
  notRunDisabled: { en: 'clientRate: 0 in the lab profile', ru: 'clientRate: 0 в профиле лаборатории' },
  notRunUnreachable: { en: 'not reachable from here: {detail}', ru: 'недоступен отсюда: {detail}' },
  notRunNoClient: { en: 'no client in this run', ru: 'в этом запуске нет клиента' },
  explainMore: { en: 'more: {command}', ru: 'подробнее: {command}' },
  vrrpIgnored: {
    en: 'the VIP moved, but clients were not served by backup: this network does not follow VRRP (see FOV004)',
    ru: 'виртуальный IP перешёл, но backup клиентам не отвечал: эта сеть не следует VRRP (см. FOV004)',
  },
};

export function t(text: Text, lang: Lang): string {
  return text[lang] || text.en;
}

/**
 * Under a failed check: the command that prints its doc (what it asserts, a failing and a passing example, the fix),
 * in the report's language. Not under an ERROR: that is the grader unable to decide, which the rule's doc does not
 * explain; the finding itself says why.
 */
export function explainLine(id: string, lang: Lang): string {
  return fill(t(UI.explainMore!, lang), { command: `hagrade explain ${id}${lang === 'en' ? '' : ` --lang ${lang}`}` });
}
