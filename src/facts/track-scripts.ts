// Each tracked vrrp_script of an instance, as keepalived runs it on that host: removed while
// reading (no user), disabled at load (not found, not executable, unsafe path), or run — and then
// what its exit status follows (script-exec.ts), as which user, by which keepalived version.
// Shared by KAD006 (does it track haproxy), KAD007 (the failover prediction) and KAD008 (does it see haproxy).
import { posix as path } from 'node:path';
import type { GlobalDefs, Tracked, VrrpInstance, VrrpScript } from '../parsers/keepalived-model.js';
import type { CheckContext } from '../model/check.js';
import type { FileRead } from '../hosts/host.js';
import type { Role, Text } from '../model/basics.js';
import { cachedResult } from './commands.js';
import { loadPasswd } from './passwd.js';
import { cannotBeOnPath, judgeArgv, judgeShell, shellForm, type Judgement } from './script-exec.js';
import {
  loadVerdict,
  MAX_SCRIPT_BYTES,
  scriptStatCommand,
  scriptText,
  statScript,
  type LoadVerdict,
  type ScriptStat,
} from './script-files.js';
import { daemonVersions, describeVersion, type DaemonVersion } from './versions.js';

/** Programs judged by their name and arguments; any other file is read as the script it is. */
const KNOWN_PROGRAMS = new Set([
  'killall',
  'pgrep',
  'pkill',
  'pidof',
  'systemctl',
  'service',
  'curl',
  'wget',
  'test',
  '[',
  'echo',
  'printf',
  'true',
  'false',
  'logger',
  'sleep',
  'kill',
  'ps',
  'sh',
  'bash',
  'dash',
  'ksh',
  'zsh',
  'ash',
  'busybox',
  'nc',
  'ss',
  'netstat',
  'grep',
]);

/** Where the user comes from, named by the keyword or user that sets it. */
export type RunUserSource = 'user' | 'script_user' | 'keepalived_script' | 'root';

export interface ScriptRunUser {
  /** undefined: keepalived removes the script ("Unable to set default user"). */
  user?: string;
  source: RunUserSource;
}

/**
 * keepalived's rule (lib/notify.c get_default_script_user): the script's own `user`, else global
 * `script_user`, else `keepalived_script` when that user exists, else root — except that with
 * enable_script_security and no such user the script is removed.
 */
export function scriptRunUser(
  script: VrrpScript,
  globalDefs: GlobalDefs,
  userExists: (name: string) => boolean,
): ScriptRunUser {
  if (script.user) return { user: script.user.user, source: 'user' };
  if (globalDefs.scriptUser) return { user: globalDefs.scriptUser.user, source: 'script_user' };
  if (userExists('keepalived_script')) return { user: 'keepalived_script', source: 'keepalived_script' };
  return globalDefs.enableScriptSecurity ? { source: 'root' } : { user: 'root', source: 'root' };
}

export interface ScriptFile {
  path: string;
  read: FileRead;
  text?: string;
  binary: boolean;
}

export interface ScriptView {
  tracked: Tracked<VrrpScript>;
  runAs: { user: string; source: RunUserSource; uid: number; gid: number };
  keepalived: DaemonVersion;
  /** The host's facts about the program (live, or captured by `hagrade snapshot`). */
  stat?: ScriptStat;
  /** The script file keepalived (or the shell it names) runs, when it is one. */
  file?: ScriptFile;
  /** keepalived disables it when it loads the config: the instance does not track it. */
  load: LoadVerdict;
  /** What its exit status follows when it runs. */
  judgement: Judgement;
  /** The script file could not be read: what it checks is unknown (a skip, never a pass). */
  unreadable?: string;
}

/** The instance's tracked scripts as keepalived runs them on the host (memo per host and instance). */
export function scriptViews(
  ctx: CheckContext,
  role: Role,
  instance: VrrpInstance,
  globalDefs: GlobalDefs,
): Promise<ScriptView[]> {
  return ctx.memo(`script-views:${role}:${instance.name}:${instance.at.line}`, async () => {
    const passwd = await loadPasswd(ctx, role);
    const { keepalived } = await daemonVersions(ctx, role);
    const views: ScriptView[] = [];
    for (const tracked of instance.trackScripts) {
      const script = tracked.target;
      const who = scriptRunUser(script, globalDefs, (name) => passwd.users.has(name));
      const user = who.user ?? 'root';
      const entry = passwd.users.get(user);
      const runAs = {
        user,
        source: who.source,
        uid: user === 'root' ? 0 : (entry?.uid ?? -1),
        gid: user === 'root' ? 0 : (entry?.gid ?? -1),
      };
      views.push(await viewOf(ctx, role, tracked, runAs, keepalived, globalDefs));
    }
    return views;
  });
}

