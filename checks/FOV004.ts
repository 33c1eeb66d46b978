import { failoverProbe } from '../src/probe/failover.js';
import { PRECHECK_MESSAGES, reportPrecheck } from '../src/probe/report.js';
import { FOLLOW_GRACE_MS } from '../src/probe/service.js';
import { defineCheck, type CheckContext, type FindingKind, type MessageIdOf } from '../src/model/check.js';

/** The context of this check: helpers below report only its own ids. */
type Ctx = CheckContext<MessageIdOf<typeof check>>;
import type { ServiceTimeline } from '../src/model/service.js';

const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(1);

/** The figures every message about the service quotes. */
function figures(s: ServiceTimeline): Record<string, string | number> {
  return {
    target: s.target,
    sent: s.sent,
    failed: s.failed,
    failoverDown: seconds(s.failoverDowntimeMs),
    failbackDown: seconds(s.failbackDowntimeMs),
    master: s.servedBy.master,
    backup: s.servedBy.backup,
    unknown: s.servedBy.unknown,
  };
}

/** How long backup held the VIP while the client ran, for the diagnosis. */
function backupHeldMs(s: ServiceTimeline): number {
  const m = s.moments;
  if (!m || m.vipOnBackupAtMs === undefined) return 0;
  return (m.vipBackAtMs ?? m.endAtMs) - m.vipOnBackupAtMs;
}

