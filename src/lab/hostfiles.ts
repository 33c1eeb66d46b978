// The programs and configs that make a namespace behave like one of the student's VMs.

/** Created by a host's init once its mounts are in place; `lab up` waits for it. */
export const READY_MARKER = '/run/hagrade-ready';
/** Where the systemctl stand-in keeps each unit's main PID (the host's own tmpfs /run). */
export const UNIT_RUN_DIR = '/run/hagrade-units';
/** The client key's public half goes here on every host (sshd_config points at it). */
export const AUTHORIZED_KEYS = '/etc/ssh/lab_authorized_keys';
export const HOST_KEY = '/etc/ssh/ssh_host_ed25519_key';
export const WEB_PORT = 81;

/**
 * PID 1 of a host: gives it its own /etc (an overlay whose upper layer is in the state dir), /run, /tmp, /root,
 * a /usr/bin holding the systemctl stand-in, and a hostname; then sleeps and reaps orphans.
 * bash reaps any child on SIGCHLD while it waits, so the loop wakes once a day, not in a busy loop.
 * Arguments: the host's state directory, its hostname.
 */
export const INIT_SCRIPT = `#!/bin/bash
set -e
host_dir=$1
mount -t overlay lab-etc -o "lowerdir=/etc,upperdir=$host_dir/etc,workdir=$host_dir/work-etc" /etc
mount -t overlay lab-usr-bin -o "lowerdir=/usr/bin,upperdir=$host_dir/usr-bin,workdir=$host_dir/work-usr-bin" /usr/bin
mount -t tmpfs -o mode=0755 lab-run /run
mount -t tmpfs -o mode=1777 lab-tmp /tmp
# root's home as on a fresh VM: this machine's ~/.bashrc (read by bash for every ssh command) stays out.
mount -t tmpfs -o mode=0700 lab-root /root
mkdir -p /run/sshd ${UNIT_RUN_DIR}
hostname "$2"
touch ${READY_MARKER}
set +e
while :; do
  sleep 86400 &
  wait $!
done
`;

/**
 * systemctl for a lab host. There is no systemd in a namespace, so this stand-in runs the host's
 * daemons itself and answers like systemctl, exit codes included (is-active: 0 active, 3 not).
 * Placeholders: @LOG_DIR@ (the host's state dir), @NODE@ and @WEB@ (the lab web server).
 */
