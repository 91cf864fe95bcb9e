import { onScopeDispose, ref, type Ref } from 'vue';

/**
 * How often the clock for waiting times and autonomy's remaining time ticks: they are shown in
 * whole minutes, so a tick every 15 seconds is late by at most a quarter of a minute.
 */
export const COARSE_TICK_MS = 15_000;

const now = ref(Date.now());
let users = 0;
let timer: ReturnType<typeof setInterval> | undefined;

/**
 * A shared clock that ticks every {@link COARSE_TICK_MS} while any component uses it, and stops
 * when the last one goes (unmounted, or its scope disposed). A computed that also changes with
 * other state (a new batch, autonomy switched on) reads `Math.max(now.value, Date.now())`, so
 * it is not up to a tick behind at that moment.
 */
export function useCoarseNow(): { now: Ref<number> } {
  users += 1;
  if (!timer) {
    now.value = Date.now();
    timer = setInterval(() => {
      now.value = Date.now();
    }, COARSE_TICK_MS);
  }
  onScopeDispose(() => {
    users -= 1;
    if (users === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  });
  return { now };
}
