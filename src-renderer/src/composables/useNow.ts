import type { Ref } from 'vue';
import { createSharedClock } from './sharedClock';

/**
 * A clock that ticks every `TICK_MS` while any component uses it: elapsed times stay live
 * without each row running its own timer.
 */
export const TICK_MS = 250;

let frozen = false;
const clock = createSharedClock(TICK_MS, () => frozen);

export function useNow(): { now: Ref<number> } {
  return clock.use();
}

/**
 * Stops (or restarts) every elapsed time shown: while the page cannot reach Leash it does not
 * know whether what it shows as running still runs, so its timers must not pretend to.
 */
export function setClockFrozen(value: boolean): void {
  frozen = value;
  if (!value) clock.refresh();
}
