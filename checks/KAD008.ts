// KAD008: the haproxy track script can see haproxy as the user keepalived runs it as:
// script_user / the script's `user` / keepalived_script when that user exists / root.
// Static: judged from the config. Live: the script is run on the host as that user, while haproxy runs.
import { CONFIG_SKIP_MESSAGES, vipInstanceOrSkip } from '../src/facts/keepalived.js';
import { keepalivedExample } from '../src/facts/keepalived-examples.js';
import { mentionsHaproxy } from '../src/facts/haproxy-trackers.js';
import { nodeViewOnHost } from '../src/facts/failover-prediction.js';
import { outputExcerpt, runCached } from '../src/facts/commands.js';
import { DROP_HINTS, DROP_MESSAGES, dropFinding, removedFinding, type ScriptView } from '../src/facts/track-scripts.js';
import { describeVersion } from '../src/facts/versions.js';
import {
  KEEPALIVED_LOG_MESSAGES,
  lastScriptVerdict,
  logEvidence,
  messageOf,
  quoteFindings,
  runLog,
} from '../src/facts/keepalived-log.js';
import type { VrrpScript } from '../src/parsers/keepalived-model.js';
import { ROLES, type Role } from '../src/model/basics.js';
import { defineCheck, hasMessage, type CheckContext, type MessageIdOf } from '../src/model/check.js';

/** The context of this check: helpers below report only its own ids. */
type Ctx = CheckContext<MessageIdOf<typeof check>>;

/** Verdicts of script-exec.ts that are failures, each with its own message. */
const NEVER_SUCCEEDS = new Set([
  'eperm',
  'pidofSymlink',
  'literalNames',
  'extraPattern',
  'noOperand',
  'testSyntax',
  'testConstant',
  'alwaysFails',
  'curlLiteral',
] as const);
type NeverSucceedsWhy = typeof NEVER_SUCCEEDS extends Set<infer W> ? W : never;
const neverSucceeds = (why: string): why is NeverSucceedsWhy => (NEVER_SUCCEEDS as ReadonlySet<string>).has(why);

