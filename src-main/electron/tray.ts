import { Menu, nativeImage, Tray } from 'electron';
import { trayMenuTemplate, type ControlActions, type ControlState } from './menus.js';

export interface LeashTray {
  /** Rebuilds the menu (e.g. after autonomy changed). */
  update(state: ControlState): void;
  destroy(): void;
}

/**
 * The tray icon: the emergency stop stays one click away even when the window is closed or
 * hidden. Clicking the icon itself shows the window (on platforms that report clicks).
 */
export function createTray(iconPath: string, actions: ControlActions, state: ControlState): LeashTray {
  const tray = new Tray(nativeImage.createFromPath(iconPath));
  tray.setToolTip('Leash');
  tray.on('click', () => actions.showWindow());
  const update = (next: ControlState): void => {
    tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(actions, next)));
    tray.setToolTip(next.autonomy.enabled ? 'Leash (autonomy ON)' : 'Leash');
  };
  update(state);
  return { update, destroy: () => tray.destroy() };
}
