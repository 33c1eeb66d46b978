// HAP001: haproxy.cfg exists and HAProxy can read it; every parse problem is reported with its line.
import { CRT_DIRECTORY_MESSAGES, crtDirectoryProblems, loadHaproxy } from '../src/facts/haproxy.js';
import { describeVersion } from '../src/facts/versions.js';
import type { HaproxyDiagnosticCode } from '../src/parsers/haproxy.js';
import { ROLES, type Text } from '../src/model/basics.js';
import { defineCheck } from '../src/model/check.js';

/** One message per parser diagnostic code: HAProxy's wording in English, the same in Russian. */
/** HAProxy's own diagnostics, one message each, and the 2.2 form of a missing final LF (a warning there). */
const DIAGNOSTIC_MESSAGES: Record<HaproxyDiagnosticCode | 'missingFinalLfWarned', Text> = {
  strayNul: {
    en: 'stray NUL character at position {position}: HAProxy stops reading the file here',
    ru: 'лишний символ NUL в позиции {position}: HAProxy прекращает чтение файла на этой строке',
  },
  unmatchedQuote: {
    en: 'unmatched quote at position {column}: HAProxy drops the line',
    ru: 'незакрытая кавычка в позиции {column}: HAProxy отбрасывает строку',
  },
  badHexEscape: {
    en: 'truncated or invalid hexadecimal sequence at position {column}',
    ru: 'неполная или неверная шестнадцатеричная последовательность в позиции {column}',
  },
  badVarName: {
    en: 'forbidden first character in an environment variable name at position {column}',
    ru: 'недопустимый первый символ имени переменной окружения в позиции {column}',
  },
  unmatchedBrace: {
    en: 'unmatched brace in an environment variable name at position {column}',
    ru: 'незакрытая фигурная скобка в имени переменной окружения в позиции {column}',
  },
  badWordExpand: {
    en: 'incomplete word expansion sequence at position {column}',
    ru: 'неполная последовательность [*] в позиции {column}',
  },
  tooManyWords: {
    en: 'too many words: HAProxy keeps only the first {max}',
    ru: 'слишком много слов: HAProxy учитывает только первые {max}',
  },
  emptyArgument: {
    en: 'argument {number} is empty and ends the argument list: the words after it are ignored',
    ru: 'аргумент {number} пуст и завершает список аргументов: слова после него игнорируются',
  },
  negationNotSupported: {
    en: "'no'/'default' only works before option, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping",
    ru: "'no'/'default' допустимы только перед option, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted и numa-cpu-mapping",
  },
  outOfSection: {
    en: "unknown keyword '{keyword}' out of section",
    ru: "неизвестное ключевое слово '{keyword}' вне секции",
  },
  unterminatedIf: { en: "'.if' block is not terminated by '.endif'", ru: "блок '.if' не закрыт '.endif'" },
  missingFinalLf: {
    en: 'missing LF on the last line: HAProxy {version} refuses the file ("file might have been truncated")',
    ru: 'нет перевода строки в конце последней строки: HAProxy {version} не принимает файл ("file might have been truncated")',
  },
  missingFinalLfWarned: {
    en: 'missing LF on the last line: HAProxy {version} only warns ("file might have been truncated"); from 2.3 on it refuses the file',
    ru: 'нет перевода строки в конце последней строки: HAProxy {version} лишь предупреждает ("file might have been truncated"); начиная с 2.3 файл не принимается',
  },
  tooManyNestedIf: {
    en: "too many nested '.if' (at most {max})",
    ru: "слишком глубокая вложенность '.if' (не больше {max})",
  },
  loneElif: { en: "'.elif' without a matching '.if'", ru: "'.elif' без соответствующего '.if'" },
  elifAfterElse: { en: "'.elif' after '.else'", ru: "'.elif' после '.else'" },
  loneElse: { en: "'.else' without a matching '.if'", ru: "'.else' без соответствующего '.if'" },
  secondElse: { en: "a second '.else' in the same block", ru: "второй '.else' в том же блоке" },
  loneEndif: { en: "'.endif' without a matching '.if'", ru: "'.endif' без соответствующего '.if'" },
  unexpectedArgument: {
    en: "unexpected argument '{arg}' for '{directive}'",
    ru: "лишний аргумент '{arg}' у '{directive}'",
  },
  alertDirective: { en: '.alert: {message}', ru: '.alert: {message}' },
  warningDirective: { en: '.warning: {message}', ru: '.warning: {message}' },
  unknownDirective: { en: "unknown directive '{directive}'", ru: "неизвестная директива '{directive}'" },
  conditionAssumed: {
    en: "the condition '{condition}' depends on the host; it was assumed true",
    ru: "условие '{condition}' зависит от машины; считаем его истинным",
  },
  sectionNotInVersion: {
    en: "HAProxy {version} has no '{section}' section",
    ru: "в HAProxy {version} нет секции '{section}'",
  },
  missingProxyName: { en: "'{section}' needs a name", ru: "у '{section}' должно быть имя" },
  invalidProxyName: {
    en: "character '{char}' is not permitted in {section} name '{name}'",
    ru: "символ '{char}' недопустим в имени {section} '{name}'",
  },
  tooManyArgs: {
    en: "'{section}' cannot handle the extra argument '{arg}'",
    ru: "'{section}' не принимает лишний аргумент '{arg}'",
  },
  addressOnSectionLine: {
    en: "an address on the section line is not accepted: use the 'bind' keyword for listening addresses",
    ru: "адрес в строке секции не принимается: адрес для прослушивания задаётся ключевым словом 'bind'",
  },
  extraWordsIgnored: {
    en: "the words after '{section} {name}' are silently ignored by HAProxy",
    ru: "слова после '{section} {name}' HAProxy молча игнорирует",
  },
  fromNotInVersion: {
    en: "'from' on a section line needs HAProxy 2.4 or later (this is {version})",
    ru: "'from' в строке секции появился в HAProxy 2.4 (здесь {version})",
  },
  defaultsNotFound: {
    en: "defaults section '{from}' not found for {section} '{name}' (it must be declared before)",
    ru: "секция defaults '{from}' для {section} '{name}' не найдена (она должна быть объявлена выше)",
  },
  removedKeyword: {
    en: "'{keyword}' is not supported anymore since HAProxy {since}",
    ru: "'{keyword}' не поддерживается начиная с HAProxy {since}",
  },
  removedNoReplacement: {
    en: "'{keyword}' is not supported anymore since HAProxy {since}: remove the line",
    ru: "'{keyword}' не поддерживается начиная с HAProxy {since}: удалите строку",
  },
  emptyScope: {
    en: 'empty scope name: a scope line is [name]',
    ru: 'пустое имя области: строка области имеет вид [имя]',
  },
  badScope: {
    en: "character '{char}' is not permitted in a scope line ([name] alone on its line)",
    ru: "символ '{char}' недопустим в строке области ([имя] отдельно на строке)",
  },
  noCurrentProxy: {
    en: 'this line belongs to no proxy: HAProxy refused the section line above it',
    ru: 'эта строка не относится ни к одному прокси: HAProxy не принял строку секции выше',
  },
  unknownKeyword: {
    en: "unknown keyword '{keyword}' in '{section}' section",
    ru: "неизвестное ключевое слово '{keyword}' в секции '{section}'",
  },
  unknownOption: { en: "unknown option '{option}'", ru: "неизвестная опция '{option}'" },
  unknownTimeout: { en: "unknown timeout '{timeout}'", ru: "неизвестный таймаут '{timeout}'" },
  optionNotNegatable: {
    en: "'no option {option}' is not supported: this option cannot be negated",
    ru: "'no option {option}' не поддерживается: эту опцию нельзя отменить",
  },
  notAllowedInDefaults: {
    en: "'{keyword}' is not allowed in a 'defaults' section",
    ru: "'{keyword}' нельзя использовать в секции 'defaults'",
  },
  namedDefaultsOnly: {
    en: "'{keyword}' is only allowed in a named 'defaults' section",
    ru: "'{keyword}' допустимо только в именованной секции 'defaults'",
  },
  noCapability: {
    en: "'{keyword}' has no effect in {section} '{name}', which has no {missing} capability",
    ru: "'{keyword}' не действует в {section} '{name}': у него нет возможностей {missing}",
  },
  duplicateProxy: {
    en: "{section} '{name}' has the same name as the {other} declared at line {line}",
    ru: "{section} '{name}' называется так же, как {other} в строке {line}",
  },
  unknownMode: {
    en: "unknown proxy mode '{mode}' (http or tcp)",
    ru: "неизвестный режим прокси '{mode}' (http или tcp)",
  },
  unknownBalance: {
    en: "unknown balance algorithm '{algorithm}' (algorithm names are case-sensitive)",
    ru: "неизвестный алгоритм балансировки '{algorithm}' (имена алгоритмов чувствительны к регистру)",
  },
  unknownServerKeyword: {
    en: "'{keyword} {name}': unknown keyword '{word}' (keywords are case-sensitive: '{lower}')",
    ru: "'{keyword} {name}': неизвестное ключевое слово '{word}' (ключевые слова чувствительны к регистру: '{lower}')",
  },
  unknownAcl: {
    en: "no such ACL: '{acl}' (ACL names are case-sensitive: the predefined one is '{upper}')",
    ru: "нет такого ACL: '{acl}' (имена ACL чувствительны к регистру: предопределённый называется '{upper}')",
  },
  forwardforUnknownArg: {
    en: "'option forwardfor' only takes 'except <network>', 'header <name>' and 'if-none' (got '{arg}')",
    ru: "'option forwardfor' принимает только 'except <сеть>', 'header <имя>' и 'if-none' (указано '{arg}')",
  },
  forwardforMissingValue: {
    en: "'option forwardfor {arg}' needs a value",
    ru: "у 'option forwardfor {arg}' не указано значение",
  },
  frontendBackendSameName: {
    en: "{section} '{name}' has the same name as the {other} declared at line {line}",
    ru: "{section} '{name}' называется так же, как {other} в строке {line}",
  },
};

