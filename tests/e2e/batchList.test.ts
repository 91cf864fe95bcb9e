import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectIpc, type IpcClient } from '../support/ipcClient.js';
import { seedBatches } from '../support/seedBatches.js';
import { CHROMIUM, launchBrowser, screenshot, serve, type Served } from './harness.js';

/**
 * Issue #13 items 3-4 and #11 item 6, in real Chromium against the real `leash serve` over 1,000
 * stored batches: only visible rows are in the DOM, scrolling reads further pages, search and
 * status filters are answered in main, the keyboard moves the selection and keeps it in view,
 * and live changes reach the rows.
 */
const COUNT = 1000;
let browser: Browser;
let served: Served;
let ipc: IpcClient;
let ids: string[];
let project: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  const home = await mkdtemp(join(tmpdir(), 'leash-e2e-list-'));
  project = await mkdtemp(join(tmpdir(), 'leash-e2e-project-'));
  ids = await seedBatches(home, COUNT, { cwd: project });
  browser = await launchBrowser();
  served = await serve({}, { home });
  ipc = await connectIpc(served.url);
}, 180_000);
afterAll(async () => {
  ipc?.close();
  await served?.stop();
  await browser?.close();
});

async function open(options: { width?: number; height?: number; colorScheme?: 'light' | 'dark' } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 860 }, colorScheme: options.colorScheme ?? 'light' });
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  await page.goto(served.url);
  await page.getByTestId('batch-row').first().waitFor();
  await page.getByTestId('batch-panel').waitFor();
  return page;
}

const rowIds = (page: Page): Promise<string[]> => page.getByTestId('batch-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-batch-id') ?? ''));
const selectedRow = (page: Page): Promise<string | null> => page.locator('[data-testid="batch-row"][aria-selected="true"]').getAttribute('data-batch-id');

