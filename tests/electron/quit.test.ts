import { EventEmitter } from 'node:events';
import type { BrowserWindow } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Leash } from '../../src-main/core/leash.js';
import { installQuitGuard, QUIT_QUESTION, routeSignalsToQuit, type QuitGuard } from '../../src-main/electron/quit.js';
import { fake, resetFake } from './fakeElectron.js';
import { auditEvents, openScratchLeash, readAuditEvents, removeDir, startLongBatch, waitUntil } from './leashFixture.js';

vi.mock('electron', async () => (await import('./fakeElectron.js')).electronModule());

let leash: Leash;
let guard: QuitGuard;
const log = vi.fn();

beforeEach(async () => {
  resetFake();
  log.mockClear();
  leash = await openScratchLeash();
  const { app, dialog } = fake();
  guard = installQuitGuard({ app: app as never, dialog: dialog as never, leash, getWindow: () => undefined, log });
});
afterEach(async () => {
  // Stops whatever a failed test left running, then releases the lock (close is idempotent).
  await leash.batches.emergencyStop().catch(() => undefined);
  await leash.close().catch(() => undefined);
  await removeDir(leash.dataDir);
});

/** The lock is free again only after `leash.close()`: a second writer can open the data. */
async function lockReleased(): Promise<boolean> {
  try {
    const other = await openScratchLeash({ dataDir: leash.dataDir });
    await other.close();
    return true;
  } catch {
    return false;
  }
}

describe('quitting', () => {
  it('closes Leash (releasing the audit lock) before the app quits, without asking when idle', async () => {
    fake().app.quit();
    expect(fake().app.quitted).toBe(false);
    await guard.closed;
    await waitUntil(() => fake().app.quitted);
    expect(fake().dialog.messageBoxes).toEqual([]);
    expect(await lockReleased()).toBe(true);
  });

  it('asks when a batch is running, and a "Cancel" keeps everything running', async () => {
    const id = await startLongBatch(leash, leash.dataDir);
    fake().dialog.response = 1;
    fake().app.quit();
    await waitUntil(() => fake().dialog.messageBoxes.length === 1);
    expect(fake().dialog.messageBoxes[0]).toMatchObject({ message: 'A batch is running. Stop it and quit?', buttons: QUIT_QUESTION.buttons });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake().app.quitted).toBe(false);
    expect(leash.batches.get(id).status).toBe('running');
    expect(await auditEvents(leash)).not.toContain('EMERGENCY_STOP');
  });

  it('on "Stop and quit" makes an audited emergency stop, closes Leash, then quits', async () => {
    const id = await startLongBatch(leash, leash.dataDir);
    fake().dialog.response = 0;
    fake().app.quit();
    await guard.closed;
    await waitUntil(() => fake().app.quitted);
    expect(leash.batches.get(id).status).toBe('cancelled');
    expect(await readAuditEvents(leash.audit.path)).toContain('EMERGENCY_STOP');
    expect(await lockReleased()).toBe(true);
  });

  it('asks only once while the question is open', async () => {
    await startLongBatch(leash, leash.dataDir);
    fake().dialog.response = 1;
    fake().app.quit();
    fake().app.quit();
    await waitUntil(() => fake().dialog.messageBoxes.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake().dialog.messageBoxes).toHaveLength(1);
  });
});

describe('signals', () => {
  it('route into the quit path: a running batch is stopped without asking and Leash is closed', async () => {
    const id = await startLongBatch(leash, leash.dataDir);
    const processLike = new EventEmitter();
    const off = routeSignalsToQuit(processLike, guard);
    try {
      processLike.emit('SIGTERM');
      // electron-store's writer re-raises the signal once its own listener ran: harmless here.
      processLike.emit('SIGTERM');
      await guard.closed;
      await waitUntil(() => fake().app.quitted);
      expect(fake().dialog.messageBoxes).toEqual([]);
      expect(leash.batches.get(id).status).toBe('cancelled');
      // Agents and the audit are told the app ended, not that a person pressed stop.
      expect(leash.batches.get(id).note).toBe('Leash shut down (received SIGTERM)');
      const events = await readAuditEvents(leash.audit.path);
      expect(events.filter((e) => e === 'EMERGENCY_STOP')).toHaveLength(1);
      expect(await lockReleased()).toBe(true);
    } finally {
      off();
    }
    expect(processLike.listenerCount('SIGTERM')).toBe(0);
  });

  it('take over from an open quit question', async () => {
    await startLongBatch(leash, leash.dataDir);
    const never = new Promise<never>(() => undefined);
    // A fresh app, so the guard from beforeEach is not listening.
    resetFake();
    const { app } = fake();
    const dialog = { showMessageBox: vi.fn(() => never) };
    const takeover = installQuitGuard({ app: app as never, dialog: dialog as never, leash, getWindow: () => undefined as BrowserWindow | undefined, log });
    app.quit();
    await waitUntil(() => dialog.showMessageBox.mock.calls.length === 1);
    takeover.quitWithoutAsking('received SIGINT');
    await takeover.closed;
    expect(await readAuditEvents(leash.audit.path)).toContain('EMERGENCY_STOP');
  });
});
