// One live grading of a lab pair as the benchmarks time it: connect, every check with the probe, close.
import { loadCatalogue } from '../../src/engine/registry.js';
import { runChecks } from '../../src/engine/run.js';
import { closePair, openPair } from '../../src/engine/grade.js';
import type { LabInfo } from '../../src/lab/lab.js';
import { httpsServiceClient } from '../../src/probe/https-client.js';
import { DEFAULT_PROFILE } from '../../src/inputs/profile.js';
import type { RunResult } from '../../src/model/check.js';

/** A lab pair as a roster entry (what openPair and the batch take). */
export function pairOf(lab: LabInfo, index = 0) {
  const p = lab.pairs[index]!;
  const spec = (h: typeof p.master) => ({ host: h.address, port: h.port, user: h.user, key: lab.keyPath });
  return {
    student: p.student,
    master: spec(p.master),
    backup: spec(p.backup),
    vip: p.vip,
    knownHosts: lab.knownHostsPath,
  };
}

export interface TimedGrading {
  result: RunResult;
  /** From opening the connections to the last check's end. */
  wallMs: number;
  handshakes: number;
}

/** Grade pair `index` of the lab with the failover probe, and the client probe when asked. */
export async function gradeLabPair(
  lab: LabInfo,
  opts: { withClient?: boolean; index?: number } = {},
): Promise<TimedGrading> {
  const t0 = Date.now();
  const opened = await openPair(pairOf(lab, opts.index));
  try {
    const result = await runChecks({
      checks: await loadCatalogue(),
      hosts: opened.hosts,
      target: opened.target,
      profile: DEFAULT_PROFILE,
      options: { lang: 'en', failover: true, live: true },
      ...(opts.withClient ? { serviceClient: httpsServiceClient } : {}),
    });
    return { result, wallMs: Date.now() - t0, handshakes: opened.handshakes() };
  } finally {
    await closePair(opened);
  }
}
