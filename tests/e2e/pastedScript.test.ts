import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, screenshot, serve, type Served } from './harness.js';

/**
 * Issue #11 item 7 in the real UI: a pasted AI answer whose ```bash block does `cd` then works
 * in that directory becomes one script entry by default, the removed prompts and dropped output
 * are shown, separate entries warn about the lost `cd`, and the batch gets exactly the entries
 * the preview showed.
 */
let browser: Browser;
let served: Served;
let project: string;

beforeAll(async () => {
  browser = await launchChromium();
  served = await serve();
  project = await mkdtemp(join(tmpdir(), 'leash-e2e-paste-'));
  await mkdir(join(project, 'app'));
});
afterAll(async () => {
  await served?.stop();
  await browser?.close();
});

const ANSWER = [
  'Sure! Run this from your projects folder to see what changed:',
  '',
  '```bash',
  '$ cd app',
  '$ export GIT_PAGER=cat',
  '$ git status --short',
  ' M src/index.ts',
  '$ git diff --stat',
  '```',
  '',
  'If the list is empty, your tree is clean.',
].join('\n');
const SCRIPT = 'cd app\nexport GIT_PAGER=cat\ngit status --short\ngit diff --stat';

async function previewed(page: Page): Promise<string[]> {
  return page.getByTestId('preview-entry').getByTestId('command-text').allInnerTexts();
}

async function pasteAnswer(page: Page): Promise<void> {
  await page.getByTestId('autonomy-indicator').waitFor();
  await page.getByTestId('nav-new').click();
  await page.getByTestId('paste-input').fill(ANSWER);
  await page.getByTestId('cwd-input').fill(project);
  await expect.poll(() => page.getByTestId('preview-entry').count(), { timeout: 15_000 }).toBe(1);
}

describe('pasting a shell block in the New batch screen', () => {
  it('defaults to one script, shows what was removed, warns in separate mode, and creates exactly what it shows', { timeout: 120_000 }, async () => {
    const page = await openPage(browser, served.url);
    await pasteAnswer(page);
    expect(await page.getByTestId('mode-script').isChecked()).toBe(true);
    expect(await previewed(page)).toEqual([SCRIPT]);
    const marks = await page.getByTestId('preview-mark').allInnerTexts();
    expect(marks).toHaveLength(5);
    expect(marks[0]).toMatch(/line 4\s+\$ cd app\s+prompt removed/);
    expect(marks[3]).toMatch(/line 7\s+M src\/index.ts\s+output, not run/);
    expect(await page.getByTestId('preview-mark').locator('del').first().innerText()).toBe('$ ');
    expect(await page.getByTestId('preview-losses').count()).toBe(0);
    await screenshot(page, 'paste-block-one-script');

    await page.getByTestId('mode-separate').check();
    await expect.poll(() => page.getByTestId('preview-entry').count()).toBe(4);
    expect(await previewed(page)).toEqual(['cd app', 'export GIT_PAGER=cat', 'git status --short', 'git diff --stat']);
    const losses = await page.getByTestId('preview-loss').allInnerTexts();
    expect(losses[0]).toContain('line 4: cd app changes the directory');
    expect(losses[1]).toContain('line 5: export GIT_PAGER=cat sets an environment variable');
    await screenshot(page, 'paste-block-separate-warns');

    await page.getByTestId('mode-script').check();
    await expect.poll(() => page.getByTestId('preview-entry').count()).toBe(1);
    const shown = await previewed(page);
    expect((await page.getByTestId('create-batch').innerText()).trim()).toBe('Create batch of 1 entry');
    await page.getByTestId('create-batch').click();
    await page.getByTestId('batch-panel').waitFor();
    const created = await page.getByTestId('batch-panel').getByTestId('command-text').allInnerTexts();
    expect(created).toEqual(shown);
    expect(created).toEqual([SCRIPT]);
  });

  it('creates one entry per command, exactly as shown, when separate entries are chosen', { timeout: 120_000 }, async () => {
    const page = await openPage(browser, served.url);
    await pasteAnswer(page);
    await page.getByTestId('mode-separate').check();
    await expect.poll(() => page.getByTestId('preview-entry').count()).toBe(4);
    const shown = await previewed(page);
    expect(shown).toEqual(['cd app', 'export GIT_PAGER=cat', 'git status --short', 'git diff --stat']);
    await page.getByTestId('create-batch').click();
    await page.getByTestId('batch-panel').waitFor();
    expect(await page.getByTestId('batch-panel').getByTestId('command-text').allInnerTexts()).toEqual(shown);
  });

  it('fits 800×600, light and dark', { timeout: 120_000 }, async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await openPage(browser, served.url, { colorScheme });
      await page.setViewportSize({ width: 800, height: 600 });
      await pasteAnswer(page);
      await page.getByTestId('mode-separate').check();
      await page.getByTestId('preview-losses').waitFor();
      const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(overflow).toBe(0);
      await screenshot(page, `paste-block-800x600-${colorScheme}`);
      await page.context().close();
    }
  });
});
