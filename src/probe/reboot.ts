// The reboot probe (opt-in, `--reboot`): precheck as the failover probe does, reboot master, watch the
// VIP go to backup while master is down, wait (bounded) for master to answer SSH again, then look at
// what the boot alone brought back: keepalived and haproxy active, the task's kernel settings in
// effect, the VIP on master in its required form and gone from backup. What was active before and
// is not after is started again at the end, so the pair ends as it began. RBT001–RBT004 each report
// one aspect of it.
import { setTimeout as delay } from 'node:timers/promises';
import { ACTIVE_STATES, ENABLED_STATES, serviceState } from '../facts/live.js';
import { findCommand } from '../facts/commands.js';
import { broadcastOf, parseIpAddr, vipEntries } from '../facts/ip-addr.js';
import { type KeepalivedLog, readWindow } from '../facts/keepalived-log.js';
import { type LogMark, markLog } from '../facts/keepalived-log-commands.js';
import { expectedSysctl, judgeSetting, loadSysctl, parseSysctlOutput, sameSysctlValue } from '../facts/sysctl.js';
import type { CheckContext, FailoverEvent } from '../model/check.js';
import type { Command, Host } from '../hosts/host.js';
import type { LabProfile } from '../model/target.js';
import type { Role, Text } from '../model/basics.js';
import { probeDeadlines } from './timing.js';

export const DEFAULT_REBOOT_TIMEOUT_MS = 300_000;
/** From `systemctl reboot` to master no longer answering: a shutdown that takes longer is stuck. */
const GOING_DOWN_TIMEOUT_MS = 120_000;
/** After SSH answers: how long boot may still take to finish its start-up jobs. */
const BOOT_FINISH_TIMEOUT_MS = 120_000;
const POLL_MS = 500;

export type ServiceName = 'keepalived' | 'haproxy';

export interface ServiceAfterBoot {
  service: string;
  active: string;
  enabled: string;
}

export interface SysctlAfterBoot {
  key: string;
  expected: string;
  /** undefined: the host does not know the key (no such interface or module). */
  actual?: string;
  /** How the persistent files set it: ok, missing, wrong (with the line). */
  file: 'ok' | 'missing' | 'wrong';
  fileLine?: { file: string; line: number; text: string };
}

export type Verdict =
  | { status: 'pass'; ms: number }
  | { status: 'fail'; ms?: number; state: string }
  | { status: 'error'; reason: Text }
  | { status: 'skip'; messageId: 'notReached' | 'notRebooted' | 'interrupted' };

/** Why the reboot probe did not run: ids of REBOOT_MESSAGES (probe/reboot-report.ts). */
export type RebootRefusal =
  | 'interrupted'
  | 'noVip'
  | 'cannotReconnect'
  | 'cannotObserve'
  | 'servicesNotActive'
  | 'vipNotOnMasterOnly'
  | 'noBootId';

export interface RebootOutcome {
  precheck: { ok: true } | { ok: false; messageId: RebootRefusal; data: Record<string, string | number> };
  /** Did master go down and come back (a new boot)? */
  back:
    | { ok: true; downMs: number; backMs: number }
    | {
        ok: false;
        messageId: 'rebootFailed' | 'notDown' | 'notBack' | 'notRebooted' | 'interrupted';
        data: Record<string, string | number>;
      }
    | undefined;
  /** RBT001: the VIP on backup (with its label) while master was down. */
  takeover: Verdict;
  /** RBT002: what systemd started by itself. */
  services?: Record<ServiceName, ServiceAfterBoot>;
  bootState?: string;
  /** RBT003. */
  sysctl?: SysctlAfterBoot[] | { unreadable: string };
  /** RBT004: the VIP back on master in the required form, gone from backup. */
  vipBack: Verdict;
  /** Services hagrade started again at the end (they were active before the reboot). */
  restarted: string[];
  restoreFailed?: { service: string; command: string; reason: string };
  logs?: Partial<Record<Role, KeepalivedLog>>;
  events: FailoverEvent[];
}

export function rebootProbe(ctx: CheckContext): Promise<RebootOutcome> {
  return ctx.memo('reboot-probe', () => runReboot(ctx));
}

const t = (en: string, ru: string): Text => ({ en, ru });

/**
 * A fixed script: reboot a moment after answering, so the command ends cleanly before sshd goes.
 * Where PID 1 is systemd, a transient timer (it belongs to systemd, not to this SSH session).
 */
const REBOOT_SCRIPT = [
  'if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then',
  '  systemd-run --quiet --on-active=2 --timer-property=AccuracySec=100ms --description="hagrade reboot probe" systemctl reboot && exit 0',
  'fi',
  'setsid sh -c "sleep 2; reboot" </dev/null >/dev/null 2>&1 &',
  'exit 0',
].join('\n');

