import { app } from 'electron';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMainWindow, hardenSession } from './electron/window.js';

// Composition root of the desktop app: create services, register IPC, open the window.
const outDir = dirname(fileURLToPath(import.meta.url));

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let window: ReturnType<typeof createMainWindow> | undefined;
  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.whenReady().then(() => {
    hardenSession();
    window = createMainWindow(outDir, process.env.ELECTRON_RENDERER_URL);
  });
  app.on('window-all-closed', () => app.quit());
}
