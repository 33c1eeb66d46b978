// Pure judgements on parsed vrrp_instance blocks: which one carries the VIP, and whether the two
// hosts' instances are one VRRP router (KAD003 says which field differs, KAD007 needs it to hold).
import type { KeepalivedConfig } from '../parsers/keepalived.js';
import type { VrrpInstance } from '../parsers/keepalived-model.js';

/**
 * The instance that carries the VIP: the one whose virtual_ipaddress holds it; when none does, the
 * only instance there is (KAD005 reports the VIP itself). Several instances without it: undefined.
 */
export function vipInstance(config: KeepalivedConfig, vip: string | undefined): VrrpInstance | undefined {
  const holders = config.instances.filter((i) => vip !== undefined && i.vips.some((v) => v.address === vip));
  if (holders.length > 0) return holders[0];
  return config.instances.length === 1 ? config.instances[0] : undefined;
}

/** Authentication as sent: none when absent or ignored (VRRPv3, vrrp_strict); the password as compared. */
export function effectiveAuth(instance: VrrpInstance): { type: string; pass: string } {
  const auth = instance.authentication;
  if (!auth?.type || auth.ignored) return { type: 'none', pass: '' };
  return { type: auth.type, pass: auth.effectivePass ?? '' };
}

/** The VIPs as `address/prefix`, sorted: the order of the lines does not matter. */
export function vipSet(instance: VrrpInstance): string {
  return instance.vips
    .map((v) => `${v.address}/${v.prefix}`)
    .sort()
    .join(', ');
}

/** Each node accepts the other's adverts only when these agree. */
export function sameVrrpRouter(a: VrrpInstance, b: VrrpInstance): boolean {
  const [authA, authB] = [effectiveAuth(a), effectiveAuth(b)];
  return (
    a.virtualRouterId === b.virtualRouterId &&
    a.advertInt === b.advertInt &&
    authA.type === authB.type &&
    authA.pass === authB.pass
  );
}
