// The skip a check reports when the config file it judges could not be read (another check,
// HAP001 or KAD001, fails for it): messageId configMissing or configUnreadable.
import type { CheckContext } from '../model/check.js';
import type { FileRead } from '../hosts/host.js';
import type { Role } from '../model/basics.js';

/** The ids `reportUnreadable` reports (both config-skip tables have them). */
export type UnreadableId = 'configMissing' | 'configUnreadable';

export function reportUnreadable(
  ctx: CheckContext<UnreadableId>,
  file: { role: Role; path: string; read: FileRead },
): undefined {
  const read = file.read;
  ctx.report({
    kind: 'skip',
    host: file.role,
    messageId: !read.ok && read.reason === 'missing' ? 'configMissing' : 'configUnreadable',
    file: file.path,
    data: { file: file.path, error: read.ok ? '' : read.message },
  });
  return undefined;
}
