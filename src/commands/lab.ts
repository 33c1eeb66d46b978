// `hagrade lab ...`: build, switch, inspect and remove the practice lab on this machine.
import type { Command } from 'commander';
import ora, { type Ora } from 'ora';
import { safeLine } from '../report/safe-text.js';
import { drawArea } from '../report/terminal.js';
import { UsageError } from './errors.js';
import type { Lang } from '../model/basics.js';
import type { LabInfo, LabStatus } from '../lab/lab.js';
import {
  LabError,
  RELEASES,
  labApply,
  labDown,
  labReboot,
  labStatus,
  labUp,
  listScenarios,
  type Release,
} from '../lab/lab.js';
import { IMAGE_CACHE } from '../lab/image.js';
import { ROLES, type Role } from '../model/basics.js';
import { MAX_PAIRS, NETWORK_MODES, type NetworkMode } from '../lab/topology.js';

/**
 * Steps of a lab command: where the terminal can draw, an ora spinner on the step under way (an
 * image build takes about a minute), each finished step kept as a line; elsewhere (a pipe, CI, a
 * terminal reporting 0 or 1 column) plain lines. ora loops forever redrawing on a 0-column
 * terminal, so a resize to a size it cannot draw in stops it for plain lines.
 */
function createLabProgress(): { step(message: string): void; done(): void } {
  const stream = process.stderr;
  const line = (message: string) => stream.write(`  • ${safeLine(message)}\n`);
  if (!stream.isTTY || process.env.CI || !drawArea(stream)) return { step: line, done() {} };
  let spinner: Ora | undefined;
  let plain = false;
  const onResize = (): void => {
    if (drawArea(stream) || plain) return;
    plain = true;
    spinner?.stop();
    if (spinner) line(spinner.text);
    spinner = undefined;
  };
  stream.on('resize', onResize);
  return {
    step(message) {
      spinner?.stopAndPersist({ symbol: '  •' });
      if (plain) return void line(message);
      spinner = ora({ text: safeLine(message), stream, indent: 0 }).start();
    },
    done() {
      spinner?.stopAndPersist({ symbol: '  •' });
      spinner = undefined;
      stream.off('resize', onResize);
    },
  };
}

/** Run a lab action with progress shown and always closed, success or not. */
async function withProgress<T>(action: (progress: (message: string) => void) => Promise<T>): Promise<T> {
  const progress = createLabProgress();
  try {
    return await action((message) => progress.step(message));
  } finally {
    progress.done();
  }
}

/**
 * Lab failures are the user's to act on (run as root, install a package, bring the lab up): one clear line, no stack.
 */
function userFacing<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      if (error instanceof LabError) throw new UsageError(`lab: ${error.message}`);
      throw error;
    }
  };
}

function positiveInteger(name: string, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new UsageError(`${name} must be a whole number from 1 to ${max}, got '${value}'`);
    return n;
  };
}

function release(value: string): Release {
  if (!(RELEASES as readonly string[]).includes(value))
    throw new UsageError(`--release must be one of ${RELEASES.join(', ')}, got '${value}'`);
  return value as Release;
}

function networkMode(value: string): NetworkMode {
  if (!(NETWORK_MODES as readonly string[]).includes(value))
    throw new UsageError(`--network must be ${NETWORK_MODES.join(' or ')}, got '${value}'`);
  return value as NetworkMode;
}

const NETWORK_NOTES: Record<NetworkMode, string> = {
  l2: 'Network l2: the VIP reaches whichever host answers ARP for it, as on VirtualBox or an on-premises LAN.',
  cloud:
    "Network cloud: the route to each VIP is pinned to master, as a cloud's SDN does: the VIP moves, clients do not follow.",
};

function describeLab(info: LabInfo): string {
  const lines = [
    '',
    `Debian ${info.release} machines: haproxy ${info.versions.haproxy}, keepalived ${info.versions.keepalived} (images cached in ${IMAGE_CACHE})`,
    NETWORK_NOTES[info.network],
    'Lab hosts (ssh as root or as student, who has sudo, with the lab key):',
  ];
  for (const pair of info.pairs) {
    lines.push(`  ${pair.student}  scenario ${pair.scenario}  VIP ${pair.vip}  VRID ${pair.vrid}`);
    for (const host of [pair.master, pair.backup]) {
      lines.push(
        `    ${host.ns.padEnd(20)} ssh -i ${info.keyPath} -o UserKnownHostsFile=${info.knownHostsPath} root@${host.address}`,
      );
    }
  }
  lines.push(
    '',
    'Grade it with:',
    `  hagrade check --inventory ${info.inventoryPath}`,
    `  hagrade check --inventory ${info.studentInventoryPath}   # as student, through sudo`,
  );
  if (info.rosterPath) lines.push(`All ${info.pairs.length} pairs are listed in the roster ${info.rosterPath}`);
  lines.push('Remove it with:', '  hagrade lab down', '');
  return lines.join('\n');
}

