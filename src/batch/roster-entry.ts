// What every roster format shares: RosterError (file and line, exit code 2), the inventory
// module's errors re-raised as roster errors, and a RosterEntry made from one pair's inventory.
import { InventoryError, type Inventory } from '../inputs/inventory.js';
import type { RosterEntry } from './types.js';

/** A roster that cannot be used (exit code 2), naming the file and line. */
export class RosterError extends InventoryError {
  constructor(message: string, file?: string, line?: number) {
    super(message, file, line);
    this.name = 'RosterError';
  }
}

/** The inventory module's errors already carry file:line; re-raise them as roster errors. */
export function asRosterError(e: unknown): unknown {
  if (!(e instanceof InventoryError) || e instanceof RosterError) return e;
  const prefix = e.file ? `${e.file}${e.line ? `:${e.line}` : ''}: ` : '';
  return new RosterError(e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message, e.file, e.line);
}

/** A student's entry from the pair's inventory (as `hagrade check --inventory` would read it). */
export function entryOf(inventory: Inventory, student: string, line: number | undefined, group?: string): RosterEntry {
  const entry: RosterEntry = { student, master: inventory.master, backup: inventory.backup };
  if (inventory.target.vip) entry.vip = inventory.target.vip;
  if (inventory.knownHosts) entry.knownHosts = inventory.knownHosts;
  if (line !== undefined) entry.line = line;
  if (group !== undefined) entry.group = group;
  return entry;
}
