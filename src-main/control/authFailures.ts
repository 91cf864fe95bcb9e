import type { AuditEventInput } from '../core/audit/index.js';

export interface AuthFailureRecorder {
  /** One failed login on the control socket. */
  failed(): void;
  /** Writes the pending aggregate now (on close); later failures start a new window. */
  flush(): void;
}

export const AUTH_FAILURE_WINDOW_MS = 60_000;

const REASON = 'an agent bridge offered a wrong control secret';

/**
 * Failed control-socket logins, recorded without letting a flood of them flood the trail: the
 * first failure of a window is recorded at once (so a single wrong secret shows up right away),
 * and the rest of that window become one `AUTH_FAILURE` record at its end, with their count and
 * the times of the first and last. A burst of 500 failures is two records, not 500.
 */
export function createAuthFailureRecorder(options: {
  append: (event: AuditEventInput) => void;
  windowMs?: number;
  clock?: () => Date;
}): AuthFailureRecorder {
  const windowMs = options.windowMs ?? AUTH_FAILURE_WINDOW_MS;
  const clock = options.clock ?? (() => new Date());
  let window: { timer: NodeJS.Timeout; count: number; first: string; last: string } | undefined;

  const close = (): void => {
    if (!window) return;
    const { timer, count, first, last } = window;
    clearTimeout(timer);
    window = undefined;
    if (count === 0) return;
    options.append({
      event: 'AUTH_FAILURE',
      reason: `${count} more failed login${count === 1 ? '' : 's'} on the control socket (${REASON})`,
      details: { count, firstAt: first, lastAt: last, windowMs },
    });
  };

  return {
    failed() {
      const now = clock().toISOString();
      if (window) {
        if (window.count === 0) window.first = now;
        window.count++;
        window.last = now;
        return;
      }
      options.append({ event: 'AUTH_FAILURE', reason: REASON, details: { count: 1, firstAt: now, lastAt: now } });
      const timer = setTimeout(close, windowMs);
      // A pending aggregate must not keep the process alive; closing the server flushes it.
      timer.unref();
      window = { timer, count: 0, first: '', last: '' };
    },
    flush: close,
  };
}
