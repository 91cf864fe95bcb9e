import type { AuditWriter } from '../audit/index.js';
import type { SettingsStore } from '../settings/store.js';
import { DEFAULT_AUTONOMY_DURATION, describeDuration, isTimed, TIMED_DURATION_MS, type AutonomyDuration, type AutonomyEndCause } from './duration.js';
import { fingerprintOf, hashToken, newToken, sameHash } from './token.js';

/**
 * Semi-autonomy is off by default. Turning it on is deliberate: Leash shows a fresh random token,
 * the person pastes it back, and only then is autonomy on, with only the token's hash stored. A
 * wrong paste is refused and audited as AUTH_FAILURE.
 *
 * It lasts as long as the person chose (duration.ts). The end is enforced here, against the
 * injected clock, every time the status is read: a timer records the end on time, but nothing
 * depends on it firing, so a batch that arrives after the end is never approved by autonomy.
 */
export type AutonomyResult<T> = { ok: true; value: T } | { ok: false; error: { code: AutonomyErrorCode; message: string } };
export type AutonomyErrorCode = 'AUTH_FAILURE' | 'NO_PENDING_TOKEN' | 'TOKEN_EXPIRED' | 'SANDBOX_UNAVAILABLE';

export interface AutonomyStatus {
  enabled: boolean;
  fingerprint: string | null;
  /** While enabled: how long it was switched on for. */
  duration?: AutonomyDuration;
  /** While enabled for a timed duration: when it ends (ISO 8601 UTC). */
  endsAt?: string;
  /** Only in the change event that turned it off: why it ended. */
  ended?: AutonomyEndCause;
  /** Why autonomy cannot be switched on here (no working sandbox), or null when it can. */
  blockedBecause?: string | null;
}

/** Thrown by `begin` when autonomy cannot be switched on; `code` is stable. */
export class AutonomyBlockedError extends Error {
  readonly code = 'SANDBOX_UNAVAILABLE';
}

export interface AutonomyControl {
  status(): AutonomyStatus;
  /** Starts enabling: returns the token the person must paste back. Replaces any earlier one. Throws {@link AutonomyBlockedError} without a working sandbox. */
  begin(): { token: string; expiresAt: string };
  /** Switches autonomy on for `duration` (default {@link DEFAULT_AUTONOMY_DURATION}) when `pasted` is the token `begin` showed. */
  confirm(pasted: string, options?: { duration?: AutonomyDuration }): Promise<AutonomyResult<AutonomyStatus>>;
  /** Turns autonomy off (one click, or the emergency stop). Safe to call when already off. */
  disable(reason: string, options?: { wait?: boolean; cause?: AutonomyEndCause }): Promise<AutonomyStatus>;
  /** Records the end of a timed autonomy whose time is up (turning it off); does nothing otherwise. */
  endIfExpired(): Promise<void>;
  /**
   * Run once as Leash starts: an autonomy that lasted until Leash quits is over, one whose time
   * ran out while Leash was not running is recorded as expired, one with time left resumes.
   */
  resume(): Promise<void>;
  /** Ends an autonomy that lasts until Leash quits (Leash is quitting) and stops the timer. */
  close(): Promise<void>;
}

export const TOKEN_LIFETIME_MS = 10 * 60_000;

