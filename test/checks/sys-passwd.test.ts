// src/facts/passwd.ts: which users a host has (KAD008 asks whether keepalived_script exists).
import { expect } from 'chai';
import { parsePasswd } from '../../src/facts/passwd.js';
import { readFixtureFile } from '../support/fixtures.js';

describe('passwd reader', () => {
  it('reads name, uid, gid, home, shell and line of each user', () => {
    const users = parsePasswd(
      'root:x:0:0:root:/root:/bin/bash\nkeepalived_script:x:998:998::/nonexistent:/usr/sbin/nologin\n',
    );
    expect([...users.keys()]).to.deep.equal(['root', 'keepalived_script']);
    expect(users.get('keepalived_script')).to.deep.equal({
      name: 'keepalived_script',
      uid: 998,
      gid: 998,
      home: '/nonexistent',
      shell: '/usr/sbin/nologin',
      line: 2,
    });
  });

  it('skips comments, NIS lines, malformed lines and non-numeric ids; never throws', () => {
    const users = parsePasswd(
      '# root:x:0:0::/root:/bin/sh\n+::::::\n-bad:x:1:1:::\nshort:x:1\nweird:x:one:1::/:/bin/sh\n\n\0\nok:x:5:5::/:/bin/sh\r\n',
    );
    expect([...users.keys()]).to.deep.equal(['ok']);
    expect(users.get('ok')!.shell).to.equal('/bin/sh');
  });

  it('keeps the first entry of a duplicated name, as getpwnam() returns it', () => {
    const users = parsePasswd('dup:x:1:1::/a:/bin/sh\ndup:x:2:2::/b:/bin/sh\n');
    expect(users.get('dup')!.uid).to.equal(1);
  });

  it('reads the correct fixture: keepalived_script does not exist there', () => {
    const users = parsePasswd(readFixtureFile('correct', 'master/etc/passwd'));
    expect(users.has('haproxy')).to.equal(true);
    expect(users.has('keepalived_script')).to.equal(false);
  });
});