const check = defineCheck({
  id: 'KAD008',
  title: {
    en: 'the track script sees haproxy as its user',
    ru: 'скрипт проверки видит haproxy от имени своего пользователя',
  },
  area: 'keepalived',
  mode: 'static',
  alsoLive: true,
  points: 2,
  severity: 'major',
  spec: 'Requirements 5 (keepalived): track the haproxy process on both servers',
  asserts: {
    en: 'The vrrp_script that checks haproxy can succeed as the user keepalived runs it as (its `user`, else script_user, else keepalived_script if that user exists, else root): no `killall -0`/`pkill -0` as a non-root user, no direct `pidof` (keepalived < 2.3 runs it as killall5), no command that cannot fail (`echo`, `… || true`). keepalived runs it without a shell, so `||`, `|`, `>` and `$(…)` reach the program as arguments, and a script file without `#!` always counts as a success; keepalived must be able to run it at all (a user, the file, its x bit, a safe path).',
    ru: 'vrrp_script, проверяющий haproxy, может выполниться успешно от имени пользователя, под которым его запускает keepalived (его `user`, иначе script_user, иначе keepalived_script, если такой пользователь есть, иначе root): нет `killall -0`/`pkill -0` от не-root пользователя, нет прямого вызова `pidof` (keepalived < 2.3 запускает его как killall5) и нет команды, которая не может завершиться ошибкой (`echo`, `… || true`). keepalived запускает её без shell, поэтому `||`, `|`, `>` и `$(…)` попадают в программу как аргументы, а файл скрипта без `#!` всегда считается успешным; keepalived должен вообще быть в состоянии её запустить (пользователь, файл, бит x, безопасный путь).',
  },
  messages: {
    ...CONFIG_SKIP_MESSAGES,
    ...KEEPALIVED_LOG_MESSAGES,
    noHaproxyScript: {
      en: 'cannot judge: no tracked vrrp_script checks haproxy (see KAD006)',
      ru: 'невозможно проверить: ни один отслеживаемый vrrp_script не проверяет haproxy (см. KAD006)',
    },
    eperm: {
      en: "`{command}` runs as {user} ({source}): kill(2) on root's haproxy fails with EPERM, so the check always fails on both nodes and the VIP never moves",
      ru: '`{command}` выполняется от {user} ({source}): kill(2) для haproxy, принадлежащего root, завершается с EPERM, поэтому проверка всегда неуспешна на обеих машинах и виртуальный ip не переходит',
    },
    pidofSymlink: {
      en: '`{command}`: keepalived before 2.3 (here {version}) runs pidof as /sbin/killall5 on Debian and Ubuntu, which fails ("only one argument, a signal number, allowed")',
      ru: '`{command}`: keepalived до версии 2.3 (здесь {version}) на Debian и Ubuntu запускает pidof как /sbin/killall5, и он завершается с ошибкой ("only one argument, a signal number, allowed")',
    },
    ...DROP_MESSAGES,
    literalNames: {
      en: 'keepalived runs `{command}` without a shell: {literals} reach {program} as names to look for, no process has them, so it fails whether haproxy runs or not and the VIP never moves',
      ru: 'keepalived запускает `{command}` без shell: {literals} попадают в {program} как имена для поиска, процессов с такими именами нет, поэтому проверка неуспешна независимо от того, работает ли haproxy, и виртуальный ip не переходит',
    },
    extraPattern: {
      en: 'keepalived runs `{command}` without a shell: {program} gets {literals} as more patterns and refuses them ("only one pattern can be provided", exit 2) whether haproxy runs or not',
      ru: 'keepalived запускает `{command}` без shell: {program} получает {literals} как дополнительные шаблоны и отказывается работать ("only one pattern can be provided", код 2) независимо от того, работает ли haproxy',
    },
    noOperand: {
      en: '`{command}` names nothing to look for: {program} exits with an error whether haproxy runs or not',
      ru: '`{command}` не указывает, что искать: {program} завершается с ошибкой независимо от того, работает ли haproxy',
    },
    testSyntax: {
      en: 'keepalived runs `{command}` without a shell: `$(…)` is not run, {program} gets the words as text and stops with a syntax error (exit 2) whether haproxy runs or not',
      ru: 'keepalived запускает `{command}` без shell: `$(…)` не выполняется, {program} получает слова как текст и завершается с синтаксической ошибкой (код 2) независимо от того, работает ли haproxy',
    },
    testConstant: {
      en: 'keepalived runs `{command}` without a shell: `$(…)` is not run, {program} tests the literal text and is always {value}, whether haproxy runs or not',
      ru: 'keepalived запускает `{command}` без shell: `$(…)` не выполняется, {program} проверяет сам текст, и результат всегда {value}, независимо от того, работает ли haproxy',
    },
    alwaysFails: {
      en: '`{command}` always fails: both nodes lose the same weight and the VIP never moves',
      ru: '`{command}` всегда завершается с ошибкой: обе машины теряют одинаковый вес, и виртуальный ip не переходит',
    },
    curlLiteral: {
      en: "keepalived runs `{command}` without a shell: {literals} reach {program} as more URLs, and its exit status is the last one's, an error, whether haproxy runs or not",
      ru: 'keepalived запускает `{command}` без shell: {literals} попадают в {program} как дополнительные URL, а код возврата определяется последним из них — ошибкой, независимо от того, работает ли haproxy',
    },
    noShebang: {
      en: '{file} has no #! line: keepalived {version} execs it without a shell, execve() fails (ENOEXEC) and keepalived counts the run as a success ("Script errors aren\'t server errors"), so it never fails',
      ru: 'в {file} нет строки #!: keepalived {version} запускает его без shell, execve() завершается ошибкой (ENOEXEC), и keepalived считает запуск успешным ("Script errors aren\'t server errors"), поэтому проверка никогда не бывает неуспешной',
    },
    badInterpreter: {
      en: '{file} starts with #!{interpreter}, which does not exist on the host: execve() fails and keepalived {version} counts every run as a success, so it never fails',
      ru: '{file} начинается с #!{interpreter}, а такого файла на машине нет: execve() завершается ошибкой, и keepalived {version} считает каждый запуск успешным, поэтому проверка никогда не бывает неуспешной',
    },
    scriptUnreadable: {
      en: 'cannot judge: the tracked script {file} could not be read, so what it checks is unknown',
      ru: 'невозможно проверить: не удалось прочитать отслеживаемый скрипт {file}, поэтому неизвестно, что он проверяет',
    },
    cannotFail: {
      en: '`{command}` exits 0 whether haproxy runs or not, so keepalived never sees haproxy stop and the VIP never moves',
      ru: '`{command}` завершается с кодом 0 независимо от того, работает ли haproxy, поэтому keepalived не замечает остановку haproxy и виртуальный ip не переходит',
    },
    liveFails: {
      en: 'run as {user} on the host while haproxy is running, `{command}` exits {code}: {output}',
      ru: 'запуск от {user} на машине при работающем haproxy: `{command}` завершается с кодом {code}: {output}',
    },
    liveNoAnswer: {
      en: 'run as {user} on the host, `{command}` gave no exit code in time; the grader could not decide, run it again',
      ru: 'запуск от {user} на машине: `{command}` не завершился вовремя; грейдер не смог решить, запустите проверку ещё раз',
    },
    liveWorks: {
      en: 'run as {user} on the host, `{command}` exits 0 while haproxy is running',
      ru: 'запуск от {user} на машине: `{command}` завершается с кодом 0, пока haproxy работает',
    },
    cannotTell: {
      en: '`{command}` runs as {user} ({source}); whether it sees a root-owned haproxy is not known statically',
      ru: '`{command}` выполняется от {user} ({source}); видит ли он haproxy, принадлежащий root, статически определить нельзя',
    },
  },
  hints: {
    ...DROP_HINTS,
    literalNames: {
      en: 'keepalived runs no shell: name only the process (script "/usr/bin/pgrep -x haproxy"), or write the shell explicitly: script "/bin/sh -c \'…\'".',
      ru: 'keepalived не запускает shell: укажите только процесс (script "/usr/bin/pgrep -x haproxy") или явно вызовите shell: script "/bin/sh -c \'…\'".',
    },
    extraPattern: {
      en: 'keepalived runs no shell: script "/usr/bin/pgrep -x haproxy" needs no redirection or pipe.',
      ru: 'keepalived не запускает shell: script "/usr/bin/pgrep -x haproxy" не нужны перенаправления и конвейеры.',
    },
    testSyntax: {
      en: 'Use the command itself: script "/usr/bin/pgrep -x haproxy" (or "/bin/sh -c \'…\'" for shell syntax).',
      ru: 'Используйте саму команду: script "/usr/bin/pgrep -x haproxy" (или "/bin/sh -c \'…\'" для синтаксиса shell).',
    },
    testConstant: {
      en: 'Use the command itself: script "/usr/bin/pgrep -x haproxy" (or "/bin/sh -c \'…\'" for shell syntax).',
      ru: 'Используйте саму команду: script "/usr/bin/pgrep -x haproxy" (или "/bin/sh -c \'…\'" для синтаксиса shell).',
    },
    curlLiteral: {
      en: 'keepalived runs no shell: drop the redirection; curl -s -o /dev/null does the same.',
      ru: 'keepalived не запускает shell: уберите перенаправление; curl -s -o /dev/null делает то же самое.',
    },
    noShebang: { en: 'Start the script with #!/bin/sh.', ru: 'Начните скрипт со строки #!/bin/sh.' },
    badInterpreter: {
      en: 'Name an interpreter that exists: #!/bin/sh.',
      ru: 'Укажите существующий интерпретатор: #!/bin/sh.',
    },
    eperm: {
      en: 'Use pgrep -x haproxy (reads /proc, needs no permission), or set script_user root in global_defs.',
      ru: 'Используйте pgrep -x haproxy (читает /proc, права не нужны) или укажите script_user root в global_defs.',
    },
    pidofSymlink: {
      en: 'Use "/usr/bin/pgrep -x haproxy", or wrap pidof in a shell: "/bin/sh -c \'pidof haproxy\'".',
      ru: 'Используйте "/usr/bin/pgrep -x haproxy" или вызовите pidof через shell: "/bin/sh -c \'pidof haproxy\'".',
    },
    cannotFail: {
      en: 'Check the process and let its exit status through: script "/usr/bin/pgrep -x haproxy".',
      ru: 'Проверяйте сам процесс и не теряйте код возврата: script "/usr/bin/pgrep -x haproxy".',
    },
  },
  hint: {
    en: 'Run the check as keepalived would: sudo -u <user> <command>; echo $? must print 0 while haproxy runs.',
    ru: 'Запустите проверку так, как это делает keepalived: sudo -u <пользователь> <команда>; echo $? должно вывести 0, пока haproxy работает.',
  },
  doc: {
    rationale: {
      en: "keepalived runs track scripts as the vrrp_script's `user`, else global `script_user`, else `keepalived_script` when that user exists, else root. Signal 0 (`killall -0`, `pkill -0`) still checks permission: a non-root user gets EPERM for root's haproxy, so the check fails on both nodes, both priorities drop by the same weight and the VIP never moves. `pgrep` and `pidof` only read /proc and work as any user, but a vrrp_script that calls `pidof` directly fails under keepalived < 2.3 on Debian/Ubuntu, where pidof is a symlink to killall5.",
      ru: 'keepalived запускает track script от имени `user` из vrrp_script, иначе от глобального `script_user`, иначе от `keepalived_script`, если такой пользователь есть, иначе от root. Сигнал 0 (`killall -0`, `pkill -0`) всё равно проверяет права: не-root пользователь получает EPERM для haproxy, принадлежащего root, поэтому проверка неуспешна на обеих машинах, оба приоритета снижаются на один и тот же вес, и виртуальный ip не переходит. `pgrep` и `pidof` только читают /proc и работают от любого пользователя, но vrrp_script, напрямую вызывающий `pidof`, не работает в keepalived < 2.3 на Debian/Ubuntu, где pidof — символическая ссылка на killall5.',
    },
    failing: {
      file: 'keepalived.conf',
      text: keepalivedExample({ globalDefs: ['router_id master', 'script_user student', 'enable_script_security'] }),
    },
    passing: {
      file: 'keepalived.conf',
      text: keepalivedExample({
        globalDefs: ['router_id master', 'script_user student', 'enable_script_security'],
        script: ['script "/usr/bin/pgrep -x haproxy"', 'interval 1', 'fall 2', 'rise 2', 'weight -20'],
      }),
    },
    fix: {
      en: 'Use script "/usr/bin/pgrep -x haproxy" (or keep killall -0 with script_user root), then systemctl restart keepalived on both.',
      ru: 'Используйте script "/usr/bin/pgrep -x haproxy" (или оставьте killall -0 вместе со script_user root), затем выполните systemctl restart keepalived на обеих машинах.',
    },
  },
  async run(outer) {
    const service = outer.profile.haproxyService;
    // Which hosts got a failure: under it, keepalived's own lines since it started.
    const failed = new Set<Role>();
    const ctx: typeof outer = {
      ...outer,
      report: (f) => {
        if ((f.kind ?? 'fail') === 'fail' && f.host) failed.add(f.host);
        outer.report(f);
      },
    };
    try {
      await judgeHosts(ctx, service);
    } finally {
      for (const role of ROLES.filter((r) => failed.has(r))) await quoteRunLog(outer, role);
    }
  },
});

