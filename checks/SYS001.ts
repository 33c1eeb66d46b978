// SYS001: the task's kernel settings are in /etc/sysctl.conf (or /etc/sysctl.d/*.conf) as sysctl reads
// them and, when the host can be asked, in effect now.
import {
  expectedSysctl,
  judgeSetting,
  loadSysctl,
  parseSysctlOutput,
  sameSysctlValue,
  type ExpectedSysctl,
} from '../src/facts/sysctl.js';
import { DEFAULT_PROFILE } from '../src/inputs/profile.js';
import { ROLES, type Role } from '../src/model/basics.js';
import { defineCheck, type CheckContext, type MessageIdOf } from '../src/model/check.js';

/** The context of this check: helpers below report only its own ids. */
type Ctx = CheckContext<MessageIdOf<typeof check>>;

// The task's lines, as the doc examples show them.
const TASK_LINES = Object.entries(DEFAULT_PROFILE.sysctl).map(([key, value]) => `${key} = ${value}`);

const check = defineCheck({
  id: 'SYS001',
  title: { en: 'Kernel settings for keepalived', ru: 'Параметры ядра для keepalived' },
  area: 'system',
  mode: 'static',
  alsoLive: true,
  points: 2,
  severity: 'major',
  spec: 'Requirements 6 (Kernel settings)',
  asserts: {
    en: "Every kernel setting of the task is set to the task's value in /etc/sysctl.conf or /etc/sysctl.d/*.conf, as sysctl --system applies them, and (with live access) is in effect.",
    ru: 'Каждый параметр ядра из задания задан с нужным значением в /etc/sysctl.conf или /etc/sysctl.d/*.conf (так, как их применяет sysctl --system) и, при живом доступе, действует сейчас.',
  },
  messages: {
    missing: {
      en: '{key} is not set: neither {file} nor {dir}/*.conf sets it (expected {key} = {expected})',
      ru: 'параметр {key} не задан ни в {file}, ни в {dir}/*.conf (нужно {key} = {expected})',
    },
    invalidSyntax: {
      en: 'this line has no "=": sysctl skips it as invalid syntax, so {key} is not set',
      ru: 'в строке нет "=": sysctl пропускает её как ошибочную, и {key} не задаётся',
    },
    wrongValue: { en: '{key} = {actual}, expected {expected}', ru: '{key} = {actual}, а нужно {expected}' },
    overridden: {
      en: '{key} = {actual} here overrides {key} = {expected} from {goodFile}:{goodLine}',
      ru: '{key} = {actual} здесь отменяет {key} = {expected} из {goodFile}:{goodLine}',
    },
    otherFile: {
      en: '{keys} set in {file}, not in {confFile}: applied at boot and by sysctl --system, but not by sysctl -p',
      ru: '{keys} заданы в {file}, а не в {confFile}: применяются при загрузке и командой sysctl --system, но не sysctl -p',
    },
    unreadable: { en: 'could not read {file}: {error}', ru: 'не удалось прочитать {file}: {error}' },
    liveWrong: {
      en: 'in effect now: {key} = {actual}, expected {expected}',
      ru: 'сейчас действует {key} = {actual}, а нужно {expected}',
    },
    liveUnknown: { en: 'the kernel has no {key}: {error}', ru: 'в ядре нет параметра {key}: {error}' },
    liveError: {
      en: 'could not read the values in effect: {error}',
      ru: 'не удалось прочитать действующие значения: {error}',
    },
  },
  hints: {
    missing: {
      en: "Append the task's lines to /etc/sysctl.conf, then run sysctl -p.",
      ru: 'Допишите строки из задания в /etc/sysctl.conf и выполните sysctl -p.',
    },
    invalidSyntax: { en: 'Write it as key = value.', ru: 'Запишите в виде ключ = значение.' },
    overridden: {
      en: 'sysctl applies /etc/sysctl.d/*.conf by name and /etc/sysctl.conf last; later lines win. Remove the later line.',
      ru: 'sysctl применяет /etc/sysctl.d/*.conf по порядку имён и /etc/sysctl.conf последним; побеждает более поздняя строка. Удалите её.',
    },
    liveWrong: {
      en: 'The file is not applied yet: run sysctl -p (or sysctl --system).',
      ru: 'Файл ещё не применён: выполните sysctl -p (или sysctl --system).',
    },
    liveUnknown: {
      en: 'For eth0 keys: is the interface really named eth0 (ip -br link)? For ipv6 keys: is IPv6 compiled in or disabled on the kernel command line?',
      ru: 'Для ключей eth0: интерфейс действительно называется eth0 (ip -br link)? Для ключей ipv6: не отключён ли IPv6 в параметрах загрузки ядра?',
    },
  },
  hint: {
    en: "Append the task's settings to /etc/sysctl.conf (cat << EOF >> /etc/sysctl.conf ... EOF) and apply them with sysctl -p, on both hosts.",
    ru: 'Допишите параметры из задания в /etc/sysctl.conf (cat << EOF >> /etc/sysctl.conf ... EOF) и примените их командой sysctl -p на обеих машинах.',
  },
  doc: {
    rationale: {
      en: 'keepalived adds the VIP to master although it is not one of its own addresses: ip_nonlocal_bind lets HAProxy bind to the VIP before it arrives, and the arp_* settings keep the node that does not hold the VIP from answering ARP for it. The settings must survive a reboot, so they belong in /etc/sysctl.conf (sysctl -p) or /etc/sysctl.d/*.conf (applied at boot). The grader reads these files as procps sysctl does: "#" and ";" comments, "." or "/" separators, "-" prefixes, globs, sysctl.d files by name and sysctl.conf last, the last line winning.',
      ru: 'keepalived назначает VIP на master, хотя это не его собственный адрес: ip_nonlocal_bind позволяет HAProxy слушать VIP заранее, а параметры arp_* не дают узлу без VIP отвечать на ARP-запросы о нём. Настройки должны пережить перезагрузку, поэтому они записываются в /etc/sysctl.conf (sysctl -p) или /etc/sysctl.d/*.conf (применяются при загрузке). Грейдер читает эти файлы так же, как sysctl из procps: комментарии "#" и ";", разделители "." и "/", префикс "-", шаблоны, файлы sysctl.d по порядку имён и sysctl.conf последним, побеждает последняя строка.',
    },
    failing: {
      file: 'sysctl.conf',
      text: `${TASK_LINES.filter((l) => !l.includes('ip_nonlocal_bind')).join('\n')}\nnet.ipv4.ip_nonlocal_bind = 0\n`,
    },
    passing: { file: 'sysctl.conf', text: `${TASK_LINES.join('\n')}\n` },
    fix: {
      en: 'cat << EOF >> /etc/sysctl.conf with the seven lines of the task, then sysctl -p; check with sysctl net.ipv4.ip_nonlocal_bind.',
      ru: 'cat << EOF >> /etc/sysctl.conf с семью строками из задания, затем sysctl -p; проверьте: sysctl net.ipv4.ip_nonlocal_bind.',
    },
  },
  async run(ctx) {
    const expected = expectedSysctl(ctx.profile);
    for (const role of ROLES) {
      await checkFiles(ctx, role, expected);
      if (ctx.options.live) await checkInEffect(ctx, role, expected);
    }
  },
});