const check = defineCheck({
  id: 'FOV004',
  title: {
    en: 'clients are served through the VIP during failover',
    ru: 'клиенты получают ответ через виртуальный IP во время переключения',
  },
  area: 'failover',
  mode: 'disruptive',
  points: 0,
  pointsFromProfile: (profile) => profile.servicePoints,
  severity: 'major',
  spec: 'Requirement 5 (the VIP moves so that the service stays available) and "Facts": in the cloud the SDN ignores VRRP, so by default this is evidence, not graded',
  asserts: {
    en: "While the probe stops and starts haproxy on master, HTTPS requests from the grader to VIP:443 (10 a second by default) are answered again after the VIP moved each way: the service is served by backup while backup holds the VIP, and downtime stays within keepalived's own bound. Graded only when the lab profile sets servicePoints; otherwise evidence and notes.",
    ru: 'Пока проверка останавливает и запускает haproxy на master, HTTPS-запросы грейдера к VIP:443 (по умолчанию 10 в секунду) снова получают ответ после каждого перехода IP: пока IP на backup, отвечает backup, а простой не дольше, чем нужно keepalived по его таймерам. Оценивается, только если в профиле лаборатории задан servicePoints; иначе это сведения и примечания.',
  },
  messages: {
    ...PRECHECK_MESSAGES,
    clientDisabled: {
      en: 'the client probe is off in this lab profile (clientRate: 0): clients through the VIP were not observed',
      ru: 'клиентская проверка отключена в профиле лаборатории (clientRate: 0): запросы через виртуальный IP не отправлялись',
    },
    noClient: {
      en: 'no HTTPS client in this run (only live runs over SSH send requests to the VIP)',
      ru: 'в этом запуске нет HTTPS-клиента (запросы к виртуальному IP отправляются только при проверке машин по SSH)',
    },
    unreachable: {
      en: 'this machine cannot reach {target} at all ({detail}), so clients through the VIP were not observed: a firewall, a security group or a private address may stand between; this is not a failure of the pair',
      ru: 'с этой машины {target} недоступен совсем ({detail}), поэтому запросы через виртуальный IP не проверялись: мешать может файрвол, группа безопасности или частный адрес; это не ошибка кластера',
    },
    evidenceOnly: {
      en: 'evidence only, not graded by this lab profile (servicePoints: 0): {failed} of {sent} requests to {target} failed; service down {failoverDown} s during failover and {failbackDown} s during failback; answered by master {master}, backup {backup}, unknown {unknown}',
      ru: 'только сведения, профиль лаборатории это не оценивает (servicePoints: 0): из {sent} запросов к {target} не получили ответа {failed}; простой {failoverDown} с при переключении и {failbackDown} с при возврате; ответил master {master}, backup {backup}, неизвестно {unknown}',
    },
    served: {
      en: '{failed} of {sent} requests to {target} failed; service down {failoverDown} s during failover and {failbackDown} s during failback; answered by master {master}, backup {backup}, unknown {unknown}',
      ru: 'из {sent} запросов к {target} не получили ответа {failed}; простой {failoverDown} с при переключении и {failbackDown} с при возврате; ответил master {master}, backup {backup}, неизвестно {unknown}',
    },
    unidentified: {
      en: 'who served {unknown} answered requests is unknown: the two hosts present the same certificate (or it could not be read) and the answer does not name the host',
      ru: 'кто ответил на {unknown} запросов, неизвестно: обе машины предъявляют один и тот же сертификат (или его не удалось прочитать), а в ответе нет имени машины',
    },
    vrrpIgnoredFailing: {
      en: "the VIP moved to backup, but every request to {target} failed for the whole {held} s that backup held it: this network does not follow VRRP. A cloud network (SDN) delivers the external address to one VM by its own routes, not to whichever interface answers ARP, so keepalived moving the address changes nothing for clients. The course grades who holds the VIP, and that moved as it should; in production, make the move real with a keepalived notify script that reassigns the address through the cloud's API, or put the cloud's load balancer in front of both hosts",
      ru: 'виртуальный IP перешёл на backup, но все запросы к {target} не получили ответа все {held} с, пока IP был на backup: эта сеть не следует VRRP. Облачная сеть (SDN) доставляет внешний адрес в конкретную ВМ по своим маршрутам, а не туда, кто ответил на ARP, поэтому перенос адреса keepalived ничего не меняет для клиентов. Курс оценивает, у кого виртуальный IP, и он перешёл как надо; в рабочей системе перенос делают настоящим: notify-скрипт keepalived переназначает адрес через API облака, или перед обеими машинами ставят балансировщик облака',
    },
    vrrpIgnoredMaster: {
      en: "the VIP moved to backup, but requests to {target} kept reaching master for the whole {held} s that backup held it (none was answered by backup): this network does not follow VRRP. A cloud network (SDN) delivers the external address to one VM by its own routes, not to whichever interface answers ARP, so clients were down while haproxy was stopped on master. The course grades who holds the VIP, and that moved as it should; in production, make the move real with a keepalived notify script that reassigns the address through the cloud's API, or put the cloud's load balancer in front of both hosts",
      ru: 'виртуальный IP перешёл на backup, но запросы к {target} всё равно приходили на master все {held} с, пока IP был на backup (backup не ответил ни разу): эта сеть не следует VRRP. Облачная сеть (SDN) доставляет внешний адрес в конкретную ВМ по своим маршрутам, а не туда, кто ответил на ARP, поэтому, пока haproxy на master был остановлен, клиенты оставались без сервиса. Курс оценивает, у кого виртуальный IP, и он перешёл как надо; в рабочей системе перенос делают настоящим: notify-скрипт keepalived переназначает адрес через API облака, или перед обеими машинами ставят балансировщик облака',
    },
    notRecovered: {
      en: 'requests to {target} were still failing when the probe ended ({failed} of {sent} failed): the service did not come back through the VIP',
      ru: 'запросы к {target} всё ещё не получали ответа, когда проверка закончилась (не получили ответа {failed} из {sent}): сервис через виртуальный IP не восстановился',
    },
    downtimeTooLongFailover: {
      en: 'the service through {target} was down {down} s during failover, longer than the {bound} s keepalived needs by its own timers (plus {grace} s for clients to follow)',
      ru: 'сервис через {target} был недоступен {down} с при переключении, дольше {bound} с, нужных keepalived по его таймерам (плюс {grace} с, чтобы клиенты успели переключиться)',
    },
    downtimeTooLongFailback: {
      en: 'the service through {target} was down {down} s during failback, longer than the {bound} s keepalived needs by its own timers (plus {grace} s for clients to follow)',
      ru: 'сервис через {target} был недоступен {down} с при возврате, дольше {bound} с, нужных keepalived по его таймерам (плюс {grace} с, чтобы клиенты успели переключиться)',
    },
  },
  hints: {
    vrrpIgnoredFailing: {
      en: "Nothing to change for the course. On a cloud: a notify_master script calling the cloud API (or the cloud's load balancer). Practise the L2 behaviour with `hagrade lab up` (and see the cloud one with `--network cloud`).",
      ru: 'Для курса ничего менять не нужно. В облаке: notify_master-скрипт, вызывающий API облака (или балансировщик облака). Поведение в L2-сети можно посмотреть в `hagrade lab up` (а облачное — с `--network cloud`).',
    },
    vrrpIgnoredMaster: {
      en: "Nothing to change for the course. On a cloud: a notify_master script calling the cloud API (or the cloud's load balancer).",
      ru: 'Для курса ничего менять не нужно. В облаке: notify_master-скрипт, вызывающий API облака (или балансировщик облака).',
    },
  },
  hint: {
    en: "Look at the service line of the failover timeline: when the VIP is on backup, backup's haproxy must answer on 443 (is it running, does it bind *:443?).",
    ru: 'Посмотрите строку сервиса на шкале переключения: пока виртуальный IP на backup, на 443 должен отвечать haproxy на backup (запущен ли он, слушает ли *:443?).',
  },
  doc: {
    rationale: {
      en: "Who holds the VIP is what the course grades, but clients care whether they are served. On an L2 network (VirtualBox, on-premises) keepalived's gratuitous ARP sends clients to backup within the failover time. In a cloud the SDN routes the external address to the old master regardless, so the service is down while haproxy is stopped there: hagrade measures it from the grader's side and says so, and a lab on a real L2 network can grade it (servicePoints in the lab profile).",
      ru: 'Курс оценивает, у кого виртуальный IP, а клиентам важно, получают ли они ответ. В L2-сети (VirtualBox, своё оборудование) gratuitous ARP от keepalived переводит клиентов на backup за время переключения. В облаке SDN по-прежнему направляет внешний адрес на старый master, и пока haproxy там остановлен, сервис недоступен: hagrade измеряет это со стороны грейдера и объясняет, а лаборатория в настоящей L2-сети может это оценивать (servicePoints в профиле лаборатории).',
    },
    failing: {
      file: 'keepalived.conf',
      text: 'vrrp_instance VI_1 {\n    # on a cloud network: the VIP moves between interfaces, the cloud keeps routing it to master\n    virtual_ipaddress {\n        51.250.86.11/24 brd 51.250.86.255 dev eth0 label eth0:10\n    }\n}\n',
    },
    passing: {
      file: 'keepalived.conf',
      text: 'vrrp_instance VI_1 {\n    virtual_ipaddress {\n        51.250.86.11/24 brd 51.250.86.255 dev eth0 label eth0:10\n    }\n    # on a cloud: move the address through the cloud\'s API when this node becomes MASTER\n    notify_master "/etc/keepalived/move-external-ip.sh"\n}\n',
    },
    fix: {
      en: "On an L2 network: make sure backup's haproxy serves 443 and the sysctl settings let it answer for the VIP. On a cloud: nothing for the course; in production add a notify_master script that moves the address through the cloud's API, or use the cloud's load balancer.",
      ru: 'В L2-сети: убедитесь, что haproxy на backup отвечает на 443 и настройки sysctl позволяют ему отвечать на виртуальный IP. В облаке: для курса ничего; в рабочей системе добавьте notify_master-скрипт, переносящий адрес через API облака, или используйте балансировщик облака.',
    },
  },
  async run(ctx) {
    const outcome = await failoverProbe(ctx);
    if (reportPrecheck(ctx, outcome)) return;
    const service = outcome.timeline.service;
    if (!service) {
      // The probe ended before the client started: it could not arm, or it was interrupted.
      if (outcome.failover.status === 'error')
        ctx.report({ kind: 'skip', messageId: 'probeError', data: { reason: outcome.failover.reason } });
      else ctx.report({ kind: 'skip', messageId: ctx.signal.aborted ? 'interrupted' : 'noClient' });
      return;
    }
    if (service.notRun) {
      const id =
        service.notRun.reason === 'disabled'
          ? 'clientDisabled'
          : service.notRun.reason === 'unreachable'
            ? 'unreachable'
            : 'noClient';
      ctx.report({
        kind: 'skip',
        messageId: id,
        data: { target: service.target, detail: service.notRun.detail ?? '' },
      });
      return;
    }
    const graded = ctx.profile.servicePoints > 0;
    if (!graded) {
      reportEvidence(ctx, service);
      return;
    }
    if (outcome.failover.status !== 'pass') {
      // FOV001 judges a VIP that did not move; the service is not judged on top of it.
      ctx.report({ kind: 'skip', messageId: 'vipNeverMoved' });
      return;
    }
    judge(ctx, service, outcome.deadlines?.failoverMs, outcome.deadlines?.failbackMs);
  },
});