/**
 * keepalived's own lines since it last started on a host whose script failed here (live hosts, or
 * snapshots that captured them): the decisive ones quoted, a script failure it logged confirming the verdict.
 */
async function quoteRunLog(ctx: Ctx, role: Role): Promise<void> {
  if (!ctx.options.live) return;
  const log = await runLog(ctx, role);
  if (log.unavailable) return; // not captured, or the host did not answer: nothing to quote
  logEvidence(ctx, role, log, "keepalived's log since it last started");
  const failing = log.lines.filter(
    (l) => /only one argument, a signal number, allowed/.test(l) || lastScriptVerdict([l]) === 'failing',
  );
  if (failing.length && lastScriptVerdict(log.lines) !== 'ok')
    ctx.report({
      kind: 'note',
      host: role,
      messageId: 'logConfirms',
      data: { cause: messageOf(failing[failing.length - 1]!) },
    });
  for (const f of quoteFindings(role, log)) ctx.report(f);
}

async function judgeHosts(ctx: Ctx, service: string): Promise<void> {
  for (const role of ROLES) {
    const side = await vipInstanceOrSkip(ctx, role);
    if (!side) continue;
    const { instance } = side;
    const node = await nodeViewOnHost(ctx, role, instance, side.config.globalDefs);
    // keepalived removed it while reading (no user to run it as): it runs nothing.
    const removed = instance.droppedTracks.filter((d) => d.reason === 'scriptRemoved' && d.script);
    for (const d of removed) {
      const at = d.script!.scriptAt ?? d.script!.at;
      ctx.report({
        host: role,
        file: at.file,
        line: at.line,
        excerpt: at.text.trim(),
        ...removedFinding(d.script!, instance.name),
      });
    }
    const views = node.views.filter(
      (v) => mentionsHaproxy(v.tracked.target.argv, service) || (v.file?.text ?? '').includes(service),
    );
    if (views.length === 0) {
      // track_process is watched by keepalived itself (root), so only scripts can be blind.
      if (!removed.length && !instance.trackProcesses.length)
        ctx.report({ kind: 'skip', host: role, messageId: 'noHaproxyScript' });
      continue;
    }
    for (const view of views) await judge(ctx, role, view, instance.name);
  }
}

