import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAuthFailureRecorder } from '../../src-main/control/authFailures.js';
import type { AuditEventInput } from '../../src-main/core/audit/index.js';

afterEach(() => vi.useRealTimers());

describe('failed control-socket logins', () => {
  it('are one record at the first failure, then one per window with the count and the first and last time', () => {
    vi.useFakeTimers({ now: Date.parse('2025-01-02T03:04:05.000Z') });
    const recorded: AuditEventInput[] = [];
    const recorder = createAuthFailureRecorder({ append: (event) => recorded.push(event), windowMs: 60_000 });
    for (let i = 0; i < 500; i++) {
      recorder.failed();
      vi.advanceTimersByTime(3);
    }
    expect(recorded).toHaveLength(1);
    vi.advanceTimersByTime(60_000);
    expect(recorded).toHaveLength(2);
    expect(recorded[1]).toMatchObject({ event: 'AUTH_FAILURE', details: { count: 499, firstAt: '2025-01-02T03:04:05.003Z', lastAt: '2025-01-02T03:04:06.497Z', windowMs: 60_000 } });
    // A failure after the window starts a new one, recorded at once.
    recorder.failed();
    expect(recorded).toHaveLength(3);
    expect(recorded[2]?.details).toMatchObject({ count: 1 });
    vi.advanceTimersByTime(60_000);
    // Nothing more failed in that window: no empty aggregate.
    expect(recorded).toHaveLength(3);
  });
});