const SYSTEMCTL_TEMPLATE = `#!/bin/bash
# systemctl stand-in of a hagrade lab host (no systemd inside a namespace).
log_dir=@LOG_DIR@
run_dir=${UNIT_RUN_DIR}
wants=/etc/systemd/system/multi-user.target.wants

unit_of() { local u=\${1%.service}; [ "$u" = sshd ] && u=ssh; echo "$u"; }
known() { case $1 in haproxy|keepalived|ssh|lab-web) return 0 ;; *) return 1 ;; esac; }
describe() {
  case $1 in
    haproxy) echo 'HAProxy Load Balancer' ;;
    keepalived) echo 'Keepalive Daemon (LVS and VRRP)' ;;
    ssh) echo 'OpenBSD Secure Shell server' ;;
    lab-web) echo 'hagrade lab web server on 127.0.0.1:${WEB_PORT}' ;;
  esac
}
# The daemon in the foreground, as the Debian unit's ExecStart runs it.
exec_unit() {
  case $1 in
    haproxy) exec setsid /usr/sbin/haproxy -Ws -f /etc/haproxy/haproxy.cfg -p /run/haproxy.pid ;;
    keepalived) exec setsid /usr/sbin/keepalived --dont-fork --log-console --log-detail -f /etc/keepalived/keepalived.conf ;;
    ssh) exec setsid /usr/sbin/sshd -D -e ;;
    lab-web) exec setsid @NODE@ @WEB@ ;;
  esac
}
# The unit's ExecStartPre / config test.
precheck() {
  case $1 in
    haproxy) /usr/sbin/haproxy -Ws -f /etc/haproxy/haproxy.cfg -c -q ;;
    ssh) /usr/sbin/sshd -t ;;
    *) true ;;
  esac
}
main_pid() {
  local pid state
  pid=$(cat "$run_dir/$1.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  state=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f1)
  [ "$state" != Z ] && echo "$pid"
}
state_of() {
  if main_pid "$1" >/dev/null; then echo active
  elif [ -e "$run_dir/$1.pid" ] || [ -e "$run_dir/$1.failed" ]; then echo failed
  else echo inactive; fi
}
enabled_of() {
  case $1 in
    lab-web) echo static ;;
    *) if [ -e "$wants/$1.service" ]; then echo enabled; else echo disabled; fi ;;
  esac
}
do_start() {
  main_pid "$1" >/dev/null && return 0
  rm -f "$run_dir/$1.pid" "$run_dir/$1.failed"
  local out
  if ! out=$(precheck "$1" 2>&1); then
    printf '%s\\n' "$out" >>"$log_dir/$1.log"
    : >"$run_dir/$1.failed"
    echo "Job for $1.service failed because the control process exited with error code." >&2
    echo "See \\"systemctl status $1.service\\" for details." >&2
    return 1
  fi
  echo "-- $(date '+%F %T') systemctl start $1 --" >>"$log_dir/$1.log"
  (echo "$BASHPID" >"$run_dir/$1.pid"; exec_unit "$1") </dev/null >>"$log_dir/$1.log" 2>&1 &
  local i
  for i in 1 2 3 4 5; do
    sleep 0.1
    if ! main_pid "$1" >/dev/null; then
      : >"$run_dir/$1.failed"
      echo "Job for $1.service failed because the service exited right after starting." >&2
      echo "See \\"systemctl status $1.service\\" for details." >&2
      return 1
    fi
  done
}
do_stop() {
  local pid i
  if pid=$(main_pid "$1"); then
    kill -TERM "$pid"
    for i in $(seq 100); do main_pid "$1" >/dev/null || break; sleep 0.1; done
    main_pid "$1" >/dev/null && kill -KILL "$pid"
    for i in $(seq 20); do main_pid "$1" >/dev/null || break; sleep 0.1; done
  fi
  rm -f "$run_dir/$1.pid" "$run_dir/$1.failed"
}
do_reload() {
  local pid
  pid=$(main_pid "$1") || { echo "$1.service is not active, cannot reload." >&2; return 1; }
  case $1 in
    haproxy) precheck haproxy || return 1; kill -USR2 "$pid" ;;
    keepalived|ssh) kill -HUP "$pid" ;;
    *) do_stop "$1"; do_start "$1" ;;
  esac
}
do_status() {
  local state pid
  state=$(state_of "$1")
  echo "● $1.service - $(describe "$1")"
  echo "     Loaded: loaded (/lib/systemd/system/$1.service; $(enabled_of "$1"); preset: enabled)"
  case $state in
    active) pid=$(main_pid "$1"); echo "     Active: active (running)"; echo "   Main PID: $pid ($(cat "/proc/$pid/comm"))" ;;
    failed) echo "     Active: failed (Result: exit-code)" ;;
    *) echo "     Active: inactive (dead)" ;;
  esac
  echo
  tail -n 10 "$log_dir/$1.log" 2>/dev/null
  [ "$state" = active ]
}

quiet=0 now=0 verb= units=()
for arg in "$@"; do
  case $arg in
    -q|--quiet) quiet=1 ;;
    --now) now=1 ;;
    -*) ;;
    *) if [ -z "$verb" ]; then verb=$arg; else units+=("$(unit_of "$arg")"); fi ;;
  esac
done
say() { [ $quiet = 1 ] || echo "$@"; }

case $verb in
  daemon-reload) exit 0 ;;
  start|stop|restart|reload|try-restart|reload-or-restart|status|is-active|is-failed|is-enabled|enable|disable) ;;
  '') echo "hagrade lab: this systemctl stand-in needs a command (start, stop, restart, reload, status, is-active, is-enabled, enable, disable)" >&2; exit 1 ;;
  *) echo "hagrade lab: 'systemctl $verb' is not supported on lab hosts" >&2; exit 1 ;;
esac
[ \${#units[@]} -gt 0 ] || { echo "Too few arguments." >&2; exit 1; }

rc=0
for u in "\${units[@]}"; do
  if ! known "$u"; then
    case $verb in
      is-active) say inactive; rc=3 ;;
      is-enabled) echo "Failed to get unit file state for $u.service: No such file or directory" >&2; rc=1 ;;
      status) echo "Unit $u.service could not be found." >&2; rc=4 ;;
      *) echo "Failed to $verb $u.service: Unit $u.service not found." >&2; rc=5 ;;
    esac
    continue
  fi
  case $verb in
    start) do_start "$u" || rc=1 ;;
    stop) do_stop "$u" ;;
    restart|reload-or-restart) do_stop "$u"; do_start "$u" || rc=1 ;;
    try-restart) if main_pid "$u" >/dev/null; then do_stop "$u"; do_start "$u" || rc=1; fi ;;
    reload) do_reload "$u" || rc=1 ;;
    status) do_status "$u" || rc=3 ;;
    is-active) s=$(state_of "$u"); say "$s"; [ "$s" = active ] || rc=3 ;;
    is-failed) s=$(state_of "$u"); say "$s"; [ "$s" = failed ] || rc=1 ;;
    is-enabled) s=$(enabled_of "$u"); say "$s"; [ "$s" = disabled ] && rc=1 ;;
    enable)
      if [ "$(enabled_of "$u")" = disabled ]; then
        mkdir -p "$wants"
        ln -s "/lib/systemd/system/$u.service" "$wants/$u.service"
        say "Created symlink $wants/$u.service → /lib/systemd/system/$u.service."
      fi
      [ $now = 1 ] && { do_start "$u" || rc=1; } ;;
    disable)
      if [ -L "$wants/$u.service" ] || [ -e "$wants/$u.service" ]; then
        rm -f "$wants/$u.service"
        say "Removed \\"$wants/$u.service\\"."
      fi
      [ $now = 1 ] && do_stop "$u" ;;
  esac
done
exit $rc
`;

