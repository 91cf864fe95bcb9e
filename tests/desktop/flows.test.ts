import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FLOWS } from '../e2e/flows.js';
import { SCREENSHOTS } from '../e2e/harness.js';
import { launchDesktop, launchDesktopBrowser, MAIN_BUNDLE, type DesktopApp } from './standin/host.js';

/**
 * The browser-mode flows (tests/e2e/flows.ts), through the desktop app as built: the real
 * out/main/index.js under the electron stand-in, its window a Chromium page running the real
 * preload and renderer, every call reaching the handlers the built main process registered.
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

// Real processes and Chromium on a shared machine: a flow may take well past the 30 s default.
describe('the end-to-end flows through the built desktop main process', { timeout: 120_000 }, () => {
  for (const flow of FLOWS) {
    it(flow.name, async () => {
      desktop = await launchDesktop({ browser, colorScheme: flow.colorScheme });
      const page = await desktop.page();
      await page.getByTestId('autonomy-indicator').waitFor();
      // The page talks to the desktop main process, not a socket: it is the desktop renderer.
      expect(await page.evaluate('typeof window.leash')).toBe('object');
      await mkdir(SCREENSHOTS, { recursive: true });
      await flow.run({ page, home: desktop.home, screenshot: (name) => page.screenshot({ path: join(SCREENSHOTS, `desktop-${name}.png`), fullPage: true }).then(() => undefined) });
    });
  }
});
