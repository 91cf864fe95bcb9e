import { beforeEach, describe, expect, it, vi } from 'vitest';
import { rendererSource } from '../../src-main/electron/renderer.js';
import { CONTENT_SECURITY_POLICY, contentSecurityPolicy, createMainWindow, hardenApp, hardenSession, windowOptions } from '../../src-main/electron/window.js';
import { fake, fakeEvent, FakeBrowserWindow, resetFake } from './fakeElectron.js';

vi.mock('electron', async () => (await import('./fakeElectron.js')).electronModule());

const indexHtml = '/opt/leash/out/renderer/index.html';
const fileRenderer = rendererSource({ indexHtml, packaged: true });

function openWindow(devTools = false): FakeBrowserWindow {
  createMainWindow({ preloadPath: '/opt/leash/out/preload/index.cjs', renderer: fileRenderer, devTools });
  const window = fake().windows.at(-1);
  if (!window) throw new Error('no window was created');
  return window;
}

beforeEach(() => {
  resetFake();
});

describe('the main window', () => {
  it('isolates the renderer: context isolation, sandbox, no Node, no webview', () => {
    const { webPreferences } = windowOptions('/p/index.cjs', { devTools: false });
    expect(webPreferences).toMatchObject({
      preload: '/p/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      devTools: false,
    });
  });

  it('gets developer tools only when asked (development)', () => {
    expect(windowOptions('/p', { devTools: true }).webPreferences?.devTools).toBe(true);
    expect((openWindow(false).options.webPreferences as { devTools: boolean }).devTools).toBe(false);
  });

  it('loads the built renderer file and shows itself when ready', () => {
    const window = openWindow();
    expect(window.loadedFile).toBe(indexHtml);
    expect(window.visible).toBe(false);
    window.emit('ready-to-show');
    expect(window.visible).toBe(true);
  });

  it('denies every navigation and redirect, opening https links in the system browser', () => {
    const window = openWindow();
    expect(window.webContents.navigate('https://example.com/docs')).toBe(false);
    expect(window.webContents.navigate('http://example.com/')).toBe(false);
    expect(window.webContents.navigate('file:///etc/passwd')).toBe(false);
    const redirect = fakeEvent({ url: 'https://evil.example/' });
    window.webContents.emit('will-redirect', redirect);
    expect(redirect.defaultPrevented).toBe(true);
    expect(fake().shell.opened).toEqual(['https://example.com/docs']);
  });

  it('denies window.open, opening https targets externally and nothing else', () => {
    const handler = openWindow().webContents.windowOpenHandler;
    expect(handler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(handler?.({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(handler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(fake().shell.opened).toEqual(['https://example.com/']);
  });

  it('hardens every web contents the app creates, once each', () => {
    hardenApp();
    const window = openWindow();
    const attach = fakeEvent();
    window.webContents.emit('will-attach-webview', attach);
    expect(attach.defaultPrevented).toBe(true);
    expect(window.webContents.listenerCount('will-navigate')).toBe(1);
    window.webContents.navigate('https://example.com/once');
    expect(fake().shell.opened).toEqual(['https://example.com/once']);
  });
});

describe('the session', () => {
  it('allows writing to the clipboard and nothing else', () => {
    hardenSession();
    const { permissionRequestHandler, permissionCheckHandler } = fake().session.defaultSession;
    const callback = vi.fn();
    permissionRequestHandler?.({}, 'clipboard-sanitized-write', callback);
    expect(callback).toHaveBeenCalledWith(true);
    expect(permissionCheckHandler?.({}, 'clipboard-sanitized-write')).toBe(true);
  });

  it('denies every other permission request and check', () => {
    hardenSession();
    const { permissionRequestHandler, permissionCheckHandler } = fake().session.defaultSession;
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const callback = vi.fn();
      permissionRequestHandler?.({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
      expect(permissionCheckHandler?.({}, permission)).toBe(false);
    }
  });

  it('sends the strict CSP with every response, replacing any other policy', () => {
    hardenSession();
    const listener = fake().session.defaultSession.headersListener;
    let headers: Record<string, string[]> | undefined;
    listener?.({ url: 'file:///opt/leash/out/renderer/index.html', responseHeaders: { 'content-security-policy': ["script-src 'unsafe-inline'"], 'X-Other': ['1'] } }, (response) => {
      headers = response.responseHeaders;
    });
    expect(headers).toEqual({ 'X-Other': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });

  it('has no inline script and no eval in any mode', () => {
    for (const policy of [contentSecurityPolicy(), contentSecurityPolicy('http://localhost:5173')]) {
      const scripts = policy.split('; ').find((d) => d.startsWith('script-src'));
      expect(scripts).toBe("script-src 'self'");
      expect(policy).toContain("default-src 'none'");
      expect(policy).not.toContain('unsafe-eval');
    }
    expect(contentSecurityPolicy()).not.toContain('unsafe-inline');
    expect(contentSecurityPolicy('http://localhost:5173')).toContain('connect-src \'self\' ws://localhost:5173');
  });
});

describe('the renderer source', () => {
  it('uses the dev server only in development and only on loopback', () => {
    expect(rendererSource({ indexHtml, devServerUrl: 'http://localhost:5173/', packaged: false }).kind).toBe('dev-server');
    expect(rendererSource({ indexHtml, devServerUrl: 'http://localhost:5173/', packaged: true }).kind).toBe('file');
    expect(rendererSource({ indexHtml, devServerUrl: 'https://evil.example/', packaged: false }).kind).toBe('file');
    expect(rendererSource({ indexHtml, devServerUrl: 'file:///tmp/x.html', packaged: false }).kind).toBe('file');
  });

  it.each([
    ['file:///opt/leash/out/renderer/index.html', true],
    ['file:///opt/leash/out/renderer/index.html#/batches', true],
    ['file:///opt/leash/out/renderer/other.html', false],
    ['file:///tmp/index.html', false],
    ['file://host/opt/leash/out/renderer/index.html', false],
    ['https://example.com/opt/leash/out/renderer/index.html', false],
    ['about:blank', false],
    ['not a url', false],
  ])('recognises %s as ours: %s (packaged)', (url, ours) => {
    expect(fileRenderer.owns(url)).toBe(ours);
  });

  it('recognises only the dev server origin in development', () => {
    const dev = rendererSource({ indexHtml, devServerUrl: 'http://localhost:5173/', packaged: false });
    expect(dev.owns('http://localhost:5173/#/x')).toBe(true);
    expect(dev.owns('http://localhost:5174/')).toBe(false);
    expect(dev.owns('http://127.0.0.1:5173/')).toBe(false);
    expect(dev.owns('file:///opt/leash/out/renderer/index.html')).toBe(false);
  });
});
