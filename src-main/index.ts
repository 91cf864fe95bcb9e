import { app, dialog, ipcMain, session, type BrowserWindow } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLeash, type Leash } from './core/leash.js';
import { dataDirectory } from './core/paths.js';
import { installControls } from './electron/controls.js';
import { registerIpc, windowEventSink } from './electron/ipc.js';
import { notifyPendingBatches } from './electron/notifications.js';
import { installQuitGuard, routeSignalsToQuit, type QuitGuard } from './electron/quit.js';
import { rendererSource } from './electron/renderer.js';
import { openDesktopSettingsStore } from './electron/settingsStore.js';
import { describeStartFailure } from './electron/startFailure.js';
import { policyWasmPaths } from './electron/wasmPaths.js';
import { startIntake } from './control/intake.js';
import { contentSecurityPolicy, createMainWindow, hardenApp, hardenSession, revealWindow } from './electron/window.js';
import { forwardEvents } from './ipc/events.js';
import { createHandlers } from './ipc/handlers.js';

// Composition root of the desktop app: create services, register IPC, open the window.
const outDir = dirname(fileURLToPath(import.meta.url));
const development = !app.isPackaged;

// The CLI's data directory (LEASH_HOME honoured), so the app, `leash run` and `leash serve` share
// settings, batches and the audit trail. Set first: the single-instance lock lives there too.
app.setPath('userData', dataDirectory(process.env));
// Windows shows notifications only for an app id; the installer registers the same one.
if (process.platform === 'win32') app.setAppUserModelId('dev.leash.app');

let window: BrowserWindow | undefined;
let showWindow: () => void = () => undefined;
let guard: QuitGuard | undefined;

// A second launch only brings the first forward; it never opens the data (no second audit writer).
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // From the start, signals take the app's own way out (see electron/settingsStore.ts for why).
  routeSignalsToQuit(process, { quitWithoutAsking: (reason) => (guard ? guard.quitWithoutAsking(reason) : app.quit()) });
  app.on('second-instance', () => showWindow());
  hardenApp();
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      dialog.showErrorBox('Leash cannot start', (error as Error).stack ?? String(error));
      app.exit(1);
    });
}

async function start(): Promise<void> {
  const dataDir = app.getPath('userData');
  const renderer = rendererSource({ indexHtml: join(outDir, '../renderer/index.html'), devServerUrl: process.env.ELECTRON_RENDERER_URL, packaged: app.isPackaged });
  hardenSession(session.defaultSession, contentSecurityPolicy(renderer.devServerOrigin));

  let leash: Leash;
  try {
    leash = await openLeash({
      dataDir,
      env: process.env,
      mode: 'desktop',
      settings: openDesktopSettingsStore(dataDir),
      policy: policyWasmPaths(app.isPackaged),
    });
  } catch (error) {
    const { title, content } = describeStartFailure(error, dataDir);
    dialog.showErrorBox(title, content);
    app.exit(1);
    return;
  }

  const getWindow = (): BrowserWindow | undefined => (window && !window.isDestroyed() ? window : undefined);
  const openWindow = (): void => {
    const created = createMainWindow({ preloadPath: join(outDir, '../preload/index.cjs'), renderer, devTools: development });
    created.on('closed', () => {
      if (window === created) window = undefined;
    });
    window = created;
  };
  showWindow = () => {
    const current = getWindow();
    if (current) revealWindow(current);
    else openWindow();
  };

  // Agents' bridges (`leash mcp`) and the signed command inbox.
  const intake = await startIntake(leash, process.env, (problem) => leash.problems.push(problem));

  registerIpc({ ipcMain, handlers: createHandlers({ leash, mode: 'desktop', version: app.getVersion() }), getWindow, renderer });
  const stopForwarding = forwardEvents(leash, windowEventSink(getWindow));
  // The doors close before the trail does: nothing may reach the audit after its writer is closed.
  const closing = {
    batches: leash.batches,
    async close() {
      await intake.close();
      await leash.close();
    },
  };
  guard = installQuitGuard({ app, dialog, leash: closing, getWindow });
  const controls = installControls({
    leash,
    trayIconPath: join(app.getAppPath(), 'resources', 'tray.png'),
    development,
    showWindow: () => showWindow(),
    quit: () => app.quit(),
  });
  const stopNotifying = notifyPendingBatches({ batches: leash.batches, getWindow, showWindow: () => showWindow() });

  app.on('activate', () => showWindow());
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => {
    controls.dispose();
    stopNotifying();
    stopForwarding();
  });
  openWindow();
}
