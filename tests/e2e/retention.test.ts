import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openAuditWriter } from '../../src-main/core/audit/index.js';
import { listSegments } from '../../src-main/core/audit/segments.js';
import { launchChromium, openPage, screenshot, serve, type Served } from './harness.js';

/**
 * Issue #13 item 6 in the real UI: the Retention settings, and Verify over a rotated trail.
 * Screenshots go to test-results/screenshots/ (retention-*).
 */
let browser: Browser;
const running: Served[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  for (const served of running.splice(0)) await served.stop();
});

async function start(home: string | undefined, colorScheme: 'light' | 'dark'): Promise<{ served: Served; page: Page }> {
  const served = await serve({}, home ? { home } : {});
  running.push(served);
  const page = await openPage(browser, served.url, { colorScheme });
  await page.getByTestId('autonomy-indicator').waitFor();
  return { served, page };
}

describe('retention in the UI', { timeout: 120_000 }, () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`switches archiving and rotation on in Settings and stores them (${colorScheme})`, async () => {
      const { served, page } = await start(undefined, colorScheme);
      await page.getByTestId('nav-settings').click();
      const retention = page.getByTestId('settings-retention');
      await retention.waitFor();
      expect(await page.getByTestId('setting-archive-days').isDisabled()).toBe(true);
      await page.getByTestId('setting-archive-on').check();
      await page.getByTestId('setting-archive-days').fill('0');
      expect(await retention.innerText()).toContain('A whole number of days from 1 to 36,500.');
      expect(await page.getByTestId('settings-save').isDisabled()).toBe(true);
      await page.getByTestId('setting-archive-days').fill('30');
      await page.getByTestId('setting-rotate-on').check();
      await page.getByTestId('setting-rotate-mb').fill('64');
      await retention.scrollIntoViewIfNeeded();
      await screenshot(page, `retention-settings-${colorScheme}`);
      await page.setViewportSize({ width: 800, height: 600 });
      await retention.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join('test-results', 'screenshots', `retention-settings-800x600-${colorScheme}.png`) });
      await page.getByTestId('settings-save').click();
      await expect.poll(() => page.getByTestId('settings-save-state').innerText()).toBe('Saved ✓');
      const config = JSON.parse(await readFile(join(served.home, 'config.json'), 'utf8')) as Record<string, unknown>;
      expect(config).toMatchObject({ archiveBatchesAfterDays: 30, auditRotateAfterMB: 64 });
      expect(await readFile(join(served.home, 'audit.jsonl'), 'utf8')).toContain('"SETTINGS_CHANGED"');
    });
  }

  it('verifies every sealed segment and names the one an edit broke', async () => {
    const home = await mkdtemp(join(tmpdir(), 'leash-e2e-rotated-'));
    const log = join(home, 'audit.jsonl');
    const writer = await openAuditWriter(log, { sealing: {}, rotateAfterBytes: () => 1500 });
    for (let n = 1; n <= 6; n++) {
      await writer.append({ event: 'BATCH_CREATED', batchId: `b${n}`, details: { source: 'cli', entries: 1 } });
      await writer.append({ event: 'BATCH_FINISHED', batchId: `b${n}` });
    }
    await writer.close();
    const segments = await listSegments(log);
    expect(segments.length).toBeGreaterThanOrEqual(2);

    const { page } = await start(home, 'light');
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-verify').click();
    const result = page.getByTestId('audit-verify-result');
    await expect.poll(() => result.getAttribute('data-ok'), { timeout: 20_000 }).toBe('true');
    expect(await result.innerText()).toContain(`across ${segments.length} sealed segments and the active log`);
    await screenshot(page, 'retention-verify-segments-intact');

    const first = segments[0]!.path;
    await chmod(first, 0o600);
    await writeFile(first, (await readFile(first, 'latin1')).replace('"batchId":"b1"', '"batchId":"bX"'), 'latin1');
    await page.getByTestId('audit-verify').click();
    await expect.poll(() => result.getAttribute('data-ok'), { timeout: 20_000 }).toBe('false');
    expect(await page.getByTestId('audit-verify-segment').innerText()).toBe(segments[0]!.name);
    expect(await result.innerText()).toContain('EDITED');
    await screenshot(page, 'retention-verify-segment-broken');
  });
});
