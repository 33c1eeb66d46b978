// KAD005-KAD008 with the CheckTester: the VIP line, haproxy tracking, failover and failback by weights, and
// the user the track script runs as. Valid and invalid keepalived.conf cases over the correct fixture, every
// finding matched on host, message id, kind and line. KAD001-KAD004 are in kad001-kad004.test.ts.
import KAD005 from '../../checks/KAD005.js';
import KAD006 from '../../checks/KAD006.js';
import KAD007 from '../../checks/KAD007.js';
import KAD008 from '../../checks/KAD008.js';
import { testCheck } from '../support/check-tester.js';
import { backupConf, CONF, masterConf } from './kad-cases.js';

testCheck(KAD005, {
  valid: [
    { name: 'the correct fixture' },
    {
      name: 'dev from the instance interface, brd +',
      master: { [CONF]: masterConf({ vip: ['203.0.113.10/24 brd + label eth0:10'] }) },
    },
  ],
  invalid: [
    {
      name: 'no brd',
      master: { [CONF]: masterConf({ vip: ['203.0.113.10/24 dev eth0 label eth0:10'] }) },
      findings: [{ host: 'master', messageId: 'noBrd', line: 26 }],
    },
    {
      name: 'wrong label',
      backup: { [CONF]: backupConf({ vip: ['203.0.113.10/24 brd 203.0.113.255 dev eth0 label eth0:1'] }) },
      findings: [{ host: 'backup', messageId: 'wrongLabel', line: 26 }],
    },
    {
      name: 'no label',
      master: { [CONF]: masterConf({ vip: ['203.0.113.10/24 brd 203.0.113.255 dev eth0'] }) },
      findings: [{ host: 'master', messageId: 'noLabel', line: 26 }],
    },
    {
      name: 'no prefix means /32',
      master: { [CONF]: masterConf({ vip: ['203.0.113.10 brd 203.0.113.255 dev eth0 label eth0:10'] }) },
      findings: [{ host: 'master', messageId: 'wrongPrefix', line: 26 }],
    },
    {
      name: 'wrong broadcast',
      master: { [CONF]: masterConf({ vip: ['203.0.113.10/24 brd 203.0.113.0 dev eth0 label eth0:10'] }) },
      findings: [{ host: 'master', messageId: 'wrongBrd', line: 26 }],
    },
    {
      name: 'another interface',
      master: { [CONF]: masterConf({ vip: ['203.0.113.10/24 brd 203.0.113.255 dev eth1 label eth0:10'] }) },
      findings: [{ host: 'master', messageId: 'wrongDev', line: 26 }],
    },
    {
      name: 'scope link',
      master: { [CONF]: masterConf({ vip: ['203.0.113.10/24 brd 203.0.113.255 dev eth0 scope link label eth0:10'] }) },
      findings: [{ host: 'master', messageId: 'wrongScope', line: 26 }],
    },
    {
      name: 'another address',
      master: { [CONF]: masterConf({ vip: ['198.51.100.10/24 brd 198.51.100.255 dev eth0 label eth0:10'] }) },
      findings: [{ host: 'master', messageId: 'vipMissing' }],
    },
  ],
});

