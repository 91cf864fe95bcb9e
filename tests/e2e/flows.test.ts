import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { FLOWS } from './flows.js';
import { launchChromium, openPage, screenshot, serve, type Served } from './harness.js';

/**
 * The original plan's flows (tests/e2e/flows.ts), end to end in browser mode: real Chromium
 * driving the built renderer, served by the real `leash serve`, with real commands and a real
 * audit file. Screenshots land in test-results/screenshots/ for people to look at. The same
 * flows run through the built desktop main process in tests/desktop/flows.test.ts.
 */
let browser: Browser;
let served: Served | undefined;

beforeAll(async () => {
  if (!existsSync('out/renderer/index.html')) throw new Error('the renderer is not built: npx electron-vite build');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

// Real processes and Chromium on a shared machine: a flow may take well past the 30 s default.
describe('end to end in Chromium', { timeout: 120_000 }, () => {
  for (const flow of FLOWS) {
    it(flow.name, async () => {
      served = await serve();
      const page = await openPage(browser, served.url, { colorScheme: flow.colorScheme });
      await page.getByTestId('autonomy-indicator').waitFor();
      await flow.run({ page, home: served.home, screenshot: (name) => screenshot(page, name) });
    });
  }
});
