// KAD004: master's configured priority (defaults applied: 255 for state MASTER without a priority
// line, else 100) is higher than backup's, so master holds the VIP while both are healthy.
import { CONFIG_SKIP_MESSAGES, vipInstanceOrSkip } from '../src/facts/keepalived.js';
import { keepalivedExample } from '../src/facts/keepalived-examples.js';
import { defineCheck } from '../src/model/check.js';

const check = defineCheck({
  id: 'KAD004',
  title: { en: "master's priority is higher than backup's", ru: 'приоритет master выше, чем у backup' },
  area: 'keepalived',
  mode: 'static',
  points: 2,
  severity: 'major',
  spec: 'Requirements 5 (keepalived): master holds the VIP; it moves back to master when haproxy is running again',
  asserts: {
    en: "The priority of master's VIP instance is higher than backup's, counting keepalived's defaults (no priority line: 255 with state MASTER, else 100).",
    ru: 'priority экземпляра с виртуальным ip на master выше, чем на backup, с учётом значений по умолчанию keepalived (без строки priority: 255 при state MASTER, иначе 100).',
  },
  messages: {
    ...CONFIG_SKIP_MESSAGES,
    notHigher: {
      en: "master's priority {master} is not higher than backup's {backup}: backup wins the election",
      ru: 'приоритет master {master} не выше, чем у backup {backup}: выборы выигрывает backup',
    },
    equal: {
      en: 'master and backup both have priority {master}: the node with the higher IP address wins, not necessarily master',
      ru: 'у master и backup одинаковый приоритет {master}: побеждает машина с большим IP-адресом, не обязательно master',
    },
    defaultPriority: {
      en: 'vrrp_instance {name} has no priority line: keepalived uses {priority}',
      ru: 'у vrrp_instance {name} нет строки priority: keepalived использует {priority}',
    },
  },
  hints: {
    defaultPriority: {
      en: 'State MASTER without a priority means 255, the address owner, whose priority no track script can lower: write the priority explicitly (e.g. 110 on master, 100 on backup).',
      ru: 'State MASTER без priority означает 255 (владелец адреса), и никакой track script не может его понизить: укажите priority явно (например, 110 на master и 100 на backup).',
    },
  },
  hint: {
    en: 'Give master a higher priority than backup, e.g. priority 110 on master and priority 100 on backup.',
    ru: 'Задайте master больший приоритет, чем backup, например priority 110 на master и priority 100 на backup.',
  },
  doc: {
    rationale: {
      en: 'Of two healthy nodes the one with the higher priority holds the VIP; equal priorities are decided by the higher IP address. keepalived fills in an omitted priority: 255 for `state MASTER`, 100 otherwise; 255 makes the node the address owner, which wins here but can never lose the VIP to a failing track script (see KAD007).',
      ru: 'Из двух исправных машин виртуальный ip держит та, у которой приоритет выше; при равных приоритетах решает больший IP-адрес. Пропущенный priority keepalived подставляет сам: 255 для `state MASTER`, иначе 100; 255 делает машину владельцем адреса — здесь она выигрывает, но никогда не отдаст виртуальный ip из-за упавшего track script (см. KAD007).',
    },
    failing: { file: 'keepalived.conf', text: keepalivedExample({ priority: 'priority 90' }) },
    passing: { file: 'keepalived.conf', text: keepalivedExample() },
    fix: {
      en: 'Set priority 110 on master and priority 100 on backup (any values with master higher), then systemctl restart keepalived on both.',
      ru: 'Укажите priority 110 на master и priority 100 на backup (любые значения, где у master больше), затем выполните systemctl restart keepalived на обеих машинах.',
    },
  },
  async run(ctx) {
    const master = await vipInstanceOrSkip(ctx, 'master');
    const backup = await vipInstanceOrSkip(ctx, 'backup');
    for (const side of [master, backup]) {
      if (side && !side.instance.priorityAt) {
        const at = side.instance.at;
        ctx.report({
          kind: 'note',
          host: side.file.role,
          file: at.file,
          line: at.line,
          excerpt: at.text.trim(),
          messageId: 'defaultPriority',
          data: { name: side.instance.name, priority: side.instance.priority },
        });
      }
    }
    if (!master || !backup) return;
    const m = master.instance;
    const b = backup.instance;
    if (m.priority > b.priority) return;
    const at = m.priorityAt ?? m.at;
    ctx.report({
      host: 'master',
      file: at.file,
      line: at.line,
      excerpt: at.text.trim(),
      messageId: m.priority === b.priority ? 'equal' : 'notHigher',
      data: { master: m.priority, backup: b.priority },
    });
  },
});

export default check;
