import type { BrowserWindow } from 'electron';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Leash } from '../../src-main/core/leash.js';
import { registerIpc, windowEventSink } from '../../src-main/electron/ipc.js';
import { rendererSource } from '../../src-main/electron/renderer.js';
import { createMainWindow } from '../../src-main/electron/window.js';
import { CHANNELS } from '../../src-main/ipc/channels.js';
import type { IpcResult } from '../../src-main/ipc/contract.js';
import { forwardEvents } from '../../src-main/ipc/events.js';
import { createHandlers } from '../../src-main/ipc/handlers.js';
import { fake, FakeBrowserWindow, resetFake, type FakeFrame } from './fakeElectron.js';
import { auditEvents, openScratchLeash, removeDir, waitUntil } from './leashFixture.js';

vi.mock('electron', async () => (await import('./fakeElectron.js')).electronModule());

const renderer = rendererSource({ indexHtml: '/opt/leash/out/renderer/index.html', packaged: true });
let leash: Leash;
let window: FakeBrowserWindow | undefined;

beforeAll(async () => {
  leash = await openScratchLeash();
});
afterAll(async () => {
  await leash.close();
  await removeDir(leash.dataDir);
});

beforeEach(() => {
  resetFake();
  createMainWindow({ preloadPath: '/opt/leash/out/preload/index.cjs', renderer, devTools: false });
  window = fake().windows[0];
  registerIpc({
    ipcMain: fake().ipcMain as never,
    handlers: createHandlers({ leash, mode: 'desktop', version: 'test' }),
    getWindow: () => window as unknown as BrowserWindow | undefined,
    renderer,
  });
});

/** Calls a registered channel as Electron would: with the sending web contents and frame. */
async function invoke(channel: string, payload: unknown, from: { sender?: { id: number }; senderFrame?: FakeFrame | null } = {}): Promise<IpcResult<unknown>> {
  const handler = fake().ipcMain.handlers.get(channel);
  if (!handler) throw new Error(`${channel} is not registered`);
  const ours = window as FakeBrowserWindow;
  const event = { sender: from.sender ?? ours.webContents, senderFrame: from.senderFrame === undefined ? ours.webContents.mainFrame : from.senderFrame };
  // Payloads cross a structured clone in Electron; so do they here.
  payload = structuredClone(payload);
  return (await handler(event, payload)) as IpcResult<unknown>;
}

describe('IPC registration', () => {
  it('registers every contract channel and nothing else', () => {
    expect([...fake().ipcMain.handlers.keys()].sort()).toEqual([...CHANNELS].sort());
  });

  it('answers our window main frame through the real handler table', async () => {
    const result = await invoke('app:info', {});
    expect(result).toMatchObject({ ok: true, value: { mode: 'desktop', version: 'test', dataDir: leash.dataDir } });
  });

  it('can be removed again', () => {
    resetFake();
    const off = registerIpc({ ipcMain: fake().ipcMain as never, handlers: createHandlers({ leash, mode: 'desktop', version: 'test' }), getWindow: () => undefined, renderer });
    off();
    expect(fake().ipcMain.handlers.size).toBe(0);
  });
});

describe('the sender check', () => {
  const ours = (): FakeBrowserWindow => window as FakeBrowserWindow;
  const cases: Array<[string, () => Parameters<typeof invoke>[2]]> = [
    ['another window', () => ({ sender: new FakeBrowserWindow({}).webContents, senderFrame: { url: ours().webContents.mainFrame.url, processId: 41, routingId: 999 } })],
    ['a subframe of our window', () => ({ senderFrame: { url: ours().webContents.mainFrame.url, processId: 40, routingId: 12345 } })],
    ['our frame after it left the renderer', () => ({ senderFrame: { ...ours().webContents.mainFrame, url: 'https://evil.example/' } })],
    ['our frame showing another local file', () => ({ senderFrame: { ...ours().webContents.mainFrame, url: 'file:///tmp/evil.html' } })],
    ['a frame that no longer exists', () => ({ senderFrame: null })],
  ];

  it.each(cases)('refuses %s with FORBIDDEN_SENDER and runs nothing', async (_name, from) => {
    const before = leash.batches.list().total;
    const eventsBefore = (await auditEvents(leash)).length;
    const result = await invoke('batch:create', { entries: [{ command: 'echo hi' }] }, from());
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
    expect(leash.batches.list().total).toBe(before);
    expect(await auditEvents(leash)).toHaveLength(eventsBefore);
  });

  it('refuses everyone when no window is open, or it was destroyed', async () => {
    const closed = ours();
    closed.close();
    expect(await invoke('app:emergencyStop', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
    window = undefined;
    const from = { sender: closed.webContents, senderFrame: closed.webContents.mainFrame };
    expect(await invoke('app:info', {}, from)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
  });

  it('checks the sender before the payload', async () => {
    const result = await invoke('batch:get', { id: 42 }, { senderFrame: null });
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
  });
});

describe('payload validation', () => {
  it.each([
    ['batch:get', { id: 42 }],
    ['batch:get', { id: '../../etc/passwd' }],
    ['batch:create', { entries: 'rm -rf /' }],
    ['batch:create', { entries: [{ command: 'ls', run: true }] }],
    ['batch:approve', { id: 'x', by: 'autonomy:deadbeef' }],
    ['settings:update', { patch: { autonomy: { enabled: true } } }],
    ['settings:update', { patch: { maxBatchSize: 11 } }],
    ['audit:tail', { limit: -1 }],
    ['app:info', { extra: 1 }],
    ['autonomy:confirm', 'token'],
  ])('%s refuses %j with INVALID_PAYLOAD', async (channel, payload) => {
    const result = await invoke(channel, payload);
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
  });

  it('leaves the settings untouched after a refused update', async () => {
    await invoke('settings:update', { patch: { autonomy: { enabled: true } } });
    expect(leash.settings.get().autonomy.enabled).toBe(false);
  });
});

describe('events', () => {
  it('forwards the core events to the window web contents', async () => {
    const off = forwardEvents(leash, windowEventSink(() => window as unknown as BrowserWindow));
    try {
      const created = await invoke('batch:create', { entries: [{ command: 'echo forwarded' }], cwd: leash.dataDir });
      expect(created.ok).toBe(true);
      await waitUntil(() => ours().webContents.sent.some(([event]) => event === 'audit:appended'));
      const sent = ours().webContents.sent;
      const summary = sent.find(([event]) => event === 'batch:summary');
      expect(summary?.[1]).toMatchObject({ status: 'pending', firstCommand: 'echo forwarded', verdicts: { allow: 1, ask: 0, deny: 0 } });
      const delta = sent.find(([event]) => event === 'batch:delta');
      expect(delta?.[1]).toMatchObject({ batch: { status: 'pending' }, entries: [{ status: 'pending' }] });
      // Deltas never carry command text or captured output: those are read with batch:get.
      expect(JSON.stringify(delta?.[1])).not.toContain('echo forwarded');
      expect(sent.find(([event]) => event === 'audit:appended')?.[1]).toMatchObject({ event: 'BATCH_CREATED' });
    } finally {
      off();
    }
  });

  it('sends nothing to a destroyed window, and does not throw', async () => {
    ours().close();
    const off = forwardEvents(leash, windowEventSink(() => window as unknown as BrowserWindow));
    try {
      await leash.batches.create({ entries: [{ command: 'echo unseen' }], cwd: leash.dataDir, source: 'paste' });
      expect(ours().webContents.sent).toEqual([]);
    } finally {
      off();
    }
  });

  function ours(): FakeBrowserWindow {
    return window as FakeBrowserWindow;
  }
});
