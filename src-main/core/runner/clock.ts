/**
 * Time as the runner sees it. Wall time stamps results; the monotonic reading measures
 * durations, so a clock change during a run cannot make a duration negative.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  wallMs(): number;
  /** Milliseconds from an arbitrary origin that never goes backwards. */
  monotonicMs(): number;
}

export const systemClock: Clock = {
  wallMs: () => Date.now(),
  monotonicMs: () => performance.now(),
};