async function checkFiles(ctx: Ctx, role: Role, expected: ExpectedSysctl[]): Promise<void> {
  const { sysctlPath: confFile, sysctlDir } = ctx.profile;
  const config = await loadSysctl(ctx, role);
  for (const read of config.files) {
    if (!read.ok && read.reason !== 'missing') {
      ctx.report({
        kind: 'error',
        host: role,
        file: read.path,
        messageId: 'unreadable',
        data: { file: read.path, error: read.message },
      });
    }
  }
  const setElsewhere = new Map<string, string[]>();
  for (const want of expected) {
    const verdict = judgeSetting(config, want);
    const data = { key: want.key, expected: want.value };
    if (verdict.state === 'missing') {
      const invalid = verdict.invalid;
      if (invalid) {
        ctx.report({
          host: role,
          file: invalid.file,
          line: invalid.line,
          excerpt: invalid.text,
          messageId: 'invalidSyntax',
          data,
        });
      } else {
        ctx.report({
          host: role,
          file: confFile,
          messageId: 'missing',
          data: { ...data, file: confFile, dir: sysctlDir },
        });
      }
      continue;
    }
    const { setting } = verdict;
    const at = { host: role, file: setting.file, line: setting.line, excerpt: setting.text };
    if (verdict.state === 'ok') {
      if (setting.file !== confFile)
        setElsewhere.set(setting.file, [...(setElsewhere.get(setting.file) ?? []), want.key]);
    } else if (verdict.overriddenGood) {
      const good = verdict.overriddenGood;
      ctx.report({
        ...at,
        messageId: 'overridden',
        data: { ...data, actual: setting.value ?? '', goodFile: good.file, goodLine: good.line },
      });
    } else {
      ctx.report({ ...at, messageId: 'wrongValue', data: { ...data, actual: setting.value ?? '' } });
    }
  }
  for (const [file, keys] of setElsewhere) {
    ctx.report({
      kind: 'note',
      host: role,
      file,
      messageId: 'otherFile',
      data: { file, keys: keys.join(', '), confFile },
    });
  }
}

/** The values the kernel uses now, from `sysctl KEY...`; silently nothing when the host cannot run it. */
async function checkInEffect(ctx: Ctx, role: Role, expected: ExpectedSysctl[]): Promise<void> {
  const result = await ctx.host(role).run({ key: 'sysctl', argv: ['sysctl', ...expected.map((e) => e.key)] });
  if (result.unavailable) return;
  ctx.evidence({
    host: role,
    command: result.command,
    exitCode: result.exitCode,
    output: (result.stdout + result.stderr).trim(),
  });
  if (result.exitCode === null) {
    const error = result.timedOut ? 'timed out' : (result.error ?? result.stderr.trim());
    ctx.report({ kind: 'error', host: role, messageId: 'liveError', data: { error } });
    return;
  }
  const inEffect = parseSysctlOutput(result.stdout);
  for (const want of expected) {
    const actual = inEffect.get(want.path);
    if (actual === undefined) {
      // sysctl names the missing key's /proc path on stderr ("cannot stat /proc/sys/...").
      const error = result.stderr.split('\n').find((l) => l.includes(want.path)) ?? result.stderr.trim();
      ctx.report({
        host: role,
        messageId: 'liveUnknown',
        data: { key: want.key, error: error || 'not in the output of sysctl' },
      });
    } else if (!sameSysctlValue(actual, want.value)) {
      ctx.report({ host: role, messageId: 'liveWrong', data: { key: want.key, actual, expected: want.value } });
    }
  }
}

export default check;
