import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { app } from './app.js';
import type { MenuItemView } from './protocol.js';
import { BrowserWindow } from './windows.js';
import { ask, journal, onHostMessage } from './wire.js';

type Click = (item: StandInMenuItem, window: unknown, event: unknown) => void;

interface MenuItemOptions {
  id?: string;
  label?: string;
  role?: string;
  type?: string;
  accelerator?: string;
  enabled?: boolean;
  click?: Click;
  submenu?: MenuItemOptions[] | StandInMenu;
}

class StandInMenuItem {
  readonly id?: string;
  readonly label?: string;
  readonly role?: string;
  readonly type?: string;
  readonly accelerator?: string;
  enabled = true;
  readonly click?: Click;
  readonly submenu?: StandInMenu;
  constructor(options: MenuItemOptions) {
    Object.assign(this, { ...options, enabled: options.enabled ?? true });
    if (options.submenu) this.submenu = options.submenu instanceof StandInMenu ? options.submenu : StandInMenu.buildFromTemplate(options.submenu);
  }
  view(): MenuItemView {
    return { id: this.id, label: this.label, role: this.role, type: this.type, accelerator: this.accelerator, enabled: this.enabled, submenu: this.submenu?.view() };
  }
}

let applicationMenu: StandInMenu | null = null;

class StandInMenu {
  readonly items: StandInMenuItem[] = [];
  static buildFromTemplate(template: MenuItemOptions[]): StandInMenu {
    const menu = new StandInMenu();
    for (const options of template) menu.items.push(new StandInMenuItem(options));
    return menu;
  }
  static setApplicationMenu(menu: StandInMenu | null): void {
    applicationMenu = menu;
    journal('Menu', 'setApplicationMenu', menu?.view() ?? null);
  }
  static getApplicationMenu(): StandInMenu | null {
    return applicationMenu;
  }
  getMenuItemById(id: string): StandInMenuItem | null {
    for (const item of this.items) {
      if (item.id === id) return item;
      const found = item.submenu?.getMenuItemById(id);
      if (found) return found;
    }
    return null;
  }
  findByRole(role: string): StandInMenuItem | null {
    for (const item of this.items) {
      if (item.role?.toLowerCase() === role.toLowerCase()) return item;
      const found = item.submenu?.findByRole(role);
      if (found) return found;
    }
    return null;
  }
  view(): MenuItemView[] {
    return this.items.map((item) => item.view());
  }
}
export const Menu = StandInMenu;
export const MenuItem = StandInMenuItem;

class StandInNativeImage {
  private template = false;
  readonly size: { width: number; height: number };
  constructor(readonly path: string) {
    let bytes: Buffer | undefined;
    try {
      bytes = readFileSync(path);
    } catch {
      bytes = undefined;
    }
    // A PNG's IHDR holds its size; anything else is an empty image, as Electron makes of it.
    const png = bytes && bytes.subarray(1, 4).toString() === 'PNG';
    this.size = png ? { width: bytes!.readUInt32BE(16), height: bytes!.readUInt32BE(20) } : { width: 0, height: 0 };
  }
  isEmpty(): boolean {
    return this.size.width === 0;
  }
  getSize(): { width: number; height: number } {
    return this.size;
  }
  setTemplateImage(value: boolean): void {
    this.template = value;
  }
  isTemplateImage(): boolean {
    return this.template;
  }
  toJSON(): unknown {
    return { path: this.path, empty: this.isEmpty(), template: this.template, size: this.size };
  }
}
export const nativeImage = {
  createFromPath: (path: string) => new StandInNativeImage(path),
  createEmpty: () => new StandInNativeImage(''),
};

/** The live tray (Leash makes one); the host's clicks reach the newest. */
const trays: StandInTray[] = [];
const currentTray = (): StandInTray | undefined => trays.at(-1);

class StandInTray extends EventEmitter {
  private menu: StandInMenu | null = null;
  private destroyed = false;
  constructor(image: StandInNativeImage | string) {
    super();
    if (process.env.LEASH_STANDIN_NO_TRAY === '1') throw new Error('the desktop has no status area (stand-in: LEASH_STANDIN_NO_TRAY)');
    const shown = typeof image === 'string' ? new StandInNativeImage(image) : image;
    journal('tray', 'new', shown.toJSON());
    trays.push(this);
  }
  setToolTip(text: string): void {
    journal('tray', 'setToolTip', text);
  }
  setImage(image: StandInNativeImage): void {
    journal('tray', 'setImage', image.toJSON());
  }
  setContextMenu(menu: StandInMenu | null): void {
    this.menu = menu;
    journal('tray', 'setContextMenu', menu?.view() ?? null);
  }
  get contextMenu(): StandInMenu | null {
    return this.menu;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
    trays.splice(trays.indexOf(this), 1);
    journal('tray', 'destroy');
  }
}
export const Tray = StandInTray;

