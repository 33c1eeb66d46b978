// KAD001: keepalived.conf exists and keepalived reads it without errors; every problem is reported at
// its line, in the words of `keepalived -t` (unknown keywords, braces, quotes, missing parameters).
import { keepalivedExample } from '../src/facts/keepalived-examples.js';
import { loadKeepalived } from '../src/facts/keepalived.js';
import { formatDiagnostic } from '../src/parsers/keepalived.js';
import { ROLES, type Text } from '../src/model/basics.js';
import { defineCheck, hasMessage } from '../src/model/check.js';

/** Reading problems, one message per parser code: keepalived's wording, and the same in Russian. */
const SYNTAX_MESSAGES = {
  unknownKeyword: {
    en: '{keepalived}: keepalived ignores this line',
    ru: '{keepalived}: keepalived игнорирует эту строку',
  },
  missingParameter: {
    en: '{keepalived}: keepalived refuses to start (a `!` or `#` starts a comment anywhere)',
    ru: '{keepalived}: keepalived не запустится (`!` и `#` начинают комментарий в любом месте строки)',
  },
  unexpectedOpen: {
    en: "{keepalived}: a '{' where no block starts",
    ru: "{keepalived}: '{' там, где блок не начинается",
  },
  missingOpen: { en: "{keepalived}: the block's '{' is missing", ru: "{keepalived}: у блока нет '{'" },
  extraClose: { en: "{keepalived}: a '}' closes nothing", ru: "{keepalived}: '}' ничего не закрывает" },
  missingClose: { en: '{keepalived}: a block is not closed', ru: '{keepalived}: блок не закрыт' },
  unmatchedQuote: { en: '{keepalived}: a double quote is not closed', ru: '{keepalived}: двойная кавычка не закрыта' },
  unterminatedQuote: {
    en: '{keepalived}: a double quote is not closed',
    ru: '{keepalived}: двойная кавычка не закрыта',
  },
  lineTooLong: {
    en: '{keepalived}: lines of 1023 bytes or more are ignored',
    ru: '{keepalived}: строки длиной от 1023 байт игнорируются',
  },
  embeddedNul: {
    en: '{keepalived}: a line with a NUL byte is ignored',
    ru: '{keepalived}: строка с байтом NUL игнорируется',
  },
  includeMissing: { en: '{keepalived}', ru: '{keepalived}: подключаемый файл не найден' },
  blockName: { en: '{keepalived}: the whole block is skipped', ru: '{keepalived}: весь блок пропускается' },
  blockDuplicate: { en: '{keepalived}: the whole block is skipped', ru: '{keepalived}: весь блок пропускается' },
  blockExtraParameters: { en: '{keepalived}', ru: '{keepalived}: лишние слова перед блоком' },
} satisfies Record<string, Text>;
/** Anything else keepalived reports (values it rejects, settings it clears), shown as it says it. */
const OTHER_MESSAGES = {
  otherError: { en: '{keepalived}', ru: '{keepalived} (ошибка чтения конфигурации keepalived)' },
  configNote: { en: 'keepalived will say: {keepalived}', ru: 'keepalived сообщит: {keepalived}' },
} satisfies Record<string, Text>;

