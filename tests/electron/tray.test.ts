import { existsSync, readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createTray, trayIconFile } from '../../src-main/electron/tray.js';
import { applicationMenuTemplate, MENU_IDS } from '../../src-main/electron/menus.js';
import { fake, resetFake } from './fakeElectron.js';

vi.mock('electron', async () => (await import('./fakeElectron.js')).electronModule());

const actions = { emergencyStop: () => undefined, showWindow: () => undefined, quit: () => undefined };
const state = { autonomy: { enabled: false, fingerprint: null }, emergencyShortcut: null };

beforeEach(() => resetFake());

describe('the tray icon', () => {
  it('is a template image on macOS, from the black-and-alpha trayTemplate.png', () => {
    createTray('/app/resources/tray.png', actions, state, 'darwin');
    const image = fake().trays[0]?.image as { path: string; isTemplateImage(): boolean };
    expect(image.path).toBe('/app/resources/trayTemplate.png');
    expect(image.isTemplateImage()).toBe(true);
  });

  it('is the colour icon elsewhere', () => {
    createTray('/app/resources/tray.png', actions, state, 'linux');
    const image = fake().trays[0]?.image as { path: string; isTemplateImage(): boolean };
    expect(image.path).toBe('/app/resources/tray.png');
    expect(image.isTemplateImage()).toBe(false);
  });

  it('has template files, and their @2x twins, beside the colour icons', () => {
    for (const file of [trayIconFile('resources/tray.png', 'darwin'), 'resources/trayTemplate@2x.png']) {
      expect(existsSync(file), file).toBe(true);
      // PNG, 8-bit RGBA (colour type 6): macOS reads only the alpha channel.
      const bytes = readFileSync(file);
      expect(bytes.subarray(1, 4).toString()).toBe('PNG');
      expect(bytes[25]).toBe(6);
    }
  });
});

describe('the application menu', () => {
  it('quits with Cmd+Q / Ctrl+Q through the app quit path', () => {
    let quits = 0;
    const menu = applicationMenuTemplate({ ...actions, quit: () => quits++ }, state, { development: false });
    const leash = menu[0]?.submenu as Array<{ id?: string; accelerator?: string; click?: () => void }>;
    const quit = leash.find((item) => item.id === MENU_IDS.quit);
    expect(quit?.accelerator).toBe('CommandOrControl+Q');
    quit?.click?.();
    expect(quits).toBe(1);
  });
});