async function viewOf(
  ctx: CheckContext,
  role: Role,
  tracked: Tracked<VrrpScript>,
  runAs: ScriptView['runAs'],
  keepalived: DaemonVersion,
  g: GlobalDefs,
): Promise<ScriptView> {
  const argv = tracked.target.argv;
  const program = argv[0] ?? '';
  const exec = { user: runAs.user, service: ctx.profile.haproxyService, keepalivedVersion: keepalived.version };
  const base = { tracked, runAs, keepalived };
  // A shell word as the program (`$(pidof`, `exit`): no file on PATH has that name.
  if (cannotBeOnPath(program)) return { ...base, load: { drop: 'notFound' }, judgement: judgeArgv(argv, exec) };
  const host = ctx.host(role);
  const stat = ctx.options.live ? await statScript(host, program, (cmd) => cachedResult(ctx, role, cmd)) : undefined;
  const load =
    stat && runAs.uid >= 0
      ? loadVerdict(stat, runAs.uid, runAs.gid, g.enableScriptSecurity)
      : stat?.missing
        ? { drop: 'notFound' as const }
        : {};
  const shell = shellForm(argv);
  if (shell && 'text' in shell) return { ...base, stat, load, judgement: judgeShell(shell.text, exec) };
  // `sh FILE`: the shell reads the file (no #! or x bit needed); otherwise the program itself, unless it is a known
  // tool.
  const filePath =
    shell && 'file' in shell
      ? shell.file
      : !KNOWN_PROGRAMS.has(path.basename(program))
        ? (stat?.file ?? program)
        : undefined;
  if (filePath === undefined || !filePath.startsWith('/'))
    return { ...base, stat, load, judgement: judgeArgv(argv, exec) };
  const read = await host.readFile(filePath, { maxBytes: MAX_SCRIPT_BYTES });
  const file: ScriptFile = { path: filePath, read, ...scriptText(read) };
  if (file.binary) return { ...base, stat, file, load, judgement: judgeArgv([filePath, ...argv.slice(1)], exec) };
  if (file.text === undefined) {
    const unknown: Judgement = {
      outcome: 'unknown',
      why: 'cannotTell',
      data: {
        program: path.basename(filePath),
        command: argv.join(' '),
        literals: '',
        service: exec.service,
        user: exec.user,
      },
    };
    return {
      ...base,
      stat,
      file,
      load,
      judgement: unknown,
      ...(load.drop ? {} : { unreadable: read.ok ? filePath : read.message }),
    };
  }
  return { ...base, stat, file, load, judgement: judgeScriptFile(file, !!shell, stat, exec, keepalived) };
}

/**
 * A script file run by execve(): without `#!` execve fails with ENOEXEC, and so does a `#!` naming
 * a missing interpreter; keepalived's child then exits 0 ("Script errors aren't server errors",
 * lib/notify.c v2.2.7:239), so every run counts as a success. Debian's and Ubuntu's keepalived are
 * built without libmagic, which would otherwise run it through system() (notify.c:208, 803-812).
 */
function judgeScriptFile(
  file: ScriptFile,
  viaShell: boolean,
  stat: ScriptStat | undefined,
  exec: { user: string; service: string; keepalivedVersion: string },
  keepalived: DaemonVersion,
): Judgement {
  const text = file.text ?? '';
  const data = {
    program: path.basename(file.path),
    command: file.path,
    literals: '',
    service: exec.service,
    user: exec.user,
    file: file.path,
    version: describeVersion(keepalived),
  };
  const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(text);
  if (!viaShell && !shebang) return { outcome: 'neverFails', why: 'noShebang', data };
  if (!viaShell && stat?.interpreter && !stat.interpreter.exists)
    return { outcome: 'neverFails', why: 'badInterpreter', data: { ...data, interpreter: stat.interpreter.path } };
  const interpreter = shebang
    ? path.basename(shebang[1] === '/usr/bin/env' || shebang[1] === '/bin/env' ? (shebang[2] ?? '') : shebang[1])
    : 'sh';
  const judged = judgeShell(text, exec);
  if (!['sh', 'bash', 'dash', 'ksh', 'zsh', 'ash'].includes(interpreter) && judged.outcome !== 'otherThing')
    return { outcome: 'unknown', why: 'cannotTell', data };
  return { ...judged, data: { ...judged.data, ...data } };
}

