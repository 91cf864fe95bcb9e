import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Leash } from '../../src-main/core/leash.js';
import { MENU_IDS } from '../../src-main/electron/menus.js';
import { QUIT_SIGNALS } from '../../src-main/electron/quit.js';
import { describeStartFailure } from '../../src-main/electron/startFailure.js';
import { EMERGENCY_STOP_ACCELERATORS } from '../../src-main/electron/shortcut.js';
import { CHANNELS } from '../../src-main/ipc/channels.js';
import type { IpcResult } from '../../src-main/ipc/contract.js';
import { fake, resetFake, type FakeBrowserWindow } from './fakeElectron.js';
import { openScratchLeash, readAuditEvents, removeDir, scratchDir, waitUntil } from './leashFixture.js';

vi.hoisted(() => {
  // electron-store is loaded by Node, outside vi.mock: see fakeElectron.ts.
  process.env.ELECTRON_OVERRIDE_DIST_PATH ??= '/nonexistent/electron-dist';
});
vi.mock('electron', async () => (await import('./fakeElectron.js')).electronModule());

let home: string;
let signalListeners: Map<string, Array<(...args: unknown[]) => void>>;
const saved = { LEASH_HOME: process.env.LEASH_HOME, ELECTRON_RENDERER_URL: process.env.ELECTRON_RENDERER_URL };

beforeEach(async () => {
  resetFake();
  vi.resetModules();
  home = await scratchDir('leash-app-');
  process.env.LEASH_HOME = home;
  delete process.env.ELECTRON_RENDERER_URL;
  signalListeners = new Map(QUIT_SIGNALS.map((signal) => [signal, process.listeners(signal) as Array<(...args: unknown[]) => void>]));
});

afterEach(async () => {
  // Quit the app under test the normal way (closes its Leash), then undo what it did to `process`.
  if (fake().windows.length > 0 && !fake().app.quitted) {
    fake().app.quit();
    await waitUntil(() => fake().app.quitted);
  }
  for (const signal of QUIT_SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!signalListeners.get(signal)?.includes(listener as (...args: unknown[]) => void)) process.off(signal, listener as () => void);
    }
  }
  process.env.LEASH_HOME = saved.LEASH_HOME;
  if (saved.ELECTRON_RENDERER_URL === undefined) delete process.env.ELECTRON_RENDERER_URL;
  else process.env.ELECTRON_RENDERER_URL = saved.ELECTRON_RENDERER_URL;
  await removeDir(home);
});

/** Runs the composition root as Electron would, and waits for its window. */
async function launch(): Promise<FakeBrowserWindow> {
  await import('../../src-main/index.js');
  await waitUntil(() => fake().windows.length > 0);
  return fake().windows[0] as FakeBrowserWindow;
}

async function invoke(window: FakeBrowserWindow, channel: string, payload: unknown = {}): Promise<IpcResult<unknown>> {
  const handler = fake().ipcMain.handlers.get(channel);
  if (!handler) throw new Error(`${channel} is not registered`);
  return (await handler({ sender: window.webContents, senderFrame: window.webContents.mainFrame }, payload)) as IpcResult<unknown>;
}

