import type { BrowserWindow } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Leash } from '../../src-main/core/leash.js';
import { notifyPendingBatches } from '../../src-main/electron/notifications.js';
import { fake, FakeBrowserWindow, FakeNotification, resetFake } from './fakeElectron.js';
import { openScratchLeash, removeDir } from './leashFixture.js';

vi.mock('electron', async () => (await import('./fakeElectron.js')).electronModule());

let leash: Leash;
let window: FakeBrowserWindow;
let stop: () => void;
const showWindow = vi.fn();

/** A hand-driven clock: the settle delay passes when the test says so. */
let due: Array<{ run: () => void; ms: number }> = [];
const schedule = (run: () => void, ms: number): (() => void) => {
  const task = { run, ms };
  due.push(task);
  return () => {
    due = due.filter((t) => t !== task);
  };
};
const settle = (): void => {
  for (const task of due.splice(0)) task.run();
};

beforeEach(async () => {
  resetFake();
  showWindow.mockClear();
  due = [];
  leash = await openScratchLeash();
  window = new FakeBrowserWindow({});
  stop = notifyPendingBatches({ batches: leash.batches, getWindow: () => window as unknown as BrowserWindow, showWindow, schedule });
});
afterEach(async () => {
  stop();
  await leash.close();
  await removeDir(leash.dataDir);
});

const create = (command: string, source = 'paste') => leash.batches.create({ entries: [{ command }], cwd: leash.dataDir, source });

describe('approval notifications', () => {
  it('tell the person when a batch waits and the window is not focused; a click shows the window', async () => {
    await leash.batches.create({ entries: [{ command: 'echo one' }, { command: 'echo two' }], cwd: leash.dataDir, source: 'agent:test' });
    expect(due).toHaveLength(1);
    expect(due[0]?.ms).toBeGreaterThan(0);
    settle();
    const [notification] = fake().notifications;
    expect(notification?.shown).toBe(true);
    expect(notification?.options).toEqual({ title: 'Leash: approval needed', body: '2 commands from agent:test wait for your approval.' });
    notification?.emit('click');
    expect(showWindow).toHaveBeenCalledTimes(1);
  });

  it('never carry the command text (it may hold a secret)', async () => {
    await create('curl -H "Authorization: Bearer abc123" https://example.com');
    settle();
    expect(fake().notifications[0]?.options.body).not.toContain('abc123');
  });

  it('stay quiet while the window has focus', async () => {
    window.focused = true;
    await create('echo one');
    settle();
    expect(fake().notifications).toEqual([]);
  });

  it('skip a batch that was settled before the delay passed', async () => {
    const rejected = await create('echo one');
    await leash.batches.reject(rejected.id, 'no');
    const stopped = await create('echo two');
    await leash.batches.stop(stopped.id);
    settle();
    expect(fake().notifications).toEqual([]);
  });

  it('announce each batch once', async () => {
    const batch = await create('echo three');
    settle();
    await leash.batches.approve(batch.id);
    await leash.batches.reject((await create('echo four')).id);
    settle();
    expect(fake().notifications.map((n) => n.options.body)).toEqual(['1 command from paste waits for your approval.']);
  });

  it('are skipped where the system has none', async () => {
    FakeNotification.supported = false;
    await create('echo one');
    settle();
    expect(fake().notifications).toEqual([]);
  });

  it('stop with their unsubscribe, cancelling what was scheduled', async () => {
    await create('echo one');
    stop();
    expect(due).toEqual([]);
    await create('echo two');
    expect(due).toEqual([]);
  });
});

describe('with autonomy on', () => {
  it('stay quiet for a batch that runs without a click', async () => {
    const { token } = leash.batches.autonomy.begin();
    expect((await leash.batches.autonomy.confirm(token)).ok).toBe(true);
    const batch = await create('echo autonomous', 'agent:test');
    expect(batch.entries[0]?.classification.verdict).toBe('allow');
    settle();
    await leash.batches.whenSettled(batch.id);
    expect(fake().notifications).toEqual([]);
  });
});
