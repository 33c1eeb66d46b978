// KAD008: the haproxy track script can see haproxy as the user keepalived runs it as:
// script_user / the script's `user` / keepalived_script when that user exists / root.
// Static: judged from the config. Live: the script is run on the host as that user, while haproxy runs.
import {
  CONFIG_SKIP_MESSAGES,
  commandVisibility,
  haproxyTrackersOnHost,
  keepalivedExample,
  scriptRunUser,
  vipInstanceOrSkip,
} from '../src/facts/keepalived.js';
import { outputExcerpt, runCached } from '../src/facts/commands.js';
import type { VrrpScript } from '../src/parsers/keepalived-model.js';
import { loadPasswd } from '../src/facts/passwd.js';
import { ROLES, type Check, type CheckContext, type Role } from '../src/types.js';

const check: Check = {
  id: 'KAD008',
  title: { en: 'the track script sees haproxy as its user', ru: 'скрипт проверки видит haproxy от имени своего пользователя' },
  area: 'keepalived',
  mode: 'static',
  alsoLive: true,
  points: 2,
  severity: 'major',
  spec: 'Requirements 5 (keepalived): track the haproxy process on both servers',
  asserts: {
    en: 'The vrrp_script that checks haproxy can succeed as the user keepalived runs it as (its `user`, else script_user, else keepalived_script if that user exists, else root): no `killall -0`/`pkill -0` as a non-root user, no direct `pidof` (keepalived < 2.3 runs it as killall5), no command that cannot fail (`echo`, `… || true`).',
    ru: 'vrrp_script, проверяющий haproxy, может выполниться успешно от имени пользователя, под которым его запускает keepalived (его `user`, иначе script_user, иначе keepalived_script, если такой пользователь есть, иначе root): нет `killall -0`/`pkill -0` от не-root пользователя, нет прямого вызова `pidof` (keepalived < 2.3 запускает его как killall5) и нет команды, которая не может завершиться ошибкой (`echo`, `… || true`).',
  },
  messages: {
    ...CONFIG_SKIP_MESSAGES,
    noHaproxyScript: { en: 'cannot judge: no tracked vrrp_script checks haproxy (see KAD006)', ru: 'невозможно проверить: ни один отслеживаемый vrrp_script не проверяет haproxy (см. KAD006)' },
    eperm: {
      en: '`{command}` runs as {user} ({source}): kill(2) on root\'s haproxy fails with EPERM, so the check always fails on both nodes and the VIP never moves',
      ru: '`{command}` выполняется от {user} ({source}): kill(2) для haproxy, принадлежащего root, завершается с EPERM, поэтому проверка всегда неуспешна на обеих машинах и виртуальный ip не переходит',
    },
    pidofSymlink: {
      en: '`{command}`: keepalived before 2.3 ({version}) runs pidof as /sbin/killall5 on Debian and Ubuntu, which fails ("only one argument, a signal number, allowed")',
      ru: '`{command}`: keepalived до версии 2.3 ({version}) на Debian и Ubuntu запускает pidof как /sbin/killall5, и он завершается с ошибкой ("only one argument, a signal number, allowed")',
    },
    scriptRemoved: {
      en: 'vrrp_script {script} has no user, there is no script_user and no keepalived_script user, and enable_script_security is set: keepalived removes the script',
      ru: 'у vrrp_script {script} нет user, нет script_user и нет пользователя keepalived_script, а enable_script_security включён: keepalived удаляет скрипт',
    },
    cannotFail: {
      en: '`{command}` exits 0 whether haproxy runs or not, so keepalived never sees haproxy stop and the VIP never moves',
      ru: '`{command}` завершается с кодом 0 независимо от того, работает ли haproxy, поэтому keepalived не замечает остановку haproxy и виртуальный ip не переходит',
    },
    unsafePath: {
      en: '{path} (mode {mode}, owner uid {uid}) can be changed by a non-root user: with enable_script_security keepalived disables `{command}` ("Unsafe permissions found for script") and stops tracking it',
      ru: '{path} (права {mode}, владелец uid {uid}) может изменить не-root пользователь: при enable_script_security keepalived отключает `{command}` ("Unsafe permissions found for script") и перестаёт его отслеживать',
    },
    liveFails: {
      en: 'run as {user} on the host while haproxy is running, `{command}` exits {code}: {output}',
      ru: 'запуск от {user} на машине при работающем haproxy: `{command}` завершается с кодом {code}: {output}',
    },
    liveNoAnswer: {
      en: 'run as {user} on the host, `{command}` gave no exit code in time; the grader could not decide, run it again',
      ru: 'запуск от {user} на машине: `{command}` не завершился вовремя; грейдер не смог решить, запустите проверку ещё раз',
    },
    liveWorks: { en: 'run as {user} on the host, `{command}` exits 0 while haproxy is running', ru: 'запуск от {user} на машине: `{command}` завершается с кодом 0, пока haproxy работает' },
    cannotTell: { en: '`{command}` runs as {user} ({source}); whether it sees a root-owned haproxy is not known statically', ru: '`{command}` выполняется от {user} ({source}); видит ли он haproxy, принадлежащий root, статически определить нельзя' },
  },
  hints: {
    eperm: { en: 'Use pgrep -x haproxy (reads /proc, needs no permission), or set script_user root in global_defs.', ru: 'Используйте pgrep -x haproxy (читает /proc, права не нужны) или укажите script_user root в global_defs.' },
    pidofSymlink: { en: 'Use "/usr/bin/pgrep -x haproxy", or wrap pidof in a shell: "/bin/sh -c \'pidof haproxy\'".', ru: 'Используйте "/usr/bin/pgrep -x haproxy" или вызовите pidof через shell: "/bin/sh -c \'pidof haproxy\'".' },
    cannotFail: { en: 'Check the process and let its exit status through: script "/usr/bin/pgrep -x haproxy".', ru: 'Проверяйте сам процесс и не теряйте код возврата: script "/usr/bin/pgrep -x haproxy".' },
    unsafePath: { en: 'Make the script and every directory above it owned by root and writable only by root: chown root:root FILE; chmod 755 FILE.', ru: 'Сделайте скрипт и все каталоги над ним принадлежащими root и доступными на запись только root: chown root:root ФАЙЛ; chmod 755 ФАЙЛ.' },
    scriptRemoved: { en: 'Add script_user root to global_defs (or user root to the vrrp_script).', ru: 'Добавьте script_user root в global_defs (или user root в vrrp_script).' },
  },
  hint: {
    en: 'Run the check as keepalived would: sudo -u <user> <command>; echo $? must print 0 while haproxy runs.',
    ru: 'Запустите проверку так, как это делает keepalived: sudo -u <пользователь> <команда>; echo $? должно вывести 0, пока haproxy работает.',
  },
  doc: {
    rationale: {
      en: 'keepalived runs track scripts as the vrrp_script\'s `user`, else global `script_user`, else `keepalived_script` when that user exists, else root. Signal 0 (`killall -0`, `pkill -0`) still checks permission: a non-root user gets EPERM for root\'s haproxy, so the check fails on both nodes, both priorities drop by the same weight and the VIP never moves. `pgrep` and `pidof` only read /proc and work as any user, but a vrrp_script that calls `pidof` directly fails under keepalived < 2.3 on Debian/Ubuntu, where pidof is a symlink to killall5.',
      ru: 'keepalived запускает track script от имени `user` из vrrp_script, иначе от глобального `script_user`, иначе от `keepalived_script`, если такой пользователь есть, иначе от root. Сигнал 0 (`killall -0`, `pkill -0`) всё равно проверяет права: не-root пользователь получает EPERM для haproxy, принадлежащего root, поэтому проверка неуспешна на обеих машинах, оба приоритета снижаются на один и тот же вес, и виртуальный ip не переходит. `pgrep` и `pidof` только читают /proc и работают от любого пользователя, но vrrp_script, напрямую вызывающий `pidof`, не работает в keepalived < 2.3 на Debian/Ubuntu, где pidof — символическая ссылка на killall5.',
    },
    failing: { file: 'keepalived.conf', text: keepalivedExample({ globalDefs: ['router_id master', 'script_user nobody', 'enable_script_security'] }) },
    passing: { file: 'keepalived.conf', text: keepalivedExample({ globalDefs: ['router_id master', 'script_user nobody', 'enable_script_security'], script: ['script "/usr/bin/pgrep -x haproxy"', 'interval 1', 'fall 2', 'rise 2', 'weight -20'] }) },
    fix: {
      en: 'Use script "/usr/bin/pgrep -x haproxy" (or keep killall -0 with script_user root), then systemctl restart keepalived on both.',
      ru: 'Используйте script "/usr/bin/pgrep -x haproxy" (или оставьте killall -0 вместе со script_user root), затем выполните systemctl restart keepalived на обеих машинах.',
    },
  },
  async run(ctx) {
    for (const role of ROLES) {
      const side = await vipInstanceOrSkip(ctx, role);
      if (!side) continue;
      const trackers = (await haproxyTrackersOnHost(ctx.host(role), side.instance, ctx.profile.haproxyService)).filter((t) => t.kind === 'script');
      if (trackers.length === 0) {
        // track_process is watched by keepalived itself (root), so only scripts can be blind.
        if (!side.instance.trackProcesses.length) ctx.report({ kind: 'skip', host: role, messageId: 'noHaproxyScript' });
        continue;
      }
      const passwd = await loadPasswd(ctx, role);
      for (const { tracked } of trackers) {
        const script = tracked.target;
        const at = script.scriptAt ?? script.at;
        const base = { host: role, file: at.file, line: at.line, excerpt: at.text.trim() };
        const runAs = scriptRunUser(script, side.config.globalDefs, (name) => passwd.users.has(name));
        if (runAs.user === undefined) {
          ctx.report({ ...base, messageId: 'scriptRemoved', data: { script: script.name } });
          continue;
        }
        const version = await keepalivedVersion(ctx, role);
        const data = { command: script.argv.join(' '), user: runAs.user, source: runAs.source, script: script.name, version: version?.text ?? 'Debian 12: 2.2.7' };
        const visibility = commandVisibility(script, runAs.user);
        // 2.3.0 stopped replacing argv[0] by the symlink's target, so a direct pidof works from there on.
        const pidofFixed = version !== undefined && (version.major > 2 || (version.major === 2 && version.minor >= 3));
        const staticFailure = visibility === 'eperm' || visibility === 'cannotFail' || (visibility === 'pidofSymlink' && !pidofFixed);
        if (staticFailure) ctx.report({ ...base, messageId: visibility, data });
        else if (visibility === 'unknown' && runAs.user !== 'root') ctx.report({ ...base, kind: 'note', messageId: 'cannotTell', data });
        // A direct pidof works from a shell, so a live run cannot show keepalived's killall5 failure.
        if (visibility !== 'pidofSymlink') await runLive(ctx, role, script, runAs.user, base, data);
        if (side.config.globalDefs.enableScriptSecurity && runAs.user === 'root') await checkPathSecurity(ctx, role, script, base, data);
      }
    }
  },
};

