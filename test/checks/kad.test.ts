// KAD001-KAD006 with the CheckTester: valid and invalid keepalived.conf cases over the correct
// fixture, matched on messageId (and kind), in the spirit of ESLint's RuleTester.
import { expect } from 'chai';
import KAD001 from '../../checks/KAD001.js';
import KAD002 from '../../checks/KAD002.js';
import KAD003 from '../../checks/KAD003.js';
import KAD004 from '../../checks/KAD004.js';
import KAD005 from '../../checks/KAD005.js';
import KAD006 from '../../checks/KAD006.js';
import KAD007 from '../../checks/KAD007.js';
import KAD008 from '../../checks/KAD008.js';
import { keepalivedExample, type KeepalivedExampleParts } from '../../src/facts/keepalived-examples.js';
import type { Check } from '../../src/model/check.js';
import type { Status } from '../../src/model/basics.js';
import { runCheck, type TesterOptions } from '../support/check-tester.js';

const CONF = '/etc/keepalived/keepalived.conf';
const BACKUP_PARTS: KeepalivedExampleParts = {
  globalDefs: ['router_id backup', 'script_user root', 'enable_script_security'],
  state: 'state BACKUP',
  priority: 'priority 100',
};

interface Case {
  name: string;
  master?: string | null;
  backup?: string | null;
  files?: TesterOptions['master'];
  commands?: TesterOptions['commands'];
  status: Status;
  /** `kind:messageId` of every finding, sorted. */
  findings?: string[];
}

/** master's reference file with some parts replaced; `backupConf` the same for backup. */
const masterConf = (parts: KeepalivedExampleParts = {}) => keepalivedExample(parts);
const backupConf = (parts: KeepalivedExampleParts = {}) => keepalivedExample({ ...BACKUP_PARTS, ...parts });

function cases(check: Check, list: Case[]) {
  describe(check.id, () => {
    for (const c of list) {
      it(`${c.status}: ${c.name}`, async () => {
        const opts: TesterOptions = {
          master: { ...(c.master !== undefined ? { [CONF]: c.master } : {}), ...c.files },
          backup: c.backup !== undefined ? { [CONF]: c.backup } : {},
          commands: c.commands,
        };
        const result = await runCheck(check, opts);
        const got = result.findings.map((f) => `${f.kind}:${f.messageId}`).sort();
        expect(
          { status: result.status, findings: got },
          result.findings.map((f) => f.message).join('\n'),
        ).to.deep.equal({
          status: c.status,
          findings: [...(c.findings ?? [])].sort(),
        });
      });
    }
  });
}

cases(KAD001, [
  { name: 'the correct fixture', status: 'pass' },
  {
    name: 'braces on the next line and several on one line',
    master:
      'global_defs\n{\n    router_id master\n}\nvrrp_script check_haproxy\n{ script "/usr/bin/killall -0 haproxy"\n  weight -20 }\n' +
      masterConf().split('\n').slice(14).join('\n'),
    status: 'pass',
  },
  {
    name: '`user root` in global_defs',
    master: masterConf({ globalDefs: ['router_id master', 'user root'] }),
    status: 'fail',
    findings: ['fail:unknownKeyword'],
  },
  {
    name: 'auth_pass eaten by a comment is fatal',
    master: masterConf({ authentication: ['auth_type PASS', 'auth_pass #secret'] }),
    status: 'fail',
    findings: ['fail:missingParameter'],
  },
  {
    name: 'a stray }',
    master: `${masterConf()}}\n`,
    status: 'fail',
    findings: ['fail:extraClose', 'fail:unknownKeyword'],
  },
  {
    name: 'a truncated auth_pass is a note, not a failure',
    backup: backupConf({ authentication: ['auth_type PASS', 'auth_pass s3cret1234'] }),
    status: 'pass',
    findings: ['note:configNote'],
  },
  { name: 'file missing on backup', backup: null, status: 'fail', findings: ['fail:fileMissing'] },
  {
    name: 'an included file is read from the host, with its own lines',
    master: masterConf().replace('vrrp_script', 'include conf.d/*.conf\n\nvrrp_script'),
    files: { '/etc/keepalived/conf.d/extra.conf': 'global_defs {\n    bogus_keyword\n}\n' },
    status: 'fail',
    findings: ['fail:unknownKeyword'],
  },
]);

