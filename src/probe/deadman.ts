// The dead-man switch: armed on master before haproxy is stopped, it starts haproxy by itself
// after a deadline unless the grader disarms it first — so a grader killed with SIGKILL, or a
// dropped connection, still leaves haproxy running.
import type { Command, Host } from '../hosts/host.js';

export const DEADMAN_PID_FILE = '/run/hagrade-deadman.pid';
/** On a host whose PID 1 is systemd: a transient timer (and its service) of this name. */
export const DEADMAN_UNIT = 'hagrade-deadman';

/**
 * A fixed script; values arrive as positional parameters, never pasted in. $1 seconds, $2 service,
 * $3 pid file. Where PID 1 is systemd, a transient timer: it belongs to systemd, not to the SSH
 * session, so neither a dropped connection nor logind's session cleanup can take it away (a
 * leftover from an earlier run is stopped first: transient names must be free). Elsewhere a
 * detached shell: setsid takes it out of the session, and it records its process group so
 * disarming kills the sleep too.
 */
const ARM_SCRIPT = [
  'secs="$1"; svc="$2"; pidfile="$3"',
  'if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then',
  `  systemctl stop ${DEADMAN_UNIT}.timer ${DEADMAN_UNIT}.service >/dev/null 2>&1`,
  `  systemctl reset-failed ${DEADMAN_UNIT}.timer ${DEADMAN_UNIT}.service >/dev/null 2>&1`,
  `  systemd-run --quiet --unit=${DEADMAN_UNIT} --description="hagrade dead-man switch: starts $svc unless the grader does" ` +
    '--on-active="$secs" --timer-property=AccuracySec=100ms --timer-property=RemainAfterElapse=no systemctl start "$svc" && exit 0',
  '  echo "systemd-run could not arm a timer; using a detached shell" >&2',
  'fi',
  'setsid sh -c \'echo $$ > "$3"; sleep "$1"; systemctl start "$2"; rm -f "$3"\' hagrade-deadman "$secs" "$svc" "$pidfile" </dev/null >/dev/null 2>&1 &',
  'for i in 1 2 3 4 5 6 7 8 9 10; do [ -s "$pidfile" ] && exit 0; sleep 0.1; done',
  'echo "dead-man switch did not start" >&2; exit 1',
].join('\n');

const DISARM_SCRIPT = [
  'pidfile="$1"',
  `[ -d /run/systemd/system ] && systemctl stop ${DEADMAN_UNIT}.timer >/dev/null 2>&1`,
  '[ -s "$pidfile" ] || exit 0',
  'pgid=$(cat "$pidfile")',
  // No `--`: dash's kill (Debian's sh) rejects it and would leave the switch armed.
  'kill -TERM "-$pgid" 2>/dev/null',
  'rm -f "$pidfile"',
  'exit 0',
].join('\n');

export function armCommand(seconds: number, service: string): Command {
  return {
    key: 'deadman-arm',
    shell: ARM_SCRIPT,
    argv: [String(Math.ceil(seconds)), service, DEADMAN_PID_FILE],
    root: true,
    timeoutMs: 10_000,
  };
}

export function disarmCommand(): Command {
  return { key: 'deadman-disarm', shell: DISARM_SCRIPT, argv: [DEADMAN_PID_FILE], root: true, timeoutMs: 10_000 };
}

export async function armDeadman(
  host: Host,
  seconds: number,
  service: string,
): Promise<{ ok: boolean; detail: string }> {
  const r = await host.run(armCommand(seconds, service));
  return { ok: r.exitCode === 0, detail: r.error ?? r.stderr.trim() };
}

export async function disarmDeadman(host: Host): Promise<boolean> {
  const r = await host.run(disarmCommand());
  return r.exitCode === 0;
}