/**
 * Run the script on the host as keepalived would (argv, no shell, as its user) while haproxy is
 * running: it must exit 0. Only on live hosts whose haproxy is active; snapshots have no such output.
 */
async function runLive(
  ctx: CheckContext,
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
  else ctx.report({ ...base, messageId: 'liveFails', data: { ...data, code: result.exitCode, output: output.split('\n')[0] || '(no output)' } });
}

/**
 * Under enable_script_security keepalived disables a script run as root when any component of its
 * path is owned by a non-root user, group-writable with a non-root group, or world-writable (a
 * sticky directory excepted) — GRAMMAR.md §B4. Live hosts only: it needs `stat` of each component.
 */
async function checkPathSecurity(
  ctx: CheckContext,
  role: Role,
  script: VrrpScript,
  base: { host: Role; file: string; line: number; excerpt: string },
  data: Record<string, string>,
): Promise<void> {
  const program = script.argv[0];
  if (!ctx.options.live || !program?.startsWith('/')) return;
  const parts = program.split('/').filter(Boolean);
  const components = ['/', ...parts.map((_, i) => '/' + parts.slice(0, i + 1).join('/'))];
  const result = await ctx.host(role).run({ key: `track-script-path-${script.name}`, argv: ['stat', '-L', '-c', '%u %g %a %F|%n', ...components], timeoutMs: 15_000 });
  if (result.unavailable || result.exitCode !== 0) return;
  ctx.evidence({ host: role, command: result.command, exitCode: result.exitCode, output: outputExcerpt(result) });
  for (const line of result.stdout.split('\n')) {
    const m = /^(\d+) (\d+) ([0-7]+) ([^|]*)\|(.*)$/.exec(line.trim());
    if (!m) continue;
    const [uid, gid, mode, kind, path] = [Number(m[1]), Number(m[2]), parseInt(m[3]!, 8), m[4]!, m[5]!];
    const sticky = kind === 'directory' && (mode & 0o1000) !== 0;
    const unsafe = uid !== 0 || ((mode & 0o020) !== 0 && gid !== 0) || ((mode & 0o002) !== 0 && !sticky);
    if (unsafe) {
      ctx.report({ ...base, messageId: 'unsafePath', data: { ...data, path, mode: m[3]!, uid: String(uid) } });
      return;
    }
  }
}

/** The host's keepalived version from `keepalived --version` (live hosts and snapshots that captured it). */
async function keepalivedVersion(ctx: CheckContext, role: Role): Promise<{ major: number; minor: number; text: string } | undefined> {
  if (!ctx.options.live) return undefined;
  const result = await runCached(ctx, role, 'keepalived-version');
  const m = /Keepalived v(\d+)\.(\d+)\S*/.exec(`${result.stdout}\n${result.stderr}`);
  return m ? { major: Number(m[1]), minor: Number(m[2]), text: m[0] } : undefined;
}

export default check;
