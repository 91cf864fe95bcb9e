import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, screenshot, serve, type Served } from './harness.js';

/**
 * Issue #16.3: the user's own paste of ~800k CJK characters (2.4 MB of UTF-8, over browser
 * mode's 2 MiB message limit) used to kill `leash serve`. It gets a clear error in the page, and
 * serve keeps serving it.
 */
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

describe('a very large paste in browser mode', () => {
  it('gets a clear error, and serve stays up for the next paste', { timeout: 120_000 }, async () => {
    const page = await openPage(browser, served.url);
    await page.getByTestId('autonomy-indicator').waitFor();
    await page.getByTestId('nav-new').click();
    // As a paste lands: the whole value at once, then one input event (typing it would take minutes).
    // (A string, so this Node-typed file needs no DOM types.)
    await page.evaluate(`(() => {
      const input = document.querySelector('[data-testid="paste-input"]');
      input.value = '${'漢字かな交じり文'.repeat(10)}\\n'.repeat(10000);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    })()`);
    const error = page.getByTestId('preview-error');
    // Chromium itself takes a while to lay out 800k characters on a loaded machine.
    await error.waitFor({ timeout: 60_000 });
    expect(await error.innerText()).toMatch(/PASTE_TOO_LARGE.*2\.\d MB \(810,000 characters\).*at most 1 MB/s);
    await screenshot(page, 'large-paste-refused');

    expect(served.process.exitCode).toBeNull();
    await page.getByTestId('paste-input').fill('echo still here');
    await expect.poll(() => page.getByTestId('preview-entry').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByTestId('connection-state').getAttribute('data-state')).toBe('connected');
  });
});