export function systemctlShim(logDir: string, nodePath: string, webScript: string): string {
  return SYSTEMCTL_TEMPLATE.replaceAll('@LOG_DIR@', shellQuote(logDir)).replaceAll('@NODE@', shellQuote(nodePath)).replaceAll('@WEB@', shellQuote(webScript));
}

/** Single-quote a word for bash. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Key-only root login on every address; the lab's client key is the only one accepted. */
export const SSHD_CONFIG = `# sshd of a hagrade lab host
Port 22
ListenAddress 0.0.0.0
HostKey ${HOST_KEY}
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile ${AUTHORIZED_KEYS}
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PidFile /run/sshd.pid
MaxStartups 100:30:200
MaxSessions 64
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
`;

/** The student VM's web server on 127.0.0.1:81: answers with the host's name and the X-Forwarded-For it received. */
export const WEB_SERVER = `// hagrade lab web server: the backend behind HAProxy on a lab host.
import { createServer } from 'node:http';
import { hostname } from 'node:os';

createServer((req, res) => {
  const forwardedFor = req.headers['x-forwarded-for'] ?? '';
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-lab-host': hostname() });
  res.end(\`host: \${hostname()}\\nx-forwarded-for: \${forwardedFor}\\n\`);
}).listen(${WEB_PORT}, '127.0.0.1');
`;

export function hostsFile(hostname: string): string {
  return `127.0.0.1\tlocalhost\n127.0.1.1\t${hostname}\n`;
}
