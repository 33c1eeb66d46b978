// The shared contracts of hagrade (src/model): the small words every part uses.
// Public shapes (check ids, JSON report fields, exit codes) are promises to users: extend, never break.

export type Role = 'master' | 'backup';
export const ROLES: readonly Role[] = ['master', 'backup'];

export type Lang = 'en' | 'ru';
/** A user-facing text in every language we ship. A test fails when one is missing. */
export interface Text {
  en: string;
  ru: string;
}

export type Status = 'pass' | 'fail' | 'error' | 'skip';
export type Mode = 'static' | 'live' | 'disruptive';
export type Area = 'certificate' | 'haproxy' | 'keepalived' | 'system' | 'live' | 'failover';
/** The areas in the order the catalogue sorts within a mode and reports group checks. */
export const AREA_ORDER: readonly Area[] = ['certificate', 'haproxy', 'keepalived', 'system', 'live', 'failover'];
export type Severity = 'critical' | 'major' | 'minor';