/** How a tracked script behaves for the failover prediction. */
export type Behaviour = 'dropped' | 'followsHaproxy' | 'alwaysFails' | 'alwaysSucceeds';

export function behaviour(view: ScriptView): Behaviour {
  if (view.load.drop) return 'dropped';
  switch (view.judgement.outcome) {
    case 'neverSucceeds':
      return 'alwaysFails';
    case 'neverFails':
    case 'otherThing':
      return 'alwaysSucceeds';
    default:
      return 'followsHaproxy';
  }
}

/** The stat command to capture for a script, for `hagrade snapshot`. */
export function scriptCaptureCommands(scripts: VrrpScript[]): ReturnType<typeof scriptStatCommand>[] {
  const programs = new Set(scripts.map((s) => s.argv[0]).filter((p): p is string => !!p && !cannotBeOnPath(p)));
  return [...programs].map(scriptStatCommand);
}

/** The files to capture for a script: the program when it is no known tool, and the file a shell is given. */
export function scriptCaptureFiles(scripts: VrrpScript[]): string[] {
  const files = new Set<string>();
  for (const s of scripts) {
    const shell = shellForm(s.argv);
    if (shell && 'file' in shell) files.add(shell.file);
    else if (s.argv[0]?.startsWith('/') && !KNOWN_PROGRAMS.has(path.basename(s.argv[0]))) files.add(s.argv[0]);
  }
  return [...files].filter((f) => f.startsWith('/'));
}

// ---------------------------------------------------------------------------------------------
// What keepalived does with a script it will not run, in the words of `keepalived -t` and its log.
// KAD006, KAD007 and KAD008 share these, so a student reads the same reason in each.

export const DROP_MESSAGES = {
  scriptNoUser: {
    en: 'keepalived removes vrrp_script {script} ("Unable to set default user for vrrp script {script} - removing"): enable_script_security is set and there is neither a script_user nor a keepalived_script user, so vrrp_instance {name} tracks nothing ("track script {script} not found, ignoring...")',
    ru: 'keepalived удаляет vrrp_script {script} ("Unable to set default user for vrrp script {script} - removing"): включён enable_script_security, а нет ни script_user, ни пользователя keepalived_script, поэтому vrrp_instance {name} ничего не отслеживает ("track script {script} not found, ignoring...")',
  },
  scriptBadUser: {
    en: 'keepalived removes vrrp_script {script}: the user {user} it should run as does not exist on this host ("{keepalived}"), so vrrp_instance {name} tracks nothing ("track script {script} not found, ignoring...")',
    ru: 'keepalived удаляет vrrp_script {script}: пользователя {user}, от имени которого он должен запускаться, на машине нет ("{keepalived}"), поэтому vrrp_instance {name} ничего не отслеживает ("track script {script} not found, ignoring...")',
  },
  scriptNotOnPath: {
    en: 'keepalived disables vrrp_script {script}: without a shell `{program}` is looked up as a program on PATH and there is none ("Cannot find script {program} in path - disabling"; keepalived -t: "Disabling track script {script} since not found/accessible"), so vrrp_instance {name} tracks nothing',
    ru: 'keepalived отключает vrrp_script {script}: без shell `{program}` ищется как программа в PATH, а такой нет ("Cannot find script {program} in path - disabling"; keepalived -t: "Disabling track script {script} since not found/accessible"), поэтому vrrp_instance {name} ничего не отслеживает',
  },
  scriptMissing: {
    en: 'keepalived disables vrrp_script {script}: {program} does not exist on this host (keepalived -t: "Disabling track script {script} since not found/accessible"), so vrrp_instance {name} tracks nothing',
    ru: 'keepalived отключает vrrp_script {script}: {program} на машине нет (keepalived -t: "Disabling track script {script} since not found/accessible"), поэтому vrrp_instance {name} ничего не отслеживает',
  },
  scriptNotExecutable: {
    en: 'keepalived disables vrrp_script {script}: {file} (mode {mode}) is not executable for {user} ("WARNING - script \'{file}\' is not executable for uid:gid {uid}:{gid} - disabling."), so vrrp_instance {name} tracks nothing',
    ru: 'keepalived отключает vrrp_script {script}: {file} (права {mode}) не исполняемый для {user} ("WARNING - script \'{file}\' is not executable for uid:gid {uid}:{gid} - disabling."), поэтому vrrp_instance {name} ничего не отслеживает',
  },
  scriptUnsafe: {
    en: 'keepalived disables vrrp_script {script} under enable_script_security: {path} (owner uid {owner}, mode {mode}) can be changed by a non-root user ("Unsafe permissions found for script \'{file}\' - disabling."; keepalived -t: "Disabling track script {script} due to insecure"), so vrrp_instance {name} tracks nothing',
    ru: 'keepalived отключает vrrp_script {script} при enable_script_security: {path} (владелец uid {owner}, права {mode}) может изменить не-root пользователь ("Unsafe permissions found for script \'{file}\' - disabling."; keepalived -t: "Disabling track script {script} due to insecure"), поэтому vrrp_instance {name} ничего не отслеживает',
  },
} satisfies Record<string, Text>;

