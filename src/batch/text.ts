// Words of `hagrade batch` and `hagrade merge` (progress, reasons, feedback), in both languages.
import { fill, pick } from '../i18n/messages.js';
import type { Lang, Text } from '../model/basics.js';

export const BATCH_TEXT = {
  title: { en: 'hagrade: class report', ru: 'hagrade: отчёт по группе' },
  sharedHost: {
    en: '{students} use the same host {host}: they are graded one after another, never at once',
    ru: '{students} используют одну и ту же машину {host}: они проверяются по очереди, не одновременно',
  },
  planned: {
    en: '{toGrade} of {total} students to grade ({stored} already graded), {concurrency} at a time{shard}',
    ru: 'к проверке {toGrade} из {total} студентов (уже проверено: {stored}), одновременно: {concurrency}{shard}',
  },
  shard: { en: ', shard {index}/{count}', ru: ', часть {index}/{count}' },
  otherVersion: {
    en: 'kept results of {students} come from hagrade {versions}, this is {version}: grade into a new --out to use one version for all',
    ru: 'сохранённые результаты {students} получены hagrade {versions}, а это {version}: чтобы проверить всех одной версией, укажите новый --out',
  },
  started: { en: 'started', ru: 'начата проверка' },
  totals: {
    en: 'graded {done}/{total}: {pass} passed, {fail} failed, {error} errors; running {running}',
    ru: 'проверено {done}/{total}: успешно {pass}, не пройдено {fail}, ошибок {error}; идёт проверка {running}',
  },
  stopping: {
    en: 'interrupted: no new students are started, the running ones finish',
    ru: 'прервано: новые студенты не запускаются, текущие проверки завершаются',
  },
  notGraded: { en: 'not graded: {reason}', ru: 'не оценено: {reason}' },
  timedOut: {
    en: 'grading took longer than {seconds} s and was stopped',
    ru: 'проверка заняла больше {seconds} с и была остановлена',
  },
  pending: {
    en: 'the batch stopped before this student; run it again with --resume',
    ru: 'проверка группы остановилась до этого студента; запустите её снова с --resume',
  },
  undecided: { en: 'checks could not be decided: {ids}', ru: 'не удалось выполнить проверки: {ids}' },
  failedChecks: { en: 'failed checks: {ids}', ru: 'не пройдены проверки: {ids}' },
  allPassed: { en: 'all checks passed', ru: 'все проверки пройдены' },
  unreadable: {
    en: '{file} cannot be read ({reason}); the student is graded again',
    ru: 'не удаётся прочитать {file} ({reason}); студент будет проверен заново',
  },
  written: {
    en: 'wrote {dir}: summary.csv, gradebook.csv, class-report.html, batch.json',
    ru: 'записано в {dir}: summary.csv, gradebook.csv, class-report.html, batch.json',
  },
  someErrors: {
    en: '{count} students could not be graded (ERROR or not graded): {students}',
    ru: 'не удалось оценить студентов: {count} ({students})',
  },
} satisfies Record<string, Text>;

export type BatchTextId = keyof typeof BATCH_TEXT;

export function say(id: BatchTextId, lang: Lang, data?: Record<string, string | number>): string {
  return fill(pick(BATCH_TEXT[id], lang)!, data);
}
