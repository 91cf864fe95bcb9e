import type { AuditWriter } from '../audit/index.js';
import type { SettingsStore } from '../settings/store.js';
import { fingerprintOf, hashToken, newToken, sameHash } from './token.js';

/**
 * Semi-autonomy is off by default. Turning it on is deliberate: Leash shows a fresh random token,
 * the person pastes it back, and only then is autonomy on, with only the token's hash stored. A
 * wrong paste is refused and audited as AUTH_FAILURE.
 */
export type AutonomyResult<T> = { ok: true; value: T } | { ok: false; error: { code: AutonomyErrorCode; message: string } };
export type AutonomyErrorCode = 'AUTH_FAILURE' | 'NO_PENDING_TOKEN' | 'TOKEN_EXPIRED' | 'SANDBOX_UNAVAILABLE';

export interface AutonomyStatus {
  enabled: boolean;
  fingerprint: string | null;
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
  confirm(pasted: string): Promise<AutonomyResult<AutonomyStatus>>;
  /** Turns autonomy off (one click, or the emergency stop). Safe to call when already off. */
  disable(reason: string, options?: { wait?: boolean }): Promise<AutonomyStatus>;
}

export const TOKEN_LIFETIME_MS = 10 * 60_000;

export function createAutonomyControl(deps: {
  settings: SettingsStore;
  audit: AuditWriter;
  now?: () => Date;
  onChange?: (status: AutonomyStatus) => void;
  /** Why autonomy may not be switched on now (no working sandbox), or null. */
  blockedBecause?: () => string | null;
}): AutonomyControl {
  const blockedBecause = (): string | null => deps.blockedBecause?.() ?? null;
  const now = deps.now ?? (() => new Date());
  let pending: { hash: string; expires: number } | undefined;
  const status = (): AutonomyStatus => {
    const { autonomy } = deps.settings.get();
    // Enabled only with a confirmed token on record: a hand-edited `enabled: true` is not enough.
    const enabled = autonomy.enabled && autonomy.tokenHash !== null && autonomy.fingerprint !== null;
    const blocked = blockedBecause();
    return { enabled, fingerprint: enabled ? autonomy.fingerprint : null, ...(blocked === null ? {} : { blockedBecause: blocked }) };
  };
  return {
    status,
    begin() {
      const blocked = blockedBecause();
      if (blocked !== null) throw new AutonomyBlockedError(blocked);
      const token = newToken();
      const expires = now().getTime() + TOKEN_LIFETIME_MS;
      pending = { hash: hashToken(token), expires };
      return { token, expiresAt: new Date(expires).toISOString() };
    },
    async confirm(pasted) {
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
      deps.settings.update({ autonomy: { enabled: true, tokenHash: hash, fingerprint } });
      await deps.audit.append({ event: 'AUTONOMY_ENABLED', approvedBy: `autonomy:${fingerprint}`, details: { fingerprint } });
      const current = status();
      deps.onChange?.(current);
      return { ok: true, value: current };
    },
    async disable(reason, options = {}) {
      pending = undefined;
      const before = deps.settings.get().autonomy;
      if (!before.enabled) return status();
      deps.settings.update({ autonomy: { enabled: false, tokenHash: null, fingerprint: null } });
      const event = { event: 'AUTONOMY_DISABLED' as const, reason, details: { fingerprint: before.fingerprint } };
      if (options.wait === false) deps.audit.appendNoWait(event);
      else await deps.audit.append(event);
      const current = status();
      deps.onChange?.(current);
      return current;
    },
  };
}
