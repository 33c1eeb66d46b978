// KAD001-KAD004 with the CheckTester: syntax, state, the settings both nodes must share, and priorities.
// Valid and invalid keepalived.conf cases over the correct fixture, every finding matched on host, message id,
// kind and line, in the spirit of ESLint's RuleTester. KAD005-KAD008 are in kad005-kad008.test.ts.
import KAD001 from '../../checks/KAD001.js';
import KAD002 from '../../checks/KAD002.js';
import KAD003 from '../../checks/KAD003.js';
import KAD004 from '../../checks/KAD004.js';
import { testCheck } from '../support/check-tester.js';
import { backupConf, CONF, masterConf } from './kad-cases.js';

testCheck(KAD001, {
  valid: [
    { name: 'the correct fixture' },
    {
      name: 'braces on the next line and several on one line',
      master: {
        [CONF]:
          'global_defs\n{\n    router_id master\n}\nvrrp_script check_haproxy\n{ script "/usr/bin/killall -0 haproxy"\n  weight -20 }\n' +
          masterConf().split('\n').slice(14).join('\n'),
      },
    },
    {
      name: 'a truncated auth_pass is a note, not a failure',
      backup: { [CONF]: backupConf({ authentication: ['auth_type PASS', 'auth_pass s3cret1234'] }) },
      findings: [{ host: 'backup', messageId: 'configNote', line: 23, kind: 'note' }],
    },
  ],
  invalid: [
    {
      name: '`user root` in global_defs',
      master: { [CONF]: masterConf({ globalDefs: ['router_id master', 'user root'] }) },
      findings: [{ host: 'master', messageId: 'unknownKeyword', line: 3 }],
    },
    {
      name: 'auth_pass eaten by a comment is fatal',
      master: { [CONF]: masterConf({ authentication: ['auth_type PASS', 'auth_pass #secret'] }) },
      findings: [{ host: 'master', messageId: 'missingParameter', line: 23 }],
    },
    {
      name: 'a stray }',
      master: { [CONF]: `${masterConf()}}\n` },
      findings: [
        { host: 'master', messageId: 'extraClose', line: 32 },
        { host: 'master', messageId: 'unknownKeyword', line: 32 },
      ],
    },
    {
      name: 'file missing on backup',
      backup: { [CONF]: null },
      findings: [{ host: 'backup', messageId: 'fileMissing' }],
    },
    {
      name: 'an included file is read from the host, with its own lines',
      master: {
        [CONF]: masterConf().replace('vrrp_script', 'include conf.d/*.conf\n\nvrrp_script'),
        '/etc/keepalived/conf.d/extra.conf': 'global_defs {\n    bogus_keyword\n}\n',
      },
      findings: [{ host: 'master', messageId: 'unknownKeyword', line: 2 }],
    },
  ],
});

testCheck(KAD002, {
  valid: [
    { name: 'the correct fixture' },
    {
      name: 'backup written in lower case is BACKUP by luck',
      backup: { [CONF]: backupConf({ state: 'state backup' }) },
      findings: [{ host: 'backup', messageId: 'unknownStateBackup', line: 16, kind: 'note' }],
    },
    {
      name: 'no state on backup is BACKUP',
      backup: { [CONF]: backupConf({ state: null }) },
      findings: [{ host: 'backup', messageId: 'stateImplicit', line: 15, kind: 'note' }],
    },
  ],
  invalid: [
    {
      name: 'both MASTER',
      backup: { [CONF]: backupConf({ state: 'state MASTER' }) },
      findings: [{ host: 'backup', messageId: 'wrongState', line: 16 }],
    },
    {
      name: 'master written in lower case',
      master: { [CONF]: masterConf({ state: 'state master' }) },
      findings: [{ host: 'master', messageId: 'unknownState', line: 16 }],
    },
    {
      name: 'no state on master with priority 110',
      master: { [CONF]: masterConf({ state: null }) },
      findings: [{ host: 'master', messageId: 'noState', line: 15 }],
    },
    {
      name: 'no vrrp_instance at all',
      backup: { [CONF]: 'global_defs {\n    router_id backup\n}\n' },
      findings: [{ host: 'backup', messageId: 'noInstance' }],
    },
    {
      name: 'file missing on master',
      master: { [CONF]: null },
      findings: [{ host: 'master', messageId: 'configMissing', kind: 'skip' }],
      status: 'skip',
    },
  ],
});