cases(KAD002, [
  { name: 'the correct fixture', status: 'pass' },
  { name: 'both MASTER', backup: backupConf({ state: 'state MASTER' }), status: 'fail', findings: ['fail:wrongState'] },
  {
    name: 'master written in lower case',
    master: masterConf({ state: 'state master' }),
    status: 'fail',
    findings: ['fail:unknownState'],
  },
  {
    name: 'backup written in lower case is BACKUP by luck',
    backup: backupConf({ state: 'state backup' }),
    status: 'pass',
    findings: ['note:unknownStateBackup'],
  },
  {
    name: 'no state on master with priority 110',
    master: masterConf({ state: null }),
    status: 'fail',
    findings: ['fail:noState'],
  },
  {
    name: 'no state on backup is BACKUP',
    backup: backupConf({ state: null }),
    status: 'pass',
    findings: ['note:stateImplicit'],
  },
  {
    name: 'no vrrp_instance at all',
    backup: 'global_defs {\n    router_id backup\n}\n',
    status: 'fail',
    findings: ['fail:noInstance'],
  },
  { name: 'file missing on master', master: null, status: 'skip', findings: ['skip:configMissing'] },
]);

cases(KAD003, [
  { name: 'the correct fixture', status: 'pass' },
  {
    name: 'VRID mismatch',
    backup: backupConf({ virtualRouterId: 'virtual_router_id 52' }),
    status: 'fail',
    findings: ['fail:vridMismatch'],
  },
  {
    name: 'password mismatch',
    backup: backupConf({ authentication: ['auth_type PASS', 'auth_pass other123'] }),
    status: 'fail',
    findings: ['fail:authPassMismatch'],
  },
  {
    name: 'auth_type mismatch',
    backup: backupConf({ authentication: ['auth_type AH', 'auth_pass s3cret12'] }),
    status: 'fail',
    findings: ['fail:authTypeMismatch'],
  },
  {
    name: 'authentication on one side only',
    backup: backupConf({ authentication: null }),
    status: 'fail',
    findings: ['fail:authTypeMismatch'],
  },
  {
    name: 'passwords that differ only after 8 bytes agree, with notes',
    master: masterConf({ authentication: ['auth_type PASS', 'auth_pass s3cret12AAA'] }),
    backup: backupConf({ authentication: ['auth_type PASS', 'auth_pass s3cret12BBB'] }),
    status: 'pass',
    findings: ['note:authPassTruncated', 'note:authPassTruncated'],
  },
  {
    name: 'a ! cuts the password on backup only',
    backup: backupConf({ authentication: ['auth_type PASS', 'auth_pass s3cr!t12'] }),
    status: 'fail',
    findings: ['fail:authPassMismatch', 'note:authPassCut'],
  },
  {
    name: 'advert_int mismatch',
    backup: backupConf({ advertInt: 'advert_int 2' }),
    status: 'fail',
    findings: ['fail:advertMismatch'],
  },
  {
    name: 'the same VIPs in another order agree',
    master: masterConf({
      vip: ['203.0.113.10/24 brd 203.0.113.255 dev eth0 label eth0:10', '198.51.100.5/24 dev eth0'],
    }),
    backup: backupConf({
      vip: ['198.51.100.5/24 dev eth0', '203.0.113.10/24 brd 203.0.113.255 dev eth0 label eth0:10'],
    }),
    status: 'pass',
  },
  {
    name: 'VIP mismatch',
    backup: backupConf({ vip: ['203.0.113.11/24 brd 203.0.113.255 dev eth0 label eth0:10'] }),
    status: 'fail',
    findings: ['fail:vipMismatch'],
  },
]);

cases(KAD004, [
  { name: 'the correct fixture (110 > 100)', status: 'pass' },
  {
    name: 'backup higher than master',
    backup: backupConf({ priority: 'priority 120' }),
    status: 'fail',
    findings: ['fail:notHigher'],
  },
  {
    name: 'equal priorities',
    backup: backupConf({ priority: 'priority 110' }),
    status: 'fail',
    findings: ['fail:equal'],
  },
  {
    name: 'state MASTER without priority is 255: higher, with a note',
    master: masterConf({ priority: null }),
    status: 'pass',
    findings: ['note:defaultPriority'],
  },
  {
    name: 'backup without priority is 100, master 90 is lower',
    master: masterConf({ priority: 'priority 90' }),
    backup: backupConf({ priority: null }),
    status: 'fail',
    findings: ['fail:notHigher', 'note:defaultPriority'],
  },
]);

