import { app, dialog, ipcMain, session, type BrowserWindow } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLeash, type Leash } from './core/leash.js';
import { runCliInApp } from './electron/cliMode.js';
import { installControls } from './electron/controls.js';
import { registerIpc, windowEventSink } from './electron/ipc.js';
import { launchMode } from './electron/launchMode.js';
import { mergePaths, readLoginShellPath } from './electron/loginShellPath.js';
import { notify, notifyPendingBatches } from './electron/notifications.js';
import { batchAtWork, installQuitGuard, routeSignalsToQuit, type QuitGuard } from './electron/quit.js';
import { rendererSource } from './electron/renderer.js';
import { recoverRenderer } from './electron/rendererRecovery.js';
import { openDesktopSettingsStore } from './electron/settingsStore.js';
import { describeStartFailure } from './electron/startFailure.js';
import { policyWasmPaths } from './electron/wasmPaths.js';
import { holdCloseWhileRunning } from './electron/windowClose.js';
import { startIntake } from './control/intake.js';
import { contentSecurityPolicy, createMainWindow, hardenApp, hardenSession, revealWindow } from './electron/window.js';
import { forwardEvents } from './ipc/events.js';
import { createHandlers } from './ipc/handlers.js';

// Composition root of the desktop app: create services, register IPC, open the window.
const outDir = dirname(fileURLToPath(import.meta.url));
const development = !app.isPackaged;

let window: BrowserWindow | undefined;
let showWindow: () => void = () => undefined;
let guard: QuitGuard | undefined;

const mode = launchMode({ argv: process.argv, defaultApp: process.defaultApp === true, packaged: app.isPackaged, env: process.env });
if (mode.kind === 'refuse') {
  // Before any window exists: nothing has been opened, nothing needs closing.
  process.stderr.write(`leash: ${mode.code}: ${mode.message}\n`);
  dialog.showErrorBox('Leash cannot start', mode.message);
  app.exit(2);
} else if (mode.kind === 'cli') {
  void runCliInApp(mode.args, { rendererDir: join(outDir, '../renderer') });
} else {
  launchDesktop(mode.dataDir);
}

function launchDesktop(dataDir: string): void {
  // The CLI's data directory, so the app, `leash run` and `leash serve` share settings, batches
  // and the audit trail. Set first: the single-instance lock lives there too.
  app.setPath('userData', dataDir);
  // Windows shows notifications only for an app id; the installer registers the same one.
  if (process.platform === 'win32') app.setAppUserModelId('dev.leash.app');
  // A second launch only brings the first forward; it never opens the data (no second audit writer).
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  // From the start, signals take the app's own way out (see electron/settingsStore.ts for why).
  routeSignalsToQuit(process, { quitWithoutAsking: (reason) => (guard ? guard.quitWithoutAsking(reason) : app.quit()) });
  app.on('second-instance', () => showWindow());
  hardenApp();
  // Started from a launcher, a packaged app has the session's bare PATH; ask the login shell.
  const path = app.isPackaged && process.platform !== 'win32' ? readLoginShellPath() : Promise.resolve(undefined);
  app
    .whenReady()
    .then(async () => {
      const login = await path;
      if (login?.ok) process.env.PATH = mergePaths(login.path, process.env.PATH);
      await start(login && !login.ok ? `commands run with the PATH Leash was started with: the login shell's PATH could not be read (${login.reason})` : undefined);
    })
    .catch((error: unknown) => {
      dialog.showErrorBox('Leash cannot start', (error as Error).stack ?? String(error));
      app.exit(1);
    });
}

async function start(pathProblem: string | undefined): Promise<void> {
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
  if (pathProblem) leash.problems.push(pathProblem);

  const getWindow = (): BrowserWindow | undefined => (window && !window.isDestroyed() ? window : undefined);
  const openWindow = (): void => {
    const created = createMainWindow({ preloadPath: join(outDir, '../preload/index.cjs'), renderer, devTools: development });
    created.on('closed', () => {
      if (window === created) window = undefined;
    });
    holdCloseWhileRunning(created, {
      atWork: () => batchAtWork(leash),
      quitting: () => guard?.quitting ?? false,
      hasTray: () => controls.hasTray(),
      quit: () => app.quit(),
      notify: (notice) => notify(notice, () => showWindow()),
    });
    const recovery = recoverRenderer(created, {
      onRepeatedFailure: (reason) => {
        void dialog
          .showMessageBox(created, {
            type: 'error',
            title: 'Leash',
            message: `The Leash window ${reason} several times in a row.`,
            detail: 'Your batches are safe: they live in the main process. Reload the window to try again, or quit Leash.',
            buttons: ['Reload', 'Quit Leash'],
            defaultId: 0,
            cancelId: 0,
            noLink: true,
          })
          .then(({ response }) => {
            if (response === 1) return app.quit();
            recovery.reset();
            if (!created.isDestroyed()) created.webContents.reload();
          });
      },
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
