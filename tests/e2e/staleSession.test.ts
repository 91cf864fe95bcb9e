import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { livePidsWith, waitFor } from '../core/batch/procfs.js';
import { freePort, launchChromium, openPage, screenshot, serve, type Served } from './harness.js';

/**
 * Issue #14.2, end to end: a real `leash serve` dies and comes back on the same port under an
 * open page. The page must say at once and persistently that it is stale, stop its timers, and
 * make Stop and Emergency stop say that they did not reach Leash, then, once serve refuses its
 * old token, say how to get a new URL, and work again from that URL.
 */
let browser: Browser;
const running: Served[] = [];
const markers: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  for (const served of running.splice(0)) await served.stop();
  // serve was killed hard on purpose: the entry it ran is ours to clean up.
  for (const marker of markers.splice(0)) for (const pid of await livePidsWith(marker)) process.kill(pid, 'SIGKILL');
});

async function start(options: { home?: string; port?: number } = {}): Promise<Served> {
  const served = await serve({}, options);
  running.push(served);
  return served;
}

async function elapsedText(page: Page): Promise<string> {
  return (await page.getByTestId('entry-row').first().innerText()).replace(/\s+/g, ' ');
}

describe('a page whose leash serve went away', () => {
  it('shows it is stale, stops its timers, says the stops did not reach Leash, then how to get a new URL', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const first = await start({ port });
    const page = await openPage(browser, first.url);
    await page.getByTestId('autonomy-indicator').waitFor();
    const marker = `leash-stale-${randomUUID()}`;
    markers.push(marker);
    await page.getByTestId('nav-new').click();
    await page.getByTestId('paste-input').fill(`exec -a ${marker} sleep 300`);
    await expect.poll(() => page.getByTestId('preview-entry').count(), { timeout: 10_000 }).toBe(1);
    // A project directory of its own: the workspace sandbox refuses the home directory.
    await page.getByTestId('cwd-input').fill(await mkdtemp(join(tmpdir(), 'leash-stale-project-')));
    await page.getByTestId('create-batch').click();
    await page.getByTestId('approve-all').click();
    await page.getByTestId('run').click();
    await waitFor(async () => (await livePidsWith(marker)).length >= 1, 15_000); // bwrap and the command
    await expect.poll(() => page.getByTestId('batch-panel').getAttribute('data-status')).toBe('running');

    // serve dies without a word (as in a crash or a kill -9).
    first.process.kill('SIGKILL');
    const banner = page.getByTestId('connection-banner');
    await expect.poll(() => banner.getAttribute('data-state'), { timeout: 10_000 }).toBe('disconnected');
    expect(await page.getByTestId('connection-state').getAttribute('data-state')).toBe('disconnected');
    expect(await banner.innerText()).toContain('this page is out of date');
    expect(await page.getByTestId('main').getAttribute('data-stale')).toBe('true');

    // The running entry's clock no longer counts: the page cannot know that it still runs.
    const frozen = await elapsedText(page);
    await page.waitForTimeout(1_500);
    expect(await elapsedText(page)).toBe(frozen);

    await page.getByTestId('emergency-stop').click();
    const toast = page.getByTestId('toast').filter({ hasText: 'Emergency stop did not reach Leash' });
    await toast.waitFor({ timeout: 2_000 });
    expect(await toast.innerText()).toContain("not connected: the stop did not reach Leash — use the terminal's Ctrl+C or the tray");
    await page.getByTestId('stop').click();
    await page.getByTestId('toast').filter({ hasText: 'Stop did not reach Leash' }).first().waitFor({ timeout: 2_000 });
    await screenshot(page, 'stale-1-disconnected');

    // serve comes back on the same port with a new token: the page's old one is refused.
    const second = await start({ port, home: first.home });
    await expect.poll(() => banner.getAttribute('data-state'), { timeout: 15_000 }).toBe('expired');
    expect(await page.getByTestId('connection-state').innerText()).toContain('Session ended');
    expect(await banner.innerText()).toContain('Open the new URL that leash serve printed in its terminal');
    await page.getByTestId('emergency-stop').click();
    await expect.poll(() => page.getByTestId('toast').filter({ hasText: 'open the new URL' }).count(), { timeout: 2_000 }).toBeGreaterThan(0);
    await screenshot(page, 'stale-2-session-ended');

    // The new URL, in the same tab, works again.
    await page.goto(second.url);
    await expect.poll(() => page.getByTestId('connection-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('connected');
    expect(await page.getByTestId('connection-banner').count()).toBe(0);
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
  });

  it('keeps the token out of the address bar and cookies, and a page opened without it says where to find it', { timeout: 60_000 }, async () => {
    const served = await start();
    const page = await openPage(browser, served.url);
    await page.getByTestId('autonomy-indicator').waitFor();
    await expect.poll(() => page.getByTestId('connection-state').getAttribute('data-state')).toBe('connected');
    expect(page.url()).toBe(new URL('/', served.url).href);
    expect(await page.context().cookies()).toEqual([]);
    // A reload in the same tab keeps its session.
    await page.reload();
    await expect.poll(() => page.getByTestId('connection-state').getAttribute('data-state')).toBe('connected');

    const stranger = await openPage(browser, new URL('/', served.url).href);
    const banner = stranger.getByTestId('connection-banner');
    await banner.waitFor();
    expect(await banner.getAttribute('data-state')).toBe('no-session');
    expect(await banner.innerText()).toContain('Open the URL that leash serve printed');
    await screenshot(stranger, 'stale-3-no-session');
  });
});