const HINTS: Partial<Record<HaproxyDiagnosticCode | 'missingFinalLfWarned', Text>> = {
  missingFinalLf: {
    en: 'End the file with a newline: echo >> /etc/haproxy/haproxy.cfg',
    ru: 'Завершите файл переводом строки: echo >> /etc/haproxy/haproxy.cfg',
  },
  missingFinalLfWarned: {
    en: 'End the file with a newline: echo >> /etc/haproxy/haproxy.cfg',
    ru: 'Завершите файл переводом строки: echo >> /etc/haproxy/haproxy.cfg',
  },
  removedKeyword: { en: "Use '{use}' instead (or remove the line).", ru: "Используйте '{use}' (или удалите строку)." },
  optionNotNegatable: {
    en: 'Remove the line: an option with arguments is simply left out to disable it.',
    ru: 'Удалите строку: опцию с аргументами отключают, просто не указывая её.',
  },
  unmatchedQuote: {
    en: 'Close the quote, or escape it with a backslash.',
    ru: 'Закройте кавычку или экранируйте её обратной косой чертой.',
  },
};

const check = defineCheck({
  id: 'HAP001',
  title: { en: 'haproxy.cfg parses', ru: 'haproxy.cfg читается без ошибок' },
  area: 'haproxy',
  mode: 'static',
  points: 2,
  severity: 'critical',
  spec: 'Requirements 2-3 (the file /etc/haproxy/haproxy.cfg)',
  asserts: {
    en: 'haproxy.cfg exists on both hosts and HAProxy can read it: no fatal error; warnings are shown as notes.',
    ru: 'haproxy.cfg есть на обеих машинах и HAProxy может его прочитать: нет фатальных ошибок; предупреждения показаны как замечания.',
  },
  messages: {
    fileMissing: { en: '{file} does not exist', ru: 'файла {file} нет' },
    fileUnreadable: { en: 'could not read {file}: {error}', ru: 'не удалось прочитать {file}: {error}' },
    ...DIAGNOSTIC_MESSAGES,
    ...CRT_DIRECTORY_MESSAGES,
  },
  hints: {
    fileUnreadable: {
      en: 'The grader reads the file as root (sudo -n when the login user is not root); check that sudo works without a password.',
      ru: 'Грейдер читает файл от root (через sudo -n, если вход не под root); проверьте, что sudo работает без пароля.',
    },
    ...HINTS,
  },
  hint: {
    en: 'Run haproxy -c -f /etc/haproxy/haproxy.cfg on the host: it must print "Configuration file is valid".',
    ru: 'Выполните на машине haproxy -c -f /etc/haproxy/haproxy.cfg: должно быть выведено "Configuration file is valid".',
  },
  doc: {
    rationale: {
      en: 'HAProxy refuses to start on any fatal configuration error, so nothing else in the file matters until it parses. The grader reads the file as HAProxy does (comments anywhere, quotes, escapes, `.if` blocks, sections by version) and reports each problem at its line. Since HAProxy 2.3 a file whose last line has no newline is refused ("Missing LF on last line"), a common result of editing with `echo -n` or some web editors.',
      ru: 'При любой фатальной ошибке конфигурации HAProxy не запускается, поэтому остальное в файле не имеет значения, пока он не читается. Грейдер читает файл так же, как HAProxy (комментарии где угодно, кавычки, экранирование, блоки `.if`, секции по версиям), и показывает каждую проблему с номером строки. Начиная с HAProxy 2.3 файл без перевода строки в конце последней строки не принимается ("Missing LF on last line").',
    },
    failing: {
      file: 'haproxy.cfg',
      text: 'defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n\nfrontend front_cluster\n    bind *:443 ssl crt /etc/haproxy/rebrain.pem\n    reqadd X-Forwarded-Proto:\\ https\n    option forwardfor\n    default_backend back_cluster\n\nbackend back_cluster\n    balance roundrobin\n    server rebrain_01 127.0.0.1:81 maxconn 20000\n    server rebrain_02 127.0.0.1:81 maxconn 20000\n    server rebrain_03 127.0.0.1:81 maxconn 20000\n',
    },
    passing: {
      file: 'haproxy.cfg',
      text: 'defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n\nfrontend front_cluster\n    bind *:443 ssl crt /etc/haproxy/rebrain.pem\n    http-request add-header X-Forwarded-Proto https\n    option forwardfor\n    default_backend back_cluster\n\nbackend back_cluster\n    balance roundrobin\n    server rebrain_01 127.0.0.1:81 maxconn 20000\n    server rebrain_02 127.0.0.1:81 maxconn 20000\n    server rebrain_03 127.0.0.1:81 maxconn 20000\n',
    },
    fix: {
      en: 'Fix each reported line (the message says what HAProxy objects to), then run haproxy -c -f /etc/haproxy/haproxy.cfg and reload haproxy.',
      ru: 'Исправьте каждую указанную строку (в сообщении сказано, что не нравится HAProxy), затем выполните haproxy -c -f /etc/haproxy/haproxy.cfg и перезагрузите haproxy.',
    },
  },
  async run(ctx) {
    for (const role of ROLES) {
      const file = await loadHaproxy(ctx, role);
      const base = { host: role, file: file.path };
      if (!file.read.ok) {
        const missing = file.read.reason === 'missing';
        ctx.report({
          ...base,
          ...(missing ? {} : { kind: 'error' as const }),
          messageId: missing ? 'fileMissing' : 'fileUnreadable',
          data: { file: file.path, error: file.read.message },
        });
        continue;
      }
      const lines = file.read.content.toString('utf8').split('\n');
      for (const d of file.config?.diagnostics ?? []) {
        ctx.report({
          ...base,
          kind: d.severity === 'error' ? 'fail' : 'note',
          // HAProxy 2.2 only warns of a missing final LF: the message must not say it refuses the file.
          messageId: d.code === 'missingFinalLf' && d.severity !== 'error' ? 'missingFinalLfWarned' : d.code,
          file: d.file,
          line: d.line,
          excerpt: (lines[d.line - 1] ?? '').replace(/\r$/, '').trim().slice(0, 200),
          data: { ...d.args, version: describeVersion(file.daemon, ctx.options.lang) },
        });
      }
      for (const p of await crtDirectoryProblems(ctx, role)) {
        ctx.report({
          ...base,
          messageId: 'crtDirectoryFile',
          file: p.origin.file,
          line: p.origin.line,
          excerpt: p.origin.text.trim(),
          data: { crt: p.crt, file: p.file },
        });
      }
    }
  },
});

export default check;
