import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, projectDirectory, type Harness } from './harness.js';
import { livePidsWith, waitFor } from './procfs.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const cwd = projectDirectory();

describe('the emergency stop', () => {
  it('kills the running tree, cancels the rest and everything queued, and turns autonomy off', async () => {
    harness = await createHarness();
    const { service } = harness;
    const marker = `leash-es-${randomUUID()}`;
    // A background child, a TERM-ignoring grandchild and a nohup'd one, all holding or not holding stdout.
    const command = `sleep 300 & (trap '' TERM; exec -a ${marker}-ignores sleep 300) & nohup bash -c "exec -a ${marker}-nohup sleep 300" >/dev/null 2>&1 & exec -a ${marker}-main sleep 300`;
    const running = await service.create({ cwd, entries: [{ command }, { command: 'echo never' }] });
    const queued = await service.create({ cwd, entries: [{ command: 'echo queued' }] });
    const pending = await service.create({ cwd, entries: [{ command: 'echo pending' }] });
    for (const b of [running, queued]) {
      await service.approve(b.id);
      await service.run(b.id);
    }
    await waitFor(async () => (await livePidsWith(marker)).length >= 3);
    // Switch autonomy on through the real token flow, to see the stop switch it off.
    const { token } = service.autonomy.begin();
    expect((await service.autonomy.confirm(token)).ok).toBe(true);

    const report = await service.emergencyStop();
    expect(report.killed).toMatchObject({ batchId: running.id, command });
    expect(report.cancelledBatches).toEqual([queued.id]);
    expect(report.autonomyWasOn).toBe(true);
    expect(service.autonomy.status()).toEqual({ enabled: false, fingerprint: null });

    expect(await livePidsWith(marker)).toEqual([]);
    const stopped = service.get(running.id);
    expect(stopped.status).toBe('cancelled');
    expect(stopped.entries.map((e) => e.status)).toEqual(['cancelled', 'cancelled']);
    expect(service.get(queued.id).status).toBe('cancelled');
    expect(service.get(pending.id).status).toBe('pending');

    const events = (await harness.records()).map((r) => r.event);
    expect(events).toContain('EMERGENCY_STOP');
    expect(events).toContain('AUTONOMY_DISABLED');
    expect(events.filter((e) => e === 'BATCH_CANCELLED')).toHaveLength(2);
  });

  it('is harmless when nothing runs', async () => {
    harness = await createHarness();
    expect(await harness.service.emergencyStop()).toEqual({ killed: null, cancelledBatches: [], autonomyWasOn: false });
  });
});
