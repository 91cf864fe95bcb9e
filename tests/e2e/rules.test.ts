import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectControl } from '../../src-main/control/client.js';
import { CHROMIUM, launchBrowser, openPage, screenshot, serve, type Served } from './harness.js';

/**
 * Rules from the approval card, end to end: an agent proposes over the control socket (what
 * `leash mcp` uses), a person presses "Always allow…" on the card in real Chromium, and the
 * real `leash serve` judges the next proposals with the new rule.
 */
let browser: Browser;
let served: Served | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  if (!existsSync('out/renderer/index.html')) throw new Error('the renderer is not built: npx electron-vite build');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

async function project(): Promise<string> {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'leash-e2e-project-')));
  await mkdir(join(root, '.git'));
  return root;
}

type View = { batchId: string; entries: { verdict: string; reasons: { code: string; message: string }[] }[] };

async function propose(home: string, cwd: string, commands: string[]): Promise<View> {
  const client = await connectControl(home);
  try {
    return (await client.request('propose', { commands, cwd, client: 'e2e-agent', wait: false })) as View;
  } finally {
    client.close();
  }
}

async function openBatch(page: Page, batchId: string): Promise<void> {
  await page.locator(`[data-testid="batch-row"][data-batch-id="${batchId}"]`).click();
  await page.locator(`[data-batch-id="${batchId}"] [data-testid="entry-row"]`).first().waitFor();
}

/** Toasts sit over the lower right of the screen: out of the way before a screenshot of Settings. */
async function dismissToasts(page: Page): Promise<void> {
  const toasts = page.getByTestId('toast');
  while ((await toasts.count()) > 0) await toasts.first().getByRole('button', { name: 'Dismiss' }).click();
}

function entry(page: Page, batchId: string, index = 0) {
  return page.locator(`[data-batch-id="${batchId}"] [data-testid="entry-row"]`).nth(index);
}

describe('rules from the approval card', { timeout: 120_000 }, () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`allows the next matching command, and only that, after "Always allow" on a card (${colorScheme})`, async () => {
      served = await serve();
      const root = await project();
      const page = await openPage(browser, served.url, { colorScheme });
      await page.getByTestId('autonomy-indicator').waitFor();
      const first = await propose(served.home, root, ['npm run test -- --watch=false']);
      expect(first.entries[0]?.verdict).toBe('ask');
      await openBatch(page, first.batchId);

      await entry(page, first.batchId).getByTestId('entry-always-allow').click();
      const dialog = page.getByTestId('rule-dialog');
      await dialog.getByTestId('rule-form').waitFor();
      // The narrowest rule is chosen; broader safe prefixes are offered, `npm` alone is not.
      expect(await dialog.locator('.rule-words').allInnerTexts()).toEqual(['npm run test', 'npm run']);
      expect(await dialog.getByTestId('rule-prefix').first().isChecked()).toBe(true);
      expect(await dialog.getByTestId('rule-scope-project').isChecked()).toBe(true);
      await screenshot(page, `rules-1-card-dialog-${colorScheme}`);
      await page.setViewportSize({ width: 800, height: 600 });
      await screenshot(page, `rules-2-card-dialog-800x600-${colorScheme}`);
      await page.setViewportSize({ width: 1280, height: 860 });
      await dialog.getByTestId('rule-add').click();
      await dialog.waitFor({ state: 'detached' });

      // The pending batch was judged again: the card now says SAFE and names the rule.
      await expect.poll(() => entry(page, first.batchId).getAttribute('data-verdict'), { timeout: 10_000 }).toBe('allow');
      expect(await entry(page, first.batchId).getByTestId('entry-reasons').innerText()).toMatch(/SAFE because allowed by your rule `npm run test` for .*leash-e2e-project-.*, added \d{4}-\d\d-\d\d/);
      await screenshot(page, `rules-3-card-rejudged-${colorScheme}`);

      const next = await propose(served.home, join(root), ['npm run test', 'npm run build', 'npm run test > out.txt', 'env npm run test']);
      expect(next.entries.map((e) => e.verdict)).toEqual(['allow', 'ask', 'ask', 'ask']);
      // Another directory is another project: the rule does not reach it.
      const elsewhere = await propose(served.home, await project(), ['npm run test']);
      expect(elsewhere.entries[0]?.verdict).toBe('ask');

      // Settings lists the rule; removing it judges the pending batch again.
      await page.getByTestId('nav-settings').click();
      const row = page.getByTestId('rule-row');
      await row.first().waitFor();
      expect(await row.getByTestId('rule-text').allInnerTexts()).toEqual(['npm run test']);
      await page.getByTestId('rule-add-words').fill('npm publish');
      await page.getByTestId('rule-add-form').getByRole('button', { name: 'Add rule' }).click();
      await expect.poll(() => row.count()).toBe(2);
      await dismissToasts(page);
      await screenshot(page, `rules-4-settings-list-${colorScheme}`);
      await page.setViewportSize({ width: 800, height: 600 });
      await page.getByTestId('rules-settings').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join('test-results', 'screenshots', `rules-5-settings-list-800x600-${colorScheme}.png`) });
      await page.setViewportSize({ width: 1280, height: 860 });
      await row.filter({ hasText: 'npm run test' }).getByTestId('rule-remove').click();
      await expect.poll(() => row.count()).toBe(1);
      const audit = await readFile(join(served.home, 'audit.jsonl'), 'utf8');
      expect(audit.split('\n').filter((l) => l.includes('"RULE_ADDED"'))).toHaveLength(2);
      expect(audit).toContain('"RULE_REMOVED"');
      const again = await propose(served.home, root, ['npm run test', 'npm publish']);
      expect(again.entries.map((e) => e.verdict)).toEqual(['ask', 'deny']);
    });
  }

  it('says why no rule is offered for a shell, and offers none', async () => {
    served = await serve();
    const root = await project();
    const page = await openPage(browser, served.url);
    await page.getByTestId('autonomy-indicator').waitFor();
    const batch = await propose(served.home, root, ['bash ./build.sh']);
    await openBatch(page, batch.batchId);
    await entry(page, batch.batchId).getByTestId('entry-always-allow').click();
    const refusal = page.getByTestId('rule-refusal');
    await refusal.waitFor();
    expect(await refusal.getAttribute('data-code')).toBe('NO_SAFE_RULE');
    expect(await refusal.innerText()).toMatch(/`bash` is a shell/);
    expect(await page.getByTestId('rule-add').count()).toBe(0);
    await screenshot(page, 'rules-6-card-refusal');
  });
});
