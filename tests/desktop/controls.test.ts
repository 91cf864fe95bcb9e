import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { livePidsWith } from '../core/batch/procfs.js';
import { batchStatus } from '../e2e/flows.js';
import type { MenuItemView } from './standin/protocol.js';
import { launchDesktop, launchDesktopBrowser, MAIN_BUNDLE, type DesktopApp } from './standin/host.js';
import { auditEvents, desktopScreenshot, expectStopped, lastCall, notificationTitles, startSleepingBatch, waitForCall, waitForDialog } from './support.js';

/**
 * The emergency stop's ways in, the way out, and a window that closes, crashes or hangs, all
 * against the built main process under the stand-in, with real commands running.
 */
let browser: Browser;
let desktop: DesktopApp | undefined;

beforeAll(async () => {
  if (!existsSync(MAIN_BUNDLE)) throw new Error('the app is not built: npm run build');
  browser = await launchDesktopBrowser();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await desktop?.stop();
  desktop = undefined;
});

async function start(env: NodeJS.ProcessEnv = {}): Promise<{ app: DesktopApp; page: Page }> {
  desktop = await launchDesktop({ browser, env });
  const page = await desktop.page();
  await page.getByTestId('autonomy-indicator').waitFor();
  return { app: desktop, page };
}

function applicationMenu(app: DesktopApp): MenuItemView[] {
  return lastCall(app, 'Menu', 'setApplicationMenu')?.args[0] as MenuItemView[];
}

describe('the emergency stop from outside the window', { timeout: 120_000 }, () => {
  it('stops a running batch from the tray, the application menu and the global shortcut', async () => {
    const { app, page } = await start();
    const tray = lastCall(app, 'tray', 'setContextMenu')?.args[0] as MenuItemView[];
    expect(tray.map((item) => item.id ?? item.type)).toEqual(['emergency-stop', 'show-leash', 'separator', 'autonomy-status', 'separator', 'quit']);
    const [accelerator, granted] = lastCall(app, 'globalShortcut', 'register')?.args as [string, boolean];
    expect(granted).toBe(true);

    const ways = [
      { kind: 'click-menu', where: 'tray', id: 'emergency-stop' },
      { kind: 'click-menu', where: 'application', id: 'emergency-stop' },
      { kind: 'press-shortcut', accelerator },
    ] as const;
    for (const way of ways) {
      const marker = await startSleepingBatch(page);
      const notices = notificationTitles(app).length;
      app.send(way);
      await expectStopped(page, marker);
      await app.waitFor(() => notificationTitles(app).slice(notices).find((title) => title === 'Leash: emergency stop'), 'the stop notice');
    }
    expect((await auditEvents(app.home)).filter((event) => event === 'EMERGENCY_STOP')).toHaveLength(3);
  });

  it('says in the window that there is no global shortcut (Wayland), and the tray still stops', async () => {
    const { app, page } = await start({ LEASH_STANDIN_REFUSE_SHORTCUTS: '*', XDG_SESSION_TYPE: 'wayland' });
    const banner = page.getByTestId('problems-banner');
    await banner.waitFor();
    expect(await banner.innerText()).toContain('this Wayland session does not let applications register one');
    expect(await banner.innerText()).toContain('Ctrl+Shift+.');
    await desktopScreenshot(page, 'wayland-no-global-shortcut');
    const marker = await startSleepingBatch(page);
    app.send({ kind: 'click-menu', where: 'tray', id: 'emergency-stop' });
    await expectStopped(page, marker);
  });
});

