// A real headless Chromium for page tests: Debian's chromium driven by playwright-core (which ships
// no browser of its own). Installed with apt-get when missing and we are root; tests skip only when
// it truly cannot be had, and say why.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless, and nothing that talks to the network on its own. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** apt-get can take minutes on a cold cache: give a `before` hook this long. */
export const CHROMIUM_INSTALL_TIMEOUT_MS = 15 * 60_000;

export type Availability = { ok: true } | { ok: false; reason: string };

let availability: Availability | undefined;

function aptGet(args: string[]): { ok: boolean; output: string } {
  const run = spawnSync('apt-get', args, {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: CHROMIUM_INSTALL_TIMEOUT_MS - 60_000,
  });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}`;
  return { ok: run.status === 0, output };
}

function lastLines(text: string, count = 3): string {
  return text.trim().split('\n').slice(-count).join(' | ');
}

/** Chromium at CHROMIUM_PATH, installing Debian's package when missing (root only). Decided once per process. */
export function ensureChromium(): Availability {
  if (availability) return availability;
  if (existsSync(CHROMIUM_PATH)) return (availability = { ok: true });
  if (process.getuid?.() !== 0) {
    return (availability = {
      ok: false,
      reason: `${CHROMIUM_PATH} is missing and only root can 'apt-get install chromium'`,
    });
  }
  // A stale package list names versions the mirror no longer has: update once, then try again.
  let install = aptGet(['install', '-y', 'chromium']);
  if (!install.ok) {
    aptGet(['update']);
    install = aptGet(['install', '-y', 'chromium']);
  }
  availability = existsSync(CHROMIUM_PATH)
    ? { ok: true }
    : { ok: false, reason: `'apt-get install chromium' did not give ${CHROMIUM_PATH}: ${lastLines(install.output)}` };
  return availability;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}
