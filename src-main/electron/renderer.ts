import type { BrowserWindow } from 'electron';
import { pathToFileURL } from 'node:url';

/**
 * Where the renderer comes from: the built `out/renderer/index.html`, or (development only) the
 * electron-vite dev server. Loading it and recognising it are one decision, made here once: the
 * window loads what `owns` accepts, and IPC answers only frames that `owns` accepts.
 */
export interface RendererSource {
  readonly kind: 'file' | 'dev-server';
  /** The URL the window loads. */
  readonly url: string;
  /** The dev server's origin (`http://localhost:5173`), for the development CSP. */
  readonly devServerOrigin: string | null;
  load(window: BrowserWindow): Promise<void>;
  /** True only for a page of our renderer: the file itself (any hash or query), or the dev server's origin. */
  owns(url: string): boolean;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Chooses the renderer. `ELECTRON_RENDERER_URL` is honoured only when the app is not packaged
 * and only for an http(s) loopback URL: an environment variable must never be able to point an
 * installed Leash, with its full IPC surface, at someone else's page.
 */
export function rendererSource(options: { indexHtml: string; devServerUrl?: string; packaged: boolean }): RendererSource {
  const dev = options.packaged ? null : devServer(options.devServerUrl);
  if (dev) {
    return {
      kind: 'dev-server',
      url: dev.href,
      devServerOrigin: dev.origin,
      load: (window) => window.loadURL(dev.href),
      owns: (url) => parse(url)?.origin === dev.origin,
    };
  }
  const file = pathToFileURL(options.indexHtml);
  return {
    kind: 'file',
    url: file.href,
    devServerOrigin: null,
    load: (window) => window.loadFile(options.indexHtml),
    owns(url) {
      const candidate = parse(url);
      return candidate?.protocol === 'file:' && candidate.host === '' && samePath(candidate.pathname, file.pathname);
    },
  };
}

function devServer(url: string | undefined): URL | null {
  const parsed = url ? parse(url) : undefined;
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return null;
  return LOOPBACK_HOSTS.has(parsed.hostname) ? parsed : null;
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** Chromium and Node may percent-encode differently; Windows paths are case-insensitive. */
function samePath(a: string, b: string): boolean {
  const normalise = (path: string): string => {
    const decoded = safeDecode(path);
    return process.platform === 'win32' ? decoded.toLowerCase() : decoded;
  };
  return normalise(a) === normalise(b);
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