const script = (command: string) => [`script ${command}`, 'interval 1', 'fall 2', 'rise 2', 'weight -20'];
testCheck(KAD006, {
  valid: [
    { name: 'the correct fixture' },
    {
      name: "single-quoted 'pgrep -x haproxy'",
      master: { [CONF]: masterConf({ script: script("'pgrep -x haproxy'") }) },
    },
    {
      name: 'sh -c with systemctl',
      master: { [CONF]: masterConf({ script: script(`"/bin/sh -c 'systemctl is-active --quiet haproxy'"`) }) },
    },
    {
      name: 'a script file that checks haproxy',
      master: {
        [CONF]: masterConf({ script: script('/etc/keepalived/check.sh') }),
        '/etc/keepalived/check.sh': '#!/bin/sh\npidof haproxy >/dev/null\n',
      },
    },
    {
      name: 'a script file named after haproxy',
      master: { [CONF]: masterConf({ script: script('/etc/keepalived/check_haproxy.sh') }) },
    },
    {
      name: 'grep [h]aproxy in sh -c',
      master: { [CONF]: masterConf({ script: script(`"/bin/sh -c 'ps -e | grep -q [h]aproxy'"`) }) },
    },
    {
      name: 'curl to the https frontend',
      master: { [CONF]: masterConf({ script: script('"/usr/bin/curl -skf https://127.0.0.1/"') }) },
    },
    {
      name: 'track_process haproxy',
      master: {
        [CONF]: `vrrp_track_process track_haproxy {\n    process haproxy\n    weight -20\n}\n\n${masterConf({ track: null, instanceExtra: ['track_process {', '    track_haproxy', '}'] })}`,
      },
    },
    {
      name: 'weighted script dropped at priority 255 (KAD007 judges it)',
      master: { [CONF]: masterConf({ priority: null }) },
      findings: [{ host: 'master', messageId: 'ignoredAsOwner', line: 28, kind: 'note' }],
    },
    {
      name: 'weighted script dropped in a sync group (KAD007 judges it)',
      backup: { [CONF]: `${backupConf()}\nvrrp_sync_group G {\n    group {\n        VI_1\n    }\n}\n` },
      findings: [{ host: 'backup', messageId: 'ignoredInSyncGroup', line: 29, kind: 'note' }],
    },
  ],
  invalid: [
    {
      name: 'no track_script',
      master: { [CONF]: masterConf({ track: null }) },
      findings: [{ host: 'master', messageId: 'notTracked', line: 15 }],
    },
    {
      name: 'unquoted killall -0 haproxy',
      backup: { [CONF]: backupConf({ script: script('killall -0 haproxy') }) },
      findings: [{ host: 'backup', messageId: 'unquotedScript', line: 8 }],
    },
    {
      name: 'vrrp_script defined below the instance',
      master: {
        [CONF]: (() => {
          const text = masterConf();
          const start = text.indexOf('vrrp_script');
          const end = text.indexOf('vrrp_instance');
          return `${text.slice(0, start) + text.slice(end)}\n${text.slice(start, end)}`;
        })(),
      },
      findings: [{ host: 'master', messageId: 'definedLater', line: 21 }],
    },
    {
      name: 'a script file the grader cannot read',
      master: { [CONF]: masterConf({ script: script('/etc/keepalived/check.sh') }) },
      findings: [{ host: 'master', messageId: 'scriptUnreadable', line: 8, kind: 'skip' }],
      status: 'skip',
    },
    {
      name: 'a script file that checks something else',
      master: {
        [CONF]: masterConf({ script: script('/etc/keepalived/check.sh') }),
        '/etc/keepalived/check.sh': '#!/bin/sh\ncurl -sf http://127.0.0.1:81/\n',
      },
      findings: [{ host: 'master', messageId: 'notHaproxy', line: 8 }],
    },
    {
      name: 'tracks something else: the web server behind haproxy',
      master: { [CONF]: masterConf({ script: script('"/usr/bin/curl -sf http://127.0.0.1:81/"') }) },
      findings: [{ host: 'master', messageId: 'webServerOnly', line: 8 }],
    },
    {
      name: 'nothing at all',
      master: { [CONF]: masterConf({ script: ['script "/usr/bin/true"'], track: null }) },
      findings: [{ host: 'master', messageId: 'noTracking', line: 11 }],
    },
  ],
});

testCheck(KAD007, {
  valid: [
    { name: 'the correct fixture: 110 - 20 = 90 < 100, and back' },
    {
      name: 'weight 0: FAULT moves the VIP',
      master: { [CONF]: masterConf({ script: ['script "/usr/bin/killall -0 haproxy"', 'interval 1'] }) },
    },
    {
      name: 'state MASTER, priority 255 with an unweighted script: FAULT still moves it',
      master: { [CONF]: masterConf({ priority: null, script: ['script "/usr/bin/killall -0 haproxy"'] }) },
    },
    {
      name: 'positive weight on both nodes',
      master: {
        [CONF]: masterConf({ script: script('"/usr/bin/pgrep -x haproxy"').map((l) => l.replace('-20', '20')) }),
      },
      backup: {
        [CONF]: backupConf({ script: script('"/usr/bin/pgrep -x haproxy"').map((l) => l.replace('-20', '20')) }),
      },
    },
    {
      name: 'a vrrp_sync_group with sync_group_tracking_weight keeps them',
      master: {
        [CONF]: `${masterConf()}\nvrrp_sync_group G {\n    group {\n        VI_1\n    }\n    sync_group_tracking_weight\n}\n`,
      },
    },
  ],
  invalid: [
    {
      name: 'state MASTER without priority is 255: weights ignored',
      master: { [CONF]: masterConf({ priority: null }) },
      findings: [{ host: 'master', messageId: 'ownerIgnoresWeights', line: 15 }],
    },
    {
      name: 'weight smaller than the gap',
      master: {
        [CONF]: masterConf({ script: script('"/usr/bin/killall -0 haproxy"').map((l) => l.replace('-20', '-5')) }),
      },
      findings: [{ host: 'master', messageId: 'weightTooSmall', line: 19 }],
    },
    {
      name: 'weight equal to the gap: a tie',
      master: {
        [CONF]: masterConf({ script: script('"/usr/bin/killall -0 haproxy"').map((l) => l.replace('-20', '-10')) }),
      },
      findings: [{ host: 'master', messageId: 'tieAfterStop', line: 19 }],
    },
    {
      name: 'nopreempt on backup',
      backup: { [CONF]: backupConf({ instanceExtra: ['nopreempt'] }) },
      findings: [{ host: 'backup', messageId: 'backupNopreempt', line: 31 }],
    },
    {
      name: 'nopreempt on master (state BACKUP): no failback',
      master: { [CONF]: masterConf({ state: 'state BACKUP', instanceExtra: ['nopreempt'] }) },
      findings: [{ host: 'master', messageId: 'masterNopreempt', line: 31 }],
    },
    {
      name: 'no tracking',
      master: { [CONF]: masterConf({ track: null }) },
      findings: [{ host: 'master', messageId: 'notTracked', line: 19 }],
    },
    {
      name: 'backup starts higher',
      backup: { [CONF]: backupConf({ priority: 'priority 120' }) },
      findings: [{ host: 'master', messageId: 'startsOnBackup', line: 19 }],
    },
    {
      name: 'a vrrp_sync_group without sync_group_tracking_weight ignores weights',
      master: { [CONF]: `${masterConf()}\nvrrp_sync_group G {\n    group {\n        VI_1\n    }\n}\n` },
      findings: [{ host: 'master', messageId: 'syncGroupIgnoresWeights', line: 19 }],
    },
    {
      name: 'VRID mismatch: cannot predict',
      backup: { [CONF]: backupConf({ virtualRouterId: 'virtual_router_id 52' }) },
      findings: [{ messageId: 'notOneRouter', kind: 'skip' }],
      status: 'skip',
    },
  ],
});

