import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Leash } from '../../src-main/core/leash.js';
import { installControls, type Controls } from '../../src-main/electron/controls.js';
import { MENU_IDS } from '../../src-main/electron/menus.js';
import { EMERGENCY_STOP_ACCELERATORS } from '../../src-main/electron/shortcut.js';
import { createHandlers, dispatch } from '../../src-main/ipc/handlers.js';
import { fake, resetFake, type FakeMenuItem } from './fakeElectron.js';
import { auditEvents, openScratchLeash, removeDir, startLongBatch, waitUntil } from './leashFixture.js';

vi.mock('electron', async () => (await import('./fakeElectron.js')).electronModule());

const trayIconPath = join(import.meta.dirname, '../../resources/tray.png');
let leash: Leash;
let controls: Controls | undefined;
const showWindow = vi.fn();
const quit = vi.fn();

beforeEach(async () => {
  resetFake();
  showWindow.mockClear();
  quit.mockClear();
  leash = await openScratchLeash();
});
afterEach(async () => {
  controls?.dispose();
  controls = undefined;
  await leash.batches.emergencyStop().catch(() => undefined);
  await leash.close();
  await removeDir(leash.dataDir);
});

function install(): Controls {
  controls = installControls({ leash, trayIconPath, development: false, showWindow, quit, log: () => undefined });
  return controls;
}

function trayItems(): FakeMenuItem[] {
  const menu = fake().trays[0]?.contextMenu;
  if (!menu) throw new Error('the tray has no menu');
  return menu.items;
}

function item(items: FakeMenuItem[], id: string): FakeMenuItem {
  const found = items.find((i) => i.id === id);
  if (!found) throw new Error(`no menu item ${id}`);
  return found;
}

/** Turns autonomy on through the real token flow. */
async function autonomyOn(): Promise<void> {
  const { token } = leash.batches.autonomy.begin();
  const confirmed = await leash.batches.autonomy.confirm(token);
  expect(confirmed.ok).toBe(true);
}

