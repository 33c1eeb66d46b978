// Messages the engine itself reports (a check that crashed, one not run): in both languages.
import type { Text } from '../model/basics.js';

export const ENGINE_MESSAGES = {
  hostUnreachable: {
    en: 'cannot reach {host}: {reason}',
    ru: 'нет связи с {host}: {reason}',
  },
  crashed: {
    en: 'the check itself failed ({error}); this is a grader error, not your mistake',
    ru: 'ошибка внутри самой проверки ({error}); это ошибка грейдера, а не ваша',
  },
  noLiveAccess: {
    en: 'needs a live host (SSH) or captured command outputs in the snapshot',
    ru: 'нужен доступ к живой машине (SSH) или сохранённые выводы команд в снимке',
  },
  notRequested: {
    en: 'the failover probe was not requested (--no-failover)',
    ru: 'проверка переключения не запрашивалась (--no-failover)',
  },
  interrupted: {
    en: 'not run: the grading was interrupted',
    ru: 'не выполнено: проверка прервана',
  },
  noSnapshotProbe: {
    en: 'the failover probe needs live hosts; a snapshot cannot be probed',
    ru: 'проверка переключения требует живых машин; снимок проверить так нельзя',
  },
} satisfies Record<string, Text>;

/** Ids the engine renders itself; a check may report them too (e.g. `interrupted`). */
export type EngineMessageId = keyof typeof ENGINE_MESSAGES;
