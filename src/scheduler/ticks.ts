import type { Cron } from 'croner';

/** Enough to walk a per-second schedule through a day of downtime; beyond it the oldest are dropped anyway. */
const MAX_TICKS_WALKED = 100_000;

/**
 * The ticks after `last` (exclusive) up to `now` (inclusive) that a scheduler missed, newest
 * `limit` only: catch-up is bounded, so a long outage replays a handful of runs, not thousands.
 */
export function missedTicks(cron: Cron, last: Date, now: Date, limit: number): Date[] {
  const recent: Date[] = [];
  let from = last;
  // Bounded: a per-second schedule after weeks down would otherwise walk millions of ticks.
  for (let walked = 0; walked < MAX_TICKS_WALKED; walked += 1) {
    const tick = cron.nextRun(from);
    if (!tick || tick.getTime() > now.getTime()) break;
    recent.push(tick);
    if (recent.length > limit) recent.shift();
    from = tick;
  }
  return recent;
}
