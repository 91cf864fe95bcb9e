import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';
import { app, openWindows, standInEvent } from './app.js';
import { journal, onHostMessage, send } from './wire.js';

type Handler = (event: unknown, ...args: unknown[]) => unknown;

class StandInIpcMain extends EventEmitter {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  handleOnce(channel: string, handler: Handler): void {
    this.handle(channel, (event, ...args) => {
      this.handlers.delete(channel);
      return handler(event, ...args);
    });
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}
export const ipcMain = new StandInIpcMain();

/** Chromium's renderer process id stands in for Electron's; it changes when a crashed page is reloaded. */
interface Frame {
  url: string;
  processId: number;
  routingId: number;
}

let nextId = 1;
const byId = new Map<number, StandInBrowserWindow>();

class StandInWebContents extends EventEmitter {
  readonly id = nextId++;
  readonly mainFrame: Frame = { url: 'about:blank', processId: 0, routingId: 1 };
  destroyed = false;
  crashed = false;
  constructor(private readonly window: StandInBrowserWindow) {
    super();
  }
  send(channel: string, payload: unknown): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    send({ kind: 'send', windowId: this.window.id, channel, payload });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isCrashed(): boolean {
    return this.crashed;
  }
  getURL(): string {
    return this.mainFrame.url;
  }
  setWindowOpenHandler(handler: unknown): void {
    journal(`window:${this.window.id}`, 'setWindowOpenHandler', typeof handler);
  }
  reload(): void {
    journal(`window:${this.window.id}`, 'reload');
    void this.window.load(this.mainFrame.url);
  }
  forcefullyCrashRenderer(): void {
    journal(`window:${this.window.id}`, 'forcefullyCrashRenderer');
    this.crashed = true;
    send({ kind: 'crash-renderer', windowId: this.window.id });
  }
}

class StandInBrowserWindow extends EventEmitter {
  readonly id: number;
  readonly webContents: StandInWebContents;
  private visible = false;
  private minimized = false;
  private focused = false;
  private destroyed = false;
  private shownOnce = false;
  private minimumSize: [number, number];
  private loading = new Map<string, () => void>();
  private readonly participant = { closeForQuit: (): boolean => this.closeForQuit() };

