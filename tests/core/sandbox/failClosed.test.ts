import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxSupport } from '../../../src-main/core/sandbox/index.js';
import { createHarness, projectDirectory, type Harness } from '../batch/harness.js';

const NONE: SandboxSupport = { ok: false, code: 'BWRAP_NOT_FOUND', message: 'bubblewrap (bwrap) is not installed.', fix: 'Install it.' };

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('without a working sandbox', () => {
  it('refuses to switch autonomy on, and says why', async () => {
    harness = await createHarness({ sandbox: NONE });
    expect(() => harness!.service.autonomy.begin()).toThrow(expect.objectContaining({ code: 'SANDBOX_UNAVAILABLE' }));
    expect(harness.service.autonomy.status().blockedBecause).toMatch(/no sandbox works on this machine.*bubblewrap \(bwrap\) is not installed/);
    await expect(harness.service.autonomy.confirm('anything')).resolves.toMatchObject({ ok: false, error: { code: 'SANDBOX_UNAVAILABLE' } });
  });

  it('runs nothing unattended even if the settings file says autonomy is on', async () => {
    harness = await createHarness({ sandbox: NONE, settings: { autonomy: { enabled: true, tokenHash: 'a'.repeat(64), fingerprint: 'abcdef12' } } });
    const batch = await harness.service.create({ cwd: projectDirectory(), entries: [{ command: 'ls' }] });
    expect(batch.status).toBe('pending');
    expect(batch.note).toMatch(/no sandbox works/);
  });

  it('shows every entry unsandboxed before anyone approves it', async () => {
    harness = await createHarness({ sandbox: NONE });
    const batch = await harness.service.create({ cwd: projectDirectory(), entries: [{ command: 'ls' }, { command: 'make' }] });
    expect(batch.entries.map((e) => e.sandbox?.profile)).toEqual(['unsandboxed', 'unsandboxed']);
  });
});

describe('with a working sandbox', () => {
  it('records the profile with the entry and in the audit’s ENTRY_STARTED', async () => {
    harness = await createHarness();
    const cwd = projectDirectory();
    const batch = await harness.service.create({ cwd, entries: [{ command: 'ls' }, { command: 'touch made' }] });
    await harness.service.approve(batch.id, { sandbox: { profile: 'workspace', network: true } });
    await harness.service.run(batch.id);
    const done = await harness.service.whenSettled(batch.id);
    expect(done.entries.map((e) => [e.status, e.sandbox?.profile, e.sandbox?.network])).toEqual([
      ['completed', 'read-only', false],
      ['completed', 'workspace', true],
    ]);
    const started = (await harness.records()).filter((r) => r.event === 'ENTRY_STARTED').map((r) => r.details?.sandbox);
    expect(started).toEqual([
      { profile: 'read-only', network: false, writable: [], gitSafeConfig: false },
      // Its sandbox was set up while `ls` ran, and found identical to a fresh one at its turn.
      { profile: 'workspace', network: true, writable: [cwd], gitSafeConfig: false, preparedAhead: true },
    ]);
  });

  it('refuses to approve a workspace that is the home directory, and approves nothing', async () => {
    harness = await createHarness();
    const home = process.env.HOME as string;
    const batch = await harness.service.create({ cwd: home, entries: [{ command: 'make' }] });
    expect(batch.entries[0]?.sandbox?.problem).toMatch(/is your home directory/);
    await expect(harness.service.approve(batch.id)).rejects.toMatchObject({ code: 'SANDBOX_REFUSED' });
    expect(harness.service.get(batch.id).status).toBe('pending');
    await expect(harness.service.approve(batch.id, { sandbox: { profile: 'read-only', network: false } })).resolves.toMatchObject({ status: 'approved' });
  });
});