const refusedShortcuts = (process.env.LEASH_STANDIN_REFUSE_SHORTCUTS ?? '').split(',').filter(Boolean);
const shortcuts = new Map<string, () => void>();
export const globalShortcut = {
  register(accelerator: string, callback: () => void): boolean {
    const granted = !refusedShortcuts.includes('*') && !refusedShortcuts.includes(accelerator) && !shortcuts.has(accelerator);
    if (granted) shortcuts.set(accelerator, callback);
    journal('globalShortcut', 'register', accelerator, granted);
    return granted;
  },
  unregister(accelerator: string): void {
    shortcuts.delete(accelerator);
    journal('globalShortcut', 'unregister', accelerator);
  },
  unregisterAll(): void {
    shortcuts.clear();
    journal('globalShortcut', 'unregisterAll');
  },
  isRegistered: (accelerator: string): boolean => shortcuts.has(accelerator),
};

const notifications: StandInNotification[] = [];
class StandInNotification extends EventEmitter {
  static isSupported(): boolean {
    return true;
  }
  constructor(readonly options: { title?: string; body?: string }) {
    super();
  }
  show(): void {
    const index = notifications.push(this) - 1;
    journal('notification', 'show', { index, title: this.options.title, body: this.options.body });
  }
  close(): void {
    this.emit('close');
  }
}
export const Notification = StandInNotification;

export const dialog = {
  /** The host answers as the person would; unanswered in a headless run, the cancel button wins. */
  async showMessageBox(windowOrOptions: unknown, maybeOptions?: { cancelId?: number }): Promise<{ response: number; checkboxChecked: boolean }> {
    const options = (maybeOptions ?? windowOrOptions) as { cancelId?: number };
    const window = maybeOptions ? (windowOrOptions as { id?: number }).id : undefined;
    const response = await ask<number>('showMessageBox', { window, options }, options.cancelId ?? 0);
    return { response, checkboxChecked: false };
  },
  showErrorBox(title: string, content: string): void {
    journal('dialog', 'showErrorBox', title, content);
    process.stderr.write(`[stand-in error box] ${title}: ${content}\n`);
  },
};

export const shell = {
  openExternal: (url: string): Promise<void> => {
    journal('shell', 'openExternal', url);
    return Promise.resolve();
  },
  openPath: (path: string): Promise<string> => {
    journal('shell', 'openPath', path);
    return Promise.resolve('');
  },
};

let clipboardText = '';
export const clipboard = {
  readText: (): string => clipboardText,
  writeText: (text: string): void => {
    clipboardText = text;
  },
};

type PermissionRequest = (contents: unknown, permission: string, callback: (granted: boolean) => void) => void;
type HeadersListener = (details: { url: string; responseHeaders?: Record<string, string[]> }, callback: (response: { responseHeaders?: Record<string, string[]> }) => void) => void;

/** The session records its handlers and reports what they decide for a few probes. */
export const session = {
  defaultSession: {
    setPermissionRequestHandler(handler: PermissionRequest): void {
      for (const permission of ['clipboard-sanitized-write', 'clipboard-read', 'media', 'notifications', 'openExternal']) {
        handler(null, permission, (granted) => journal('session', 'permission-request', permission, granted));
      }
    },
    setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void {
      journal('session', 'permission-check', 'media', handler(null, 'media'));
    },
    webRequest: {
      onHeadersReceived(listener: HeadersListener): void {
        listener({ url: 'file:///probe', responseHeaders: { 'content-security-policy': ["default-src *"] } }, (response) =>
          journal('session', 'headers', response.responseHeaders ?? {}),
        );
      },
    },
  },
};

export const nativeTheme = Object.assign(new EventEmitter(), {
  shouldUseDarkColors: process.env.LEASH_STANDIN_DARK === '1',
  themeSource: 'system',
});

onHostMessage((message) => {
  if (message.kind === 'press-shortcut') shortcuts.get(message.accelerator)?.();
  else if (message.kind === 'click-notification') notifications[message.index]?.emit('click');
  else if (message.kind === 'click-tray') currentTray()?.emit('click');
  else if (message.kind === 'click-menu') {
    const menu = message.where === 'tray' ? currentTray()?.contextMenu : applicationMenu;
    const item = message.id ? menu?.getMenuItemById(message.id) : message.role ? menu?.findByRole(message.role) : null;
    if (!item || !item.enabled) return journal('menu', 'no-such-item', message);
    if (item.click) return item.click(item, BrowserWindow.getFocusedWindow(), {});
    performRole(item.role ?? '');
  }
});

/** The few roles a click can reach here; the rest are recorded as not emulated. */
function performRole(role: string): void {
  const window = BrowserWindow.getFocusedWindow();
  if (role === 'quit') app.quit();
  else if (role === 'close') window?.close();
  else if (role === 'minimize') window?.minimize();
  else if (role === 'reload') window?.webContents.reload();
  else journal('menu', 'role-not-emulated', role);
}