const BOOT_ID: Command = { key: 'boot-id', argv: ['cat', '/proc/sys/kernel/random/boot_id'], timeoutMs: 5000 };

async function bootId(host: Host): Promise<string | undefined> {
  const r = await host.run(BOOT_ID);
  const id = r.stdout.trim();
  return !r.unavailable && r.exitCode === 0 && /^[0-9a-f-]{32,36}$/.test(id) ? id : undefined;
}

async function unitState(host: Host, verb: 'is-active' | 'is-enabled', service: string): Promise<string> {
  const r = await host.run({ key: `reboot-${verb}-${service}`, argv: ['systemctl', verb, service], timeoutMs: 15_000 });
  if (r.unavailable || r.exitCode === null) return 'unknown';
  const state = serviceState(r, verb === 'is-active' ? ACTIVE_STATES : ENABLED_STATES);
  return state.known ? state.state : 'unknown';
}

/** Wait `ms`, or less when the run is interrupted. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}

/** The VIP's entries on one host, fresh; undefined when the host did not answer. */
async function vipOn(ctx: CheckContext, role: Role, vip: string) {
  const command = findCommand(ctx.profile, vip, 'ip-addr') as Command;
  const r = await ctx.host(role).run({ ...command, timeoutMs: 5000 });
  if (r.unavailable || r.exitCode !== 0) return undefined;
  return vipEntries(parseIpAddr(r.stdout), vip);
}

/** An entry exactly as the task writes it: `inet VIP/24 brd B scope global eth0:10` on eth0. */
export function inRequiredForm(
  entry: { prefix: number; brd?: string; scope?: string; label?: string; ifname: string },
  profile: LabProfile,
  vip: string,
): boolean {
  return (
    entry.ifname === profile.interface &&
    entry.prefix === profile.vipPrefix &&
    entry.brd === broadcastOf(vip, profile.vipPrefix) &&
    entry.scope === 'global' &&
    entry.label === profile.vipLabel
  );
}

async function runReboot(ctx: CheckContext): Promise<RebootOutcome> {
  const master = ctx.host('master');
  const { haproxyService, keepalivedService } = ctx.profile;
  const events: FailoverEvent[] = [];
  const outcome: RebootOutcome = {
    precheck: { ok: true },
    back: undefined,
    takeover: { status: 'skip', messageId: 'notReached' },
    vipBack: { status: 'skip', messageId: 'notReached' },
    restarted: [],
    events,
  };
  const vip = ctx.vip;
  const refuse = (messageId: RebootRefusal, data: Record<string, string | number> = {}) => {
    outcome.precheck = { ok: false, messageId, data };
    return outcome;
  };
  if (ctx.signal.aborted) return refuse('interrupted');
  if (!vip) return refuse('noVip');
  if (!master.waitForReturn) return refuse('cannotReconnect');

  // Precheck: the pair as the failover probe wants it, plus keepalived running on both.
  ctx.progress('reboot probe precheck: VIP on master only, haproxy and keepalived active on both');
  const [onMaster, onBackup, states] = await Promise.all([
    vipOn(ctx, 'master', vip),
    vipOn(ctx, 'backup', vip),
    Promise.all(
      (['master', 'backup'] as Role[]).flatMap((role) =>
        [haproxyService, keepalivedService].map(async (s) => ({
          role,
          s,
          state: await unitState(ctx.host(role), 'is-active', s),
        })),
      ),
    ),
  ]);
  if (!onMaster || !onBackup) return refuse('cannotObserve');
  const inactive = states.filter((x) => x.state !== 'active');
  if (inactive.length)
    return refuse('servicesNotActive', { what: inactive.map((x) => `${x.s} on ${x.role} (${x.state})`).join(', ') });
  if (!onMaster.length || onBackup.length) {
    const holders =
      [onMaster.length ? 'master' : '', onBackup.length ? 'backup' : ''].filter(Boolean).join(' and ') || 'nobody';
    return refuse('vipNotOnMasterOnly', { holders });
  }
  const idBefore = await bootId(master);
  if (!idBefore) return refuse('noBootId');
  if (ctx.signal.aborted) return refuse('interrupted');

  const release = await (ctx.options.rebootGate?.() ?? Promise.resolve(() => {}));
  try {
    return await rebootAndWatch(ctx, outcome, vip, idBefore);
  } finally {
    release();
  }
}

