import { app, BrowserWindow, session, shell, type BrowserWindowConstructorOptions, type Session, type WebContents } from 'electron';
import type { RendererSource } from './renderer.js';

/** The renderer's Content Security Policy: no inline script, no eval, no remote content. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The policy for a renderer source. The dev server injects component styles as `<style>`
 * elements and talks to its HMR socket, so development alone allows inline *styles* and that
 * one socket origin; scripts stay `'self'` (no inline script, no eval) in every mode.
 */
const ALLOWED_PERMISSIONS = new Set<string>(['clipboard-sanitized-write']);

export function contentSecurityPolicy(devServerOrigin: string | null = null): string {
  if (!devServerOrigin) return CONTENT_SECURITY_POLICY;
  const socket = devServerOrigin.replace(/^http/, 'ws');
  return CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'").replace("connect-src 'self'", `connect-src 'self' ${socket}`);
}

export function windowOptions(preloadPath: string, options: { devTools: boolean }): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 800,
    // The smallest size at which the header and the batch panel still fit.
    minWidth: 800,
    minHeight: 600,
    show: false,
    title: 'Leash',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: options.devTools,
    },
  };
}

/**
 * Denies every permission request and check, and sends the CSP with every response (the
 * renderer's own `<meta>` policy is a second line, for any `file://` load the hook does not see).
 */
export function hardenSession(target: Session = session.defaultSession, policy: string = CONTENT_SECURITY_POLICY): void {
  // Every permission is denied except writing to the clipboard (Copy output / Copy summary).
  target.setPermissionRequestHandler((_contents, permission, callback) => callback(ALLOWED_PERMISSIONS.has(permission)));
  target.setPermissionCheckHandler((_contents, permission) => ALLOWED_PERMISSIONS.has(permission));
  target.webRequest.onHeadersReceived((details, callback) => {
    const headers = Object.fromEntries(Object.entries(details.responseHeaders ?? {}).filter(([name]) => name.toLowerCase() !== 'content-security-policy'));
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [policy] } });
  });
}

/** Opens https links in the system browser; nothing else ever leaves the app. */
export function openExternally(url: string): void {
  if (/^https:\/\//i.test(url)) void shell.openExternal(url).catch(() => undefined);
}

const hardened = new WeakSet<WebContents>();

/**
 * No navigation, no redirect, no new window, no webview, in any web contents the app creates
 * (applied through `web-contents-created`, so a future window cannot forget it).
 */
export function hardenWebContents(contents: WebContents): void {
  if (hardened.has(contents)) return;
  hardened.add(contents);
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    event.preventDefault();
    openExternally(event.url);
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Hardens every web contents as it is created. Call once, before the first window. */
export function hardenApp(): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
}

export interface MainWindowOptions {
  preloadPath: string;
  renderer: RendererSource;
  devTools: boolean;
}

export function createMainWindow({ preloadPath, renderer, devTools }: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow(windowOptions(preloadPath, { devTools }));
  // Also done by `hardenApp`; repeated here so a window is safe even where that was not called.
  hardenWebContents(window.webContents);
  window.once('ready-to-show', () => window.show());
  renderer.load(window).catch((error: unknown) => console.error(`leash: cannot load the renderer from ${renderer.url}: ${(error as Error).message}`));
  return window;
}

/** Brings the window to the front, restoring it if it was minimised or hidden. */
export function revealWindow(window: BrowserWindow): void {
  if (window.isMinimized()) window.restore();
  if (!window.isVisible()) window.show();
  window.focus();
}
