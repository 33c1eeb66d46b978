// What makes one lab machine itself: the files of its own layer written before its first boot
// (identity, address, logins). Everything the machines share is in the release image (image.ts).
import { randomBytes } from 'node:crypto';

/**
 * The login user of the course's VMs besides root: key login, passwordless sudo (the `sudo-password` scenario takes
 * that away).
 */
export const STUDENT = 'student';
export const STUDENT_SUDOERS = '/etc/sudoers.d/student';
export const STUDENT_SUDOERS_LINE = 'student ALL=(ALL) NOPASSWD:ALL\n';

export function hostsFile(hostname: string): string {
  return `127.0.0.1\tlocalhost\n127.0.1.1\t${hostname}\n`;
}

/** eth0's address as a VM configures it (systemd-networkd); no gateway: nothing routes out of the lab. */
export function networkFile(address: string, prefix: number): string {
  return `[Match]\nName=eth0\n\n[Network]\nAddress=${address}/${prefix}\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n`;
}

/** A fresh machine id per host, as every installed system has its own (journald keys its files by it). */
export function machineId(): string {
  return `${randomBytes(16).toString('hex')}\n`;
}
