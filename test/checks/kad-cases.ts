// The keepalived.conf inputs the KAD check tests share: the correct fixture's master and backup files,
// with some parts replaced (see src/facts/keepalived-examples.ts for the parts and their lines).
import { keepalivedExample, type KeepalivedExampleParts } from '../../src/facts/keepalived-examples.js';

export const CONF = '/etc/keepalived/keepalived.conf';
const BACKUP_PARTS: KeepalivedExampleParts = {
  globalDefs: ['router_id backup', 'script_user root', 'enable_script_security'],
  state: 'state BACKUP',
  priority: 'priority 100',
};

/** master's reference file with some parts replaced; `backupConf` the same for backup. */
export const masterConf = (parts: KeepalivedExampleParts = {}) => keepalivedExample(parts);
export const backupConf = (parts: KeepalivedExampleParts = {}) => keepalivedExample({ ...BACKUP_PARTS, ...parts });