/** One tracked script that checks haproxy: does keepalived run it, and can it succeed and fail as it should? */
async function judge(ctx: Ctx, role: Role, view: ScriptView, instanceName: string): Promise<void> {
  const script = view.tracked.target;
  const at = script.scriptAt ?? script.at;
  const base = { host: role, file: at.file, line: at.line, excerpt: at.text.trim() };
  const drop = dropFinding(view, instanceName);
  if (drop) return void ctx.report({ ...base, ...drop });
  if (view.unreadable)
    return void ctx.report({ ...base, kind: 'skip', messageId: 'scriptUnreadable', data: { file: view.unreadable } });
  const j = view.judgement;
  const data = {
    ...j.data,
    command: script.argv.join(' '),
    user: view.runAs.user,
    source: view.runAs.source,
    script: script.name,
    version: describeVersion(view.keepalived),
  };
  const why = j.why;
  if (j.outcome === 'neverSucceeds' && neverSucceeds(why)) ctx.report({ ...base, messageId: why, data });
  else if (j.outcome === 'neverFails')
    // alwaysSucceeds and statusDiscarded say cannotFail; the others (testConstant, noShebang, ...) have their own.
    ctx.report({
      ...base,
      messageId:
        why !== 'alwaysSucceeds' && why !== 'statusDiscarded' && hasMessage(check.messages, why) ? why : 'cannotFail',
      data,
    });
  else if (j.outcome !== 'tracks' && view.runAs.user !== 'root')
    ctx.report({ ...base, kind: 'note', messageId: 'cannotTell', data });
  // A direct pidof works from a shell, so a live run cannot show keepalived's killall5 failure.
  if (j.why !== 'pidofSymlink') await runLive(ctx, role, script, view.runAs.user, base, data);
}