describe('quitting and closing while a batch runs', { timeout: 120_000 }, () => {
  it('asks before quitting; Cancel keeps the batch running, Stop and quit stops it, then exits', async () => {
    const { app, page } = await start();
    const quit = applicationMenu(app)[0]?.submenu?.find((item) => item.id === 'quit');
    expect(quit?.accelerator).toBe('CommandOrControl+Q');
    const marker = await startSleepingBatch(page);

    app.send({ kind: 'click-menu', where: 'application', id: 'quit' });
    const question = await waitForDialog(app);
    expect(question.options.options.message).toBe('A batch is running. Stop it and quit?');
    app.answer(question, 1);
    await app.waitFor(() => (app.dialogs.length === 0 ? true : undefined), 'the answer');
    expect(await batchStatus(page)).toBe('running');
    expect((await livePidsWith(marker)).length).toBeGreaterThan(0); // still running (bwrap and the command)

    app.send({ kind: 'os-quit' });
    app.answer(await waitForDialog(app), 0);
    expect((await app.exited).code).toBe(0);
    expect(await livePidsWith(marker)).toEqual([]);
    expect(await auditEvents(app.home)).toContain('EMERGENCY_STOP');
  });

  it('keeps Leash running in the tray when the window is closed during a batch', async () => {
    const { app, page } = await start();
    const marker = await startSleepingBatch(page);
    app.send({ kind: 'user-close', windowId: 1 });
    await waitForCall(app, 'window:1', 'hide');
    await app.waitFor(() => notificationTitles(app).find((title) => title === 'Leash is still running'), 'the tray notice');
    expect(app.calls('window:1', 'destroyed')).toEqual([]);
    expect(app.dialogs).toEqual([]);
    expect((await livePidsWith(marker)).length).toBeGreaterThan(0);
    const shows = app.calls('window:1', 'show').length;
    app.send({ kind: 'click-tray' });
    await waitForCall(app, 'window:1', 'show', shows);
    app.send({ kind: 'click-menu', where: 'tray', id: 'emergency-stop' });
    await expectStopped(page, marker);
  });

  it('asks first when there is no tray to keep running in, and nothing is closed before the answer', async () => {
    const { app, page } = await start({ LEASH_STANDIN_NO_TRAY: '1' });
    const marker = await startSleepingBatch(page);
    app.send({ kind: 'user-close', windowId: 1 });
    const question = await waitForDialog(app);
    expect(question.options.options.message).toBe('A batch is running. Stop it and quit?');
    expect(app.calls('window:1', 'destroyed')).toEqual([]);
    app.answer(question, 1);
    await app.waitFor(() => (app.dialogs.length === 0 ? true : undefined), 'the answer');
    expect(await batchStatus(page)).toBe('running');
    expect((await livePidsWith(marker)).length).toBeGreaterThan(0);
  });

  it('quits when the window is closed with nothing running', async () => {
    const { app } = await start();
    app.send({ kind: 'user-close', windowId: 1 });
    expect((await app.exited).code).toBe(0);
    expect(app.dialogs).toEqual([]);
  });
});

describe('a renderer that crashes or hangs', { timeout: 120_000 }, () => {
  it('reloads the window after a crash, and the running batch is still there', async () => {
    const { app, page } = await start();
    const marker = await startSleepingBatch(page);
    await app.crashRenderer(1);
    await waitForCall(app, 'window:1', 'reload');
    const reloaded = await app.page();
    expect(reloaded).not.toBe(page);
    await reloaded.getByTestId('batch-row').first().click();
    await expect.poll(() => batchStatus(reloaded), { timeout: 15_000 }).toBe('running');
    await desktopScreenshot(reloaded, 'after-renderer-crash');
    await reloaded.getByTestId('emergency-stop').click();
    await expectStopped(reloaded, marker);
  });

  it('kills a hung renderer and reloads it in a new page', async () => {
    const { app, page } = await start();
    const marker = await startSleepingBatch(page);
    app.send({ kind: 'unresponsive', windowId: 1 });
    await waitForCall(app, 'window:1', 'forcefullyCrashRenderer');
    await waitForCall(app, 'window:1', 'reload');
    const reloaded = await app.waitFor(() => (page.isClosed() ? true : undefined), 'the hung page closed').then(() => app.page());
    await reloaded.getByTestId('batch-row').first().click();
    await expect.poll(() => batchStatus(reloaded), { timeout: 15_000 }).toBe('running');
    // One reload: the kill's own render-process-gone is not taken for a second crash.
    expect(app.calls('window:1', 'reload')).toHaveLength(1);
    await reloaded.getByTestId('emergency-stop').click();
    await expectStopped(reloaded, marker);
  });
});
