// `hagrade snapshot`: save a live pair as a snapshot directory to re-grade offline later.
import { existsSync, readdirSync } from 'node:fs';
import { closePair, openPair } from '../engine/grade.js';
import { loadProfile } from '../inputs/profile.js';
import { captureSnapshot } from '../snapshot/capture.js';
import { pairFromOptions, type CheckOptions } from './check.js';
import { UsageError } from './errors.js';
import { promptHidden } from './prompt.js';
import { safeLine, safeText } from '../report/safe-text.js';

export interface SnapshotOptions
  extends Pick<CheckOptions, 'inventory' | 'master' | 'backup' | 'identity' | 'vip' | 'lab' | 'strictHostKeys'> {
  out: string;
  force?: boolean;
}

export async function runSnapshotCommand(opts: SnapshotOptions): Promise<number> {
  if (!opts.inventory && (!opts.master || !opts.backup))
    throw new UsageError('say which pair: --inventory FILE, or --master and --backup');
  if (existsSync(opts.out) && readdirSync(opts.out).length && !opts.force) {
    throw new UsageError(`${opts.out} is not empty; choose another --out or add --force`);
  }
  const profile = loadProfile(opts.lab);
  const log = (msg: string) => process.stderr.write(`${safeLine(msg)}\n`);
  const opened = await openPair(pairFromOptions({ ...opts, format: 'pretty', failover: false }), {
    strictHostKeys: Boolean(opts.strictHostKeys),
    onProgress: log,
    promptPassword: ({ user, host }) => promptHidden(`${user}@${host}'s password: `),
  });
  try {
    const down = Object.entries(opened.unreachable);
    if (down.length) {
      for (const [role, reason] of down) process.stderr.write(`hagrade: cannot reach ${role}: ${safeText(reason)}\n`);
      return 3;
    }
    const totals = await captureSnapshot(opened.hosts, opened.target, profile, opts.out, log);
    process.stdout.write(
      `snapshot written to ${opts.out}: ${totals.files} files, ${totals.commands} command outputs\n`,
    );
    for (const missing of totals.missing) process.stdout.write(`  not on the host: ${safeLine(missing)}\n`);
    process.stdout.write(`re-grade it offline with: hagrade check --snapshot ${opts.out}\n`);
    return 0;
  } finally {
    await closePair(opened);
  }
}