/** The timer functions the expiry uses; tests pass their own. */
export interface AutonomyTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: AutonomyTimers = {
  set(callback, ms) {
    const handle = setTimeout(callback, ms);
    // A CLI run must be able to exit with autonomy on: the clock check does not need the timer.
    handle.unref?.();
    return handle;
  },
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function createAutonomyControl(deps: {
  settings: SettingsStore;
  audit: AuditWriter;
  now?: () => Date;
  onChange?: (status: AutonomyStatus) => void;
  /** Why autonomy may not be switched on now (no working sandbox), or null. */
  blockedBecause?: () => string | null;
  timers?: AutonomyTimers;
  /** Where a failure to record the end from the timer goes (nobody awaits the timer). */
  onError?: (error: Error) => void;
}): AutonomyControl {
  const blockedBecause = (): string | null => deps.blockedBecause?.() ?? null;
  const now = deps.now ?? (() => new Date());
  const timers = deps.timers ?? realTimers;
  let pending: { hash: string; expires: number } | undefined;
  let timer: unknown;

  /** What is wrong with the stored state as far as the clock goes, or null when it may stand. */
  const clockProblem = (): { cause: AutonomyEndCause; reason: string } | null => {
    const { autonomy } = deps.settings.get();
    const duration = autonomy.duration ?? 'until-off';
    if (!isTimed(duration)) return null;
    const ends = Date.parse(autonomy.endsAt ?? '');
    const length = TIMED_DURATION_MS[duration] as number;
    const at = now().getTime();
    if (!Number.isFinite(ends)) return { cause: 'invalid', reason: 'the stored end of autonomy is not a time; autonomy is off' };
    // Further away than the chosen duration could reach: edited by hand (or the clock went back). Fail closed.
    if (ends - at > length) return { cause: 'invalid', reason: `the stored end of autonomy (${autonomy.endsAt}) is later than ${describeDuration(duration)} from now; autonomy is off` };
    if (at >= ends) return { cause: 'expired', reason: `expired: the ${describeDuration(duration)} it was switched on for ended at ${autonomy.endsAt}` };
    return null;
  };

  const status = (): AutonomyStatus => {
    const { autonomy } = deps.settings.get();
    // Enabled only with a confirmed token on record: a hand-edited `enabled: true` is not enough.
    const confirmed = autonomy.enabled && autonomy.tokenHash !== null && autonomy.fingerprint !== null;
    const enabled = confirmed && clockProblem() === null;
    const blocked = blockedBecause();
    return {
      enabled,
      fingerprint: enabled ? autonomy.fingerprint : null,
      ...(enabled ? { duration: autonomy.duration ?? 'until-off' } : {}),
      ...(enabled && autonomy.endsAt !== undefined ? { endsAt: autonomy.endsAt } : {}),
      ...(blocked === null ? {} : { blockedBecause: blocked }),
    };
  };

  const stopTimer = (): void => {
    if (timer !== undefined) timers.clear(timer);
    timer = undefined;
  };

  const schedule = (): void => {
    stopTimer();
    const { endsAt } = deps.settings.get().autonomy;
    if (!status().enabled || endsAt === undefined) return;
    timer = timers.set(() => {
      timer = undefined;
      control.endIfExpired().catch((error: Error) => deps.onError?.(error));
    }, Math.max(0, Date.parse(endsAt) - now().getTime()));
  };

  const control: AutonomyControl = {
    status,
    begin() {
      const blocked = blockedBecause();
      if (blocked !== null) throw new AutonomyBlockedError(blocked);
      const token = newToken();
      const expires = now().getTime() + TOKEN_LIFETIME_MS;
      pending = { hash: hashToken(token), expires };
      return { token, expiresAt: new Date(expires).toISOString() };
    },
    async confirm(pasted, options = {}) {
      const duration = options.duration ?? DEFAULT_AUTONOMY_DURATION;
      const blocked = blockedBecause();
      if (blocked !== null) {
        pending = undefined;
        return { ok: false, error: { code: 'SANDBOX_UNAVAILABLE', message: blocked } };
      }
      if (!pending) {
        return { ok: false, error: { code: 'NO_PENDING_TOKEN', message: 'start enabling autonomy first: Leash shows the token to paste back' } };
      }
      if (now().getTime() > pending.expires) {
        pending = undefined;
        await deps.audit.append({ event: 'AUTH_FAILURE', reason: 'autonomy token expired before it was confirmed' });
        return { ok: false, error: { code: 'TOKEN_EXPIRED', message: 'the token expired; start again to get a new one' } };
      }
      const hash = hashToken(pasted);
      if (!sameHash(hash, pending.hash)) {
        await deps.audit.append({ event: 'AUTH_FAILURE', reason: 'the pasted autonomy token did not match' });
        return { ok: false, error: { code: 'AUTH_FAILURE', message: 'that is not the token Leash showed; autonomy stays off' } };
      }
      pending = undefined;
      const fingerprint = fingerprintOf(hash);
      const length = TIMED_DURATION_MS[duration];
      const endsAt = length === undefined ? undefined : new Date(now().getTime() + length).toISOString();
      deps.settings.update({ autonomy: { enabled: true, tokenHash: hash, fingerprint, duration, ...(endsAt ? { endsAt } : {}) } });
      await deps.audit.append({ event: 'AUTONOMY_ENABLED', approvedBy: `autonomy:${fingerprint}`, details: { fingerprint, duration, endsAt } });
      schedule();
      const current = status();
      deps.onChange?.(current);
      return { ok: true, value: current };
    },
    async disable(reason, options = {}) {
      pending = undefined;
      stopTimer();
      const before = deps.settings.get().autonomy;
      if (!before.enabled) return status();
      deps.settings.update({ autonomy: { enabled: false, tokenHash: null, fingerprint: null } });
      const cause = options.cause ?? 'person';
      const event = {
        event: 'AUTONOMY_DISABLED' as const,
        reason,
        details: { fingerprint: before.fingerprint, cause, duration: before.duration ?? 'until-off', endsAt: before.endsAt },
      };
      if (options.wait === false) deps.audit.appendNoWait(event);
      else await deps.audit.append(event);
      const current = status();
      deps.onChange?.({ ...current, ended: cause });
      return current;
    },
    async endIfExpired() {
      if (!deps.settings.get().autonomy.enabled) return;
      const problem = clockProblem();
      if (problem) await control.disable(problem.reason, { cause: problem.cause });
      else schedule();
    },
    async resume() {
      const { autonomy } = deps.settings.get();
      if (!autonomy.enabled) return;
      if (autonomy.duration === 'until-quit') {
        await control.disable('Leash quit: autonomy lasted until Leash quits', { cause: 'quit' });
        return;
      }
      await control.endIfExpired();
    },
    async close() {
      stopTimer();
      if (deps.settings.get().autonomy.enabled && deps.settings.get().autonomy.duration === 'until-quit') {
        await control.disable('Leash quit: autonomy lasted until Leash quits', { cause: 'quit' });
      }
    },
  };
  return control;
}
