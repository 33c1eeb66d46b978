// KAD007: predict the failover from the two configs: with haproxy stopped on master the backup must
// win the VRRP election, and with haproxy running again master must win it back.
import { CONFIG_SKIP_MESSAGES, vipInstanceOrSkip } from '../src/facts/keepalived.js';
import { keepalivedExample } from '../src/facts/keepalived-examples.js';
import { nodeViewOnHost, predictFailover, type FailoverPrediction } from '../src/facts/failover-prediction.js';
import { sameVrrpRouter } from '../src/facts/vrrp-instances.js';
import { defineCheck } from '../src/model/check.js';
import type { Text } from '../src/model/basics.js';

/** One message per reason of predictFailover(); numbers are effective priorities. */
const REASONS: Record<Exclude<FailoverPrediction['reason'], 'ok'>, Text> = {
  notTracked: {
    en: "master's instance does not track haproxy: its priority stays {masterUp} when haproxy stops, and the VIP stays on master (see KAD006)",
    ru: 'экземпляр на master не отслеживает haproxy: при остановке haproxy его приоритет остаётся {masterUp}, и виртуальный ip остаётся на master (см. KAD006)',
  },
  ownerIgnoresWeights: {
    en: 'master has priority 255 (state MASTER without a priority line): keepalived ignores weighted track scripts of an address owner, so the VIP never leaves master',
    ru: 'у master priority 255 (state MASTER без строки priority): keepalived игнорирует track script с весом у владельца адреса, поэтому виртуальный ip никогда не уходит с master',
  },
  syncGroupIgnoresWeights: {
    en: "master's instance is in a vrrp_sync_group without sync_group_tracking_weight: keepalived ignores its weighted track scripts, so the VIP never leaves master",
    ru: 'экземпляр на master входит в vrrp_sync_group без sync_group_tracking_weight: keepalived игнорирует его track script с весом, поэтому виртуальный ip никогда не уходит с master',
  },
  weightTooSmall: {
    en: "with haproxy stopped master's priority becomes {masterDown}, which is not lower than backup's {backup}: the VIP stays on master",
    ru: 'при остановленном haproxy приоритет master становится {masterDown}, а это не меньше, чем у backup ({backup}): виртуальный ip остаётся на master',
  },
  startsOnBackup: {
    en: "backup's priority {backup} is higher than master's {masterUp}: the VIP starts on backup (see KAD004)",
    ru: 'приоритет backup {backup} выше, чем у master {masterUp}: виртуальный ip изначально оказывается на backup (см. KAD004)',
  },
  tieAtStart: {
    en: 'master and backup both have priority {masterUp}: the higher IP address decides who holds the VIP (see KAD004)',
    ru: 'у master и backup одинаковый приоритет {masterUp}: кто держит виртуальный ip, решает больший IP-адрес (см. KAD004)',
  },
  tieAfterStop: {
    en: "with haproxy stopped master's priority {masterDown} equals backup's {backup}: the higher IP address decides, the weight must exceed the gap",
    ru: 'при остановленном haproxy приоритет master {masterDown} равен приоритету backup {backup}: решает больший IP-адрес; вес должен быть больше разницы приоритетов',
  },
  backupNopreempt: {
    en: 'backup has nopreempt: it never takes the VIP from a master whose priority merely dropped ({masterDown} < {backup})',
    ru: 'у backup задан nopreempt: он не забирает виртуальный ip у master, приоритет которого просто снизился ({masterDown} < {backup})',
  },
  trackerDropped: {
    en: "keepalived does not run master's track script {script} (see KAD006): the instance tracks nothing, its priority stays {masterUp} when haproxy stops, and the VIP stays on master",
    ru: 'keepalived не запускает track script {script} на master (см. KAD006): экземпляр ничего не отслеживает, при остановке haproxy его приоритет остаётся {masterUp}, и виртуальный ip остаётся на master',
  },
  trackerAlwaysFails: {
    en: "master's track script {script} fails whether haproxy runs or not (see KAD008): its priority is {masterUp} with haproxy up and {masterDown} with haproxy down, so stopping haproxy changes nothing and the VIP stays where it is",
    ru: 'track script {script} на master завершается с ошибкой независимо от того, работает ли haproxy (см. KAD008): его приоритет {masterUp} при работающем haproxy и {masterDown} при остановленном, поэтому остановка haproxy ничего не меняет и виртуальный ip остаётся на месте',
  },
  trackerNeverFails: {
    en: "master's track script {script} succeeds whether haproxy runs or not (see KAD008): its priority stays {masterUp} when haproxy stops, and the VIP stays on master",
    ru: 'track script {script} на master завершается успешно независимо от того, работает ли haproxy (см. KAD008): при остановке haproxy его приоритет остаётся {masterUp}, и виртуальный ip остаётся на master',
  },
  bothFault: {
    en: 'both nodes are in FAULT from the start: an unweighted track script that never succeeds (see KAD008) keeps each of them from holding the VIP at all',
    ru: 'обе машины с самого начала в состоянии FAULT: track script без веса, который никогда не завершается успешно (см. KAD008), не даёт ни одной из них держать виртуальный ip',
  },
  masterNopreempt: {
    en: 'master has nopreempt: the VIP moves to backup when haproxy stops but never comes back to master',
    ru: 'у master задан nopreempt: при остановке haproxy виртуальный ip переходит на backup, но на master уже не возвращается',
  },
};

