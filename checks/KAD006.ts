// KAD006: on both hosts the VIP's instance tracks the haproxy process: a vrrp_script whose command
// checks haproxy, listed in track_script, or a vrrp_track_process watching it, listed in track_process.
import { CONFIG_SKIP_MESSAGES, vipInstanceOrSkip } from '../src/facts/keepalived.js';
import { keepalivedExample } from '../src/facts/keepalived-examples.js';
import { mentionsHaproxy } from '../src/facts/haproxy-trackers.js';
import { nodeViewOnHost, viewChecksHaproxy } from '../src/facts/failover-prediction.js';
import { DROP_HINTS, DROP_MESSAGES, dropFinding, removedFinding, type ScriptView } from '../src/facts/track-scripts.js';
import type { KeepalivedConfig, VrrpInstance } from '../src/parsers/keepalived.js';
import { ROLES } from '../src/model/basics.js';
import { defineCheck, type FindingInput, type MessageIdOf } from '../src/model/check.js';

const check = defineCheck({
  id: 'KAD006',
  title: { en: 'both nodes track haproxy', ru: 'обе машины отслеживают haproxy' },
  area: 'keepalived',
  mode: 'static',
  points: 3,
  severity: 'critical',
  spec: 'Requirements 5 (keepalived): track the haproxy process on both servers (a vrrp_script tracked by track_script)',
  asserts: {
    en: "On both hosts the VIP's vrrp_instance tracks haproxy: a vrrp_script whose command (or script file) checks haproxy, named in track_script and defined above it, or a vrrp_track_process for haproxy named in track_process.",
    ru: 'На обеих машинах vrrp_instance с виртуальным ip отслеживает haproxy: vrrp_script, команда (или файл скрипта) которого проверяет haproxy, указанный в track_script и объявленный выше него, или vrrp_track_process для haproxy, указанный в track_process.',
  },
  messages: {
    ...CONFIG_SKIP_MESSAGES,
    noTracking: {
      en: 'vrrp_instance {name} tracks nothing: the VIP stays on master when haproxy stops',
      ru: 'vrrp_instance {name} ничего не отслеживает: при остановке haproxy виртуальный ip останется на master',
    },
    notTracked: {
      en: 'vrrp_script {script} checks haproxy but vrrp_instance {name} does not list it in track_script',
      ru: 'vrrp_script {script} проверяет haproxy, но vrrp_instance {name} не указывает его в track_script',
    },
    definedLater: {
      en: 'track_script names {script}, but vrrp_script {script} is defined below the instance: keepalived drops the entry ("track script {script} not found")',
      ru: 'в track_script указан {script}, но vrrp_script {script} объявлен ниже экземпляра: keepalived отбрасывает запись ("track script {script} not found")',
    },
    notFound: {
      en: 'track_script names {script}, which no vrrp_script defines: keepalived drops the entry',
      ru: 'в track_script указан {script}, но такого vrrp_script нет: keepalived отбрасывает запись',
    },
    unquotedScript: {
      en: 'script {written} is not quoted: keepalived runs only `{command}` (the words after it are ignored), which does not check haproxy',
      ru: 'script {written} не взят в кавычки: keepalived запускает только `{command}` (остальные слова игнорируются), и это не проверка haproxy',
    },
    scriptUnreadable: {
      en: 'cannot judge: the tracked script {file} could not be read, so what it checks is unknown',
      ru: 'невозможно проверить: не удалось прочитать отслеживаемый скрипт {file}, поэтому неизвестно, что он проверяет',
    },
    ...DROP_MESSAGES,
    webServerOnly: {
      en: 'the tracked check `{command}` asks {url}: that is the web server behind haproxy (plain http), not haproxy, which serves https',
      ru: 'отслеживаемая проверка `{command}` обращается к {url}: это веб-сервер за haproxy (обычный http), а не haproxy, который отвечает по https',
    },
    otherProcess: {
      en: 'the tracked check `{command}` looks for {names}, not for haproxy',
      ru: 'отслеживаемая проверка `{command}` ищет {names}, а не haproxy',
    },
    fileTest: {
      en: 'the tracked check `{command}` tests the file {file}, not the haproxy process',
      ru: 'отслеживаемая проверка `{command}` проверяет файл {file}, а не процесс haproxy',
    },
    notHaproxy: {
      en: 'the tracked check `{command}` does not look at haproxy',
      ru: 'отслеживаемая проверка `{command}` не смотрит на haproxy',
    },
    ignoredAsOwner: {
      en: 'keepalived ignores the weighted track_script {script}: the instance has priority 255 (see KAD007)',
      ru: 'keepalived игнорирует track_script {script} с весом: у экземпляра priority 255 (см. KAD007)',
    },
    ignoredInSyncGroup: {
      en: 'keepalived ignores the weighted track_script {script}: the instance is in vrrp_sync_group {group} without sync_group_tracking_weight (see KAD007)',
      ru: 'keepalived игнорирует track_script {script} с весом: экземпляр входит в vrrp_sync_group {group} без sync_group_tracking_weight (см. KAD007)',
    },
  },
  hints: {
    ...DROP_HINTS,
    unquotedScript: {
      en: 'Quote the whole command: script "/usr/bin/killall -0 haproxy".',
      ru: 'Возьмите всю команду в кавычки: script "/usr/bin/killall -0 haproxy".',
    },
    definedLater: {
      en: 'Move the vrrp_script block above the vrrp_instance.',
      ru: 'Перенесите блок vrrp_script выше vrrp_instance.',
    },
  },
  hint: {
    en: 'Define vrrp_script check_haproxy { script "/usr/bin/killall -0 haproxy" … } above the instance and list it in track_script { check_haproxy } on both hosts.',
    ru: 'Объявите vrrp_script check_haproxy { script "/usr/bin/killall -0 haproxy" … } выше экземпляра и укажите его в track_script { check_haproxy } на обеих машинах.',
  },
  doc: {
    rationale: {
      en: 'Without tracking, keepalived keeps the VIP on master while haproxy is dead. keepalived resolves track_script while reading: a vrrp_script defined below the instance is "not found" and silently dropped. Only the first word after `script` is the command: unquoted, `script killall -0 haproxy` runs `killall` with no arguments. A track_process entry watching haproxy works as well.',
      ru: 'Без отслеживания keepalived оставляет виртуальный ip на master, даже когда haproxy не работает. track_script разрешается во время чтения файла: vrrp_script, объявленный ниже экземпляра, «не найден» и молча отбрасывается. Командой считается только первое слово после `script`: без кавычек `script killall -0 haproxy` запускает `killall` без аргументов. Запись track_process, следящая за haproxy, тоже подходит.',
    },
    failing: { file: 'keepalived.conf', text: keepalivedExample({ track: null }) },
    passing: {
      file: 'keepalived.conf',
      text: `vrrp_track_process track_haproxy {\n    process haproxy\n    weight -20\n}\n\n${keepalivedExample({ track: null, instanceExtra: ['track_process {', '    track_haproxy', '}'] })}`,
    },
    fix: {
      en: 'Add the vrrp_script above the vrrp_instance, quote its command, list it in track_script on both hosts, then systemctl restart keepalived.',
      ru: 'Добавьте vrrp_script выше vrrp_instance, возьмите его команду в кавычки, укажите его в track_script на обеих машинах, затем выполните systemctl restart keepalived.',
    },
  },
  async run(ctx) {
    for (const role of ROLES) {
      const side = await vipInstanceOrSkip(ctx, role);
      if (!side) continue;
      const { config, instance } = side;
      const service = ctx.profile.haproxyService;
      const node = await nodeViewOnHost(ctx, role, instance, config.globalDefs);
      const processes = node.haproxyTrackers.filter((t) => t.kind === 'process');
      if (processes.length > 0 || node.views.some((v) => viewChecksHaproxy(v, service))) continue;
      ctx.report(diagnose(config, instance, service, node.views, role));
    }
  },
});

