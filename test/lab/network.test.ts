// The lab's network modes without root: the one route per VIP that l2 and cloud add.
import { expect } from 'chai';
import { planLab, planPair, vipRoute } from '../../src/lab/topology.js';

describe('lab network modes', () => {
  it("l2 reaches each VIP on-link; cloud pins it to that pair's master; always one /32", () => {
    const pair = planPair(3);
    expect(vipRoute(pair, 'l2')).to.deep.equal(['203.0.113.12/32', 'dev', 'hgbr0']);
    expect(vipRoute(pair, 'cloud')).to.deep.equal(['203.0.113.12/32', 'via', pair.master.address, 'dev', 'hgbr0']);
    expect(pair.master.address).to.equal('198.51.100.15');
  });

  it('never routes more than the VIPs themselves (203.0.113.0/24 holds other machines)', () => {
    for (const mode of ['l2', 'cloud'] as const) {
      const routes = planLab(100).map((p) => vipRoute(p, mode)[0]!);
      expect(routes.every((r) => /^203\.0\.113\.\d+\/32$/.test(r))).to.equal(true);
      expect(new Set(routes).size).to.equal(100);
    }
  });
});
