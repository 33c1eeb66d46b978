// One real lab for the whole test run: brought up by the first test that asks for it, switched between
// scenarios on demand, torn down by a root-level `after` hook. Any e2e test file can use it.
import { execFile } from 'node:child_process';
import type { LabInfo } from '../../src/lab/lab.js';
import { DEFAULT_RELEASE, holdLab, labApply, labDown, labUp, releaseLab, type Release } from '../../src/lab/lab.js';
import type { NetworkMode } from '../../src/lab/topology.js';

let lab: Promise<LabInfo> | undefined;
let currentScenario: string | undefined;

/**
 * The shared lab, running `scenario` (default `correct`) on every pair, on machines of `release`
 * (default bookworm; another release replaces the lab), on an l2 network unless asked for a cloud one
 * (another network replaces the lab too). Needs root; fails with the lab's message otherwise.
 */
export async function useLab(
  scenario = 'correct',
  release: Release = DEFAULT_RELEASE,
  network: NetworkMode = 'l2',
): Promise<LabInfo> {
  holdLab(); // for the whole run: another run on this machine fails fast instead of switching scenarios under us
  const current = lab && (await lab.catch(() => undefined));
  if (lab && (current?.pairs.length !== 1 || current.release !== release || current.network !== network))
    await tearDownLab();
  lab ??= labUp({ scenario, release, network }).then((info) => {
    currentScenario = scenario;
    return info;
  });
  let info: LabInfo;
  try {
    info = await lab;
  } catch (error) {
    lab = undefined;
    throw error;
  }
  if (currentScenario !== scenario) {
    currentScenario = undefined; // unknown until the switch completes
    await labApply(scenario);
    currentScenario = scenario;
  }
  return { ...info, pairs: info.pairs.map((p) => ({ ...p, scenario })) };
}

/**
 * A class: one pair per scenario name (pair i runs scenarios[i]), replacing the shared lab; the next
 * useLab() brings a one-pair lab back.
 */
export async function useClassLab(scenarios: string[]): Promise<LabInfo> {
  holdLab();
  if (lab) await tearDownLab();
  currentScenario = undefined;
  const info = labUp({ scenario: scenarios.join(','), pairs: scenarios.length });
  lab = info;
  try {
    return await info;
  } catch (error) {
    lab = undefined;
    throw error;
  }
}

/** Remove the shared lab now (the next useLab brings up a fresh one). */
export async function tearDownLab(): Promise<void> {
  lab = undefined;
  currentScenario = undefined;
  await labDown();
}

after(async function () {
  this.timeout(60_000);
  if (lab) await tearDownLab();
  releaseLab();
});

export interface SshResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a command on a lab host with plain OpenSSH, as a person would, checking the host key. */
export function ssh(info: LabInfo, address: string, command: string): Promise<SshResult> {
  const args = [
    '-i',
    info.keyPath,
    '-o',
    `UserKnownHostsFile=${info.knownHostsPath}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=5',
    `root@${address}`,
    command,
  ];
  return new Promise((resolve) => {
    execFile('ssh', args, { timeout: 30_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** Poll `probe` every 200 ms until it returns true; fails with `what` when the deadline passes. */
export async function waitUntil(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Poll for `durationMs` and fail as soon as `probe` turns false: for "this does not happen" claims. */
export async function holdsFor(what: string, durationMs: number, probe: () => Promise<boolean>): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < durationMs) {
    if (!(await probe())) throw new Error(`${what} stopped holding after ${Date.now() - started} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
