// Users of a host from /etc/passwd. KAD008 needs to know whether `keepalived_script` exists:
// keepalived runs track scripts as that user when it exists and no `script_user` is set.
import type { CheckContext } from '../model/check.js';
import type { FileRead } from '../hosts/host.js';
import type { Role } from '../model/basics.js';

export const PASSWD_PATH = '/etc/passwd';

export interface PasswdUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
  line: number;
}

export interface Passwd {
  read: FileRead;
  /** By name; the first entry wins, as getpwnam() returns the first match. */
  users: Map<string, PasswdUser>;
}

/** `name:password:uid:gid:gecos:home:shell` per line. Comments, NIS `+`/`-` lines and malformed lines are skipped. */
export function parsePasswd(text: string): Map<string, PasswdUser> {
  const users = new Map<string, PasswdUser>();
  text.split('\n').forEach((raw, index) => {
    const fields = raw.replace(/\r$/, '').split(':');
    if (fields.length < 7) return;
    const [name, , uidText, gidText, , home, shell] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (!name || name.startsWith('#') || name.startsWith('+') || name.startsWith('-')) return;
    if (!/^\d+$/.test(uidText) || !/^\d+$/.test(gidText)) return;
    if (!users.has(name))
      users.set(name, { name, uid: Number(uidText), gid: Number(gidText), home, shell, line: index + 1 });
  });
  return users;
}

/** A host's users, read once per run (memo key `passwd:<role>`); no users when the file cannot be read. */
export function loadPasswd(ctx: CheckContext, role: Role): Promise<Passwd> {
  return ctx.memo(`passwd:${role}`, async () => {
    const read = await ctx.host(role).readFile(PASSWD_PATH);
    return { read, users: read.ok ? parsePasswd(read.content.toString('utf8')) : new Map<string, PasswdUser>() };
  });
}
