// The lab profile: expected values come from LAB-SPEC by default and can be overridden per course.
import { expect } from 'chai';
import HAP002 from '../../checks/HAP002.js';
import HAP011 from '../../checks/HAP011.js';
import { DEFAULT_PROFILE, mergeProfile, ProfileError } from '../../src/inputs/profile.js';
import { runCheck } from '../support/check-tester.js';

describe('lab profile', () => {
  it('defaults are the assignment', () => {
    expect(DEFAULT_PROFILE).to.include({
      frontendName: 'front_cluster',
      backendName: 'back_cluster',
      frontendPort: 443,
      serverMaxconn: 20000,
      vipLabel: 'eth0:10',
    });
    expect(DEFAULT_PROFILE.servers.map((s) => `${s.name}@${s.address}:${s.port}`)).to.deep.equal([
      'rebrain_01@127.0.0.1:81',
      'rebrain_02@127.0.0.1:81',
      'rebrain_03@127.0.0.1:81',
    ]);
    expect(Object.keys(DEFAULT_PROFILE.sysctl)).to.have.length(7);
  });

  it('overrides only what the file sets, with types checked', () => {
    const p = mergeProfile({
      frontendName: 'web_in',
      serverMaxconn: '5000',
      servers: [{ name: 's1', address: '10.0.0.1', port: 8080 }],
    });
    expect(p.frontendName).to.equal('web_in');
    expect(p.serverMaxconn).to.equal(5000);
    expect(p.servers).to.deep.equal([{ name: 's1', address: '10.0.0.1', port: 8080 }]);
    expect(p.backendName).to.equal('back_cluster');
  });

  it('refuses unknown settings and wrong types with a clear message', () => {
    expect(() => mergeProfile({ frontend: 'x' }, 'course.yaml')).to.throw(
      ProfileError,
      /course\.yaml: unknown setting 'frontend'/,
    );
    expect(() => mergeProfile({ frontendPort: 'https' })).to.throw(ProfileError, /'frontendPort' must be a number/);
    expect(() => mergeProfile({ servers: [{ name: 's1' }] })).to.throw(ProfileError, /servers/);
    expect(() => mergeProfile(['a'])).to.throw(ProfileError, /mapping/);
  });

  it('the client probe: on at 10 a second and not graded by default; bounded rate, no negative values', () => {
    expect([DEFAULT_PROFILE.clientRate, DEFAULT_PROFILE.servicePoints]).to.deep.equal([10, 0]);
    expect(mergeProfile({ clientRate: 0, servicePoints: 4 })).to.include({ clientRate: 0, servicePoints: 4 });
    expect(() => mergeProfile({ clientRate: 500 })).to.throw(ProfileError, /'clientRate' must be at most 50/);
    expect(() => mergeProfile({ servicePoints: -1 })).to.throw(ProfileError, /'servicePoints' must be 0 or more/);
  });

  it('checks judge by the profile, not by literals', async () => {
    expect((await runCheck(HAP002, { profile: { frontendName: 'web_in' } })).status).to.equal('fail');
    expect((await runCheck(HAP011, { profile: { serverMaxconn: 1000 } })).status).to.equal('fail');
    expect((await runCheck(HAP011)).status).to.equal('pass');
  });
});
