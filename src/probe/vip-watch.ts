// Who holds the VIP right now, read from `ip -o -4 addr show` on both hosts.
import { cachedResult, findCommand } from '../facts/commands.js';
import { parseIpAddr, vipEntries } from '../facts/ip-addr.js';
import type { CheckContext } from '../model/check.js';
import type { Command, StreamHandle } from '../hosts/host.js';
import type { Role } from '../model/basics.js';

export interface VipHolder {
  present: boolean;
  label?: string;
}

/** The VIP's entry in `ip -o -4 addr show` output: present, and under which label. */
function findVip(stdout: string, vip: string): VipHolder {
  const entry = vipEntries(parseIpAddr(stdout), vip)[0];
  if (!entry) return { present: false };
  return entry.label ? { present: true, label: entry.label } : { present: true };
}

/**
 * Both hosts' view, polled afresh unless `cached` (the precheck may share the live checks' reading);
 * undefined when either host did not answer.
 */
export async function vipHolders(
  ctx: CheckContext,
  vip: string,
  cached = true,
): Promise<Record<Role, VipHolder> | undefined> {
  const command = findCommand(ctx.profile, vip, 'ip-addr') as Command;
  const read = async (role: Role) => {
    const r = cached ? await cachedResult(ctx, role, command) : await ctx.host(role).run(command);
    return r.exitCode === 0 ? findVip(r.stdout, vip) : undefined;
  };
  const [master, backup] = await Promise.all([read('master'), read('backup')]);
  return master && backup ? { master, backup } : undefined;
}

/**
 * Wakes the probe when `ip -o monitor address` on either host mentions the VIP, so it reads the
 * hosts when something changed instead of every 200 ms (which, over many pairs, costs more CPU than
 * the hosts have). Hosts that cannot stream are polled as before.
 */
export class VipEvents {
  private waiter: (() => void) | undefined;
  private pending = false;

  private constructor(
    private readonly handles: StreamHandle[],
    /** Both hosts stream: polling can slow down to a fallback pace. */
    readonly streaming: boolean,
  ) {}

  static async start(ctx: CheckContext, vip: string): Promise<VipEvents> {
    const mentionsVip = new RegExp(`\\binet ${vip.replace(/\./g, '\\.')}/`);
    const handles: StreamHandle[] = [];
    let events: VipEvents | undefined;
    const onLine = (line: string) => {
      if (mentionsVip.test(line)) events?.wake();
    };
    for (const role of ['master', 'backup'] as const) {
      const host = ctx.host(role);
      if (!host.stream) continue;
      const handle = await host
        .stream({ key: 'ip-monitor', argv: ['ip', '-o', 'monitor', 'address'] }, onLine)
        .catch(() => undefined);
      if (handle) handles.push(handle);
    }
    events = new VipEvents(handles, handles.length === 2);
    return events;
  }

  private wake(): void {
    this.pending = true;
    this.waiter?.();
  }

  /** Resolves on an address event, after `ms`, or on abort, whichever comes first. */
  next(ms: number, signal: AbortSignal): Promise<void> {
    if (this.pending || signal.aborted) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiter = undefined;
        this.pending = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.waiter = done;
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.handles.map((h) => h.stop().catch(() => undefined)));
  }
}
