import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * A small stand-in for the parts of `electron` the main process uses. Test files install it with
 *
 *   vi.mock('electron', async () => (await import('./fakeElectron.js')).electronModule());
 *
 * and inspect/drive it through `fake()`. It keeps one state per worker (on globalThis) so a test
 * that re-imports the composition root after `vi.resetModules()` still sees the same fake.
 *
 * electron-store is loaded by Node itself, not through Vite, so `vi.mock` does not reach its own
 * `import electron`: those files set ELECTRON_OVERRIDE_DIST_PATH (see `noElectronBinary`) so the
 * real `electron` package resolves to a path string instead of trying to download the binary,
 * as it does whenever electron-store is imported from plain Node.
 */

export interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
  url?: string;
}

export function fakeEvent(extra: Partial<FakeEvent> = {}): FakeEvent {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
    ...extra,
  };
}

export interface FakeFrame {
  url: string;
  processId: number;
  routingId: number;
}

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  destroyed = false;
  readonly sent: Array<[string, unknown]> = [];
  windowOpenHandler?: (details: { url: string }) => { action: string };
  readonly mainFrame: FakeFrame = { url: 'about:blank', processId: 40, routingId: this.id };
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, payload: unknown): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push([channel, payload]);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** A navigation the renderer starts (link click, location change); true if it went through. */
  navigate(url: string): boolean {
    const event = fakeEvent({ url });
    this.emit('will-navigate', event);
    return !event.defaultPrevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  loadedFile?: string;
  loadedUrl?: string;
  destroyed = false;
  visible = false;
  minimized = false;
  focused = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    state().windows.push(this);
    state().app.emit('web-contents-created', fakeEvent(), this.webContents);
  }
  loadFile(path: string): Promise<void> {
    this.loadedFile = path;
    this.webContents.mainFrame.url = pathToFileURL(path).href;
    return Promise.resolve();
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    this.webContents.mainFrame.url = url;
    return Promise.resolve();
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  isVisible(): boolean {
    return this.visible;
  }
  show(): void {
    this.visible = true;
  }
  focus(): void {
    this.focused = true;
  }
  isFocused(): boolean {
    return this.focused;
  }
  close(): void {
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

export class FakeTray extends EventEmitter {
  toolTip = '';
  contextMenu?: FakeMenu;
  destroyed = false;
  constructor(readonly image: unknown) {
    super();
    state().trays.push(this);
  }
  setToolTip(text: string): void {
    this.toolTip = text;
  }
  setContextMenu(menu: FakeMenu): void {
    this.contextMenu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export interface FakeMenuItem {
  id?: string;
  label?: string;
  role?: string;
  type?: string;
  enabled?: boolean;
  accelerator?: string;
  click?: () => void;
  submenu?: FakeMenuItem[];
}

export interface FakeMenu {
  items: FakeMenuItem[];
}

export class FakeNotification extends EventEmitter {
  static supported = true;
  shown = false;
  constructor(readonly options: { title: string; body: string }) {
    super();
    state().notifications.push(this);
  }
  static isSupported(): boolean {
    return FakeNotification.supported;
  }
  show(): void {
    this.shown = true;
  }
}

type Handler = (event: unknown, ...args: unknown[]) => unknown;

function createState() {
  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    hasLock: true,
    exitCode: undefined as number | undefined,
    quitCalls: 0,
    quitted: false,
    paths: new Map<string, string>(),
    requestSingleInstanceLock(): boolean {
      return app.hasLock;
    },
    whenReady: (): Promise<void> => Promise.resolve(),
    getPath(name: string): string {
      const path = app.paths.get(name);
      if (!path) throw new Error(`fake app: no path ${name}`);
      return path;
    },
    setPath(name: string, path: string): void {
      app.paths.set(name, path);
    },
    getVersion: (): string => '0.1.0-test',
    appUserModelId: undefined as string | undefined,
    setAppUserModelId(id: string): void {
      app.appUserModelId = id;
    },
    getAppPath: (): string => resolve(import.meta.dirname, '../..'),
    /** Like Electron: `before-quit` may cancel; otherwise `will-quit`, then the app is gone. */
    quit(): void {
      app.quitCalls++;
      const event = fakeEvent();
      app.emit('before-quit', event);
      if (event.defaultPrevented) return;
      const willQuit = fakeEvent();
      app.emit('will-quit', willQuit);
      if (!willQuit.defaultPrevented) app.quitted = true;
    },
    exit(code = 0): void {
      app.exitCode = code;
      app.quitted = true;
    },
  });

  const ipcHandlers = new Map<string, Handler>();
  const ipcMain = Object.assign(new EventEmitter(), {
    handlers: ipcHandlers,
    handle(channel: string, handler: Handler): void {
      if (ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      ipcHandlers.set(channel, handler);
    },
    removeHandler(channel: string): void {
      ipcHandlers.delete(channel);
    },
  });

  type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void, details?: unknown) => void;
  type PermissionCheckHandler = (contents: unknown, permission: string) => boolean;
  type HeadersListener = (
    details: { url: string; responseHeaders?: Record<string, string[]> },
    callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
  ) => void;
  const defaultSession: {
    permissionRequestHandler?: PermissionRequestHandler;
    permissionCheckHandler?: PermissionCheckHandler;
    headersListener?: HeadersListener;
    setPermissionRequestHandler(handler: PermissionRequestHandler): void;
    setPermissionCheckHandler(handler: PermissionCheckHandler): void;
    webRequest: { onHeadersReceived(listener: HeadersListener): void };
  } = {
    setPermissionRequestHandler(handler) {
      defaultSession.permissionRequestHandler = handler;
    },
    setPermissionCheckHandler(handler) {
      defaultSession.permissionCheckHandler = handler;
    },
    webRequest: {
      onHeadersReceived(listener) {
        defaultSession.headersListener = listener;
      },
    },
  };

  const shortcuts = new Map<string, () => void>();
  const globalShortcut = {
    registered: shortcuts,
    /** Accelerators the "system" refuses (taken by another app). */
    refused: new Set<string>(),
    register(accelerator: string, callback: () => void): boolean {
      if (globalShortcut.refused.has(accelerator) || shortcuts.has(accelerator)) return false;
      shortcuts.set(accelerator, callback);
      return true;
    },
    unregister(accelerator: string): void {
      shortcuts.delete(accelerator);
    },
    unregisterAll(): void {
      shortcuts.clear();
    },
  };

  const Menu = {
    applicationMenu: undefined as FakeMenu | undefined,
    buildFromTemplate: (template: FakeMenuItem[]): FakeMenu => ({ items: template }),
    setApplicationMenu(menu: FakeMenu | null): void {
      Menu.applicationMenu = menu ?? undefined;
    },
  };

  const dialog = {
    /** The button the "person" clicks in the next message boxes. */
    response: 1,
    messageBoxes: [] as Array<{ message: string; buttons?: string[] }>,
    errorBoxes: [] as Array<{ title: string; content: string }>,
    async showMessageBox(...args: unknown[]): Promise<{ response: number; checkboxChecked: boolean }> {
      const options = (args.length > 1 ? args[1] : args[0]) as { message: string; buttons?: string[] };
      dialog.messageBoxes.push(options);
      return { response: dialog.response, checkboxChecked: false };
    },
    showErrorBox(title: string, content: string): void {
      dialog.errorBoxes.push({ title, content });
    },
  };

  const shell = {
    opened: [] as string[],
    async openExternal(url: string): Promise<void> {
      shell.opened.push(url);
    },
  };

  const nativeImage = {
    createFromPath: (path: string) => {
      let template = false;
      return { path, isEmpty: () => false, setTemplateImage: (value: boolean) => void (template = value), isTemplateImage: () => template };
    },
  };

  // The preload's side.
  const ipcRenderer = Object.assign(new EventEmitter(), {
    invoked: [] as Array<[string, unknown]>,
    async invoke(channel: string, payload: unknown): Promise<unknown> {
      ipcRenderer.invoked.push([channel, payload]);
      return { ok: true, value: null };
    },
  });
  const contextBridge = {
    exposed: new Map<string, unknown>(),
    exposeInMainWorld(key: string, api: unknown): void {
      contextBridge.exposed.set(key, api);
    },
  };

  return {
    app,
    ipcMain,
    ipcRenderer,
    contextBridge,
    session: { defaultSession },
    globalShortcut,
    Menu,
    dialog,
    shell,
    nativeImage,
    windows: [] as FakeBrowserWindow[],
    trays: [] as FakeTray[],
    notifications: [] as FakeNotification[],
  };
}

export type FakeElectronState = ReturnType<typeof createState>;

const KEY = Symbol.for('leash.tests.fakeElectron');
type Holder = { [KEY]?: FakeElectronState };

function state(): FakeElectronState {
  const holder = globalThis as Holder;
  holder[KEY] ??= createState();
  return holder[KEY];
}

/** The fake as the test sees it. */
export function fake(): FakeElectronState {
  return state();
}

/**
 * Starts over with a fresh fake. The module object handed to `vi.mock` delegates to whatever
 * state is current, so modules imported earlier see the new one too.
 */
export function resetFake(): FakeElectronState {
  (globalThis as Holder)[KEY] = createState();
  FakeNotification.supported = true;
  return state();
}

/** What `import ... from 'electron'` returns under the mock. */
export function electronModule(): Record<string, unknown> {
  const live = <K extends keyof FakeElectronState>(key: K) => new Proxy({}, {
    get: (_target, property) => {
      const target = state()[key] as Record<string | symbol, unknown>;
      const value = target[property];
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  const module = {
    app: live('app'),
    ipcMain: live('ipcMain'),
    ipcRenderer: live('ipcRenderer'),
    contextBridge: live('contextBridge'),
    session: live('session'),
    globalShortcut: live('globalShortcut'),
    Menu: live('Menu'),
    dialog: live('dialog'),
    shell: live('shell'),
    nativeImage: live('nativeImage'),
    BrowserWindow: FakeBrowserWindow,
    Tray: FakeTray,
    Notification: FakeNotification,
  };
  return { ...module, default: module };
}

/** Set before anything imports electron-store (inside `vi.hoisted`). */
export const NO_ELECTRON_BINARY = '/nonexistent/electron-dist';
