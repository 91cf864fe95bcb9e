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
export function createTray(iconPath: string, actions: ControlActions, state: ControlState, platform: NodeJS.Platform = process.platform): LeashTray {
  const image = nativeImage.createFromPath(trayIconFile(iconPath, platform));
  // The menu bar draws a template image in its own colour (light, dark, highlighted).
  if (platform === 'darwin') image.setTemplateImage(true);
  const tray = new Tray(image);
  tray.setToolTip('Leash');
  tray.on('click', () => actions.showWindow());
  const update = (next: ControlState): void => {
    tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(actions, next)));
    tray.setToolTip(next.autonomy.enabled ? 'Leash (autonomy ON)' : 'Leash');
  };
  update(state);
  return { update, destroy: () => tray.destroy() };
}

/** macOS takes the black-and-alpha template (resources/trayTemplate.png); others the colour icon. */
export function trayIconFile(iconPath: string, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? iconPath.replace(/tray\.png$/, 'trayTemplate.png') : iconPath;
}
