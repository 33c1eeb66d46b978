// Who holds the VIP right now, read from `ip -o -4 addr show` on both hosts.
import { cachedResult, findCommand } from '../facts/commands.js';
import { parseIpAddr, vipEntries } from '../facts/ip-addr.js';
import type { CheckContext, Command, Role } from '../types.js';

export interface VipHolder {
  present: boolean;
  label?: string;
}

/** The VIP's entry in `ip -o -4 addr show` output: present, and under which label. */
export function findVip(stdout: string, vip: string): VipHolder {
  const entry = vipEntries(parseIpAddr(stdout), vip)[0];
  if (!entry) return { present: false };
  return entry.label ? { present: true, label: entry.label } : { present: true };
}

/**
 * Both hosts' view, polled afresh unless `cached` (the precheck may share the live checks' reading);
 * undefined when either host did not answer.
 */
export async function vipHolders(ctx: CheckContext, vip: string, cached = true): Promise<Record<Role, VipHolder> | undefined> {
  const command = findCommand(ctx.profile, vip, 'ip-addr') as Command;
  const read = async (role: Role) => {
    const r = cached ? await cachedResult(ctx, role, command) : await ctx.host(role).run(command);
    return r.exitCode === 0 ? findVip(r.stdout, vip) : undefined;
  };
  const [master, backup] = await Promise.all([read('master'), read('backup')]);
  return master && backup ? { master, backup } : undefined;
}