function statusText(status: LabStatus): string {
  const stray = status.strayNamespaces.length
    ? `Namespaces left by an earlier lab: ${status.strayNamespaces.join(', ')}; remove them with: hagrade lab down\n`
    : '';
  if (!status.pairs.length) return `No lab is running. Start one with: hagrade lab up\n${stray}`;
  const lines = [
    `Lab in ${status.stateDir} (Debian ${status.release ?? '?'}, ${status.network ?? 'l2'} network): ${status.up ? 'up' : 'DEGRADED (some machines are not running)'}`,
  ];
  for (const pair of status.pairs) {
    lines.push('', `${pair.student}  scenario ${pair.scenario}  VIP ${pair.vip}`);
    for (const host of pair.hosts) {
      const services = Object.entries(host.services)
        .map(([name, state]) => `${name} ${state}`)
        .join(', ');
      lines.push(
        `  ${host.role.padEnd(7)} ${host.ns.padEnd(20)} ${host.address.padEnd(15)} ${host.running ? `system ${host.system}; ${services}` : 'NOT RUNNING'}`,
      );
      lines.push(`          VIP: ${host.vipLine ?? '-'}`);
    }
  }
  return `${lines.join('\n')}\n${stray}`;
}

export function registerLabCommands(program: Command): void {
  const lab = program
    .command('lab')
    .description(
      'a real master/backup lab on this machine (Debian machines booted with systemd-nspawn; needs root) to practise and test grading',
    );

  lab
    .command('up')
    .description('create the lab (replacing a previous one) and start every host')
    .option(
      '--scenario <names>',
      "what the hosts are configured with (see 'hagrade lab scenarios'); with --pairs, several comma-separated names are dealt out to the pairs in turn",
      'correct',
    )
    .option('--pairs <n>', `number of master/backup pairs (1-${MAX_PAIRS})`, positiveInteger('--pairs', MAX_PAIRS), 1)
    .option(
      '--release <name>',
      `Debian release of the machines: ${RELEASES.join(', ')} (the first run of a release builds its image, about a minute)`,
      release,
      'bookworm',
    )
    .option(
      '--network <mode>',
      "l2: clients follow ARP to whichever host holds the VIP; cloud: the route to the VIP stays pinned to master, as a cloud's SDN does",
      networkMode,
      'l2' as NetworkMode,
    )
    .action(
      userFacing(async (opts: { scenario: string; pairs: number; release: Release; network: NetworkMode }) => {
        const info = await withProgress((progress) =>
          labUp({
            scenario: opts.scenario,
            pairs: opts.pairs,
            release: opts.release,
            network: opts.network,
            onProgress: progress,
          }),
        );
        process.stdout.write(describeLab(info));
      }),
    );

  lab
    .command('apply')
    .description('switch the running lab to a scenario and wait until keepalived has settled')
    .argument('<scenario>', "a scenario name (see 'hagrade lab scenarios')")
    .option('--pair <n>', 'only this pair', positiveInteger('--pair', MAX_PAIRS))
    .action(
      userFacing(async (scenario: string, opts: { pair?: number }) => {
        await withProgress((progress) => labApply(scenario, opts.pair, progress));
        process.stdout.write(statusText(await labStatus()));
      }),
    );

  lab
    .command('reboot')
    .description(
      'reboot one machine for real (systemd shutdown and boot; its disk is kept) and wait until it has booted',
    )
    .argument('<role>', 'master or backup')
    .option('--pair <n>', 'which pair', positiveInteger('--pair', MAX_PAIRS), 1)
    .action(
      userFacing(async (role: string, opts: { pair: number }) => {
        if (!(ROLES as readonly string[]).includes(role))
          throw new UsageError(`lab reboot: role must be master or backup, got '${role}'`);
        await withProgress((progress) => labReboot(role as Role, opts.pair, progress));
        process.stdout.write(statusText(await labStatus()));
      }),
    );

  lab
    .command('status')
    .description('show every host: namespace, address, services and the VIP as `ip -o -4 addr` shows it')
    .option('--json', 'as JSON')
    .action(
      userFacing(async (opts: { json?: boolean }) => {
        const status = await labStatus();
        process.stdout.write(opts.json ? `${JSON.stringify(status, null, 2)}\n` : statusText(status));
      }),
    );

  lab
    .command('down')
    .description(
      'remove the lab: machines, their disks, namespaces, bridge, files (safe to run twice or after a crash)',
    )
    .option('--images', `also remove the cached machine images (${IMAGE_CACHE})`)
    .action(
      userFacing(async (opts: { images?: boolean }) => {
        await labDown({ images: opts.images === true });
        process.stdout.write(opts.images ? 'Lab and machine images removed.\n' : 'Lab removed.\n');
      }),
    );

  lab
    .command('scenarios')
    .description('list the scenarios and the checks each must make fail')
    .option('--lang <lang>', 'ru or en', 'en')
    .action(
      userFacing(async (opts: { lang: string }) => {
        if (opts.lang !== 'en' && opts.lang !== 'ru')
          throw new UsageError(`--lang must be en or ru, got '${opts.lang}'`);
        const lang: Lang = opts.lang;
        const failsWord = lang === 'ru' ? 'не проходят' : 'fails';
        const none = lang === 'ru' ? 'ничего' : 'nothing';
        for (const scenario of listScenarios()) {
          process.stdout.write(
            `${scenario.name}\n  ${scenario.description[lang]}\n  ${failsWord}: ${scenario.expectFail.join(', ') || none}\n`,
          );
        }
      }),
    );
}