async function rebootAndWatch(
  ctx: CheckContext,
  outcome: RebootOutcome,
  vip: string,
  idBefore: string,
): Promise<RebootOutcome> {
  const master = ctx.host('master');
  const backup = ctx.host('backup');
  const { haproxyService, keepalivedService } = ctx.profile;
  const timeoutMs = ctx.options.rebootTimeoutMs ?? DEFAULT_REBOOT_TIMEOUT_MS;
  const marks: Record<Role, LogMark | undefined> = { master: await markLog(master), backup: await markLog(backup) };
  const deadlines = await probeDeadlines(ctx);

  ctx.progress('rebooting master');
  const started = Date.now();
  const at = () => Date.now() - started;
  const reboot = await master.run({ key: 'reboot-master', shell: REBOOT_SCRIPT, root: true, timeoutMs: 15_000 });
  if (reboot.unavailable || reboot.exitCode !== 0) {
    outcome.back = {
      ok: false,
      messageId: 'rebootFailed',
      data: { reason: (reboot.error ?? reboot.stderr.trim()) || `exit ${reboot.exitCode}` },
    };
    outcome.takeover = { status: 'skip', messageId: 'notRebooted' };
    return outcome;
  }
  outcome.events.push({ atMs: 0, host: 'master', event: 'note', detail: 'reboot requested' });

  // Backup is watched the whole time master is away; master is watched for going down, then coming back.
  let masterAway = true;
  let takeoverMs: number | undefined;
  let lastOnBackup = 'not seen';
  const watchBackup = (async () => {
    while (masterAway && !ctx.signal.aborted) {
      const entries = await vipOn(ctx, 'backup', vip);
      if (entries) {
        const labelled = entries.find((e) => e.label === ctx.profile.vipLabel);
        lastOnBackup = entries.length ? `on backup as ${entries[0]!.label ?? 'no label'}` : 'not on backup';
        if (labelled && takeoverMs === undefined) {
          takeoverMs = at();
          outcome.events.push({ atMs: takeoverMs, host: 'backup', event: 'vip-added', detail: labelled.label! });
        }
      } else lastOnBackup = 'backup did not answer';
      if (takeoverMs !== undefined) return;
      await sleep(POLL_MS, ctx.signal);
    }
  })();

  const finish = async (): Promise<void> => {
    masterAway = false;
    await watchBackup;
    outcome.takeover =
      takeoverMs !== undefined ? { status: 'pass', ms: takeoverMs } : { status: 'fail', state: lastOnBackup };
  };

  // Going down: the connection drops, or a new boot id already answers.
  ctx.progress('waiting for master to go down');
  let downMs: number | undefined;
  let sawNewBoot = false;
  while (!ctx.signal.aborted && at() < GOING_DOWN_TIMEOUT_MS) {
    const id = await bootId(master);
    if (id === undefined || id !== idBefore) {
      downMs = at();
      sawNewBoot = id !== undefined;
      break;
    }
    await sleep(POLL_MS, ctx.signal);
  }
  if (downMs === undefined) {
    await finish();
    outcome.back = ctx.signal.aborted
      ? { ok: false, messageId: 'interrupted', data: {} }
      : { ok: false, messageId: 'notDown', data: { seconds: GOING_DOWN_TIMEOUT_MS / 1000 } };
    return outcome;
  }
  outcome.events.push({ atMs: downMs, host: 'master', event: 'note', detail: 'master went down' });

  ctx.progress(`waiting for master to answer SSH again (at most ${Math.round(timeoutMs / 1000)} s)`);
  if (!sawNewBoot) {
    const back = await master.waitForReturn!(timeoutMs, ctx.signal);
    if (!back.ok) {
      await finish();
      outcome.back = ctx.signal.aborted
        ? { ok: false, messageId: 'interrupted', data: {} }
        : {
            ok: false,
            messageId: 'notBack',
            data: { seconds: Math.round(timeoutMs / 1000), reason: back.reason[ctx.options.lang] },
          };
      return outcome;
    }
  }
  const backMs = at();
  const idAfter = await bootId(master);
  await finish();
  if (idAfter === idBefore) {
    outcome.back = { ok: false, messageId: 'notRebooted', data: {} };
    return outcome;
  }
  outcome.back = { ok: true, downMs, backMs };
  outcome.events.push({ atMs: backMs, host: 'master', event: 'note', detail: 'master answers SSH again' });

  // Let boot finish its start-up jobs: only then is "not active" what the boot left.
  ctx.progress('master is back: waiting for its boot to finish');
  const boot = await master.run({
    key: 'reboot-boot-state',
    argv: ['systemctl', 'is-system-running', '--wait'],
    timeoutMs: BOOT_FINISH_TIMEOUT_MS,
  });
  outcome.bootState = boot.stdout.trim().split('\n').pop() || (boot.timedOut ? 'still starting' : 'unknown');

  const services = {} as Record<ServiceName, ServiceAfterBoot>;
  for (const [name, service] of [
    ['keepalived', keepalivedService],
    ['haproxy', haproxyService],
  ] as Array<[ServiceName, string]>) {
    services[name] = {
      service,
      active: await unitState(master, 'is-active', service),
      enabled: await unitState(master, 'is-enabled', service),
    };
  }
  outcome.services = services;
  outcome.sysctl = await sysctlAfterBoot(ctx);

  // The VIP back on master, in its form, and gone from backup: within keepalived's own failback bound.
  const since = Date.now();
  const deadline = deadlines.failbackMs + deadlines.failoverMs;
  let state = 'unknown';
  ctx.progress(`waiting for the VIP back on master (deadline ${Math.round(deadline / 1000)} s)`);
  for (;;) {
    const [m, b] = await Promise.all([vipOn(ctx, 'master', vip), vipOn(ctx, 'backup', vip)]);
    if (m && b) {
      const good = m.find((e) => inRequiredForm(e, ctx.profile, vip));
      state =
        [
          m.length ? `master (${m.map((e) => e.text.replace(/^\d+:\s+/, '')).join('; ')})` : '',
          b.length ? 'backup' : '',
        ]
          .filter(Boolean)
          .join(' and ') || 'nobody';
      if (good && b.length === 0) {
        outcome.vipBack = { status: 'pass', ms: at() };
        outcome.events.push({ atMs: at(), host: 'master', event: 'vip-added', detail: good.label ?? '' });
        break;
      }
    }
    if (ctx.signal.aborted) {
      outcome.vipBack = { status: 'skip', messageId: 'interrupted' };
      break;
    }
    if (Date.now() - since > deadline) {
      outcome.vipBack =
        m && b
          ? { status: 'fail', ms: Date.now() - since, state }
          : {
              status: 'error',
              reason: t(
                'a host did not answer `ip -o -4 addr show` at the deadline',
                'машина не ответила на `ip -o -4 addr show` к сроку',
              ),
            };
      break;
    }
    await sleep(POLL_MS, ctx.signal);
  }

  await restoreServices(ctx, outcome);
  ctx.progress("reading keepalived's log of the reboot");
  const service = keepalivedService;
  const [lm, lb] = await Promise.all([
    marks.master ? readWindow(master, service, marks.master) : undefined,
    marks.backup ? readWindow(backup, service, marks.backup) : undefined,
  ]);
  outcome.logs = { ...(lm ? { master: lm } : {}), ...(lb ? { backup: lb } : {}) };
  return outcome;
}

