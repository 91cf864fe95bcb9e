import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../e2e/harness.js';
import type { ChildMessage, HostMessage } from './protocol.js';

/**
 * The test side of the stand-in: starts the built main process (`out/main/index.js`) in a Node
 * child with `electron` mapped to the stand-in, and plays everything Electron would do outside
 * main: each BrowserWindow's page in real Chromium with the real preload run first, the
 * preload's ipcRenderer wired to main's handlers, and the person clicking the tray, the menu,
 * notifications and dialogs. See electron.ts for what is and is not emulated.
 */
export const REPO = join(import.meta.dirname, '../../..');
export const MAIN_BUNDLE = join(REPO, 'out/main/index.js');

export interface JournalEntry {
  target: string;
  method: string;
  args: unknown[];
}
export interface PendingDialog {
  requestId: number;
  method: string;
  options: { window?: number; options: { message?: string; buttons?: string[]; cancelId?: number } };
}

export interface LaunchOptions {
  browser?: Browser;
  home?: string;
  env?: NodeJS.ProcessEnv;
  args?: string[];
  colorScheme?: 'light' | 'dark';
  /** 'pipe' to talk to the child on stdin (an MCP client); closed by default. */
  stdin?: 'pipe' | 'ignore';
}

interface WindowPage {
  context: BrowserContext;
  page?: Page;
  /** A crashed or killed page is replaced by a new one (a new renderer process) on the next load. */
  dead: boolean;
  /** Stands in for the renderer's process id; a new page is a new process. */
  processId: number;
  delivery: Promise<unknown>;
}

let nextProcessId = 100;

export class DesktopApp {
  readonly journal: JournalEntry[] = [];
  readonly dialogs: PendingDialog[] = [];
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly windows = new Map<number, WindowPage>();
  private readonly invocations = new Map<number, (result: { value?: unknown; error?: string }) => void>();
  private nextRequest = 1;
  private loads: Promise<unknown> = Promise.resolve();