describe('the batch list with 1,000 batches', () => {
  it('draws only the visible rows, newest first, as a listbox that knows its full size', async () => {
    const page = await open();
    const rows = await rowIds(page);
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(40);
    expect(rows.slice(0, 3)).toEqual(ids.slice(0, 3));
    expect(await page.getByTestId('batch-count').innerText()).toBe(String(COUNT));
    const first = page.getByTestId('batch-row').first();
    expect(await first.getAttribute('aria-posinset')).toBe('1');
    expect(await first.getAttribute('aria-setsize')).toBe(String(COUNT));
    expect(await page.getByTestId('batch-listbox').getAttribute('aria-activedescendant')).toBe(`batch-option-${ids[0]}`);
    // The row says what the batch is: its first command and its verdict mix.
    expect(await first.getByTestId('batch-row-command').innerText()).toBe('git status # seeded 0');
    expect(await first.getByTestId('batch-row-verdict').allInnerTexts()).toEqual(['2 safe']);
    await page.context().close();
  });

  it('reads further pages by cursor while scrolling, keeping the DOM to the visible rows', async () => {
    const page = await open();
    const listbox = page.getByTestId('batch-listbox');
    /** Scrolls to the end of what is loaded and says which row is drawn last. */
    const scrollToEnd = async (): Promise<string | null> => {
      await listbox.evaluate((element) => element.scrollTo(0, element.scrollHeight));
      return page.getByTestId('batch-row').last().getAttribute('data-batch-id');
    };
    await expect.poll(async () => ids.indexOf((await scrollToEnd()) ?? ''), { timeout: 15_000 }).toBeGreaterThan(150);
    expect((await rowIds(page)).length).toBeLessThan(40);
    await expect.poll(scrollToEnd, { timeout: 60_000, interval: 200 }).toBe(ids.at(-1));
    expect(await page.getByTestId('batch-row').last().getAttribute('aria-posinset')).toBe(String(COUNT));
    expect((await rowIds(page)).length).toBeLessThan(40);
    // Back at the top, the first rows are drawn again.
    await listbox.evaluate((element) => element.scrollTo(0, 0));
    await expect.poll(async () => (await rowIds(page))[0]).toBe(ids[0]);
    await page.context().close();
  }, 90_000);

  it('moves the selection with the keyboard and keeps the selected row in view', async () => {
    const page = await open();
    await page.getByTestId('batch-listbox').focus();
    for (let i = 0; i < 15; i++) await page.keyboard.press('ArrowDown');
    await expect.poll(() => selectedRow(page)).toBe(ids[15]);
    await expect.poll(() => page.getByTestId('batch-panel').getAttribute('data-batch-id')).toBe(ids[15]);
    const inView = await page.locator('[data-testid="batch-row"][aria-selected="true"]').evaluate((row) => {
      const box = row.getBoundingClientRect();
      const port = (row.closest('[role="listbox"]') as typeof row).getBoundingClientRect();
      return box.top >= port.top - 1 && box.bottom <= port.bottom + 1;
    });
    expect(inView).toBe(true);
    await page.keyboard.press('Home');
    await expect.poll(() => selectedRow(page)).toBe(ids[0]);
    await page.keyboard.press('PageDown');
    expect(await selectedRow(page)).not.toBe(ids[0]);
    expect(await page.evaluate("document.activeElement?.getAttribute('data-testid')")).toBe('batch-listbox');
    await page.context().close();
  });

  it('searches in main with / and plain text, and filters by status with the chips', async () => {
    const page = await open();
    await page.keyboard.press('/');
    expect(await page.evaluate('document.activeElement?.id')).toBe('batch-search');
    await page.keyboard.type('seeded 417');
    await expect.poll(() => rowIds(page)).toEqual([ids[417]]);
    expect(await page.getByTestId('batch-count').innerText()).toBe(`1 of ${COUNT}`);
    await expect.poll(() => page.getByTestId('batch-panel').getAttribute('data-batch-id')).toBe(ids[417]);
    // An id prefix finds its batch; regex syntax is plain text.
    await page.getByTestId('batch-search').fill(ids[5]!.slice(0, 8));
    await expect.poll(() => rowIds(page)).toContain(ids[5]);
    await page.getByTestId('batch-search').fill('.*');
    await expect.poll(() => page.getByTestId('batch-list-no-match').isVisible()).toBe(true);
    await page.getByTestId('batch-search').press('Escape');
    await expect.poll(() => page.getByTestId('batch-count').innerText()).toBe(String(COUNT));

    await page.locator('[data-testid="batch-filter"][data-filter="stopped"]').click();
    await expect.poll(async () => new Set(await page.getByTestId('batch-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status'))))).toEqual(new Set(['rejected', 'cancelled']));
    expect(await page.getByTestId('batch-count').innerText()).toBe(`200 of ${COUNT}`);
    await page.getByTestId('batch-search').fill('cursor');
    await expect.poll(async () => Number((await page.getByTestId('batch-count').innerText()).split(' ')[0])).toBeLessThan(200);
    const sources = await page.locator('[data-testid="batch-row"] .source').allInnerTexts();
    expect(sources.every((s) => s === 'mcp:cursor')).toBe(true);
    await page.context().close();
  });

  it('says an approved batch waits to run, never "1 pending"', async () => {
    const page = await open();
    const created = await ipc.call('batch:create', { entries: [{ command: 'echo approved-row' }], cwd: project });
    if (!created.ok) throw new Error(created.error.message);
    await ipc.call('batch:approve', { id: created.value.id });
    const row = page.locator(`[data-testid="batch-row"][data-batch-id="${created.value.id}"]`);
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 10_000 }).toBe('approved');
    expect(await row.getByTestId('batch-row-progress').innerText()).toBe('approved, 1 entry waiting to run');
    expect(await row.innerText()).not.toMatch(/pending/i);
    await page.locator('[data-testid="batch-filter"][data-filter="active"]').click();
    await expect.poll(() => rowIds(page)).toEqual([created.value.id]);
    await ipc.call('batch:unapprove', { id: created.value.id });
    await ipc.call('batch:reject', { id: created.value.id });
    await page.context().close();
  });

  it('shows a new batch at the top and follows it through approval, run and completion', async () => {
    const page = await open();
    const created = await ipc.call('batch:create', { entries: [{ command: 'echo live-row' }, { command: 'true' }, { command: 'printf done' }], cwd: project });
    if (!created.ok) throw new Error(created.error.message);
    const id = created.value.id;
    await expect.poll(async () => (await rowIds(page))[0], { timeout: 10_000 }).toBe(id);
    const row = page.locator(`[data-testid="batch-row"][data-batch-id="${id}"]`);
    await row.click();
    await expect.poll(() => page.getByTestId('batch-panel').getAttribute('data-batch-id')).toBe(id);
    await ipc.call('batch:approve', { id });
    await ipc.call('batch:run', { id });
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 20_000 }).toBe('completed');
    expect(await row.getByTestId('batch-row-progress').innerText()).toBe('3 completed');
    await expect.poll(() => page.getByTestId('batch-panel').getAttribute('data-status'), { timeout: 10_000 }).toBe('completed');
    // The panel's entries came by delta, and the finished captures by batch:get.
    await expect.poll(() => page.getByTestId('batch-panel').innerText(), { timeout: 10_000 }).toContain('live-row');
    await page.context().close();
  });

  it('saves screenshots at 800×600 in light and dark mode', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await open({ width: 800, height: 600, colorScheme });
      const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(overflow).toBe(0);
      await screenshot(page, `batch-list-1k-800x600-${colorScheme}`);
      await page.getByTestId('batch-search').fill('npm');
      await expect.poll(async () => (await page.getByTestId('batch-count').innerText()).includes(' of '), { timeout: 10_000 }).toBe(true);
      // Both sides read on every poll: the selection may still move while the filtered page loads.
      const panelShowsSelected = async (): Promise<boolean> => (await page.getByTestId('batch-panel').getAttribute('data-batch-id')) === (await selectedRow(page));
      await expect.poll(panelShowsSelected, { timeout: 10_000 }).toBe(true);
      await screenshot(page, `batch-list-1k-800x600-${colorScheme}-search`);
      await page.context().close();
    }
  });
});