describe('the emergency stop controls', () => {
  it('registers the global shortcut, whose callback makes the core emergency stop', async () => {
    install();
    const id = await startLongBatch(leash, leash.dataDir);
    await autonomyOn();
    const press = fake().globalShortcut.registered.get(EMERGENCY_STOP_ACCELERATORS[0]);
    expect(press).toBeTypeOf('function');
    press?.();
    await waitUntil(() => leash.batches.get(id).status === 'cancelled');
    expect(leash.batches.autonomy.status().enabled).toBe(false);
    expect(await auditEvents(leash)).toContain('EMERGENCY_STOP');
  });

  it('puts Emergency stop, Show Leash, the autonomy status and Quit in the tray menu', async () => {
    install();
    const tray = fake().trays[0];
    expect(tray?.image).toEqual(expect.objectContaining({ path: trayIconPath }));
    expect(trayItems().filter((i) => i.label).map((i) => i.label)).toEqual(['Emergency stop', 'Show Leash', 'Autonomy: off', 'Quit Leash']);
    expect(item(trayItems(), MENU_IDS.autonomy).enabled).toBe(false);
    item(trayItems(), MENU_IDS.show).click?.();
    item(trayItems(), MENU_IDS.quit).click?.();
    tray?.emit('click');
    expect(showWindow).toHaveBeenCalledTimes(2);
    expect(quit).toHaveBeenCalledTimes(1);
  });

  it('stops everything from the tray menu item', async () => {
    install();
    const id = await startLongBatch(leash, leash.dataDir);
    item(trayItems(), MENU_IDS.emergencyStop).click?.();
    await waitUntil(() => leash.batches.get(id).status === 'cancelled');
    expect(await auditEvents(leash)).toContain('EMERGENCY_STOP');
    await waitUntil(() => fake().notifications.some((n) => n.options.title === 'Leash: emergency stop'));
    expect(fake().notifications.find((n) => n.options.title === 'Leash: emergency stop')?.options.body).toContain('Killed: sleep 30');
  });

  it('gives the application menu the same items, showing the shortcut', async () => {
    install();
    const leashMenu = fake().Menu.applicationMenu?.items[0]?.submenu ?? [];
    expect(leashMenu.filter((i) => i.label).map((i) => i.label)).toEqual(['Emergency stop', 'Show Leash', 'Autonomy: off', 'Quit Leash']);
    expect(item(leashMenu, MENU_IDS.emergencyStop).accelerator).toBe(EMERGENCY_STOP_ACCELERATORS[0]);
    const id = await startLongBatch(leash, leash.dataDir);
    item(leashMenu, MENU_IDS.emergencyStop).click?.();
    await waitUntil(() => leash.batches.get(id).status === 'cancelled');
    const labels = fake().Menu.applicationMenu?.items.map((i) => i.label);
    expect(labels).toEqual(['Leash', 'Edit', 'View', 'Window']);
    const view = fake().Menu.applicationMenu?.items[2]?.submenu?.map((i) => i.role) ?? [];
    expect(view).not.toContain('toggleDevTools');
  });

  it('keeps the autonomy status line current', async () => {
    install();
    await autonomyOn();
    const fingerprint = leash.batches.autonomy.status().fingerprint;
    // On for the default hour: the line names when it ends.
    const ends = new Date(leash.batches.autonomy.status().endsAt ?? '');
    const label = `Autonomy: ON (token ${fingerprint}), until ${String(ends.getHours()).padStart(2, '0')}:${String(ends.getMinutes()).padStart(2, '0')}`;
    expect(item(trayItems(), MENU_IDS.autonomy).label).toBe(label);
    expect(item(fake().Menu.applicationMenu?.items[0]?.submenu ?? [], MENU_IDS.autonomy).label).toBe(label);
    await leash.batches.autonomy.disable('test');
    expect(item(trayItems(), MENU_IDS.autonomy).label).toBe('Autonomy: off');
  });

  it('shares one stop between presses that come at once', async () => {
    const installed = install();
    const [first, second] = await Promise.all([installed.emergencyStop(), installed.emergencyStop()]);
    expect(first).toBe(second);
    expect((await auditEvents(leash)).filter((e) => e === 'EMERGENCY_STOP')).toHaveLength(1);
  });
});

describe('a refused shortcut', () => {
  it('falls back to the second accelerator and tells the person', () => {
    fake().globalShortcut.refused.add(EMERGENCY_STOP_ACCELERATORS[0]);
    const installed = install();
    expect(installed.state.emergencyShortcut).toBe(EMERGENCY_STOP_ACCELERATORS[1]);
    expect(fake().globalShortcut.registered.has(EMERGENCY_STOP_ACCELERATORS[1])).toBe(true);
    expect(leash.problems.some((p) => p.includes(EMERGENCY_STOP_ACCELERATORS[0]))).toBe(true);
  });

  it('is reported through app:info and a notification when none can be registered; the tray still stops', async () => {
    for (const accelerator of EMERGENCY_STOP_ACCELERATORS) fake().globalShortcut.refused.add(accelerator);
    const installed = install();
    expect(installed.state.emergencyShortcut).toBeNull();
    const info = await dispatch(createHandlers({ leash, mode: 'desktop', version: 'test' }), 'app:info', {});
    expect(info).toMatchObject({ ok: true, value: { problems: expect.arrayContaining([expect.stringMatching(/no global emergency stop shortcut/)]) } });
    expect(fake().notifications.map((n) => n.options.title)).toContain('Leash: emergency stop shortcut');
    expect(item(trayItems(), MENU_IDS.emergencyStop).accelerator).toBeUndefined();
    const id = await startLongBatch(leash, leash.dataDir);
    item(trayItems(), MENU_IDS.emergencyStop).click?.();
    await waitUntil(() => leash.batches.get(id).status === 'cancelled');
  });

  it('is unregistered, with the tray destroyed, on dispose', () => {
    const installed = install();
    installed.dispose();
    controls = undefined;
    expect(fake().globalShortcut.registered.size).toBe(0);
    expect(fake().trays[0]?.destroyed).toBe(true);
  });
});