const check = defineCheck({
  id: 'KAD007',
  title: { en: 'the VIP fails over and comes back', ru: 'виртуальный ip переходит на backup и возвращается' },
  area: 'keepalived',
  mode: 'static',
  points: 3,
  severity: 'critical',
  spec: 'Requirements 5 (keepalived): when haproxy stops on master the VIP moves to backup; when it starts again the VIP moves back to master',
  asserts: {
    en: "From the two configs: master's effective priority with haproxy down falls below backup's (or master goes to FAULT), backup may preempt, and with haproxy up again master's priority is higher and master may preempt.",
    ru: 'По двум конфигурациям: действующий приоритет master при остановленном haproxy падает ниже приоритета backup (или master переходит в FAULT), backup может вытеснить master, а после запуска haproxy приоритет master снова выше и master может вытеснить backup.',
  },
  messages: {
    ...CONFIG_SKIP_MESSAGES,
    scriptUnreadable: {
      en: 'cannot predict: the tracked script {file} on {role} could not be read, so what it checks is unknown (see KAD006)',
      ru: 'невозможно предсказать: не удалось прочитать отслеживаемый скрипт {file} на {role}, поэтому неизвестно, что он проверяет (см. KAD006)',
    },
    notOneRouter: {
      en: 'cannot predict: the two instances do not form one VRRP router (see KAD003)',
      ru: 'невозможно предсказать: два экземпляра не образуют один VRRP-маршрутизатор (см. KAD003)',
    },
    ...REASONS,
  },
  hints: {
    ownerIgnoresWeights: {
      en: 'Write priority explicitly, e.g. priority 110 on master and 100 on backup.',
      ru: 'Укажите priority явно, например 110 на master и 100 на backup.',
    },
    syncGroupIgnoresWeights: {
      en: 'Add sync_group_tracking_weight to the vrrp_sync_group, or leave the group out.',
      ru: 'Добавьте sync_group_tracking_weight в vrrp_sync_group или уберите группу.',
    },
    weightTooSmall: {
      en: 'Make |weight| larger than the priority gap: e.g. priorities 110/100 with weight -20.',
      ru: 'Сделайте |weight| больше разницы приоритетов: например, приоритеты 110/100 и weight -20.',
    },
    tieAfterStop: {
      en: 'Make |weight| larger than the priority gap: e.g. priorities 110/100 with weight -20.',
      ru: 'Сделайте |weight| больше разницы приоритетов: например, приоритеты 110/100 и weight -20.',
    },
    backupNopreempt: { en: 'Remove nopreempt from backup.', ru: 'Уберите nopreempt на backup.' },
    masterNopreempt: { en: 'Remove nopreempt from master.', ru: 'Уберите nopreempt на master.' },
  },
  hint: {
    en: 'Use priority 110 on master and 100 on backup, and a tracked vrrp_script with weight -20 (more than the gap) on both.',
    ru: 'Используйте priority 110 на master и 100 на backup и отслеживаемый vrrp_script с weight -20 (больше разницы) на обеих машинах.',
  },
  doc: {
    rationale: {
      en: "keepalived moves the VIP only through priorities: a tracked script with a negative weight subtracts it while the script fails, one with weight 0 puts the node in FAULT. Failover needs master's lowered priority below backup's (equal priorities are decided by IP address), and a backup allowed to preempt; failback needs master higher again and allowed to preempt. `state MASTER` without `priority` is 255, the address owner, whose priority weights never change; `nopreempt` on backup stops the failover, on master the failback.",
      ru: 'keepalived переносит виртуальный ip только через приоритеты: отслеживаемый скрипт с отрицательным весом вычитает его, пока скрипт завершается с ошибкой, скрипт с весом 0 переводит машину в FAULT. Для переключения пониженный приоритет master должен стать ниже приоритета backup (при равенстве решает IP-адрес), и backup должен иметь право вытеснения; для возврата master снова должен быть выше и иметь право вытеснения. `state MASTER` без `priority` — это 255, владелец адреса, чей приоритет веса не меняют; `nopreempt` на backup отменяет переключение, на master — возврат.',
    },
    failing: { file: 'keepalived.conf', text: keepalivedExample({ priority: null }) },
    passing: { file: 'keepalived.conf', text: keepalivedExample() },
    fix: {
      en: 'Set priority 110 on master and 100 on backup, give the tracked script weight -20, remove nopreempt, then systemctl restart keepalived on both.',
      ru: 'Укажите priority 110 на master и 100 на backup, задайте отслеживаемому скрипту weight -20, уберите nopreempt, затем выполните systemctl restart keepalived на обеих машинах.',
    },
  },
  async run(ctx) {
    const master = await vipInstanceOrSkip(ctx, 'master');
    const backup = await vipInstanceOrSkip(ctx, 'backup');
    if (!master || !backup) return;
    const m = master.instance;
    const b = backup.instance;
    if (!sameVrrpRouter(m, b)) {
      ctx.report({ kind: 'skip', messageId: 'notOneRouter' });
      return;
    }
    const masterNode = await nodeViewOnHost(ctx, 'master', m, master.config.globalDefs);
    const backupNode = await nodeViewOnHost(ctx, 'backup', b, backup.config.globalDefs);
    for (const [role, node] of [
      ['master', masterNode],
      ['backup', backupNode],
    ] as const) {
      const unreadable = node.views.find((v) => v.unreadable);
      if (unreadable)
        return void ctx.report({
          kind: 'skip',
          host: role,
          messageId: 'scriptUnreadable',
          data: { file: unreadable.file?.path ?? '', role },
        });
    }
    const prediction = predictFailover(masterNode, backupNode);
    if (prediction.reason === 'ok') return;
    // A nopreempt is pointed at where it is written (on backup for backupNopreempt); any other reason at master's
    // priority, which the prediction starts from.
    const [host, at] =
      prediction.reason === 'backupNopreempt'
        ? (['backup', b.nopreemptAt ?? b.at] as const)
        : prediction.reason === 'masterNopreempt'
          ? (['master', m.nopreemptAt ?? m.at] as const)
          : (['master', m.priorityAt ?? m.at] as const);
    ctx.report({
      host,
      file: at.file,
      line: at.line,
      excerpt: at.text.trim(),
      messageId: prediction.reason,
      data: {
        masterUp: String(prediction.masterUp),
        masterDown: String(prediction.masterDown),
        backup: String(prediction.backup),
        script:
          m.trackScripts.find((t) =>
            (prediction.reason === 'trackerAlwaysFails' ? masterNode.alwaysFailing : masterNode.dropped)?.has(t),
          )?.name ??
          m.droppedTracks.find((d) => d.reason === 'scriptRemoved')?.name ??
          m.trackScripts[0]?.name ??
          '',
      },
    });
  },
});

export default check;