  constructor(readonly options: Record<string, unknown> = {}) {
    super();
    this.webContents = new StandInWebContents(this);
    this.id = this.webContents.id;
    this.minimumSize = [Number(options.minWidth ?? 0), Number(options.minHeight ?? 0)];
    byId.set(this.id, this);
    openWindows.add(this.participant);
    journal(`window:${this.id}`, 'new', options);
    app.emit('web-contents-created', standInEvent(), this.webContents);
    if (options.show !== false) this.show();
  }
  static getAllWindows(): StandInBrowserWindow[] {
    return [...byId.values()];
  }
  static getFocusedWindow(): StandInBrowserWindow | null {
    return [...byId.values()].find((window) => window.focused) ?? null;
  }
  static fromWebContents(contents: unknown): StandInBrowserWindow | null {
    return [...byId.values()].find((window) => window.webContents === contents) ?? null;
  }
  loadFile(path: string): Promise<void> {
    return this.load(pathToFileURL(path).href);
  }
  loadURL(url: string): Promise<void> {
    return this.load(url);
  }
  /** Asks the host to open `url` in Chromium with this window's preload; resolves once it loaded. */
  load(url: string): Promise<void> {
    const preload = (this.options.webPreferences as { preload?: string } | undefined)?.preload ?? null;
    journal(`window:${this.id}`, 'load', url);
    const loaded = new Promise<void>((resolve) => this.loading.set(url, resolve));
    send({ kind: 'load', windowId: this.id, url, preload });
    return loaded;
  }
  /** The host reports a finished load. */
  loaded(url: string, processId: number): void {
    Object.assign(this.webContents.mainFrame, { url, processId });
    this.webContents.crashed = false;
    this.webContents.emit('did-finish-load', standInEvent());
    if (!this.shownOnce) {
      this.shownOnce = true;
      this.emit('ready-to-show', standInEvent());
    }
    this.loading.get(url)?.();
    this.loading.delete(url);
  }
  show(): void {
    journal(`window:${this.id}`, 'show');
    this.visible = true;
    this.focused = true;
  }
  hide(): void {
    journal(`window:${this.id}`, 'hide');
    this.visible = false;
    this.focused = false;
  }
  focus(): void {
    journal(`window:${this.id}`, 'focus');
    this.focused = true;
  }
  minimize(): void {
    journal(`window:${this.id}`, 'minimize');
    this.minimized = true;
    this.focused = false;
  }
  restore(): void {
    journal(`window:${this.id}`, 'restore');
    this.minimized = false;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isFocused(): boolean {
    return this.focused;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setMinimumSize(width: number, height: number): void {
    this.minimumSize = [width, height];
  }
  getMinimumSize(): [number, number] {
    return this.minimumSize;
  }
  setTitle(title: string): void {
    journal(`window:${this.id}`, 'setTitle', title);
  }
  /** The title bar's close button: `close` may be prevented, otherwise the window is destroyed. */
  close(): void {
    journal(`window:${this.id}`, 'close');
    if (this.destroyed) return;
    const event = standInEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    byId.delete(this.id);
    openWindows.delete(this.participant);
    send({ kind: 'close-page', windowId: this.id });
    journal(`window:${this.id}`, 'destroyed');
    this.emit('closed');
    if (byId.size === 0 && !app.quitting) {
      if (app.listenerCount('window-all-closed') > 0) app.emit('window-all-closed');
      else app.quit();
    }
  }
  private closeForQuit(): boolean {
    if (this.destroyed) return true;
    const event = standInEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return false;
    this.destroy();
    return true;
  }
}
export const BrowserWindow = StandInBrowserWindow;

onHostMessage((message) => {
  if (message.kind === 'invoke') {
    void answerInvoke(message.requestId, message.windowId, message.frame, message.channel, message.args);
    return;
  }
  if (!('windowId' in message)) return;
  const window = byId.get(message.windowId);
  if (!window) return;
  if (message.kind === 'loaded') window.loaded(message.url, message.processId);
  else if (message.kind === 'render-process-gone') {
    window.webContents.crashed = true;
    window.webContents.emit('render-process-gone', standInEvent(), { reason: message.reason, exitCode: 1 });
  } else if (message.kind === 'unresponsive') window.emit('unresponsive');
  else if (message.kind === 'user-close') window.close();
  else if (message.kind === 'user-minimize') window.minimize();
});

/** Runs the handler main registered, with an event naming the real sender: this window, and which frame. */
async function answerInvoke(requestId: number, windowId: number, frame: { main: boolean; url: string; processId: number }, channel: string, args: unknown[]): Promise<void> {
  const window = byId.get(windowId);
  const handler = ipcMain.handlers.get(channel);
  const reply = (result: { value?: unknown; error?: string }): void => send({ kind: 'invoke-result', requestId, result });
  if (!window || window.isDestroyed()) return reply({ error: 'the window is gone' });
  if (!handler) return reply({ error: `Error invoking remote method '${channel}': Error: No handler registered for '${channel}'` });
  const main = window.webContents.mainFrame;
  // The main frame is one live object whose URL and process are what Chromium has committed.
  if (frame.main) Object.assign(main, { url: frame.url, processId: frame.processId });
  // A subframe shares the renderer process but is its own frame.
  const senderFrame: Frame = frame.main ? main : { url: frame.url, processId: main.processId, routingId: main.routingId + 1000 };
  const event = { sender: window.webContents, senderFrame, processId: senderFrame.processId, frameId: senderFrame.routingId };
  try {
    reply({ value: await handler(event, ...args) });
  } catch (error) {
    reply({ error: `Error invoking remote method '${channel}': ${String(error)}` });
  }
}
