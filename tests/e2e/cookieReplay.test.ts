import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CHANNELS } from '../../src-main/ipc/channels.js';
import { launchChromium, openPage, serve, type Served } from './harness.js';

/**
 * Issue #16.2: browsers send cookies to every port of 127.0.0.1, so any local web page the user
 * opens can receive a cookie Leash's page holds. Every cookie the page ever receives, during a
 * real session in Chromium (plus the session cookie earlier versions set, with the real token in
 * it), is replayed alone against every handler: the page, and the WebSocket with our Origin, a
 * forged one and none, sending every channel. It must get nothing: no answer, no event.
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

interface Heard {
  opened: boolean;
  messages: unknown[];
  closeCode: number | null;
}

/** Opens /ws with only `cookie` (and `origin`), sends a request on every channel, and records everything heard until the socket closes. */
function replay(port: number, cookie: string, origin: string | undefined): Promise<Heard> {
  return new Promise((resolve) => {
    const heard: Heard = { opened: false, messages: [], closeCode: null };
    const headers: Record<string, string> = { cookie };
    if (origin) headers.origin = origin;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers });
    ws.on('unexpected-response', (_request, response) => {
      heard.closeCode = response.statusCode ?? null;
      resolve(heard);
    });
    ws.on('error', () => resolve(heard));
    ws.on('open', () => {
      heard.opened = true;
      CHANNELS.forEach((channel, id) => ws.send(JSON.stringify({ id, channel, payload: {} })));
    });
    ws.on('message', (data) => heard.messages.push(JSON.parse(String(data))));
    ws.on('close', (code) => {
      heard.closeCode = code;
      resolve(heard);
    });
  });
}

describe('cookies the page receives', () => {
  it('authorize nothing, alone, against any handler', { timeout: 120_000 }, async () => {
    const url = new URL(served.url);
    const port = Number(url.port);
    const token = url.searchParams.get('token') ?? '';
    const page = await openPage(browser, served.url);
    const setCookies: string[] = [];
    page.on('response', async (response) => {
      const header = (await response.allHeaders())['set-cookie'];
      if (header) setCookies.push(...header.split('\n'));
    });
    // A whole session: every screen, a batch created and run, a reload.
    await page.getByTestId('autonomy-indicator').waitFor();
    for (const view of ['new', 'settings', 'audit', 'batches']) await page.getByTestId(`nav-${view}`).click();
    await page.getByTestId('nav-new').click();
    await page.getByTestId('paste-input').fill('echo replay');
    await expect.poll(() => page.getByTestId('preview-entry').count(), { timeout: 10_000 }).toBe(1);
    await page.getByTestId('create-batch').click();
    await page.getByTestId('approve-all').click();
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('batch-panel').getAttribute('data-status'), { timeout: 20_000 }).toBe('completed');
    await page.reload();
    await page.getByTestId('batch-row').first().waitFor();

    const browserCookies = await page.context().cookies();
    expect(browserCookies).toEqual([]);
    expect(setCookies).toEqual([]);
    const candidates = [
      ...browserCookies.map((c) => `${c.name}=${c.value}`),
      ...setCookies.map((c) => c.split(';')[0] ?? ''),
      // What earlier versions set, token and all: the replay of issue #16.2.
      `leash_session=${token}`,
      `leash_session=${encodeURIComponent(token)}`,
      `token=${token}`,
    ];
    const origins = [`http://127.0.0.1:${port}`, 'http://evil.example', `http://127.0.0.1:${port + 1}`, undefined];
    for (const cookie of candidates) {
      for (const origin of origins) {
        const heard = await replay(port, cookie, origin);
        expect({ cookie, origin, messages: heard.messages }).toEqual({ cookie, origin, messages: [] });
        expect(heard.closeCode === 4401 || heard.closeCode === 403 || !heard.opened).toBe(true);
      }
      // The page itself holds no secret, and no cookie turns it into one.
      const response = await fetch(`http://127.0.0.1:${port}/`, { headers: { cookie } });
      expect(response.headers.get('set-cookie')).toBeNull();
      expect(await response.text()).not.toContain(token);
    }
  });
});
