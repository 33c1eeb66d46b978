// The failover timeline as two lines of text, side by side on one time axis: who held the VIP, and
// what clients got through it. Used by the terminal report; pure, so the drawing is unit-tested.
import type { FailoverTimeline } from '../model/check.js';
import type { Role } from '../model/basics.js';
import type { ServiceSample } from '../model/service.js';

export const STRIP_KEYS = {
  vip: { master: 'M', backup: 'B', both: '2', none: '.' },
  service: { master: 'm', backup: 'b', unknown: '+', mixed: '*', failed: 'x', none: ' ' },
} as const;

export interface Strips {
  vip: string;
  service?: string;
  /** Milliseconds the strips span, and per column. */
  endMs: number;
  columnMs: number;
  /** Columns where haproxy was stopped and started on master. */
  stopColumn?: number;
  startColumn?: number;
}

/** Who held the VIP at `atMs`, replaying the events (the probe starts with the VIP on master alone). */
export function holdersAt(timeline: FailoverTimeline, atMs: number): Record<Role, boolean> {
  const held: Record<Role, boolean> = { master: true, backup: false };
  for (const e of [...timeline.events].sort((a, b) => a.atMs - b.atMs)) {
    if (e.atMs > atMs) break;
    if (e.event === 'vip-added') held[e.host] = true;
    if (e.event === 'vip-removed') held[e.host] = false;
  }
  return held;
}

function serviceMark(samples: ServiceSample[]): string {
  const k = STRIP_KEYS.service;
  if (!samples.length) return k.none;
  if (samples.some((s) => s.outcome !== 'answered')) return k.failed;
  const by = new Set(samples.map((s) => s.servedBy ?? 'unknown'));
  if (by.size > 1) return k.mixed;
  const only = [...by][0]!;
  return only === 'master' ? k.master : only === 'backup' ? k.backup : k.unknown;
}

/** Both lines, `width` columns each, over the time the probe and its client ran. */
export function timelineStrips(timeline: FailoverTimeline, width = 60): Strips {
  const samples = timeline.service?.samples ?? [];
  const times = [
    ...timeline.events.map((e) => e.atMs),
    ...samples.map((s) => s.atMs),
    timeline.service?.moments?.endAtMs ?? 0,
  ];
  const endMs = Math.max(1000, ...times) + 1;
  const columnMs = endMs / width;
  const column = (ms: number) => Math.min(width - 1, Math.floor(ms / columnMs));
  const k = STRIP_KEYS.vip;
  let vip = '';
  for (let i = 0; i < width; i++) {
    const h = holdersAt(timeline, (i + 0.5) * columnMs);
    vip += h.master && h.backup ? k.both : h.master ? k.master : h.backup ? k.backup : k.none;
  }
  const strips: Strips = { vip, endMs, columnMs };
  if (timeline.service && !timeline.service.notRun) {
    const buckets: ServiceSample[][] = Array.from({ length: width }, () => []);
    for (const s of samples) buckets[column(s.atMs)]!.push(s);
    strips.service = buckets.map(serviceMark).join('');
  }
  // When haproxy was stopped and started: as the commands were issued when the client recorded it
  // (clients fail from then on), else when the commands returned.
  const moments = timeline.service?.moments;
  const stop = moments?.stopAtMs ?? timeline.events.find((e) => e.event === 'haproxy-stopped')?.atMs;
  const start = moments ? moments.startAtMs : timeline.events.find((e) => e.event === 'haproxy-started')?.atMs;
  if (stop !== undefined) strips.stopColumn = column(stop);
  if (start !== undefined) strips.startColumn = column(start);
  return strips;
}