describe('the desktop app', () => {
  it('opens its data in LEASH_HOME and serves the renderer through the real handler table', async () => {
    const window = await launch();
    expect(fake().app.getPath('userData')).toBe(home);
    expect(window.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false });
    expect(window.loadedFile).toMatch(/renderer[\\/]index\.html$/);
    expect([...fake().ipcMain.handlers.keys()].sort()).toEqual([...CHANNELS].sort());
    const info = await invoke(window, 'app:info');
    expect(info).toMatchObject({ ok: true, value: { mode: 'desktop', dataDir: home, problems: [] } });
    expect(await readAuditEvents(join(home, 'audit.jsonl'))).toContain('APP_STARTED');
  });

  it('forwards core events to the window', async () => {
    const window = await launch();
    const created = await invoke(window, 'batch:create', { entries: [{ command: 'echo hello' }], cwd: home });
    expect(created.ok).toBe(true);
    await waitUntil(() => window.webContents.sent.some(([event]) => event === 'batch:updated'));
  });

  it('offers the emergency stop by shortcut, tray and menu', async () => {
    await launch();
    expect(fake().globalShortcut.registered.has(EMERGENCY_STOP_ACCELERATORS[0])).toBe(true);
    expect(fake().trays).toHaveLength(1);
    expect(existsSync((fake().trays[0]?.image as { path: string }).path)).toBe(true);
    expect(fake().trays[0]?.contextMenu?.items.some((i) => i.id === MENU_IDS.emergencyStop)).toBe(true);
    expect(fake().Menu.applicationMenu?.items[0]?.submenu?.some((i) => i.id === MENU_IDS.emergencyStop)).toBe(true);
    fake().globalShortcut.registered.get(EMERGENCY_STOP_ACCELERATORS[0])?.();
    await waitUntil(async () => (await readAuditEvents(join(home, 'audit.jsonl'))).includes('EMERGENCY_STOP'));
  });

  it('quits through the guard: the audit lock is released and the shortcut unregistered', async () => {
    const window = await launch();
    window.close();
    fake().app.emit('window-all-closed');
    await waitUntil(() => fake().app.quitted);
    expect(fake().globalShortcut.registered.size).toBe(0);
    const next: Leash = await openScratchLeash({ dataDir: home });
    await next.close();
  });

  it('takes a SIGTERM down the quit path: the running batch is stopped and audited, Leash closed', async () => {
    const window = await launch();
    // A project, not the data directory: the sandbox refuses a workspace holding Leash's own data.
    const project = mkdtempSync(join(tmpdir(), 'leash-desktop-project-'));
    const created = (await invoke(window, 'batch:create', { entries: [{ command: 'sleep 30' }], cwd: project })) as { ok: true; value: { id: string } };
    const id = created.value.id;
    expect((await invoke(window, 'batch:approve', { id })).ok).toBe(true);
    expect((await invoke(window, 'batch:run', { id })).ok).toBe(true);
    await waitUntil(async () => ((await invoke(window, 'batch:get', { id })) as { value: { status: string } }).value.status === 'running');
    // Our listener only: emitting the real signal would also reach when-exit and vitest's own.
    const ours = process.listeners('SIGTERM').filter((listener) => String(listener).includes('quitWithoutAsking'));
    expect(ours).toHaveLength(1);
    (ours[0] as () => void)();
    await waitUntil(() => fake().app.quitted);
    expect(fake().dialog.messageBoxes).toEqual([]);
    expect(await readAuditEvents(join(home, 'audit.jsonl'))).toContain('EMERGENCY_STOP');
    const next: Leash = await openScratchLeash({ dataDir: home });
    expect(next.batches.get(id).status).toBe('cancelled');
    await next.close();
  });
});

describe('a single instance', () => {
  it('brings the first window forward on a second launch', async () => {
    const window = await launch();
    window.minimized = true;
    fake().app.emit('second-instance', {}, ['leash'], home);
    expect(window.minimized).toBe(false);
    expect(window.visible).toBe(true);
    expect(window.focused).toBe(true);
    expect(fake().windows).toHaveLength(1);
  });

  it('re-creates the window if it was closed', async () => {
    const window = await launch();
    window.close();
    fake().app.emit('second-instance', {}, ['leash'], home);
    expect(fake().windows).toHaveLength(2);
  });

  it('is the only one: a second process quits at once and never opens the data', async () => {
    fake().app.hasLock = false;
    await import('../../src-main/index.js');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake().app.quitCalls).toBe(1);
    expect(fake().windows).toEqual([]);
    expect(readdirSync(home)).toEqual([]);
  });
});

describe('starting with trouble', () => {
  it('backs up a corrupt settings file and starts with autonomy off, telling the renderer', async () => {
    writeFileSync(join(home, 'config.json'), '{"autonomy":{"enabled":true');
    const window = await launch();
    expect(readdirSync(home).filter((name) => name.startsWith('config.json.invalid-'))).toHaveLength(1);
    const status = await invoke(window, 'autonomy:status');
    expect(status).toEqual({ ok: true, value: { enabled: false, fingerprint: null } });
    const info = (await invoke(window, 'app:info')) as { ok: true; value: { problems: string[] } };
    expect(info.value.problems).toEqual([expect.stringMatching(/config\.json could not be read/)]);
  });

  it('explains who holds the audit lock, then exits without a window', async () => {
    const holder = await openScratchLeash({ dataDir: home });
    try {
      await import('../../src-main/index.js');
      await waitUntil(() => fake().app.exitCode !== undefined);
      expect(fake().app.exitCode).toBe(1);
      expect(fake().windows).toEqual([]);
      expect(fake().dialog.errorBoxes).toHaveLength(1);
      expect(fake().dialog.errorBoxes[0]?.title).toBe('Leash is already running');
      expect(fake().dialog.errorBoxes[0]?.content).toContain(`process ${process.pid}`);
      expect(fake().dialog.errorBoxes[0]?.content).toContain('leash serve');
    } finally {
      await holder.close();
    }
  });
});

describe('the start failure message', () => {
  it.each([
    [Object.assign(new Error('locked by process 77'), { code: 'AUDIT_LOCKED', details: { pid: 77, hostname: 'box' } }), 'Leash is already running', /process 77 on box, probably `leash serve`/],
    [Object.assign(new Error('the trail is broken at line 3'), { code: 'AUDIT_TAMPERED' }), 'Leash cannot start', /\(AUDIT_TAMPERED\)[\s\S]*line 3/],
    [new Error('disk full'), 'Leash cannot start', /could not open its data in \/data[\s\S]*disk full/],
  ])('explains %s', (error, title, content) => {
    const message = describeStartFailure(error, '/data');
    expect(message.title).toBe(title);
    expect(message.content).toMatch(content);
  });
});
