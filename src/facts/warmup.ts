// Warm-up for live hosts: read every file and run every read-only command the checks will ask
// for, on both hosts at once, so the checks find them in the run's memo instead of waiting for
// one SSH round trip after another.
import type { CheckContext } from '../model/check.js';
import type { Role } from '../model/basics.js';
import { loadCertFile } from './cert.js';
import { prefetchCommands } from './commands.js';
import { loadHaproxy } from './haproxy.js';
import { loadKeepalived } from './keepalived.js';
import { loadPasswd } from './passwd.js';
import { loadSysctl } from './sysctl.js';

const LOADERS: Array<(ctx: CheckContext, role: Role) => Promise<unknown>> = [
  loadHaproxy,
  loadKeepalived,
  loadCertFile,
  loadSysctl,
  loadPasswd,
];

export async function warmUp(ctx: CheckContext): Promise<void> {
  const loads = (['master', 'backup'] as const).flatMap((role) => LOADERS.map((load) => load(ctx, role)));
  await Promise.allSettled([...loads, ...(ctx.options.live ? [prefetchCommands(ctx)] : [])]);
}