/**
 * Run the script on the host as keepalived would (argv, no shell, as its user) while haproxy is
 * running: it must exit 0. Only on live hosts whose haproxy is active; snapshots have no such output.
 */
async function runLive(
  ctx: Ctx,
  role: Role,
  script: VrrpScript,
  user: string,
  base: { host: Role; file: string; line: number; excerpt: string },
  data: Record<string, string>,
): Promise<void> {
  if (!ctx.options.live || script.argv.length === 0) return;
  const haproxy = await runCached(ctx, role, 'systemctl-is-active-haproxy');
  if (haproxy.exitCode !== 0) return;
  const timeoutSeconds = script.timeout ?? script.interval;
  const result = await ctx.host(role).run({
    key: `track-script-${script.name}`,
    argv: script.argv,
    root: true,
    ...(user === 'root' ? {} : { asUser: user }),
    // keepalived's own timeout plus room for the SSH round trip on a busy host.
    timeoutMs: Math.ceil(timeoutSeconds * 1000) + 15_000,
  });
  if (result.unavailable) return;
  if (result.timedOut || result.exitCode === null) {
    // The grader could not wait it out: that says nothing about the script keepalived runs.
    ctx.report({ ...base, kind: 'error', messageId: 'liveNoAnswer', data });
    return;
  }
  const output = outputExcerpt(result);
  ctx.evidence({ host: role, command: result.command, exitCode: result.exitCode, output });
  if (result.exitCode === 0) ctx.report({ ...base, kind: 'note', messageId: 'liveWorks', data });
  else
    ctx.report({
      ...base,
      messageId: 'liveFails',
      data: { ...data, code: result.exitCode, output: output.split('\n')[0] || '(no output)' },
    });
}

export default check;