testCheck(KAD003, {
  valid: [
    { name: 'the correct fixture' },
    {
      name: 'passwords that differ only after 8 bytes agree, with notes',
      master: { [CONF]: masterConf({ authentication: ['auth_type PASS', 'auth_pass s3cret12AAA'] }) },
      backup: { [CONF]: backupConf({ authentication: ['auth_type PASS', 'auth_pass s3cret12BBB'] }) },
      findings: [
        { host: 'master', messageId: 'authPassTruncated', line: 23, kind: 'note' },
        { host: 'backup', messageId: 'authPassTruncated', line: 23, kind: 'note' },
      ],
    },
    {
      name: 'the same VIPs in another order agree',
      master: {
        [CONF]: masterConf({
          vip: ['203.0.113.10/24 brd 203.0.113.255 dev eth0 label eth0:10', '198.51.100.5/24 dev eth0'],
        }),
      },
      backup: {
        [CONF]: backupConf({
          vip: ['198.51.100.5/24 dev eth0', '203.0.113.10/24 brd 203.0.113.255 dev eth0 label eth0:10'],
        }),
      },
    },
  ],
  invalid: [
    {
      name: 'VRID mismatch',
      backup: { [CONF]: backupConf({ virtualRouterId: 'virtual_router_id 52' }) },
      findings: [{ host: 'backup', messageId: 'vridMismatch', line: 18 }],
    },
    {
      name: 'password mismatch',
      backup: { [CONF]: backupConf({ authentication: ['auth_type PASS', 'auth_pass other123'] }) },
      findings: [{ host: 'backup', messageId: 'authPassMismatch', line: 23 }],
    },
    {
      name: 'auth_type mismatch',
      backup: { [CONF]: backupConf({ authentication: ['auth_type AH', 'auth_pass s3cret12'] }) },
      findings: [{ host: 'backup', messageId: 'authTypeMismatch', line: 22 }],
    },
    {
      name: 'authentication on one side only',
      backup: { [CONF]: backupConf({ authentication: null }) },
      findings: [{ host: 'backup', messageId: 'authTypeMismatch', line: 15 }],
    },
    {
      name: 'a ! cuts the password on backup only',
      backup: { [CONF]: backupConf({ authentication: ['auth_type PASS', 'auth_pass s3cr!t12'] }) },
      findings: [
        { host: 'backup', messageId: 'authPassMismatch', line: 23 },
        { host: 'backup', messageId: 'authPassCut', line: 23, kind: 'note' },
      ],
    },
    {
      name: 'advert_int mismatch',
      backup: { [CONF]: backupConf({ advertInt: 'advert_int 2' }) },
      findings: [{ host: 'backup', messageId: 'advertMismatch', line: 20 }],
    },
    {
      name: 'VIP mismatch',
      backup: { [CONF]: backupConf({ vip: ['203.0.113.11/24 brd 203.0.113.255 dev eth0 label eth0:10'] }) },
      findings: [{ host: 'backup', messageId: 'vipMismatch', line: 25 }],
    },
  ],
});

testCheck(KAD004, {
  valid: [
    { name: 'the correct fixture (110 > 100)' },
    {
      name: 'state MASTER without priority is 255: higher, with a note',
      master: { [CONF]: masterConf({ priority: null }) },
      findings: [{ host: 'master', messageId: 'defaultPriority', line: 15, kind: 'note' }],
    },
  ],
  invalid: [
    {
      name: 'backup higher than master',
      backup: { [CONF]: backupConf({ priority: 'priority 120' }) },
      findings: [{ host: 'master', messageId: 'notHigher', line: 19 }],
    },
    {
      name: 'equal priorities',
      backup: { [CONF]: backupConf({ priority: 'priority 110' }) },
      findings: [{ host: 'master', messageId: 'equal', line: 19 }],
    },
    {
      name: 'backup without priority is 100, master 90 is lower',
      master: { [CONF]: masterConf({ priority: 'priority 90' }) },
      backup: { [CONF]: backupConf({ priority: null }) },
      findings: [
        { host: 'master', messageId: 'notHigher', line: 19 },
        { host: 'backup', messageId: 'defaultPriority', line: 15, kind: 'note' },
      ],
    },
  ],
});
