import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Batch } from '../../src-main/core/batch/index.js';
import { connectIpc } from '../support/ipcClient.js';
import { auditRecords, closeReader, exists, killMarked, leashHome, livePidsWith, runningAs, spawnLeash, waitFor, waitForOutput, type Spawned } from './support/leashProcess.js';

const started: { spawned: Spawned; marker: string }[] = [];
afterEach(async () => {
  for (const { spawned, marker } of started.splice(0)) {
    spawned.child.kill('SIGKILL');
    await killMarked(marker);
  }
});

/**
 * `leash serve 2>&1 | tee serve.log` with a batch running `sleep 33`; then the terminal's
 * Ctrl+C kills tee (the pipe's reader) and signals serve. Whatever Leash then fails to print,
 * the running command must die, the stop must be audited, and the lock and socket must go.
 */
async function servingASleep(): Promise<{ spawned: Spawned; home: string; marker: string }> {
  const { home, marker } = await leashHome('leash-serve-stop-');
  const spawned = spawnLeash(['serve', '--port', '0'], home, { merged: true });
  started.push({ spawned, marker });
  const [url] = await waitForOutput(spawned, /http:\/\/127\.0\.0\.1:\d+\/\S+/);
  const ipc = await connectIpc(url);
  const created = await ipc.call('batch:create', { entries: [{ command: `exec -a ${marker} sleep 33` }], cwd: await mkdtemp(join(tmpdir(), 'leash-serve-project-')) });
  if (!created.ok) throw new Error(created.error.message);
  const batch = created.value as Batch;
  expect((await ipc.call('batch:approve', { id: batch.id })).ok).toBe(true);
  expect((await ipc.call('batch:run', { id: batch.id })).ok).toBe(true);
  await waitFor(async () => (await runningAs(marker)).length > 0, 20_000);
  ipc.close();
  return { spawned, home, marker };
}

async function expectEverythingStopped(spawned: Spawned, home: string, marker: string): Promise<void> {
  await spawned.exited;
  expect(await livePidsWith(marker)).toEqual([]);
  const stop = (await auditRecords(home)).find((record) => record.event === 'EMERGENCY_STOP');
  // It says what happened: Leash ended, no person pressed stop.
  expect(stop?.reason).toMatch(/^Leash shut down \(received SIG(INT|TERM|HUP)\)$/);
  expect(await exists(join(home, 'audit.jsonl.lock'))).toBe(false);
  expect(await exists(join(home, 'control.sock'))).toBe(false);
}

describe('leash serve shutting down with its output pipe closed', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s stops the running command, audits the emergency stop, releases the lock and removes the socket', async (signal) => {
    const { spawned, home, marker } = await servingASleep();
    closeReader(spawned);
    spawned.child.kill(signal);
    await expectEverythingStopped(spawned, home, marker);
  });

  it('a second Ctrl+C during shutdown still leaves nothing running', async () => {
    const { spawned, home, marker } = await servingASleep();
    closeReader(spawned);
    spawned.child.kill('SIGINT');
    spawned.child.kill('SIGINT');
    await expectEverythingStopped(spawned, home, marker);
  });

  it('Ctrl+C with the pipe still open stops everything and exits 0', async () => {
    const { spawned, home, marker } = await servingASleep();
    spawned.child.kill('SIGINT');
    await expectEverythingStopped(spawned, home, marker);
    expect((await spawned.exited).code).toBe(0);
    expect(spawned.output()).toMatch(/stopping/);
  });
});