const check = defineCheck({
  id: 'KAD001',
  title: { en: 'keepalived.conf parses', ru: 'keepalived.conf читается без ошибок' },
  area: 'keepalived',
  mode: 'static',
  points: 2,
  severity: 'critical',
  spec: 'Requirements 5 (keepalived, configured as in the lecture)',
  asserts: {
    en: 'keepalived.conf exists on both hosts and keepalived reads it without errors: no unknown keyword, no misplaced brace, no missing parameter (as `keepalived -t` reports them).',
    ru: 'keepalived.conf есть на обеих машинах и keepalived читает его без ошибок: нет неизвестных ключевых слов, лишних или недостающих скобок, пропущенных параметров (как их показывает `keepalived -t`).',
  },
  messages: {
    fileMissing: { en: '{file} does not exist', ru: 'файла {file} нет' },
    fileUnreadable: { en: 'could not read {file}: {error}', ru: 'не удалось прочитать {file}: {error}' },
    ...SYNTAX_MESSAGES,
    ...OTHER_MESSAGES,
  },
  hints: {
    unknownKeyword: {
      en: "Keywords are case-sensitive and belong to a block (e.g. `user` exists only inside vrrp_script). A keyword keepalived does not know in a block with '{' makes the following '}' close the outer block.",
      ru: "Ключевые слова чувствительны к регистру и относятся к определённому блоку (например, `user` есть только внутри vrrp_script). Неизвестное слово с '{' приводит к тому, что следующая '}' закрывает внешний блок.",
    },
    missingParameter: {
      en: 'Quote a value that contains `!` or `#`, e.g. auth_pass "pa!ss", or choose another one.',
      ru: 'Возьмите значение с `!` или `#` в кавычки, например auth_pass "pa!ss", или выберите другое.',
    },
    fileUnreadable: {
      en: 'The grader reads the file as root (sudo -n when the login user is not root); check that sudo works without a password.',
      ru: 'Грейдер читает файл от root (через sudo -n, если вход не под root); проверьте, что sudo работает без пароля.',
    },
  },
  hint: {
    en: 'Run keepalived -t -f /etc/keepalived/keepalived.conf on the host: it must print nothing and exit 0.',
    ru: 'Выполните на машине keepalived -t -f /etc/keepalived/keepalived.conf: команда не должна ничего выводить и должна завершиться с кодом 0.',
  },
  doc: {
    rationale: {
      en: 'keepalived skips what it does not understand with a log line nobody reads: an unknown keyword is ignored, and a `{` after an unknown word shifts every following `}` so that whole blocks end up outside their vrrp_instance. `!` and `#` start a comment anywhere outside double quotes, so `auth_pass #secret` has no value at all, which makes keepalived exit. The grader reads the file exactly as keepalived 2.2–2.4 does (includes, `$VAR` definitions, braces on any line) and reports each problem at its line, as `keepalived -t` would.',
      ru: 'То, что keepalived не понимает, он пропускает, записав строку в журнал, который никто не читает: неизвестное ключевое слово игнорируется, а `{` после неизвестного слова сдвигает все последующие `}`, так что целые блоки оказываются вне своего vrrp_instance. `!` и `#` начинают комментарий в любом месте вне двойных кавычек, поэтому у `auth_pass #secret` вообще нет значения, и keepalived завершается с ошибкой. Грейдер читает файл так же, как keepalived 2.2–2.4 (include, определения `$VAR`, скобки на любой строке), и показывает каждую проблему с номером строки, как `keepalived -t`.',
    },
    failing: { file: 'keepalived.conf', text: keepalivedExample({ globalDefs: ['router_id master', 'user root'] }) },
    passing: { file: 'keepalived.conf', text: keepalivedExample() },
    fix: {
      en: 'Fix or remove each reported line, run keepalived -t -f /etc/keepalived/keepalived.conf until it is silent, then systemctl restart keepalived.',
      ru: 'Исправьте или удалите каждую указанную строку, добейтесь, чтобы keepalived -t -f /etc/keepalived/keepalived.conf ничего не выводил, затем выполните systemctl restart keepalived.',
    },
  },
  async run(ctx) {
    for (const role of ROLES) {
      const file = await loadKeepalived(ctx, role);
      if (!file.read.ok) {
        const missing = file.read.reason === 'missing';
        ctx.report({
          host: role,
          file: file.path,
          ...(missing ? {} : { kind: 'error' as const }),
          messageId: missing ? 'fileMissing' : 'fileUnreadable',
          data: { file: file.path, error: file.read.message },
        });
        continue;
      }
      for (const d of file.config?.diagnostics ?? []) {
        const code = d.code;
        const known = hasMessage(SYNTAX_MESSAGES, code);
        const fails = d.severity === 'error' && d.stage === 'syntax';
        ctx.report({
          host: role,
          kind: fails ? 'fail' : 'note',
          messageId: known ? code : fails ? 'otherError' : 'configNote',
          file: d.file,
          line: d.line,
          excerpt: d.text.trim().slice(0, 200),
          data: { keepalived: formatDiagnostic(d, file.path), file: d.file },
        });
      }
    }
  },
});

export default check;
