/**
 * How long semi-autonomy lasts once it is switched on. A person chooses one of these in the
 * same step as the token; the choice and, for a timed one, its end are stored with the autonomy
 * state, so a restart resumes what is left (or finds it over).
 */
export const AUTONOMY_DURATIONS = ['15m', '1h', 'until-quit', 'until-off'] as const;

export type AutonomyDuration = (typeof AUTONOMY_DURATIONS)[number];

/**
 * One hour: long enough for a stretch of agent work without coming back to renew it, short
 * enough that a switch forgotten at the end of the day does not leave commands running
 * unattended overnight. Leaving it on indefinitely is a choice a person makes, never the default.
 */
export const DEFAULT_AUTONOMY_DURATION: AutonomyDuration = '1h';

/** How long each timed duration lasts; the others have no clock. */
export const TIMED_DURATION_MS: Partial<Record<AutonomyDuration, number>> = {
  '15m': 15 * 60_000,
  '1h': 60 * 60_000,
};

/** Why autonomy ended: recorded as `details.cause` of AUTONOMY_DISABLED. */
export type AutonomyEndCause = 'person' | 'expired' | 'quit' | 'emergency-stop' | 'invalid';

export function isAutonomyDuration(value: unknown): value is AutonomyDuration {
  return typeof value === 'string' && (AUTONOMY_DURATIONS as readonly string[]).includes(value);
}

export function isTimed(duration: AutonomyDuration): boolean {
  return TIMED_DURATION_MS[duration] !== undefined;
}

/** How people read a duration: "15 minutes", "1 hour", "until Leash quits", "until switched off". */
export function describeDuration(duration: AutonomyDuration): string {
  switch (duration) {
    case '15m':
      return '15 minutes';
    case '1h':
      return '1 hour';
    case 'until-quit':
      return 'until Leash quits';
    case 'until-off':
      return 'until switched off';
  }
}
