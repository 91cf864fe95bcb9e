import { onScopeDispose, ref, type Ref } from 'vue';

export interface SharedClock {
  /** The clock for a component: ticking while any component uses it, stopped when the last one goes. */
  use(): { now: Ref<number> };
  /** Reads the time now, unless the clock is frozen. */
  refresh(): void;
}

/**
 * One timer shared by every component that shows a live time, instead of one per row: it ticks
 * every `tickMs` while any of them is mounted (or its scope alive), and stops with the last.
 * `frozen` holds the time still (see useNow's setClockFrozen).
 */
export function createSharedClock(tickMs: number, frozen: () => boolean = () => false): SharedClock {
  const now = ref(Date.now());
  let users = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const refresh = (): void => {
    if (!frozen()) now.value = Date.now();
  };
  return {
    refresh,
    use() {
      users += 1;
      if (!timer) {
        refresh();
        timer = setInterval(refresh, tickMs);
      }
      onScopeDispose(() => {
        users -= 1;
        if (users === 0 && timer) {
          clearInterval(timer);
          timer = undefined;
        }
      });
      return { now };
    },
  };
}