const PASSWD_WITH_NOBODY =
  'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';
const PASSWD_WITH_KEEPALIVED_SCRIPT =
  'root:x:0:0:root:/root:/bin/bash\nkeepalived_script:x:998:998::/nonexistent:/usr/sbin/nologin\n';
testCheck(KAD008, {
  valid: [
    { name: 'the correct fixture (script_user root)' },
    {
      name: 'pgrep as keepalived_script',
      master: {
        [CONF]: masterConf({
          globalDefs: ['router_id master', 'enable_script_security'],
          script: script('"/usr/bin/pgrep -x haproxy"'),
        }),
        '/etc/passwd': PASSWD_WITH_KEEPALIVED_SCRIPT,
      },
    },
    {
      name: 'killall -0 as root when keepalived_script does not exist',
      master: { [CONF]: masterConf({ globalDefs: ['router_id master'] }) },
    },
    {
      name: 'pidof called directly under keepalived 2.3.1 (live)',
      master: { [CONF]: masterConf({ script: script('"/usr/bin/pidof haproxy"') }) },
      commands: {
        master: { 'keepalived-version': { stdout: '', stderr: 'Keepalived v2.3.1 (05/24,2024)\n', exitCode: 0 } },
      },
    },
    { name: 'pidof inside sh -c', master: { [CONF]: masterConf({ script: script(`"/bin/sh -c 'pidof haproxy'"`) }) } },
  ],
  invalid: [
    {
      name: 'killall -0 as keepalived_script (exists, no script_user)',
      master: {
        [CONF]: masterConf({ globalDefs: ['router_id master', 'enable_script_security'] }),
        '/etc/passwd': PASSWD_WITH_KEEPALIVED_SCRIPT,
      },
      findings: [{ host: 'master', messageId: 'eperm', line: 7 }],
    },
    {
      name: 'no user at all under enable_script_security: removed',
      master: { [CONF]: masterConf({ globalDefs: ['router_id master', 'enable_script_security'] }) },
      findings: [{ host: 'master', messageId: 'scriptNoUser', line: 7 }],
    },
    {
      name: 'the vrrp_script user wins over script_user',
      master: {
        [CONF]: masterConf({ script: [...script('"/usr/bin/killall -0 haproxy"'), 'user nobody'] }),
        '/etc/passwd': PASSWD_WITH_NOBODY,
      },
      findings: [{ host: 'master', messageId: 'eperm', line: 8 }],
    },
    // keepalived -t 2.2.7: "Unable to set uid/gid for script …", then "track script check_haproxy not found".
    {
      name: 'a vrrp_script user that does not exist: removed',
      master: { [CONF]: masterConf({ script: [...script('"/usr/bin/killall -0 haproxy"'), 'user nobody'] }) },
      findings: [{ host: 'master', messageId: 'scriptBadUser', line: 8 }],
    },
    {
      name: 'pidof called directly',
      master: { [CONF]: masterConf({ script: script('"/usr/bin/pidof haproxy"') }) },
      findings: [{ host: 'master', messageId: 'pidofSymlink', line: 8 }],
    },
    {
      name: 'pidof called directly under keepalived 2.2.7 (live)',
      master: { [CONF]: masterConf({ script: script('"/usr/bin/pidof haproxy"') }) },
      commands: {
        master: { 'keepalived-version': { stdout: '', stderr: 'Keepalived v2.2.7 (01/16,2022)\n', exitCode: 0 } },
      },
      findings: [{ host: 'master', messageId: 'pidofSymlink', line: 8 }],
    },
    {
      name: 'a script file as a non-root user: its killall -0 gets EPERM',
      master: {
        [CONF]: masterConf({
          globalDefs: ['router_id master', 'script_user nobody'],
          script: script('/etc/keepalived/check.sh'),
        }),
        '/etc/keepalived/check.sh': '#!/bin/sh\nkillall -0 haproxy\n',
        '/etc/passwd': PASSWD_WITH_NOBODY,
      },
      findings: [{ host: 'master', messageId: 'eperm', line: 7 }],
    },
  ],
});
