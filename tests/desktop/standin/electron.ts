/**
 * A stand-in for the `electron` module, for booting the REAL built out/main/index.js in plain
 * Node (the Electron binary cannot be downloaded here). `register.ts` maps every `electron`
 * import (the main bundle's and electron-store's) to this file; `host.ts` in the test process
 * owns Chromium and plays the renderer side and the person.
 *
 * What it emulates, and how:
 *  - app: paths (`setPath` refuses a relative path as Electron does), ready, the quit sequence
 *    (before-quit → each window's close → will-quit → quit, each preventable), exit, a real
 *    single-instance lock (a pid lock file in userData plus a socket that hands a second
 *    instance's argv to the first as `second-instance`), `commandLine` read from argv.
 *  - BrowserWindow/webContents: the window's page is a real Chromium page (Playwright) loading
 *    the real out/renderer/index.html with the real out/preload/index.cjs run before it;
 *    `ipcRenderer.invoke` reaches the handlers main registered on ipcMain with an event whose
 *    `sender`/`senderFrame` name the real window and frame (main frame or a subframe, and the
 *    frame's real URL); `webContents.send` reaches the preload's `ipcRenderer.on` listeners.
 *    Crash (`render-process-gone`) is a real renderer crash (CDP Page.crash); reload and
 *    `forcefullyCrashRenderer` are carried out on the page.
 *  - Menu, Tray, globalShortcut, Notification, dialog: recorded in a journal the host reads;
 *    the host clicks menu items by id or role, presses shortcuts, clicks notifications and
 *    answers dialogs as a person would.
 *  - session: the handlers main installs are probed (CSP header, permission decisions) and the
 *    answers recorded; shell, clipboard, nativeImage (reads the PNG's size), nativeTheme.
 *
 * What it does NOT emulate (a real machine must show these; see the report's checklist):
 *  - process and isolation boundaries: the preload runs in the page's main world, not an
 *    isolated world, with no Chromium sandbox around it; `contextBridge` only freezes the API;
 *  - the CSP and permission handlers being enforced by Chromium (they are probed, not applied);
 *    Chromium runs with --allow-file-access-from-files, Electron's file:// privilege;
 *  - native UI: real menus, tray icons and template images, notifications, dialogs, focus and
 *    window sizes, global shortcuts reaching the app from the desktop (Wayland/X11/macOS),
 *    Electron's hang detection (`unresponsive` is emitted when the host is told to);
 *  - packaging: asar, fuses, code signing, the installers, the login-shell environment of a
 *    launcher; `app.isPackaged` is set with LEASH_STANDIN_PACKAGED=1 only.
 *  - roles other than quit, close, minimize and reload do nothing (recorded as not emulated).
 */
import { app } from './app.js';
import { clipboard, dialog, globalShortcut, Menu, MenuItem, nativeImage, nativeTheme, Notification, session, shell, Tray } from './desktop.js';
import { BrowserWindow, ipcMain } from './windows.js';

export { app, BrowserWindow, clipboard, dialog, globalShortcut, ipcMain, Menu, MenuItem, nativeImage, nativeTheme, Notification, session, shell, Tray };

const electron = { app, BrowserWindow, clipboard, dialog, globalShortcut, ipcMain, Menu, MenuItem, nativeImage, nativeTheme, Notification, session, shell, Tray };
export default electron;
