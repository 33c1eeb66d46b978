// RBT003: the task's kernel settings are in effect on master after a reboot (applied for good, not only by `sysctl
// -w`).
import { rebootProbe, sysctlInEffect } from '../src/probe/reboot.js';
import { REBOOT_MESSAGES, reportNotBack, reportRebootPrecheck } from '../src/probe/reboot-report.js';
import { defineCheck } from '../src/model/check.js';

const check = defineCheck({
  id: 'RBT003',
  title: { en: 'kernel settings survive a reboot', ru: 'параметры ядра сохраняются после перезагрузки' },
  area: 'failover',
  mode: 'disruptive',
  reboot: true,
  points: 2,
  severity: 'major',
  spec: 'Requirements 6 (Kernel settings appended to /etc/sysctl.conf and applied)',
  asserts: {
    en: "After master rebooted, `sysctl KEY` shows the task's value for every kernel setting of the task.",
    ru: 'После перезагрузки master `sysctl КЛЮЧ` показывает значение из задания для каждого параметра ядра из задания.',
  },
  messages: {
    ...REBOOT_MESSAGES,
    allInEffect: {
      en: 'all {count} kernel settings are in effect after the reboot',
      ru: 'все {count} параметров ядра действуют после перезагрузки',
    },
    notPersisted: {
      en: 'after the reboot {key} = {actual}, not {expected}: no file under /etc/sysctl.conf or /etc/sysctl.d sets it, so it was set only until the reboot (sysctl -w or by hand)',
      ru: 'после перезагрузки {key} = {actual}, а не {expected}: ни /etc/sysctl.conf, ни /etc/sysctl.d его не задают, поэтому он действовал только до перезагрузки (sysctl -w или вручную)',
    },
    wrongInFile: {
      en: 'after the reboot {key} = {actual}, not {expected}: the boot applied the line as written',
      ru: 'после перезагрузки {key} = {actual}, а не {expected}: при загрузке применилась строка в таком виде',
    },
    overriddenAtBoot: {
      en: 'after the reboot {key} = {actual}, not {expected}, although the file sets {expected}: something else sets it during boot (a later sysctl.d file, a service, the network setup)',
      ru: 'после перезагрузки {key} = {actual}, а не {expected}, хотя файл задаёт {expected}: при загрузке его меняет что-то ещё (более поздний файл sysctl.d, служба, настройка сети)',
    },
    sysctlUnreadable: {
      en: 'could not read the kernel settings after the reboot: {reason}',
      ru: 'не удалось прочитать параметры ядра после перезагрузки: {reason}',
    },
  },
  hints: {
    notPersisted: {
      en: "Append the task's lines to /etc/sysctl.conf (cat << EOF >> /etc/sysctl.conf … EOF), then sysctl -p: the boot applies the file again.",
      ru: 'Допишите строки из задания в /etc/sysctl.conf (cat << EOF >> /etc/sysctl.conf … EOF), затем выполните sysctl -p: при загрузке файл применится снова.',
    },
    wrongInFile: {
      en: 'Write `{key} = {expected}` in that line, then sysctl -p.',
      ru: 'Исправьте строку на `{key} = {expected}`, затем выполните sysctl -p.',
    },
    overriddenAtBoot: {
      en: 'grep -r {key} /etc/sysctl.d /usr/lib/sysctl.d /run/sysctl.d shows who else sets it.',
      ru: 'grep -r {key} /etc/sysctl.d /usr/lib/sysctl.d /run/sysctl.d покажет, кто ещё его задаёт.',
    },
  },
  hint: {
    en: "Put the task's settings in /etc/sysctl.conf and apply them with sysctl -p.",
    ru: 'Запишите параметры из задания в /etc/sysctl.conf и примените их командой sysctl -p.',
  },
  doc: {
    rationale: {
      en: 'The task has the settings appended to /etc/sysctl.conf and applied with sysctl -p: applied now and again at every boot (systemd-sysctl reads the file). `sysctl -w` alone changes the running kernel and is gone after the next reboot, and with it ip_nonlocal_bind and the ARP settings keepalived relies on.',
      ru: 'По заданию параметры дописываются в /etc/sysctl.conf и применяются командой sysctl -p: они действуют сейчас и снова при каждой загрузке (файл читает systemd-sysctl). Один `sysctl -w` меняет только работающее ядро и пропадает после перезагрузки, а вместе с ним ip_nonlocal_bind и настройки ARP, на которые рассчитывает keepalived.',
    },
    failing: { file: 'sysctl.conf', text: '# applied with sysctl -w only\n' },
    passing: {
      file: 'sysctl.conf',
      text: 'net.ipv6.conf.all.disable_ipv6 = 1\nnet.ipv6.conf.default.disable_ipv6 = 1\nnet.ipv4.ip_nonlocal_bind = 1\nnet.ipv4.conf.all.arp_ignore = 1\nnet.ipv4.conf.all.arp_announce = 1\nnet.ipv4.conf.all.arp_filter = 0\nnet.ipv4.conf.eth0.arp_filter = 1\n',
    },
    fix: {
      en: "Append the task's seven lines to /etc/sysctl.conf on both machines and run sysctl -p.",
      ru: 'Допишите семь строк из задания в /etc/sysctl.conf на обеих машинах и выполните sysctl -p.',
    },
  },
  async run(ctx) {
    const outcome = await rebootProbe(ctx);
    if (reportRebootPrecheck(ctx, outcome) || reportNotBack(ctx, outcome)) return;
    const settings = outcome.sysctl;
    if (!settings) return void ctx.report({ kind: 'skip', messageId: 'notReached' });
    if (!Array.isArray(settings))
      return void ctx.report({
        kind: 'error',
        host: 'master',
        messageId: 'sysctlUnreadable',
        data: { reason: settings.unreadable },
      });
    for (const s of settings.filter((x) => !sysctlInEffect(x))) {
      const data = { key: s.key, expected: s.expected, actual: s.actual ?? '(unknown key)' };
      const where = s.fileLine ? { file: s.fileLine.file, line: s.fileLine.line, excerpt: s.fileLine.text } : {};
      const messageId = s.file === 'missing' ? 'notPersisted' : s.file === 'wrong' ? 'wrongInFile' : 'overriddenAtBoot';
      ctx.report({ host: 'master', messageId, data, ...where });
    }
    if (settings.every(sysctlInEffect))
      ctx.report({ kind: 'note', host: 'master', messageId: 'allInEffect', data: { count: settings.length } });
  },
});

export default check;
