import type { AutonomyDuration, AutonomyStatus } from './contract';
import { formatClock } from './format';

export type { AutonomyDuration };

const DURATIONS: Record<AutonomyDuration, { label: string; hint: string }> = {
  '15m': { label: '15 minutes', hint: 'ends by itself' },
  '1h': { label: '1 hour', hint: 'ends by itself' },
  'until-quit': { label: 'Until Leash quits', hint: 'off again on the next start' },
  'until-off': { label: 'Until switched off', hint: 'stays on across restarts' },
};

/** The choices in the order the dialog offers them. */
export const DURATION_CHOICES = (Object.keys(DURATIONS) as AutonomyDuration[]).map((value) => ({ value, ...DURATIONS[value] }));

/** Matches main's default: bounded, so a forgotten switch ends by itself. */
export const DEFAULT_DURATION: AutonomyDuration = '1h';

export function durationLabel(duration: AutonomyDuration): string {
  return DURATIONS[duration].label;
}

/** Milliseconds until a timed autonomy ends, or null when it has no end. */
export function msLeft(status: AutonomyStatus, now: number): number | null {
  if (!status.enabled || !status.endsAt) return null;
  const ends = Date.parse(status.endsAt);
  return Number.isNaN(ends) ? null : Math.max(0, ends - now);
}

/** `For 1 hour, until 14:05`, `Until Leash quits`, `Until switched off` (for an enabled status). */
export function describeLasting(status: AutonomyStatus): string {
  const duration = status.duration ?? 'until-off';
  if (status.endsAt) return `For ${lowerFirst(durationLabel(duration))}, until ${formatClock(status.endsAt)}`;
  return durationLabel(duration);
}

/** `Until Leash quits` → `until Leash quits` (names keep their capitals). */
export function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
