import { onScopeDispose, ref, type Ref } from 'vue';

const now = ref(Date.now());
let users = 0;
let timer: ReturnType<typeof setInterval> | undefined;

/**
 * A clock that ticks every `TICK_MS` while any component uses it: elapsed times stay live
 * without each row running its own timer.
 */
export const TICK_MS = 250;

export function useNow(): { now: Ref<number> } {
  users += 1;
  if (!timer) {
    now.value = Date.now();
    timer = setInterval(() => {
      now.value = Date.now();
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
