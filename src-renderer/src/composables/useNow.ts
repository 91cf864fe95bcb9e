import { onScopeDispose, ref, type Ref } from 'vue';

const now = ref(Date.now());
let users = 0;
let frozen = false;
let timer: ReturnType<typeof setInterval> | undefined;

/**
 * A clock that ticks every `TICK_MS` while any component uses it: elapsed times stay live
 * without each row running its own timer.
 */
export const TICK_MS = 250;

export function useNow(): { now: Ref<number> } {
  users += 1;
  if (!timer) {
    if (!frozen) now.value = Date.now();
    timer = setInterval(() => {
      if (!frozen) now.value = Date.now();
    }, TICK_MS);
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

/**
 * Stops (or restarts) every elapsed time shown: while the page cannot reach Leash it does not
 * know whether what it shows as running still runs, so its timers must not pretend to.
 */
export function setClockFrozen(value: boolean): void {
  frozen = value;
  if (!value) now.value = Date.now();
}
