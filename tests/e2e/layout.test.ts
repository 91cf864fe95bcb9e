import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, screenshot, serve, type Served } from './harness.js';

/**
 * Issue #14.4: from the desktop app's minimum window (800×600) up, the header never overflows,
 * the emergency stop is whole, visible and clickable, the page never scrolls sideways, and every
 * column of the audit table can be reached. Checked in the widest header there is (autonomy on
 * with its fingerprint, a batch waiting, then the connection lost) in both themes; screenshots at
 * 800×600 and 1400×900 for people to look at.
 */
const VIEWS = ['batches', 'new', 'settings', 'audit'] as const;
const SIZES: [number, number][] = [[800, 600], [860, 640], [960, 700], [1040, 720], [1100, 760], [1180, 800], [1280, 860], [1400, 900]];
const SHOT_SIZES = new Set(['800x600', '1400x900']);

let browser: Browser;
let served: Served;

beforeAll(async () => {
  browser = await launchChromium();
  served = await serve();
});
afterAll(async () => {
  await served?.stop();
  await browser?.close();
});

async function openAt(url: string, colorScheme: 'light' | 'dark'): Promise<Page> {
  const page = await openPage(browser, url, { colorScheme });
  await page.getByTestId('autonomy-indicator').waitFor();
  return page;
}

/** Autonomy on (the widest indicator), and batches with long commands, one left waiting (the count badge). */
async function widestState(page: Page): Promise<void> {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('autonomy-toggle').click();
  await page.getByTestId('autonomy-continue').click();
  const token = (await page.getByTestId('autonomy-token').innerText()).trim();
  await page.getByTestId('autonomy-token-input').fill(token);
  await page.getByTestId('autonomy-confirm').click();
  await expect.poll(() => page.getByTestId('autonomy-indicator').getAttribute('data-state')).toBe('on');
  const create = async (text: string): Promise<void> => {
    await page.getByTestId('nav-new').click();
    await page.getByTestId('paste-input').fill(text);
    await expect.poll(() => page.getByTestId('preview-entry').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.getByTestId('create-batch').click();
    await page.getByTestId('batch-panel').waitFor();
  };
  await create(`echo ${'a-rather-long-argument-that-an-agent-might-write '.repeat(6)}\npwd`);
  await create(`make deploy-${'x'.repeat(120)} --environment=staging --really-long-flag-name=value`);
}

interface Layout {
  pageScrollsSideways: boolean;
  headerOverflows: boolean;
  tabsScroll: boolean;
  stop: { left: number; right: number; top: number; bottom: number; hit: boolean };
}

/** Measured in the page (a string, so this Node-typed file needs no DOM types). */
const MEASURE = `(() => {
  window.scrollTo(10000, 0);
  const root = document.documentElement;
  const header = document.querySelector('header.header');
  const tabs = header.querySelector('nav');
  const button = document.querySelector('[data-testid="emergency-stop"]');
  const box = button.getBoundingClientRect();
  const middle = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  const end = document.elementFromPoint(box.right - 3, box.top + box.height / 2);
  return {
    pageScrollsSideways: root.scrollWidth > root.clientWidth || window.scrollX !== 0,
    headerOverflows: header.scrollWidth > header.clientWidth + 1,
    tabsScroll: tabs.scrollWidth > tabs.clientWidth + 1,
    stop: { left: box.left, right: box.right, top: box.top, bottom: box.bottom, hit: button.contains(middle) && button.contains(end) },
  };
})()`;

async function measure(page: Page): Promise<Layout> {
  return page.evaluate<Layout>(MEASURE);
}

async function checkEverySize(page: Page, theme: string, state: string): Promise<void> {
  for (const [width, height] of SIZES) {
    await page.setViewportSize({ width, height });
    for (const view of VIEWS) {
      await page.getByTestId(`nav-${view}`).click();
      const layout = await measure(page);
      const where = `${view} at ${width}×${height}, ${theme}, ${state}`;
      expect(layout.pageScrollsSideways, `${where}: the page scrolls sideways`).toBe(false);
      expect(layout.headerOverflows, `${where}: the header overflows`).toBe(false);
      expect(layout.tabsScroll, `${where}: the tabs do not fit`).toBe(false);
      expect(layout.stop.left, where).toBeGreaterThanOrEqual(0);
      expect(layout.stop.right, where).toBeLessThanOrEqual(width);
      expect(layout.stop.top, where).toBeGreaterThanOrEqual(0);
      expect(layout.stop.bottom, where).toBeLessThanOrEqual(height);
      expect(layout.stop.hit, `${where}: the emergency stop is covered or cut`).toBe(true);
      if (SHOT_SIZES.has(`${width}x${height}`)) await screenshot(page, `layout-${state}-${view}-${width}x${height}-${theme}`);
    }
  }
}

/** Every column header of the audit table can be scrolled to and seen, inside the window. */
async function checkAuditColumns(page: Page, width: number, height: number): Promise<void> {
  await page.setViewportSize({ width, height });
  await page.getByTestId('nav-audit').click();
  await page.locator('[data-testid="audit-row"]').first().waitFor();
  const headers = page.locator('table th');
  const count = await headers.count();
  expect(count).toBeGreaterThan(5);
  for (let i = 0; i < count; i++) {
    const header = headers.nth(i);
    await header.scrollIntoViewIfNeeded();
    const box = await header.boundingBox();
    expect(box, `audit column ${i}`).not.toBeNull();
    expect(box!.x, `audit column ${i} at ${width}`).toBeGreaterThanOrEqual(0);
    expect(box!.x + Math.min(box!.width, 40), `audit column ${i} at ${width}`).toBeLessThanOrEqual(width);
  }
  expect((await measure(page)).pageScrollsSideways).toBe(false);
}

describe('the layout from 800×600 up', () => {
  it.each(['light', 'dark'] as const)('keeps the emergency stop whole and the page unscrolled sideways (%s theme)', { timeout: 240_000 }, async (theme) => {
    const page = await openAt(served.url, theme);
    if (theme === 'light') await widestState(page);
    await expect.poll(() => page.getByTestId('autonomy-indicator').getAttribute('data-state')).toBe('on');
    await checkEverySize(page, theme, 'connected');
    await checkAuditColumns(page, 800, 600);
    await page.context().close();
  });

  it('keeps the emergency stop whole when the connection is lost', { timeout: 240_000 }, async () => {
    const page = await openAt(served.url, 'light');
    await expect.poll(() => page.getByTestId('autonomy-indicator').getAttribute('data-state')).toBe('on');
    // serve goes away: the header gains the widest connection state and the stop its "not connected".
    await served.stop();
    await page.getByTestId('connection-banner').waitFor({ timeout: 10_000 });
    await checkEverySize(page, 'light', 'disconnected');
    await page.context().close();
  });
});