cases(KAD005, [
  { name: 'the correct fixture', status: 'pass' },
  {
    name: 'dev from the instance interface, brd +',
    master: masterConf({ vip: ['203.0.113.10/24 brd + label eth0:10'] }),
    status: 'pass',
  },
  {
    name: 'no brd',
    master: masterConf({ vip: ['203.0.113.10/24 dev eth0 label eth0:10'] }),
    status: 'fail',
    findings: ['fail:noBrd'],
  },
  {
    name: 'wrong label',
    backup: backupConf({ vip: ['203.0.113.10/24 brd 203.0.113.255 dev eth0 label eth0:1'] }),
    status: 'fail',
    findings: ['fail:wrongLabel'],
  },
  {
    name: 'no label',
    master: masterConf({ vip: ['203.0.113.10/24 brd 203.0.113.255 dev eth0'] }),
    status: 'fail',
    findings: ['fail:noLabel'],
  },
  {
    name: 'no prefix means /32',
    master: masterConf({ vip: ['203.0.113.10 brd 203.0.113.255 dev eth0 label eth0:10'] }),
    status: 'fail',
    findings: ['fail:wrongPrefix'],
  },
  {
    name: 'wrong broadcast',
    master: masterConf({ vip: ['203.0.113.10/24 brd 203.0.113.0 dev eth0 label eth0:10'] }),
    status: 'fail',
    findings: ['fail:wrongBrd'],
  },
  {
    name: 'another interface',
    master: masterConf({ vip: ['203.0.113.10/24 brd 203.0.113.255 dev eth1 label eth0:10'] }),
    status: 'fail',
    findings: ['fail:wrongDev'],
  },
  {
    name: 'scope link',
    master: masterConf({ vip: ['203.0.113.10/24 brd 203.0.113.255 dev eth0 scope link label eth0:10'] }),
    status: 'fail',
    findings: ['fail:wrongScope'],
  },
  {
    name: 'another address',
    master: masterConf({ vip: ['198.51.100.10/24 brd 198.51.100.255 dev eth0 label eth0:10'] }),
    status: 'fail',
    findings: ['fail:vipMissing'],
  },
]);

const script = (command: string) => [`script ${command}`, 'interval 1', 'fall 2', 'rise 2', 'weight -20'];
cases(KAD006, [
  { name: 'the correct fixture', status: 'pass' },
  {
    name: "single-quoted 'pgrep -x haproxy'",
    master: masterConf({ script: script("'pgrep -x haproxy'") }),
    status: 'pass',
  },
  {
    name: 'sh -c with systemctl',
    master: masterConf({ script: script(`"/bin/sh -c 'systemctl is-active --quiet haproxy'"`) }),
    status: 'pass',
  },
  {
    name: 'a script file that checks haproxy',
    master: masterConf({ script: script('/etc/keepalived/check.sh') }),
    files: { '/etc/keepalived/check.sh': '#!/bin/sh\npidof haproxy >/dev/null\n' },
    status: 'pass',
  },
  { name: 'no track_script', master: masterConf({ track: null }), status: 'fail', findings: ['fail:notTracked'] },
  {
    name: 'unquoted killall -0 haproxy',
    backup: backupConf({ script: script('killall -0 haproxy') }),
    status: 'fail',
    findings: ['fail:unquotedScript'],
  },
  {
    name: 'vrrp_script defined below the instance',
    master: (() => {
      const text = masterConf();
      const start = text.indexOf('vrrp_script');
      const end = text.indexOf('vrrp_instance');
      return `${text.slice(0, start) + text.slice(end)}\n${text.slice(start, end)}`;
    })(),
    status: 'fail',
    findings: ['fail:definedLater'],
  },
  {
    name: 'a script file the grader cannot read',
    master: masterConf({ script: script('/etc/keepalived/check.sh') }),
    status: 'skip',
    findings: ['skip:scriptUnreadable'],
  },
  {
    name: 'a script file named after haproxy',
    master: masterConf({ script: script('/etc/keepalived/check_haproxy.sh') }),
    status: 'pass',
  },
  {
    name: 'a script file that checks something else',
    master: masterConf({ script: script('/etc/keepalived/check.sh') }),
    files: { '/etc/keepalived/check.sh': '#!/bin/sh\ncurl -sf http://127.0.0.1:81/\n' },
    status: 'fail',
    findings: ['fail:notHaproxy'],
  },
  {
    name: 'grep [h]aproxy in sh -c',
    master: masterConf({ script: script(`"/bin/sh -c 'ps -e | grep -q [h]aproxy'"`) }),
    status: 'pass',
  },
  {
    name: 'curl to the https frontend',
    master: masterConf({ script: script('"/usr/bin/curl -skf https://127.0.0.1/"') }),
    status: 'pass',
  },
  {
    name: 'tracks something else: the web server behind haproxy',
    master: masterConf({ script: script('"/usr/bin/curl -sf http://127.0.0.1:81/"') }),
    status: 'fail',
    findings: ['fail:webServerOnly'],
  },
  {
    name: 'nothing at all',
    master: masterConf({ script: ['script "/usr/bin/true"'], track: null }),
    status: 'fail',
    findings: ['fail:noTracking'],
  },
  {
    name: 'track_process haproxy',
    master: `vrrp_track_process track_haproxy {\n    process haproxy\n    weight -20\n}\n\n${masterConf({ track: null, instanceExtra: ['track_process {', '    track_haproxy', '}'] })}`,
    status: 'pass',
  },
  {
    name: 'weighted script dropped at priority 255 (KAD007 judges it)',
    master: masterConf({ priority: null }),
    status: 'pass',
    findings: ['note:ignoredAsOwner'],
  },
  {
    name: 'weighted script dropped in a sync group (KAD007 judges it)',
    backup: `${backupConf()}\nvrrp_sync_group G {\n    group {\n        VI_1\n    }\n}\n`,
    status: 'pass',
    findings: ['note:ignoredInSyncGroup'],
  },
]);