/** Why nothing tracks haproxy: the most specific reason first. */
function diagnose(
  config: KeepalivedConfig,
  instance: VrrpInstance,
  service: string,
  views: ScriptView[],
  role: 'master' | 'backup',
): FindingInput<MessageIdOf<typeof check>> {
  const at = (l: { file: string; line: number; text: string }) => ({
    host: role,
    file: l.file,
    line: l.line,
    excerpt: l.text.trim(),
  });
  const name = instance.name;
  const ignored = instance.droppedTracks.find((d) => d.reason === 'addressOwner' || d.reason === 'syncGroup');
  if (ignored) {
    const messageId = ignored.reason === 'addressOwner' ? 'ignoredAsOwner' : 'ignoredInSyncGroup';
    return {
      ...at(ignored.at),
      kind: 'note',
      messageId,
      data: { script: ignored.name, group: instance.syncGroup?.name ?? '' },
    };
  }
  // keepalived removed the script while reading, or disables it at load: the instance tracks nothing.
  const removed = instance.droppedTracks.find((d) => d.reason === 'scriptRemoved' && d.script);
  if (removed) return { ...at(removed.script!.at), ...removedFinding(removed.script!, name) };
  for (const v of views) {
    const drop = dropFinding(v, name);
    if (drop) return { ...at(v.tracked.target.scriptAt ?? v.tracked.target.at), ...drop };
  }
  const dropped = instance.droppedTracks.find(
    (d): d is typeof d & { reason: 'definedLater' | 'notFound' } =>
      d.reason === 'definedLater' || d.reason === 'notFound',
  );
  if (dropped) return { ...at(dropped.at), messageId: dropped.reason, data: { script: dropped.name, name } };
  const unquoted = instance.trackScripts.find((t) => t.target.argv.length === 1 && t.target.ignoredWords.length > 0);
  if (unquoted) {
    const s = unquoted.target;
    return {
      ...at(s.scriptAt ?? s.at),
      messageId: 'unquotedScript',
      data: { written: [s.argv[0], ...s.ignoredWords].join(' '), command: s.argv[0] },
    };
  }
  const untracked = config.scripts.find((s) => mentionsHaproxy(s.argv, service));
  if (untracked) return { ...at(instance.at), messageId: 'notTracked', data: { script: untracked.name, name } };
  const unreadable = views.find((v) => v.unreadable);
  if (unreadable) {
    const s = unreadable.tracked.target;
    return {
      ...at(s.scriptAt ?? s.at),
      kind: 'skip',
      messageId: 'scriptUnreadable',
      data: { file: unreadable.file?.path ?? s.argv[0] ?? '' },
    };
  }
  for (const other of views) {
    const why = other.judgement.why;
    if (why !== 'webServerOnly' && why !== 'otherProcess' && why !== 'fileTest') continue;
    const s = other.tracked.target;
    return {
      ...at(s.scriptAt ?? s.at),
      messageId: why,
      data: { ...other.judgement.data, command: s.argv.join(' ') },
    };
  }
  const tracked = instance.trackScripts[0];
  if (tracked)
    return {
      ...at(tracked.target.scriptAt ?? tracked.at),
      messageId: 'notHaproxy',
      data: { command: tracked.target.argv.join(' ') },
    };
  return { ...at(instance.at), messageId: 'noTracking', data: { name } };
}

export default check;
