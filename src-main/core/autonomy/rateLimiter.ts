/** A sliding one-minute window: at most `limit()` takes in any 60 seconds. */
export interface RateLimiter {
  tryTake(): boolean;
  /** Takes left in the current window. */
  remaining(): number;
}

export function createRateLimiter(limit: () => number, now: () => number = Date.now, windowMs = 60_000): RateLimiter {
  const taken: number[] = [];
  const prune = (): void => {
    const horizon = now() - windowMs;
    while (taken.length > 0 && (taken[0] as number) <= horizon) taken.shift();
  };
  return {
    tryTake() {
      prune();
      if (taken.length >= limit()) return false;
      taken.push(now());
      return true;
    },
    remaining() {
      prune();
      return Math.max(0, limit() - taken.length);
    },
  };
}
