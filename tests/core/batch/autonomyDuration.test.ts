import { afterEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../src-main/core/audit/index.js';
import { createAutonomyControl, type AutonomyStatus } from '../../../src-main/core/autonomy/autonomy.js';
import type { AutonomyDuration } from '../../../src-main/core/autonomy/duration.js';
import { createSettingsStore, memorySettingsBackend } from '../../../src-main/core/settings/store.js';
import { createHarness, projectDirectory, type Harness } from './harness.js';

/**
 * Autonomy that ends: the duration chosen with the token, enforced in core against an injected
 * clock, surviving a restart when it is timed and never when it lasted until Leash quit.
 */
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const cwd = projectDirectory();
const START = Date.parse('2026-12-04T10:00:00.000Z');
const MINUTE = 60_000;

/** A clock the test moves by hand. */
function clock(at = START): { now: () => Date; advance(ms: number): void } {
  let t = at;
  return { now: () => new Date(t), advance: (ms) => (t += ms) };
}

async function enable(h: Harness, duration: AutonomyDuration): Promise<AutonomyStatus> {
  const { token } = h.service.autonomy.begin();
  const result = await h.service.autonomy.confirm(token, { duration });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const disabled = (records: AuditRecord[]): AuditRecord[] => records.filter((r) => r.event === 'AUTONOMY_DISABLED');

describe('autonomy that ends', () => {
  it('is on for the chosen time, with its end stored, shown and audited', async () => {
    const time = clock();
    harness = await createHarness({ now: time.now });
    const status = await enable(harness, '15m');
    expect(status).toMatchObject({ enabled: true, duration: '15m', endsAt: '2026-12-04T10:15:00.000Z' });
    expect(harness.settings.get().autonomy).toMatchObject({ enabled: true, duration: '15m', endsAt: '2026-12-04T10:15:00.000Z' });
    const enabled = (await harness.records()).find((r) => r.event === 'AUTONOMY_ENABLED');
    expect(enabled?.details).toMatchObject({ duration: '15m', endsAt: '2026-12-04T10:15:00.000Z' });
    time.advance(14 * MINUTE);
    expect((await harness.service.create({ cwd, entries: [{ command: 'true' }] })).approvedBy).toMatch(/^autonomy:/);
  });

  it('never approves a batch that arrives after the end, even when no timer has fired, and records the end as expired', async () => {
    const time = clock();
    harness = await createHarness({ now: time.now });
    const { fingerprint } = await enable(harness, '1h');
    time.advance(60 * MINUTE);
    // The real timer is an hour away in real time: only the clock check can stop this one.
    expect(harness.service.autonomy.status()).toEqual({ enabled: false, fingerprint: null });
    const batch = await harness.service.create({ cwd, entries: [{ command: 'true' }] });
    expect(batch.status).toBe('pending');
    expect(batch.approvedBy ?? null).toBeNull();
    const ended = disabled(await harness.records());
    expect(ended).toHaveLength(1);
    expect(ended[0]?.reason).toMatch(/^expired: the 1 hour it was switched on for ended at 2026-12-04T11:00:00.000Z/);
    expect(ended[0]?.details).toEqual({ fingerprint, cause: 'expired', duration: '1h', endsAt: '2026-12-04T11:00:00.000Z' });
    expect(harness.settings.get().autonomy).toEqual({ enabled: false, tokenHash: null, fingerprint: null });
  });

  it('lasts until switched off when that is chosen, whatever the clock says', async () => {
    const time = clock();
    harness = await createHarness({ now: time.now });
    await enable(harness, 'until-off');
    time.advance(30 * 24 * 60 * MINUTE);
    expect(harness.service.autonomy.status()).toMatchObject({ enabled: true, duration: 'until-off' });
    expect(harness.service.autonomy.status().endsAt).toBeUndefined();
    expect((await harness.service.create({ cwd, entries: [{ command: 'true' }] })).approvedBy).toMatch(/^autonomy:/);
  });

  it('resumes a timed autonomy after a restart with the time it has left', async () => {
    const time = clock();
    const first = await createHarness({ now: time.now });
    await enable(first, '1h');
    const stored = first.settings.get();
    await first.close();
    time.advance(20 * MINUTE);
    harness = await createHarness({ dir: first.dir, settings: stored, now: time.now });
    expect(harness.service.autonomy.status()).toMatchObject({ enabled: true, duration: '1h', endsAt: '2026-12-04T11:00:00.000Z' });
    expect((await harness.service.create({ cwd, entries: [{ command: 'true' }] })).approvedBy).toMatch(/^autonomy:/);
    time.advance(40 * MINUTE);
    expect((await harness.service.create({ cwd, entries: [{ command: 'true' }] })).approvedBy).toBeNull();
  });

  it('finds a timed autonomy that ran out while Leash was not running over at start, recorded as expired', async () => {
    const time = clock();
    const first = await createHarness({ now: time.now });
    await enable(first, '15m');
    const stored = first.settings.get();
    await first.close();
    time.advance(3 * 60 * MINUTE);
    harness = await createHarness({ dir: first.dir, settings: stored, now: time.now });
    expect(harness.service.autonomy.status().enabled).toBe(false);
    expect(disabled(await harness.records()).map((r) => r.details?.cause)).toEqual(['expired']);
  });

  it('does not survive a restart when it lasted until Leash quits: off on the next start, recorded as ended', async () => {
    const time = clock();
    const first = await createHarness({ now: time.now });
    await enable(first, 'until-quit');
    expect(first.service.autonomy.status()).toMatchObject({ enabled: true, duration: 'until-quit' });
    // As after a crash: nothing ran the quit, the file still says on.
    const stored = first.settings.get();
    await first.close();
    harness = await createHarness({ dir: first.dir, settings: stored, now: time.now });
    expect(harness.service.autonomy.status().enabled).toBe(false);
    expect(harness.settings.get().autonomy.enabled).toBe(false);
    const ended = disabled(await harness.records());
    expect(ended.map((r) => [r.details?.cause, r.reason])).toEqual([['quit', 'Leash quit: autonomy lasted until Leash quits']]);
    expect((await harness.service.create({ cwd, entries: [{ command: 'true' }] })).approvedBy).toBeNull();
  });

  it('ends an autonomy that lasts until Leash quits when Leash closes, before the audit does', async () => {
    harness = await createHarness();
    await enable(harness, 'until-quit');
    await harness.service.autonomy.close();
    expect(harness.settings.get().autonomy.enabled).toBe(false);
    expect(disabled(await harness.records()).map((r) => r.details?.cause)).toEqual(['quit']);
  });

  it.each([
    ['an end later than the duration could reach', { duration: '15m', endsAt: '2026-12-04T12:00:00.000Z' }],
    ['an end in the past', { duration: '1h', endsAt: '2026-12-04T09:00:00.000Z' }],
  ])('treats %s as off', async (_, fields) => {
    const time = clock();
    const settings = { autonomy: { enabled: true, tokenHash: 'a'.repeat(64), fingerprint: 'aaaaaaaaaaaa', ...fields } };
    harness = await createHarness({ settings, now: time.now });
    expect(harness.service.autonomy.status().enabled).toBe(false);
    expect(harness.settings.get().autonomy.enabled).toBe(false);
    expect(disabled(await harness.records())).toHaveLength(1);
    expect((await harness.service.create({ cwd, entries: [{ command: 'true' }] })).approvedBy).toBeNull();
  });

  it.each([
    ['a timed duration without an end', { duration: '1h' }],
    ['an end that is not a time', { duration: '1h', endsAt: 'tomorrow' }],
    ['an end on a duration without a clock', { duration: 'until-off', endsAt: '2026-12-04T10:05:00.000Z' }],
    ['an unknown duration', { duration: 'forever' }],
  ])('repairs a settings file with %s to autonomy off, naming the problem', async (_, fields) => {
    const store = createSettingsStore(memorySettingsBackend({ autonomy: { enabled: true, tokenHash: 'a'.repeat(64), fingerprint: 'aaaaaaaaaaaa', ...fields } }));
    expect(store.get().autonomy).toEqual({ enabled: false, tokenHash: null, fingerprint: null });
    expect(store.problems.join('\n')).toMatch(/autonomy: (endsAt|duration): .*; autonomy is off/);
  });
});

describe('the expiry timer', () => {
  function control(time: ReturnType<typeof clock>) {
    const records: unknown[] = [];
    const changes: AutonomyStatus[] = [];
    const timers: { callback: () => void; ms: number; cleared: boolean }[] = [];
    const audit = {
      append: async (event: unknown) => void records.push(event),
      appendNoWait: (event: unknown) => void records.push(event),
    } as unknown as Parameters<typeof createAutonomyControl>[0]['audit'];
    const autonomy = createAutonomyControl({
      settings: createSettingsStore(memorySettingsBackend()),
      audit,
      now: time.now,
      onChange: (status) => changes.push(status),
      timers: {
        set: (callback, ms) => {
          const timer = { callback, ms, cleared: false };
          timers.push(timer);
          return timer;
        },
        clear: (handle) => void ((handle as { cleared: boolean }).cleared = true),
      },
    });
    return { autonomy, records, changes, timers };
  }

  it('is set for the remaining time and, when it fires, turns autonomy off and tells every window why', async () => {
    const time = clock();
    const { autonomy, changes, timers } = control(time);
    const { token } = autonomy.begin();
    await autonomy.confirm(token, { duration: '15m' });
    expect(timers.map((t) => t.ms)).toEqual([15 * MINUTE]);
    time.advance(15 * MINUTE);
    timers[0]?.callback();
    await expect.poll(() => changes.at(-1)).toEqual({ enabled: false, fingerprint: null, ended: 'expired' });
  });

  it('fired early (a clock that disagrees) sets itself again instead of ending autonomy', async () => {
    const time = clock();
    const { autonomy, timers } = control(time);
    const { token } = autonomy.begin();
    await autonomy.confirm(token, { duration: '15m' });
    time.advance(10 * MINUTE);
    timers[0]?.callback();
    await expect.poll(() => timers.length).toBe(2);
    expect(timers[1]?.ms).toBe(5 * MINUTE);
    expect(autonomy.status().enabled).toBe(true);
  });

  it('is cleared when a person switches autonomy off', async () => {
    const time = clock();
    const { autonomy, timers, changes } = control(time);
    const { token } = autonomy.begin();
    await autonomy.confirm(token, { duration: '1h' });
    await autonomy.disable('turned off by a person');
    expect(timers[0]?.cleared).toBe(true);
    expect(changes.at(-1)?.ended).toBe('person');
  });
});
