import type { MenuItemConstructorOptions } from 'electron';
import type { AutonomyStatus } from '../core/autonomy/autonomy.js';

/** What the tray, the application menu and the global shortcut can do. */
export interface ControlActions {
  emergencyStop(): void;
  showWindow(): void;
  quit(): void;
}

export interface ControlState {
  autonomy: AutonomyStatus;
  /** The accelerator the emergency stop is registered under, or null if none could be. */
  emergencyShortcut: string | null;
}

export const MENU_IDS = {
  emergencyStop: 'emergency-stop',
  show: 'show-leash',
  autonomy: 'autonomy-status',
  quit: 'quit',
} as const;

/** The status line: whether batches of allowed commands run without a click right now. */
export function autonomyLabel(status: AutonomyStatus): string {
  if (!status.enabled) return 'Autonomy: off';
  const on = status.fingerprint ? `Autonomy: ON (token ${status.fingerprint})` : 'Autonomy: ON';
  // The menu is rebuilt on every change, not every minute: it names the end, not the time left.
  if (status.endsAt) {
    const ends = new Date(status.endsAt);
    return `${on}, until ${String(ends.getHours()).padStart(2, '0')}:${String(ends.getMinutes()).padStart(2, '0')}`;
  }
  return status.duration === 'until-quit' ? `${on}, until Leash quits` : on;
}

/** The items the tray and the application menu share, in the same order. */
export function controlItems(actions: ControlActions, state: ControlState, options: { quitAccelerator?: boolean } = {}): MenuItemConstructorOptions[] {
  return [
    {
      id: MENU_IDS.emergencyStop,
      label: 'Emergency stop',
      // The shortcut is global (globalShortcut); the menu only shows it.
      accelerator: state.emergencyShortcut ?? undefined,
      registerAccelerator: false,
      click: () => actions.emergencyStop(),
    },
    { id: MENU_IDS.show, label: 'Show Leash', click: () => actions.showWindow() },
    { type: 'separator' },
    { id: MENU_IDS.autonomy, label: autonomyLabel(state.autonomy), enabled: false },
    { type: 'separator' },
    // Cmd+Q on macOS, Ctrl+Q elsewhere; the click takes the app's own quit path (the quit guard).
    { id: MENU_IDS.quit, label: 'Quit Leash', ...(options.quitAccelerator ? { accelerator: 'CommandOrControl+Q' } : {}), click: () => actions.quit() },
  ];
}

export function trayMenuTemplate(actions: ControlActions, state: ControlState): MenuItemConstructorOptions[] {
  return controlItems(actions, state);
}

/**
 * The application menu: Leash's controls first, then the standard Edit menu (without it, copy
 * and paste do not work on macOS) and Window menu; reload and developer tools only in development.
 */
export function applicationMenuTemplate(actions: ControlActions, state: ControlState, options: { development: boolean }): MenuItemConstructorOptions[] {
  const view: MenuItemConstructorOptions[] = options.development ? [{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] : [];
  return [
    { label: 'Leash', submenu: controlItems(actions, state, { quitAccelerator: true }) },
    {
      label: 'Edit',
      submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
    },
    { label: 'View', submenu: [...view, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }] },
    { label: 'Window', submenu: [{ role: 'minimize' }, { role: 'close' }] },
  ];
}
