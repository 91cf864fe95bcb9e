import type { Ref } from 'vue';
import { createSharedClock } from './sharedClock';

/**
 * How often the clock for waiting times and autonomy's remaining time ticks: they are shown in
 * whole minutes, so a tick every 15 seconds is late by at most a quarter of a minute.
 */
export const COARSE_TICK_MS = 15_000;

const clock = createSharedClock(COARSE_TICK_MS);

/**
 * A shared clock that ticks every {@link COARSE_TICK_MS} while any component uses it. A computed
 * that also changes with other state (a new batch, autonomy switched on) reads
 * `Math.max(now.value, Date.now())`, so it is not up to a tick behind at that moment.
 */
export function useCoarseNow(): { now: Ref<number> } {
  return clock.use();
}