cases(KAD007, [
  { name: 'the correct fixture: 110 - 20 = 90 < 100, and back', status: 'pass' },
  {
    name: 'state MASTER without priority is 255: weights ignored',
    master: masterConf({ priority: null }),
    status: 'fail',
    findings: ['fail:ownerIgnoresWeights'],
  },
  {
    name: 'weight smaller than the gap',
    master: masterConf({ script: script('"/usr/bin/killall -0 haproxy"').map((l) => l.replace('-20', '-5')) }),
    status: 'fail',
    findings: ['fail:weightTooSmall'],
  },
  {
    name: 'weight equal to the gap: a tie',
    master: masterConf({ script: script('"/usr/bin/killall -0 haproxy"').map((l) => l.replace('-20', '-10')) }),
    status: 'fail',
    findings: ['fail:tieAfterStop'],
  },
  {
    name: 'nopreempt on backup',
    backup: backupConf({ instanceExtra: ['nopreempt'] }),
    status: 'fail',
    findings: ['fail:backupNopreempt'],
  },
  {
    name: 'nopreempt on master (state BACKUP): no failback',
    master: masterConf({ state: 'state BACKUP', instanceExtra: ['nopreempt'] }),
    status: 'fail',
    findings: ['fail:masterNopreempt'],
  },
  {
    name: 'weight 0: FAULT moves the VIP',
    master: masterConf({ script: ['script "/usr/bin/killall -0 haproxy"', 'interval 1'] }),
    status: 'pass',
  },
  {
    name: 'state MASTER, priority 255 with an unweighted script: FAULT still moves it',
    master: masterConf({ priority: null, script: ['script "/usr/bin/killall -0 haproxy"'] }),
    status: 'pass',
  },
  {
    name: 'positive weight on both nodes',
    master: masterConf({ script: script('"/usr/bin/pgrep -x haproxy"').map((l) => l.replace('-20', '20')) }),
    backup: backupConf({ script: script('"/usr/bin/pgrep -x haproxy"').map((l) => l.replace('-20', '20')) }),
    status: 'pass',
  },
  { name: 'no tracking', master: masterConf({ track: null }), status: 'fail', findings: ['fail:notTracked'] },
  {
    name: 'backup starts higher',
    backup: backupConf({ priority: 'priority 120' }),
    status: 'fail',
    findings: ['fail:startsOnBackup'],
  },
  {
    name: 'a vrrp_sync_group without sync_group_tracking_weight ignores weights',
    master: `${masterConf()}\nvrrp_sync_group G {\n    group {\n        VI_1\n    }\n}\n`,
    status: 'fail',
    findings: ['fail:syncGroupIgnoresWeights'],
  },
  {
    name: 'a vrrp_sync_group with sync_group_tracking_weight keeps them',
    master: `${masterConf()}\nvrrp_sync_group G {\n    group {\n        VI_1\n    }\n    sync_group_tracking_weight\n}\n`,
    status: 'pass',
  },
  {
    name: 'VRID mismatch: cannot predict',
    backup: backupConf({ virtualRouterId: 'virtual_router_id 52' }),
    status: 'skip',
    findings: ['skip:notOneRouter'],
  },
]);

