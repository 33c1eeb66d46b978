// How src/facts/sysctl.ts reads sysctl configuration: each case states procps 4.0 behaviour
// (src/sysctl.c: parse_setting_line, slashdot, write_setting_list, PreloadSystem).
import { expect } from 'chai';
import fc from 'fast-check';
import {
  dottedKey,
  effectiveSetting,
  judgeSetting,
  parseSysctlConf,
  parseSysctlOutput,
  sameSysctlValue,
  sysctlDirOrder,
  sysctlPath,
} from '../../src/facts/sysctl.js';

const F = '/etc/sysctl.conf';
const parse = (text: string) => parseSysctlConf(text, F);
const effectiveValue = (text: string, key: string) => effectiveSetting(parse(text).settings, sysctlPath(key))?.value;

describe('sysctl configuration reader', () => {
  describe('key forms', () => {
    it('treats "." and "/" as the same separator', () => {
      expect(sysctlPath('net.ipv4.ip_nonlocal_bind')).to.equal('net/ipv4/ip_nonlocal_bind');
      expect(sysctlPath('net/ipv4/ip_nonlocal_bind')).to.equal('net/ipv4/ip_nonlocal_bind');
      expect(dottedKey('net/ipv4/conf/eth0/arp_filter')).to.equal('net.ipv4.conf.eth0.arp_filter');
    });

    it('swaps "." and "/" when the first separator is "/" (an interface name with a dot)', () => {
      expect(sysctlPath('net/ipv4/conf/eth0.100/rp_filter')).to.equal('net/ipv4/conf/eth0.100/rp_filter');
      expect(dottedKey('net/ipv4/conf/eth0.100/rp_filter')).to.equal('net.ipv4.conf.eth0/100.rp_filter');
      expect(sysctlPath('net.ipv4.conf.eth0/100.rp_filter')).to.equal('net/ipv4/conf/eth0.100/rp_filter');
    });

    it('round-trips any key between the dotted and the path form', () => {
      const part = fc.stringMatching(/^[a-z0-9_]{1,8}$/);
      fc.assert(
        fc.property(fc.array(part, { minLength: 2, maxLength: 6 }), (parts) => {
          const dotted = parts.join('.');
          expect(sysctlPath(dotted)).to.equal(parts.join('/'));
          expect(dottedKey(sysctlPath(dotted))).to.equal(dotted);
        }),
      );
    });
  });

  describe('lines', () => {
    it('reads key = value with any whitespace, also tabs and CRLF', () => {
      const { settings } = parse('\tnet.ipv4.ip_nonlocal_bind\t=   1  \r\nnet.ipv4.conf.all.arp_ignore=1\n');
      expect(settings.map((s) => [s.key, s.value, s.line])).to.deep.equal([
        ['net.ipv4.ip_nonlocal_bind', '1', 1],
        ['net.ipv4.conf.all.arp_ignore', '1', 2],
      ]);
    });

    it('skips "#" and ";" comments only at the start of a line', () => {
      const { settings } = parse(
        '# net.ipv4.ip_forward = 1\n  ; net.ipv4.ip_forward = 1\nnet.ipv4.ip_forward = 1 # on\n',
      );
      expect(settings).to.have.length(1);
      expect(settings[0]!.value).to.equal('1 # on');
      expect(settings[0]!.line).to.equal(3);
    });

    it('reads "-key = value" as the key, with failures ignored', () => {
      const [setting] = parse('-net.ipv4.conf.eth0.arp_filter = 1\n').settings;
      expect(setting).to.include({ key: 'net.ipv4.conf.eth0.arp_filter', value: '1', ignoreFailure: true });
    });

    it('reads "-key" without "=" as an exclusion from globs, and other lines without "=" as invalid', () => {
      const { settings, invalid } = parse('-net.ipv4.conf.lo.arp_filter\nnet.ipv4.ip_nonlocal_bind 1\n');
      expect(settings).to.have.length(1);
      expect(settings[0]).to.include({ path: 'net/ipv4/conf/lo/arp_filter', value: null });
      expect(invalid).to.deep.equal([{ file: F, line: 2, text: 'net.ipv4.ip_nonlocal_bind 1' }]);
    });

    it('ignores lines shorter than two characters, even a lone last character', () => {
      const { settings, invalid } = parse('\n\nx');
      expect(settings).to.deep.equal([]);
      expect(invalid).to.deep.equal([]);
    });

    it('keeps an empty value as written', () => {
      expect(effectiveValue('net.ipv4.ip_nonlocal_bind =\n', 'net.ipv4.ip_nonlocal_bind')).to.equal('');
    });
  });

  describe('which line wins', () => {
    it('the last line setting a key wins', () => {
      expect(
        effectiveValue('net.ipv4.ip_nonlocal_bind = 1\nnet/ipv4/ip_nonlocal_bind = 0\n', 'net.ipv4.ip_nonlocal_bind'),
      ).to.equal('0');
    });

    it('a glob sets the keys it matches, but never one that some line sets explicitly', () => {
      const text = 'net.ipv4.conf.all.arp_filter = 0\nnet.ipv4.conf.*.arp_filter = 1\n';
      expect(effectiveValue(text, 'net.ipv4.conf.eth0.arp_filter')).to.equal('1');
      expect(effectiveValue(text, 'net.ipv4.conf.all.arp_filter')).to.equal('0');
    });

    it('a "-key" exclusion keeps globs off that key; a "-glob" exclusion does nothing in procps 4.0.2', () => {
      expect(
        effectiveValue(
          'net.ipv4.conf.*.arp_filter = 1\n-net.ipv4.conf.eth0.arp_filter\n',
          'net.ipv4.conf.eth0.arp_filter',
        ),
      ).to.equal(undefined);
      expect(
        effectiveValue(
          '-net.ipv4.conf.eth0.arp_filter\nnet.ipv4.conf.*.arp_filter = 1\n',
          'net.ipv4.conf.eth0.arp_filter',
        ),
      ).to.equal(undefined);
      expect(
        effectiveValue(
          'net.ipv4.conf.*.arp_filter = 1\n-net.ipv4.conf.eth?.arp_filter\n',
          'net.ipv4.conf.eth0.arp_filter',
        ),
      ).to.equal('1');
      expect(effectiveValue('net.ipv4.conf.e[!x]h0.arp_filter = 1\n', 'net.ipv4.conf.eth0.arp_filter')).to.equal('1');
    });

    it('judges a key missing, right, wrong or overridden, naming the line', () => {
      const config = parse(
        'net.ipv4.conf.all.arp_announce = 1\nnet.ipv4.conf.all.arp_announce = 2\nnet.ipv4.ip_nonlocal_bind 1\n',
      );
      const want = (key: string, value: string) => ({ key, path: sysctlPath(key), value });
      const overridden = judgeSetting(config, want('net.ipv4.conf.all.arp_announce', '1'));
      expect(overridden.state).to.equal('wrong');
      expect(overridden.state === 'wrong' && [overridden.setting.line, overridden.overriddenGood?.line]).to.deep.equal([
        2, 1,
      ]);
      expect(judgeSetting(config, want('net.ipv4.conf.all.arp_announce', '2')).state).to.equal('ok');
      const missing = judgeSetting(config, want('net.ipv4.ip_nonlocal_bind', '1'));
      expect(missing.state === 'missing' && missing.invalid?.line).to.equal(3);
      expect(judgeSetting(config, want('net.ipv4.conf.all.arp_ignore', '1'))).to.deep.equal({ state: 'missing' });
    });
  });

  describe('values', () => {
    it('compares integers as the kernel parses them and ignores what follows them', () => {
      expect(sameSysctlValue(' 1 ', '1')).to.equal(true);
      expect(sameSysctlValue('1 # on', '1')).to.equal(true);
      expect(sameSysctlValue('0x1', '1')).to.equal(true);
      expect(sameSysctlValue('4096\t87380  6291456', '4096 87380 6291456')).to.equal(true);
      expect(sameSysctlValue('1#on', '1')).to.equal(false);
      expect(sameSysctlValue('0', '1')).to.equal(false);
      expect(sameSysctlValue('', '1')).to.equal(false);
      expect(sameSysctlValue('yes', '1')).to.equal(false);
    });

    it('compares other values with whitespace runs collapsed', () => {
      expect(sameSysctlValue('bbr ', 'bbr')).to.equal(true);
      expect(sameSysctlValue('cubic', 'bbr')).to.equal(false);
    });
  });

  it('orders a sysctl.d directory as sysctl --system does: *.conf only, bytewise by name', () => {
    expect(
      sysctlDirOrder(['99-sysctl.conf', 'README', '10-b.conf', '10-B.conf', 'x.conf.bak', '60-lab.conf']),
    ).to.deep.equal(['10-B.conf', '10-b.conf', '60-lab.conf', '99-sysctl.conf']);
  });

  it('reads the output of sysctl KEY... into values by key path', () => {
    const values = parseSysctlOutput('net.ipv4.ip_nonlocal_bind = 1\nnet.ipv4.tcp_rmem = 4096\t131072\t6291456\n');
    expect([...values]).to.deep.equal([
      ['net/ipv4/ip_nonlocal_bind', '1'],
      ['net/ipv4/tcp_rmem', '4096\t131072\t6291456'],
    ]);
  });
});