  constructor(
    readonly child: ChildProcess,
    readonly home: string,
    private readonly options: LaunchOptions,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    child.on('message', (message: ChildMessage) => this.receive(message));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  send(message: HostMessage): void {
    if (this.child.connected) this.child.send(message);
  }

  calls(target: string | RegExp, method?: string): JournalEntry[] {
    return this.journal.filter((entry) => (typeof target === 'string' ? entry.target === target : target.test(entry.target)) && (!method || entry.method === method));
  }

  /** Resolves with the first journal entry (or dialog) that matches, waiting for it if needed. */
  async waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`stand-in: ${what} did not happen (exit ${this.child.exitCode})\n--- stderr\n${this.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** The page of the first open window (the main window), once it has loaded. */
  async page(): Promise<Page> {
    return this.waitFor(() => [...this.windows.values()].find((window) => window.page && !window.dead)?.page, 'a window page loaded');
  }

  windowIds(): number[] {
    return [...this.windows.keys()];
  }

  /** Crashes the window's renderer for real; Chromium reports it and main hears render-process-gone. */
  async crashRenderer(windowId: number): Promise<void> {
    const window = this.windows.get(windowId);
    if (!window?.page) throw new Error(`no page for window ${windowId}`);
    const cdp = await window.context.newCDPSession(window.page);
    await cdp.send('Page.crash').catch(() => undefined);
  }

  answer(dialog: PendingDialog, response: number): void {
    this.dialogs.splice(this.dialogs.indexOf(dialog), 1);
    this.send({ kind: 'dialog-answer', requestId: dialog.requestId, value: response });
  }

  /** Ends the child if it is still running (SIGTERM takes the app's quit path), and its pages. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
      await this.exited;
      clearTimeout(timer);
    }
    for (const window of this.windows.values()) await window.context.close().catch(() => undefined);
    this.windows.clear();
  }

  private receive(message: ChildMessage): void {
    switch (message.kind) {
      case 'call':
        this.journal.push({ target: message.target, method: message.method, args: message.args });
        return;
      case 'ready':
      case 'exit':
        this.journal.push({ target: 'host', method: message.kind, args: [message.kind === 'exit' ? message.code : message.pid] });
        return;
      case 'dialog':
        this.dialogs.push({ requestId: message.requestId, method: message.method, options: message.options as PendingDialog['options'] });
        return;
      case 'invoke-result':
        this.invocations.get(message.requestId)?.(message.result);
        this.invocations.delete(message.requestId);
        return;
      case 'load':
        // Loads run one after another so a reload cannot overtake the load before it.
        this.loads = this.loads.then(() => this.load(message.windowId, message.url, message.preload)).catch((error: unknown) => {
          this.stderr += `[stand-in host] load failed: ${(error as Error).message}\n`;
        });
        return;
      case 'send':
        this.deliver(message.windowId, message.channel, message.payload);
        return;
      case 'crash-renderer':
        void this.kill(message.windowId, 'killed');
        return;
      case 'close-page': {
        const window = this.windows.get(message.windowId);
        this.windows.delete(message.windowId);
        void window?.context.close().catch(() => undefined);
        return;
      }
    }
  }

  private async load(windowId: number, url: string, preload: string | null): Promise<void> {
    if (!this.options.browser) return;
    let window = this.windows.get(windowId);
    if (!window) {
      const context = await this.options.browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: this.options.colorScheme ?? 'light' });
      await context.grantPermissions(['clipboard-read', 'clipboard-write']);
      await context.exposeBinding('__leashStandInInvoke', (source, channel: string, args: unknown[]) =>
        this.invoke(windowId, { main: source.frame === source.page.mainFrame(), url: source.frame.url(), processId: this.windows.get(windowId)?.processId ?? 0 }, channel, args),
      );
      if (preload) await context.addInitScript({ content: preloadScript(readFileSync(preload, 'utf8')) });
      window = { context, dead: true, processId: 0, delivery: Promise.resolve() };
      this.windows.set(windowId, window);
    }
    if (window.dead || !window.page) {
      await window.page?.close().catch(() => undefined);
      const page = await window.context.newPage();
      page.on('crash', () => {
        if (window!.page !== page || window!.dead) return;
        window!.dead = true;
        this.send({ kind: 'render-process-gone', windowId, reason: 'crashed' });
      });
      window.page = page;
      window.dead = false;
      window.processId = ++nextProcessId;
    }
    await window.page.goto(url);
    this.send({ kind: 'loaded', windowId, url: window.page.url(), processId: window.processId });
  }

  private async kill(windowId: number, reason: string): Promise<void> {
    const window = this.windows.get(windowId);
    if (!window || window.dead) return;
    window.dead = true;
    await window.page?.close().catch(() => undefined);
    this.send({ kind: 'render-process-gone', windowId, reason });
  }

  private invoke(windowId: number, frame: { main: boolean; url: string; processId: number }, channel: string, args: unknown[]): Promise<{ value?: unknown; error?: string }> {
    const requestId = this.nextRequest++;
    const result = new Promise<{ value?: unknown; error?: string }>((resolve) => this.invocations.set(requestId, resolve));
    this.send({ kind: 'invoke', requestId, windowId, frame, channel, args });
    return result;
  }

  private deliver(windowId: number, channel: string, payload: unknown): void {
    const window = this.windows.get(windowId);
    if (!window?.page || window.dead) return;
    const page = window.page;
    // In order, one after another, as Electron delivers a webContents' messages.
    window.delivery = window.delivery.then(() =>
      page.evaluate(([event, data]) => (window as unknown as { __leashStandInDeliver?: (e: unknown, d: unknown) => void }).__leashStandInDeliver?.(event, data), [channel, payload] as const).catch(() => undefined),
    );
  }
}

/**
 * What Electron gives a sandboxed preload: `require('electron')` with contextBridge and
 * ipcRenderer, in the main frame only (nodeIntegrationInSubFrames is off). The preload's source
 * is inlined, not evaluated, so the page's CSP (no eval) does not stand in the way.
 */
export function preloadScript(source: string): string {
  return `(() => {
  if (window !== window.top) return;
  const bridge = window.__leashStandInInvoke;
  const listeners = new Map();
  const ipcRenderer = {
    async invoke(channel, ...args) {
      const result = await bridge(channel, args);
      if (result.error !== undefined) throw new Error(result.error);
      return result.value;
    },
    on(channel, listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel).add(listener);
      return ipcRenderer;
    },
    removeListener(channel, listener) {
      listeners.get(channel)?.delete(listener);
      return ipcRenderer;
    },
    off(channel, listener) { return ipcRenderer.removeListener(channel, listener); },
    send() { throw new Error('stand-in: ipcRenderer.send is not emulated'); },
    sendSync() { throw new Error('stand-in: ipcRenderer.sendSync is not emulated'); },
  };
  const freeze = (value) => {
    if (value && (typeof value === 'object' || typeof value === 'function')) {
      for (const key of Object.keys(value)) freeze(value[key]);
      Object.freeze(value);
    }
    return value;
  };
  const contextBridge = {
    exposeInMainWorld(key, api) {
      Object.defineProperty(window, key, { value: freeze(api), enumerable: true, configurable: false, writable: false });
    },
  };
  Object.defineProperty(window, '__leashStandInDeliver', {
    value: (channel, payload) => {
      for (const listener of [...(listeners.get(channel) ?? [])]) listener({ sender: ipcRenderer }, payload);
    },
  });
  const module = { exports: {} };
  const require = (name) => {
    if (name === 'electron') return { contextBridge, ipcRenderer };
    throw new Error('stand-in: a sandboxed preload cannot require ' + name);
  };
  (function (require, module, exports) {
${source}
  })(require, module, module.exports);
})();`;
}

/**
 * Boots the built main process under the stand-in. The data directory is a fresh temp dir
 * unless `home` is given (a second instance over the same data).
 */
export async function launchDesktop(options: LaunchOptions = {}): Promise<DesktopApp> {
  const home = options.home ?? (await mkdtemp(join(tmpdir(), 'leash-desktop-')));
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', join(REPO, 'tests/desktop/standin/register.ts'), MAIN_BUNDLE, ...(options.args ?? [])], {
    cwd: REPO,
    env: { ...process.env, LEASH_HOME: home, ELECTRON_RENDERER_URL: '', ...options.env },
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe', 'ipc'],
  });
  return new DesktopApp(child, home, options);
}

/**
 * Chromium as the stand-in's renderer: the e2e flags plus --allow-file-access-from-files, which
 * gives file:// pages what Electron's file protocol grants (module scripts and styles from
 * file:// load; without it Chromium blocks them as cross-origin).
 */
export function launchDesktopBrowser(): Promise<Browser> {
  return launchChromium(['--allow-file-access-from-files']);
}
