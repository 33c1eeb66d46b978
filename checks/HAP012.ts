// HAP012: haproxy.cfg is the same on master and backup, up to comments, blank lines, whitespace and quoting.
import { CONFIG_SKIP_MESSAGES, configOrSkip, loadHaproxy } from '../src/facts/haproxy.js';
import { haproxyExample } from '../src/facts/haproxy-examples.js';
import { semanticDiff } from '../src/parsers/haproxy.js';
import { defineCheck } from '../src/model/check.js';
import type { Role } from '../src/model/basics.js';

const check = defineCheck({
  id: 'HAP012',
  title: { en: 'haproxy.cfg is the same on both hosts', ru: 'Конфиг haproxy одинаков на обеих машинах' },
  area: 'haproxy',
  mode: 'static',
  points: 2,
  severity: 'major',
  spec: 'Requirements 4 (HAProxy configs are the same on both machines)',
  asserts: {
    en: 'master and backup have the same haproxy.cfg statements in the same order (comments, blank lines, whitespace and quoting aside).',
    ru: 'На master и backup в haproxy.cfg одни и те же инструкции в том же порядке (без учёта комментариев, пустых строк, пробелов и кавычек).',
  },
  messages: {
    ...CONFIG_SKIP_MESSAGES,
    differs: {
      en: 'first difference: this line differs from {other} line {otherLine}: {otherText}',
      ru: 'первое различие: эта строка отличается от строки {otherLine} на {other}: {otherText}',
    },
    extra: {
      en: 'first difference: this line has no counterpart on {other}, whose file ends at line {otherLine}',
      ru: 'первое различие: этой строки нет на {other}, там файл заканчивается на строке {otherLine}',
    },
    ended: {
      en: 'first difference: the file ends here, while {other} continues at line {otherLine}: {otherText}',
      ru: 'первое различие: здесь файл заканчивается, а на {other} продолжается строкой {otherLine}: {otherText}',
    },
    formattingDiffers: {
      en: 'the files differ only in comments, blank lines, whitespace or quoting',
      ru: 'файлы различаются только комментариями, пустыми строками, пробелами или кавычками',
    },
  },
  hint: {
    en: 'Copy the file from master to backup: scp /etc/haproxy/haproxy.cfg backup:/etc/haproxy/haproxy.cfg, then reload haproxy on backup.',
    ru: 'Скопируйте файл с master на backup: scp /etc/haproxy/haproxy.cfg backup:/etc/haproxy/haproxy.cfg, затем перезагрузите haproxy на backup.',
  },
  doc: {
    rationale: {
      en: 'After a failover backup serves the same clients, so it must behave exactly as master. The comparison is by meaning: each line as HAProxy tokenizes it, so comments, indentation and quoting do not count, while any change of a keyword, value or order does; the first difference is shown on both hosts.',
      ru: 'После переключения backup обслуживает тех же клиентов и должен вести себя так же, как master. Сравнение идёт по смыслу: каждая строка в том виде, как её разбирает HAProxy, поэтому комментарии, отступы и кавычки не важны, а любое изменение ключевого слова, значения или порядка важно; первое различие показывается на обеих машинах.',
    },
    // On master; backup keeps the reference file.
    failing: {
      file: 'haproxy.cfg',
      text: haproxyExample().replace(
        'server rebrain_03 127.0.0.1:81 maxconn 20000',
        'server rebrain_03 127.0.0.1:81 maxconn 2000',
      ),
    },
    passing: { file: 'haproxy.cfg', text: `# the same configuration, commented differently\n${haproxyExample()}` },
    fix: {
      en: "Make the files identical (copy master's to backup) and reload haproxy on the host you changed.",
      ru: 'Сделайте файлы одинаковыми (скопируйте файл с master на backup) и перезагрузите haproxy на изменённой машине.',
    },
  },
  async run(ctx) {
    const files = { master: await loadHaproxy(ctx, 'master'), backup: await loadHaproxy(ctx, 'backup') };
    const master = configOrSkip(ctx, files.master);
    const backup = configOrSkip(ctx, files.backup);
    if (!master || !backup) return;
    const diff = semanticDiff(master.config, backup.config);
    if (!diff) {
      const same =
        files.master.read.ok && files.backup.read.ok && files.master.read.content.equals(files.backup.read.content);
      if (!same) ctx.report({ kind: 'note', messageId: 'formattingDiffers', file: files.master.path });
      return;
    }
    const sides = { master: { stmt: diff.a, config: master.config }, backup: { stmt: diff.b, config: backup.config } };
    for (const [role, other] of [
      ['master', 'backup'],
      ['backup', 'master'],
    ] as [Role, Role][]) {
      const mine = sides[role];
      const theirs = sides[other];
      const otherLine = theirs.stmt?.line ?? theirs.config.lineCount;
      const data = { other, otherLine, otherText: theirs.stmt?.text.trim() ?? '' };
      if (mine.stmt) {
        const where = { host: role, file: mine.stmt.file, line: mine.stmt.line, excerpt: mine.stmt.text.trim() };
        ctx.report({ ...where, messageId: theirs.stmt ? 'differs' : 'extra', data });
      } else {
        ctx.report({ host: role, file: mine.config.file, line: mine.config.lineCount, messageId: 'ended', data });
      }
    }
  },
});

export default check;