/** Evidence only: every finding is a skip, so the course's score and exit code stay as they were. */
function reportEvidence(ctx: Ctx, service: ServiceTimeline): void {
  ctx.report({ kind: 'skip', messageId: 'evidenceOnly', data: figures(service) });
  reportDiagnosis(ctx, service, 'skip');
  if (service.servedBy.unknown > 0) ctx.report({ kind: 'skip', messageId: 'unidentified', data: figures(service) });
}

function reportDiagnosis(ctx: Ctx, service: ServiceTimeline, kind: FindingKind): boolean {
  if (!service.diagnosis) return false;
  const messageId = service.diagnosis === 'vrrp-ignored-failing' ? 'vrrpIgnoredFailing' : 'vrrpIgnoredMaster';
  ctx.report({ kind, messageId, data: { ...figures(service), held: seconds(backupHeldMs(service)) } });
  return true;
}

function judge(
  ctx: Ctx,
  service: ServiceTimeline,
  failoverBound: number | undefined,
  failbackBound: number | undefined,
): void {
  const data = figures(service);
  if (reportDiagnosis(ctx, service, 'fail')) return;
  if (!service.recovered) {
    ctx.report({ messageId: 'notRecovered', data });
    return;
  }
  let failed = false;
  const phases = [
    { messageId: 'downtimeTooLongFailover', down: service.failoverDowntimeMs, bound: failoverBound },
    { messageId: 'downtimeTooLongFailback', down: service.failbackDowntimeMs, bound: failbackBound },
  ] as const;
  for (const p of phases) {
    if (p.down === undefined || p.bound === undefined || p.down <= p.bound + FOLLOW_GRACE_MS) continue;
    failed = true;
    ctx.report({
      messageId: p.messageId,
      data: { ...data, down: seconds(p.down), bound: seconds(p.bound), grace: seconds(FOLLOW_GRACE_MS) },
    });
  }
  if (failed) return;
  ctx.report({ kind: 'note', messageId: 'served', data });
  if (service.servedBy.unknown > 0) ctx.report({ kind: 'note', messageId: 'unidentified', data });
}

export default check;
