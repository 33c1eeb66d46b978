// keepalived.conf of each host, read (with its include files) and parsed once per run, shared by
// KAD001-KAD008, and the skips of the checks that cannot judge without it. The judgements those
// checks share live beside it: vrrp-instances (the VIP's instance, one VRRP router),
// haproxy-trackers (what follows haproxy), failover-prediction (KAD007), keepalived-includes
// (include files on a host) and keepalived-examples (doc examples).
import type { KeepalivedConfig } from '../parsers/keepalived.js';
import type { VrrpInstance } from '../parsers/keepalived-model.js';
import type { CheckContext, MessageIds } from '../model/check.js';
import type { FileRead } from '../hosts/host.js';
import type { Role, Text } from '../model/basics.js';
import { reportUnreadable, type UnreadableId } from './unreadable.js';
import { loadPasswd } from './passwd.js';
import { globOnHost, hostConfigId, MAX_CONFIG_BYTES, parseWithIncludes } from './keepalived-includes.js';
import { vipInstance } from './vrrp-instances.js';

export interface KeepalivedFile {
  role: Role;
  path: string;
  read: FileRead;
  /** Present when the file could be read. */
  config?: KeepalivedConfig;
}

/**
 * Read and parse a host's keepalived.conf once per run (memo key `keepalived:<role>`), includes resolved on the host.
 */
export function loadKeepalived(ctx: CheckContext, role: Role): Promise<KeepalivedFile> {
  return ctx.memo(`keepalived:${role}`, async () => {
    const host = ctx.host(role);
    const file = ctx.profile.keepalivedConfPath;
    const read = await host.readFile(file, { maxBytes: MAX_CONFIG_BYTES });
    if (!read.ok) return { role, path: file, read };
    const configId = await hostConfigId(host);
    // keepalived removes a vrrp_script it has no user for: that depends on the host's users.
    const passwd = await loadPasswd(ctx, role);
    const userExists = passwd.read.ok ? (name: string) => passwd.users.has(name) : undefined;
    const config = await parseWithIncludes(
      read.content,
      file,
      configId,
      (pattern) => globOnHost(host, pattern),
      userExists,
    );
    return { role, path: file, read, config };
  });
}

// ---------------------------------------------------------------------------------------------
// KAD002-KAD008 need the parsed file: they skip, with the reason, when KAD001 could not read it.

export const CONFIG_SKIP_MESSAGES = {
  configMissing: {
    en: 'cannot judge: {file} does not exist (see KAD001)',
    ru: 'невозможно проверить: файла {file} нет (см. KAD001)',
  },
  configUnreadable: {
    en: 'cannot judge: {file} could not be read: {error} (see KAD001)',
    ru: 'невозможно проверить: не удалось прочитать {file}: {error} (см. KAD001)',
  },
  noInstance: {
    en: 'cannot judge: {file} has no vrrp_instance (see KAD002)',
    ru: 'невозможно проверить: в {file} нет ни одного vrrp_instance (см. KAD002)',
  },
  noVipInstance: {
    en: 'cannot judge: none of the {count} vrrp_instance blocks holds the VIP {vip} (see KAD005)',
    ru: 'невозможно проверить: ни один из {count} блоков vrrp_instance не содержит виртуальный ip {vip} (см. KAD005)',
  },
} satisfies Record<string, Text>;

export type ConfigSkipId = MessageIds<typeof CONFIG_SKIP_MESSAGES>;

/** The parsed config, or undefined after reporting a skip (messages: CONFIG_SKIP_MESSAGES). */
export function configOrSkip(ctx: CheckContext<UnreadableId>, file: KeepalivedFile): KeepalivedConfig | undefined {
  if (file.config) return file.config;
  return reportUnreadable(ctx, file);
}

/** For each host, its VIP instance, or a skip reported (messages: CONFIG_SKIP_MESSAGES). */
export async function vipInstanceOrSkip(
  ctx: CheckContext<ConfigSkipId>,
  role: Role,
): Promise<{ config: KeepalivedConfig; instance: VrrpInstance; file: KeepalivedFile } | undefined> {
  const file = await loadKeepalived(ctx, role);
  const config = configOrSkip(ctx, file);
  if (!config) return undefined;
  const instance = vipInstance(config, ctx.vip);
  if (instance) return { config, instance, file };
  const none = config.instances.length === 0;
  ctx.report({
    kind: 'skip',
    host: role,
    messageId: none ? 'noInstance' : 'noVipInstance',
    file: file.path,
    data: { file: file.path, count: config.instances.length, vip: ctx.vip ?? '' },
  });
  return undefined;
}
