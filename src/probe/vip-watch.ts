// Who holds the VIP right now, read from `ip -o -4 addr show` on both hosts.
import type { CheckContext, Role } from '../types.js';

export interface VipHolder {
  present: boolean;
  label?: string;
}

export const IP_ADDR_COMMAND = { key: 'ip-addr', argv: ['ip', '-o', '-4', 'addr', 'show'], timeoutMs: 10_000 };

/** The VIP's entry in `ip -o -4 addr show` output: present, and under which label. */
export function findVip(stdout: string, vip: string): VipHolder {
  for (const line of stdout.split('\n')) {
    const m = /\binet\s+(\d+\.\d+\.\d+\.\d+)(?:\/\d+)?\b(.*)$/.exec(line);
    if (!m || m[1] !== vip) continue;
    const label = /\bscope\s+\S+\s+(?:secondary\s+)?(\S+?)\\?(?:\s|$)/.exec(m[2] ?? '')?.[1];
    return label ? { present: true, label } : { present: true };
  }
  return { present: false };
}

/**
 * Both hosts' view, polled (not cached) unless `cached`; undefined when either host did not answer.
 */
export async function vipHolders(ctx: CheckContext, vip: string, cached = true): Promise<Record<Role, VipHolder> | undefined> {
  const read = async (role: Role) => {
    const run = () => ctx.host(role).run(IP_ADDR_COMMAND);
    const r = cached ? await ctx.memo(`probe-ip-addr:${role}`, run) : await run();
    return r.exitCode === 0 ? findVip(r.stdout, vip) : undefined;
  };
  const [master, backup] = await Promise.all([read('master'), read('backup')]);
  return master && backup ? { master, backup } : undefined;
}