export const DROP_HINTS = {
  scriptNoUser: {
    en: 'Add script_user root to global_defs (or user root to the vrrp_script).',
    ru: 'Добавьте script_user root в global_defs (или user root в vrrp_script).',
  },
  scriptBadUser: {
    en: 'Name a user that exists (e.g. root), or create it.',
    ru: 'Укажите существующего пользователя (например, root) или создайте его.',
  },
  scriptNotOnPath: {
    en: 'keepalived runs no shell: write script "/bin/sh -c \'…\'" for shell syntax, or a plain command: script "/usr/bin/pgrep -x haproxy".',
    ru: 'keepalived не запускает shell: для синтаксиса shell пишите script "/bin/sh -c \'…\'", или простую команду: script "/usr/bin/pgrep -x haproxy".',
  },
  scriptMissing: {
    en: 'Give the full path of a program that exists on the host (which pgrep).',
    ru: 'Укажите полный путь к программе, которая есть на машине (which pgrep).',
  },
  scriptNotExecutable: {
    en: 'chmod 755 the script (and start it with #!/bin/sh).',
    ru: 'Выполните chmod 755 для скрипта (и начните его с #!/bin/sh).',
  },
  scriptUnsafe: {
    en: 'Make the script and every directory above it owned by root and writable only by root: chown root:root FILE; chmod 755 FILE.',
    ru: 'Сделайте скрипт и все каталоги над ним принадлежащими root и доступными на запись только root: chown root:root ФАЙЛ; chmod 755 ФАЙЛ.',
  },
} satisfies Record<string, Text>;

export type DropMessageId = keyof typeof DROP_MESSAGES;

/** The finding that says why keepalived does not run a tracked script; undefined when it does. */
export function dropFinding(
  view: ScriptView,
  instanceName: string,
): { messageId: DropMessageId; data: Record<string, string | number> } | undefined {
  const s = view.tracked.target;
  const program = s.argv[0] ?? '';
  const data = { script: s.name, name: instanceName, program, user: view.runAs.user };
  switch (view.load.drop) {
    case undefined:
      return undefined;
    case 'notFound':
      return { messageId: program.includes('/') ? 'scriptMissing' : 'scriptNotOnPath', data };
    case 'notExecutable': {
      const t = view.stat?.target;
      return {
        messageId: 'scriptNotExecutable',
        data: {
          ...data,
          file: view.stat?.file ?? program,
          mode: t ? t.mode.toString(8) : '?',
          uid: view.runAs.uid,
          gid: view.runAs.gid,
        },
      };
    }
    case 'unsafe': {
      const u = view.load.unsafe!;
      return {
        messageId: 'scriptUnsafe',
        data: { ...data, file: view.stat?.file ?? program, path: u.path, owner: u.uid, mode: u.mode.toString(8) },
      };
    }
  }
}

/** The finding for a script keepalived removed while reading (the model's 'scriptRemoved' drop). */
export function removedFinding(
  script: VrrpScript,
  instanceName: string,
): { messageId: DropMessageId; data: Record<string, string | number> } {
  const data = {
    script: script.name,
    name: instanceName,
    user: script.removedBecause?.user ?? '',
    keepalived: script.removedBecause?.message ?? '',
  };
  if (script.removed === 'badUser') return { messageId: 'scriptBadUser', data };
  return { messageId: 'scriptNoUser', data };
}

/** For tests and the capture: the key a script's stat is stored under. */
export const scriptStatKey = (program: string): string => scriptStatCommand(program).key;
