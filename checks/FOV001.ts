import { failoverProbe } from '../src/probe/failover.js';
import { KEEPALIVED_LOG_MESSAGES } from '../src/facts/keepalived-log.js';
import { PRECHECK_MESSAGES, phaseEvidence, reportPhase, reportPrecheck } from '../src/probe/report.js';
import { defineCheck } from '../src/model/check.js';

const check = defineCheck({
  id: 'FOV001',
  title: {
    en: 'haproxy stopped on master → VIP moves to backup',
    ru: 'BACKUP сервер назначил ip после остановки haproxy на MASTER сервере',
  },
  area: 'failover',
  mode: 'disruptive',
  points: 5,
  severity: 'critical',
  spec: 'Requirement 5: "when haproxy stops on master the VIP must move to backup"',
  asserts: {
    en: 'After `systemctl stop haproxy` on master, the VIP appears on backup with its label and leaves master, within the time keepalived needs by its own timers.',
    ru: 'После `systemctl stop haproxy` на master виртуальный IP появляется на backup с нужной меткой и пропадает с master за время, которое нужно keepalived по его же таймерам.',
  },
  messages: {
    ...PRECHECK_MESSAGES,
    ...KEEPALIVED_LOG_MESSAGES,
    moved: { en: 'the VIP moved to backup in {seconds} s', ru: 'виртуальный IP перешёл на backup за {seconds} с' },
    notMoved: {
      en: 'haproxy was stopped on master, but after {seconds} s the VIP is held by {state}, not by backup alone',
      ru: 'haproxy на master остановлен, но через {seconds} с виртуальный IP на: {state}, а не только на backup',
    },
    notMovedWithCause: {
      en: 'haproxy was stopped on master, but after {seconds} s the VIP is held by {state}, not by backup alone. Likely cause — {cause}',
      ru: 'haproxy на master остановлен, но через {seconds} с виртуальный IP на: {state}, а не только на backup. Вероятная причина — {cause}',
    },
  },
  hint: {
    en: "Check the track script as keepalived runs it (hagrade explain KAD008) and the priorities with the weight (KAD007); keepalived's log on master shows the script's state.",
    ru: 'Проверьте скрипт отслеживания так, как его запускает keepalived (hagrade explain KAD008), и приоритеты с учётом weight (KAD007); лог keepalived на master показывает состояние скрипта.',
  },
  doc: {
    rationale: {
      en: 'The heart of the assignment: a config can look right and still not move the VIP (a track script that cannot see haproxy, a weight smaller than the priority gap, nopreempt). hagrade stops haproxy for real, after arming a dead-man switch that starts it again by itself if the grader dies.',
      ru: 'Главное в задании: конфиг может выглядеть правильно, но IP не переедет (скрипт не видит haproxy, weight меньше разницы приоритетов, nopreempt). hagrade действительно останавливает haproxy, предварительно взведя «страховку», которая сама запустит его, если грейдер упадёт.',
    },
    failing: {
      file: 'keepalived.conf',
      text: 'vrrp_script check_haproxy {\n    script "/usr/bin/killall -0 haproxy"\n    weight -5        # master 110 - 5 = 105 > backup 100: the VIP stays\n}\n',
    },
    passing: {
      file: 'keepalived.conf',
      text: 'vrrp_script check_haproxy {\n    script "/usr/bin/killall -0 haproxy"\n    weight -20       # master 110 - 20 = 90 < backup 100: backup takes the VIP\n}\n',
    },
    fix: {
      en: 'Make the tracked script fail when haproxy is down, as the user keepalived runs it as, and size the weight so master drops below backup.',
      ru: 'Сделайте так, чтобы скрипт отслеживания завершался с ошибкой при остановленном haproxy (от имени пользователя, под которым его запускает keepalived), и подберите weight так, чтобы приоритет master стал ниже backup.',
    },
  },
  async run(ctx) {
    const outcome = await failoverProbe(ctx);
    if (reportPrecheck(ctx, outcome)) return;
    phaseEvidence(ctx, outcome, 'failover');
    reportPhase(ctx, outcome.failover, 'moved', 'notMoved', { outcome, which: 'failover' });
  },
});

export default check;