/** The task's kernel settings on master now, and how its persistent files set them. */
async function sysctlAfterBoot(ctx: CheckContext): Promise<SysctlAfterBoot[] | { unreadable: string }> {
  const command = findCommand(ctx.profile, ctx.vip, 'sysctl') as Command;
  const r = await ctx.host('master').run(command);
  if (r.unavailable || r.exitCode === null) return { unreadable: r.error ?? 'no answer' };
  const now = parseSysctlOutput(r.stdout);
  const config = await loadSysctl(ctx, 'master');
  return expectedSysctl(ctx.profile).map((e) => {
    const verdict = judgeSetting(config, e);
    const actual = now.get(e.path);
    const entry: SysctlAfterBoot = {
      key: e.key,
      expected: e.value,
      file: verdict.state,
      ...(actual !== undefined ? { actual } : {}),
    };
    if (verdict.state !== 'missing')
      entry.fileLine = { file: verdict.setting.file, line: verdict.setting.line, text: verdict.setting.text };
    return entry;
  });
}

export function sysctlInEffect(s: SysctlAfterBoot): boolean {
  return s.actual !== undefined && sameSysctlValue(s.actual, s.expected);
}

/** Start what was active before the reboot and is not now, so the pair ends as it began. */
async function restoreServices(ctx: CheckContext, outcome: RebootOutcome): Promise<void> {
  const master = ctx.host('master');
  // haproxy first: keepalived's track script then finds it at once.
  for (const name of ['haproxy', 'keepalived'] as ServiceName[]) {
    const s = outcome.services?.[name];
    if (!s || s.active === 'active') continue;
    ctx.progress(`restoring: starting ${s.service} on master (it was running before the reboot)`);
    const command = `sudo systemctl start ${s.service}`;
    const r = await master.run({
      key: `reboot-restore-${name}`,
      argv: ['systemctl', 'start', s.service],
      root: true,
      timeoutMs: 30_000,
    });
    const active = await unitState(master, 'is-active', s.service);
    if (active === 'active') outcome.restarted.push(s.service);
    else
      outcome.restoreFailed ??= {
        service: s.service,
        command,
        reason: (r.error ?? r.stderr.trim()) || `is-active says ${active}`,
      };
  }
}
