// What `lab up` hands out: the lab's description (LabInfo: key, known_hosts, pairs and their
// addresses) and the inventories and roster files written from it for `hagrade check` and `batch`.
import { writeFileSync } from 'node:fs';
import { STUDENT } from './hostfiles.js';
import type { ImageInfo, Release } from './image.js';
import {
  INVENTORY_PATH,
  KEY_PATH,
  KNOWN_HOSTS_PATH,
  LAB_DIR,
  type LabState,
  ROSTER_PATH,
  STUDENT_INVENTORY_PATH,
} from './state.js';
import type { HostPlan, NetworkMode, PairPlan } from './topology.js';

export interface LabHostInfo {
  /** Machine name, which is also its network namespace (`ip -n NS`). */
  ns: string;
  address: string;
  port: 22;
  user: 'root';
}

export interface LabPairInfo {
  id: number;
  student: string;
  vip: string;
  vrid: number;
  scenario: string;
  master: LabHostInfo;
  backup: LabHostInfo;
}

export interface LabInfo {
  stateDir: string;
  release: Release;
  /** How the network delivers the VIPs (see NetworkMode). */
  network: NetworkMode;
  /** Debian package versions of the daemons on every machine. */
  versions: ImageInfo['versions'];
  /** The private key that logs in as root and as `student` on every machine. */
  keyPath: string;
  knownHostsPath: string;
  /** Inventory of pair 1 (as root), for `hagrade check --inventory`. */
  inventoryPath: string;
  /** The same as the `student` user, who reaches root through sudo. */
  studentInventoryPath: string;
  /** All pairs as a roster (written when there is more than one pair). */
  rosterPath?: string;
  pairs: LabPairInfo[];
}

export function labInfo(plan: PairPlan[], state: LabState): LabInfo {
  const hostInfo = (host: HostPlan): LabHostInfo => ({ ns: host.ns, address: host.address, port: 22, user: 'root' });
  const scenarioOf = (id: number): string => state.pairs.find((p) => p.id === id)?.scenario ?? 'correct';
  return {
    stateDir: LAB_DIR,
    release: state.release,
    network: state.network ?? 'l2',
    versions: state.versions,
    keyPath: KEY_PATH,
    knownHostsPath: KNOWN_HOSTS_PATH,
    inventoryPath: INVENTORY_PATH,
    studentInventoryPath: STUDENT_INVENTORY_PATH,
    ...(plan.length > 1 ? { rosterPath: ROSTER_PATH } : {}),
    pairs: plan.map((p) => ({
      id: p.id,
      student: p.student,
      vip: p.vip,
      vrid: p.vrid,
      scenario: scenarioOf(p.id),
      master: hostInfo(p.master),
      backup: hostInfo(p.backup),
    })),
  };
}

function hostEntry(host: LabHostInfo, keyPath: string, user: string): string {
  return `{ host: ${host.address}, port: ${host.port}, user: ${user}, key: ${keyPath} }`;
}

export function writeInventories(info: LabInfo): void {
  const first = info.pairs[0]!;
  for (const [path, user] of [
    [info.inventoryPath, 'root'],
    [info.studentInventoryPath, STUDENT],
  ] as const) {
    writeFileSync(
      path,
      [
        `# hagrade inventory written by \`hagrade lab up\` (${user === 'root' ? 'as root' : `as ${user}, root through sudo`})`,
        `master: ${hostEntry(first.master, info.keyPath, user)}`,
        `backup: ${hostEntry(first.backup, info.keyPath, user)}`,
        `vip: ${first.vip}`,
        `knownHosts: ${info.knownHostsPath}`,
        '',
      ].join('\n'),
    );
  }
  if (!info.rosterPath) return;
  const students = info.pairs.flatMap((p) => [
    `  - student: ${p.student}`,
    `    master: ${hostEntry(p.master, info.keyPath, 'root')}`,
    `    backup: ${hostEntry(p.backup, info.keyPath, 'root')}`,
    `    vip: ${p.vip}`,
  ]);
  writeFileSync(
    info.rosterPath,
    [
      '# hagrade roster written by `hagrade lab up --pairs N`',
      `knownHosts: ${info.knownHostsPath}`,
      'students:',
      ...students,
      '',
    ].join('\n'),
  );
}
