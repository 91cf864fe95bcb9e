import { afterEach, describe, expect, it } from 'vitest';
import { hashToken } from '../../../src-main/core/autonomy/token.js';
import { createHarness, projectDirectory, type Harness } from './harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const cwd = projectDirectory();

async function enable(h: Harness): Promise<string> {
  const { token } = h.service.autonomy.begin();
  const result = await h.service.autonomy.confirm(token);
  if (!result.ok) throw new Error(result.error.message);
  return result.value.fingerprint as string;
}

describe('semi-autonomy', () => {
  it('is off by default, and a batch waits for a person', async () => {
    harness = await createHarness();
    expect(harness.service.autonomy.status()).toEqual({ enabled: false, fingerprint: null });
    const batch = await harness.service.create({ cwd, entries: [{ command: 'echo hi' }] });
    expect(batch.status).toBe('pending');
  });

  it('refuses a wrong token, audits AUTH_FAILURE and stays off', async () => {
    harness = await createHarness();
    harness.service.autonomy.begin();
    const result = await harness.service.autonomy.confirm('not-the-token');
    expect(result).toEqual({ ok: false, error: { code: 'AUTH_FAILURE', message: 'that is not the token Leash showed; autonomy stays off' } });
    expect(harness.service.autonomy.status().enabled).toBe(false);
    expect((await harness.records()).map((r) => r.event)).toEqual(['AUTH_FAILURE']);
  });

  it('needs a token to have been shown first', async () => {
    harness = await createHarness();
    expect(await harness.service.autonomy.confirm('anything')).toMatchObject({ ok: false, error: { code: 'NO_PENDING_TOKEN' } });
  });

  it('stores only the hash of the token and never writes the token to the audit', async () => {
    harness = await createHarness();
    const { token } = harness.service.autonomy.begin();
    await harness.service.autonomy.confirm(`  ${token}\n`);
    const autonomy = harness.settings.get().autonomy;
    expect(autonomy).toMatchObject({ enabled: true, tokenHash: hashToken(token), fingerprint: hashToken(token).slice(0, 12), duration: '1h' });
    expect(JSON.stringify(harness.settings.get())).not.toContain(token);
    expect(JSON.stringify(await harness.records())).not.toContain(token);
  });

  it('runs a batch of only allowed commands without a click, approved by the token fingerprint', async () => {
    harness = await createHarness();
    const fingerprint = await enable(harness);
    const batch = await harness.service.create({ cwd, entries: [{ command: 'echo auto' }, { command: 'ls' }] });
    expect(batch.approvedBy).toBe(`autonomy:${fingerprint}`);
    const done = await harness.service.whenSettled(batch.id);
    expect(done.status).toBe('completed');
    const approved = (await harness.records()).find((r) => r.event === 'BATCH_APPROVED');
    expect(approved?.approvedBy).toBe(`autonomy:${fingerprint}`);
  });

  it.each([['npm test'], ['sudo ls']])('leaves a batch with %j for a person', async (command) => {
    harness = await createHarness();
    await enable(harness);
    const batch = await harness.service.create({ cwd, entries: [{ command: 'ls' }, { command }] });
    expect(batch.status).toBe('pending');
  });

  it('stops approving on its own past the rate limit', async () => {
    harness = await createHarness({ settings: { autonomyRateLimitPerMinute: 2 } });
    await enable(harness);
    const statuses: string[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await harness.service.create({ cwd, entries: [{ command: 'true' }] })).status);
    // Approved and queued in one step: the first starts at once, the second waits behind it.
    expect(statuses).toEqual(['running', 'approved', 'pending']);
    const waiting = harness.service.get(harness.service.list({ status: ['pending'] }).items[0]?.id ?? 'none');
    expect(waiting?.note).toMatch(/rate limit reached \(2 batches per minute\)/);
  });

  it('turns off with one call, audited', async () => {
    harness = await createHarness();
    await enable(harness);
    expect(await harness.service.autonomy.disable('turned off by a person')).toEqual({ enabled: false, fingerprint: null });
    expect((await harness.records()).map((r) => r.event)).toEqual(['AUTONOMY_ENABLED', 'AUTONOMY_DISABLED']);
  });

  it('treats a hand-edited enabled flag without a confirmed token as off', async () => {
    harness = await createHarness({ settings: { autonomy: { enabled: true, tokenHash: null, fingerprint: null } } });
    expect(harness.service.autonomy.status().enabled).toBe(false);
    const batch = await harness.service.create({ cwd, entries: [{ command: 'ls' }] });
    expect(batch.status).toBe('pending');
  });
});