const PASSWD_WITH_NOBODY =
  'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';
const PASSWD_WITH_KEEPALIVED_SCRIPT =
  'root:x:0:0:root:/root:/bin/bash\nkeepalived_script:x:998:998::/nonexistent:/usr/sbin/nologin\n';
cases(KAD008, [
  { name: 'the correct fixture (script_user root)', status: 'pass' },
  {
    name: 'killall -0 as keepalived_script (exists, no script_user)',
    master: masterConf({ globalDefs: ['router_id master', 'enable_script_security'] }),
    files: { '/etc/passwd': PASSWD_WITH_KEEPALIVED_SCRIPT },
    status: 'fail',
    findings: ['fail:eperm'],
  },
  {
    name: 'pgrep as keepalived_script',
    master: masterConf({
      globalDefs: ['router_id master', 'enable_script_security'],
      script: script('"/usr/bin/pgrep -x haproxy"'),
    }),
    files: { '/etc/passwd': PASSWD_WITH_KEEPALIVED_SCRIPT },
    status: 'pass',
  },
  {
    name: 'killall -0 as root when keepalived_script does not exist',
    master: masterConf({ globalDefs: ['router_id master'] }),
    status: 'pass',
  },
  {
    name: 'no user at all under enable_script_security: removed',
    master: masterConf({ globalDefs: ['router_id master', 'enable_script_security'] }),
    status: 'fail',
    findings: ['fail:scriptNoUser'],
  },
  {
    name: 'the vrrp_script user wins over script_user',
    master: masterConf({ script: [...script('"/usr/bin/killall -0 haproxy"'), 'user nobody'] }),
    files: { '/etc/passwd': PASSWD_WITH_NOBODY },
    status: 'fail',
    findings: ['fail:eperm'],
  },
  // keepalived -t 2.2.7: "Unable to set uid/gid for script …", then "track script check_haproxy not found".
  {
    name: 'a vrrp_script user that does not exist: removed',
    master: masterConf({ script: [...script('"/usr/bin/killall -0 haproxy"'), 'user nobody'] }),
    status: 'fail',
    findings: ['fail:scriptBadUser'],
  },
  {
    name: 'pidof called directly',
    master: masterConf({ script: script('"/usr/bin/pidof haproxy"') }),
    status: 'fail',
    findings: ['fail:pidofSymlink'],
  },
  {
    name: 'pidof called directly under keepalived 2.2.7 (live)',
    master: masterConf({ script: script('"/usr/bin/pidof haproxy"') }),
    commands: {
      master: { 'keepalived-version': { stdout: '', stderr: 'Keepalived v2.2.7 (01/16,2022)\n', exitCode: 0 } },
    },
    status: 'fail',
    findings: ['fail:pidofSymlink'],
  },
  {
    name: 'pidof called directly under keepalived 2.3.1 (live)',
    master: masterConf({ script: script('"/usr/bin/pidof haproxy"') }),
    commands: {
      master: { 'keepalived-version': { stdout: '', stderr: 'Keepalived v2.3.1 (05/24,2024)\n', exitCode: 0 } },
    },
    status: 'pass',
  },
  {
    name: 'pidof inside sh -c',
    master: masterConf({ script: script(`"/bin/sh -c 'pidof haproxy'"`) }),
    status: 'pass',
  },
  {
    name: 'a script file as a non-root user: its killall -0 gets EPERM',
    master: masterConf({
      globalDefs: ['router_id master', 'script_user nobody'],
      script: script('/etc/keepalived/check.sh'),
    }),
    files: { '/etc/keepalived/check.sh': '#!/bin/sh\nkillall -0 haproxy\n', '/etc/passwd': PASSWD_WITH_NOBODY },
    status: 'fail',
    findings: ['fail:eperm'],
  },
]);
