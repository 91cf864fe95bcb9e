import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import vue from '@vitejs/plugin-vue';
import type { Browser } from 'playwright-core';
import { createServer, type Plugin, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { developmentCsp, relaxForDevelopment } from '../../electron.vite.config.js';
import { launchChromium } from '../e2e/harness.js';

/**
 * `npm run dev` serves the renderer from Vite, which injects styles as <style> elements. These
 * load the real renderer from a real Vite dev server in Chromium, with and without the plugin.
 */
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function styledWith(plugins: Plugin[]): Promise<{ fontToken: string; violations: string[] }> {
  const server: ViteDevServer = await createServer({
    configFile: false,
    root: 'src-renderer',
    logLevel: 'silent',
    plugins: [vue(), ...plugins],
    server: { port: 0, host: '127.0.0.1', strictPort: false, hmr: false },
  });
  await server.listen();
  try {
    const { port } = server.httpServer!.address() as AddressInfo;
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.locator('#app *').first().waitFor({ timeout: 20_000 });
    await page.waitForLoadState('networkidle');
    const fontToken = (await page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--font-ui')")) as string;
    await page.close();
    return { fontToken: fontToken.trim(), violations };
  } finally {
    await server.close();
  }
}

describe('the renderer under the Vite dev server (npm run dev)', () => {
  it('is styled: the design tokens apply and no style is blocked', async () => {
    const result = await styledWith([developmentCsp()]);
    expect(result.fontToken).toContain('system-ui');
    expect(result.violations.filter((text) => /style/i.test(text))).toEqual([]);
  });

  it('is unstyled without the development policy (what the plugin fixes)', async () => {
    const result = await styledWith([]);
    expect(result.fontToken).toBe('');
    expect(result.violations.some((text) => /style-src/.test(text))).toBe(true);
  });
});

describe('the development policy', () => {
  it('allows inline styles only; scripts stay self', () => {
    const relaxed = relaxForDevelopment("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'");
    expect(relaxed).toBe("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'");
  });

  it('applies to the dev server only; the built renderer keeps the strict policy', async () => {
    expect(developmentCsp().apply).toBe('serve');
    const built = await readFile('out/renderer/index.html', 'utf8');
    const policy = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(built)?.[1];
    expect(policy).toContain("style-src 'self';");
    expect(policy).not.toContain('unsafe');
  });
});
