import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from '../core/batch/harness.js';
import { launchChromium, openPage, screenshot, serve, type Served } from './harness.js';

/**
 * States that used to read wrong or lead nowhere, end to end: real Chromium, the real `leash
 * serve`, real files. Each state that changed is photographed at 800×600 and 1400×900 in light
 * and dark (test-results/screenshots/states-*).
 */
let browser: Browser;
let served: Served | undefined;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

async function start(home?: string): Promise<Page> {
  served = await serve(home ? { LEASH_HOME: home } : {});
  const page = await openPage(browser, served.url);
  await page.getByTestId('autonomy-indicator').waitFor();
  return page;
}

/** The same state at both sizes, in both themes. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const [width, height] of [[800, 600], [1400, 900]] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme: scheme });
      await screenshot(page, `states-${name}-${width}x${height}-${scheme}`);
    }
  }
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.emulateMedia({ colorScheme: 'light' });
}

async function createFromPaste(page: Page, text: string, entries: number): Promise<void> {
  await page.getByTestId('nav-new').click();
  await page.getByTestId('paste-input').fill(text);
  await expect.poll(() => page.getByTestId('preview-entry').count(), { timeout: 10_000 }).toBe(entries);
  await page.getByTestId('create-batch').click();
  await page.getByTestId('batch-panel').waitFor();
}

const panel = (page: Page) => page.getByTestId('batch-panel');
const batchStatus = (page: Page) => panel(page).getAttribute('data-status');
const batchPill = (page: Page) => panel(page).locator('header [data-testid="status-pill"]');
const entryPills = (page: Page) => panel(page).locator('[data-testid="entry-row"] [data-testid="status-pill"]').allInnerTexts();
const bands = (page: Page) => panel(page).getByTestId('progress-band').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-outcome')));

async function emptyHome(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'leash-e2e-states-'));
}

describe('after a crash or with bad files', () => {
  it('shows a batch approved before Leash stopped as awaiting approval, with the reason, and lets it be approved again', async () => {
    const home = await emptyHome();
    const h = await createHarness({ dir: home });
    const batch = await h.service.create({ cwd: home, entries: [{ command: 'echo again' }] });
    await h.service.approve(batch.id);
    await h.close();

    const page = await start(home);
    await expect.poll(() => batchStatus(page)).toBe('pending');
    expect(await page.getByTestId('batch-note').innerText()).toContain('Leash stopped before this approved batch ran; approve again to run it');
    await expect(page.getByTestId('approve-all').isEnabled()).resolves.toBe(true);
    await shoot(page, 'approved-before-crash');
    await page.getByTestId('approve-all').click();
    await page.getByTestId('run').click();
    await expect.poll(() => batchStatus(page), { timeout: 20_000 }).toBe('completed');
    await expect(page.getByTestId('batch-note').count()).resolves.toBe(0);
  });

  it('names a structurally wrong batch file in a problem notice and still lists the others', async () => {
    const home = await emptyHome();
    const h = await createHarness({ dir: home });
    const batch = await h.service.create({ cwd: home, entries: [{ command: 'echo listed' }] });
    await h.close();
    await writeFile(join(home, 'batches', 'x.json'), '{"id":"x","entries":[]}');

    const page = await start(home);
    const banner = page.getByTestId('problems-banner');
    await banner.waitFor();
    expect(await banner.innerText()).toMatch(/batch file .*x\.json is not a valid batch .*set aside as x\.json\.bad-/);
    await expect.poll(() => page.getByTestId('batch-row').count()).toBe(1);
    expect(await page.getByTestId('batch-row').getAttribute('data-batch-id')).toBe(batch.id);
    await shoot(page, 'bad-batch-file');
  });

  it('keeps the valid settings of a file with one invalid field, names the field, and keeps autonomy off', async () => {
    const home = await emptyHome();
    await writeFile(
      join(home, 'config.json'),
      JSON.stringify({ autonomy: { enabled: true, tokenHash: 'a'.repeat(64), fingerprint: 'abcdef12' }, maxBatchSize: 99, allowPatterns: ['make test'], stopOnFailure: false }),
    );
    const page = await start(home);
    const banner = page.getByTestId('problems-banner');
    await banner.waitFor();
    const text = await banner.innerText();
    expect(text).toMatch(/maxBatchSize: .*the default \(10\) applies/);
    expect(text).toMatch(/autonomy was on and is now off/);
    expect(await page.getByTestId('autonomy-indicator').getAttribute('data-state')).toBe('off');
    await page.getByTestId('nav-settings').click();
    await expect.poll(() => page.getByTestId('allow-patterns').inputValue()).toBe('make test');
    expect(await page.getByTestId('setting-stop-on-failure').isChecked()).toBe(false);
    await shoot(page, 'invalid-setting');
  });

  it('starts when config.json is a directory, and says so', async () => {
    const home = await emptyHome();
    await mkdir(join(home, 'config.json'));
    const page = await start(home);
    const banner = page.getByTestId('problems-banner');
    await banner.waitFor();
    expect(await banner.innerText()).toMatch(/config\.json cannot be read \(it is a directory, not a file\); the defaults apply for now, autonomy off/);
  });
});

describe('an approved batch can be taken back', () => {
  it('un-approves, rejects and stops an approved batch that has not started; each button is enabled exactly when it acts', async () => {
    const page = await start();
    await createFromPaste(page, 'echo one', 1);
    await page.getByTestId('approve-all').click();
    await expect.poll(() => batchStatus(page)).toBe('approved');
    expect(await entryPills(page)).toEqual(['Approved, waiting']);
    for (const id of ['unapprove', 'reject', 'stop', 'run', 'dry-run']) await expect(page.getByTestId(id).isEnabled(), id).resolves.toBe(true);
    await shoot(page, 'approved');

    await page.getByTestId('unapprove').click();
    await expect.poll(() => batchStatus(page)).toBe('pending');
    expect(await page.getByTestId('batch-note').innerText()).toBe('approval withdrawn by a person');
    await expect(page.getByTestId('stop').isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId('run').isDisabled()).resolves.toBe(true);

    await page.getByTestId('approve-all').click();
    await expect.poll(() => batchStatus(page)).toBe('approved');
    // Reject asks first (with room for a message to the agent); rejecting without one is one more click.
    await page.getByTestId('reject').click();
    await page.getByTestId('reject-confirm').click();
    await expect.poll(() => batchStatus(page)).toBe('rejected');
    expect(await bands(page)).toEqual(['not-run']);
    for (const id of ['reject', 'stop', 'run']) await expect(page.getByTestId(id).isDisabled(), id).resolves.toBe(true);
    await shoot(page, 'rejected');

    await createFromPaste(page, 'echo two', 1);
    await page.getByTestId('approve-all').click();
    await expect.poll(() => batchStatus(page)).toBe('approved');
    await page.getByTestId('stop').click();
    await expect.poll(() => batchStatus(page)).toBe('cancelled');
    expect(await page.getByTestId('batch-note').innerText()).toBe('stopped by a person before it started');
  });
});

describe('states that read right', () => {
  it('ends a batch with a blocked and a skipped entry as "Completed with 1 blocked, 1 skipped", its bar coloured by outcome', async () => {
    const page = await start();
    await createFromPaste(page, 'echo first\nrm -rf /tmp/leash-never-there\necho third', 3);
    const rows = page.getByTestId('entry-row');
    await rows.nth(0).getByTestId('entry-approve').check();
    await page.getByTestId('approve-selected').click();
    await expect.poll(() => entryPills(page)).toEqual(['Approved, waiting', 'Blocked', 'Not approved, will be skipped']);
    await page.getByTestId('run').click();
    await expect.poll(() => batchStatus(page), { timeout: 20_000 }).toBe('completed');
    expect(await batchPill(page).innerText()).toBe('Completed with 1 blocked, 1 skipped');
    expect(await bands(page)).toEqual(['completed', 'blocked', 'not-run']);
    expect(await page.getByTestId('batch-progress-text').innerText()).toBe('1 completed, 1 blocked, 1 skipped');
    // The reason reads once: "BLOCKED because `rm` with …", never "BLOCKED because blocked: …".
    const why = await rows.nth(1).getByTestId('entry-reasons').locator('summary').innerText();
    expect(why).toMatch(/^BLOCKED because `rm` with recursive and force flags/);
    await shoot(page, 'completed-with-blocked');
  });

  it('shows "Stopping…" between a graceful Stop and the end of the running entry', async () => {
    const page = await start();
    await createFromPaste(page, 'sleep 2; echo finished\necho never', 2);
    await page.getByTestId('approve-all').click();
    await page.getByTestId('run').click();
    await expect.poll(() => batchStatus(page), { timeout: 10_000 }).toBe('running');
    await page.getByTestId('stop').click();
    await expect.poll(() => batchPill(page).innerText()).toBe('Stopping…');
    await expect(page.getByTestId('stop').isDisabled()).resolves.toBe(true);
    await shoot(page, 'stopping');
    await expect.poll(() => batchStatus(page), { timeout: 20_000 }).toBe('cancelled');
    expect(await entryPills(page)).toEqual(['Completed', 'Skipped']);
    expect(await bands(page)).toEqual(['completed', 'not-run']);
  });

  it('gives an interrupted batch and its interrupted entry the same, stopped clock', async () => {
    const home = await emptyHome();
    const h = await createHarness({ dir: home });
    const batch = await h.service.create({ cwd: home, entries: [{ command: 'sleep 100' }, { command: 'echo b' }] });
    await h.close();
    const file = join(home, 'batches', `${batch.id}.json`);
    const stored = JSON.parse(await (await import('node:fs/promises')).readFile(file, 'utf8'));
    const started = new Date(Date.now() - 5000).toISOString();
    Object.assign(stored, { status: 'running', startedAt: started, approvedBy: 'manual', approvedAt: started });
    Object.assign(stored.entries[0], { status: 'running', approved: true, startedAt: started });
    await writeFile(file, JSON.stringify(stored));

    const page = await start(home);
    await expect.poll(() => batchStatus(page)).toBe('interrupted');
    const entry = page.getByTestId('entry-row').first();
    expect(await entry.getByTestId('entry-elapsed').innerText()).toBe((await page.getByTestId('batch-elapsed').innerText()).trim());
    await shoot(page, 'interrupted');
  });

  it('puts the cursor in the text box when N is pressed', async () => {
    const page = await start();
    await page.locator('body').click();
    await page.keyboard.press('n');
    await expect.poll(() => page.evaluate<string | null>("document.activeElement?.getAttribute('data-testid') ?? null")).toBe('paste-input');
    // The key that opened the box is not typed into it.
    expect(await page.getByTestId('paste-input').inputValue()).toBe('');
  });

  it('says so in place of a screen whose script cannot be fetched, and the other screens still work', async () => {
    served = await serve({});
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      // The settings screen is fetched apart from the first script (after the first render): make that fetch fail.
      await page.route(/\/assets\/SettingsView-[^/]*\.js$/, (route) => route.abort('failed'));
      await page.goto(served.url);
      await page.getByTestId('autonomy-indicator').waitFor();
      await page.getByTestId('nav-settings').click();
      await expect.poll(() => page.getByTestId('view-unavailable').locator('p').textContent(), { timeout: 10_000 }).toBe('This screen could not be loaded: Leash’s files changed or could not be read while it was open.');
      await page.getByTestId('nav-new').click();
      await page.getByTestId('paste-input').waitFor();
      await page.getByTestId('nav-batches').click();
      await page.getByTestId('batch-count').waitFor();
      await page.getByTestId('nav-settings').click();
      await page.getByTestId('view-unavailable').waitFor();
      expect(errors).toEqual([]);
      await shoot(page, 'view-unavailable');
      // Once the files can be fetched again, the button brings the screen back.
      await page.unroute(/\/assets\/SettingsView-[^/]*\.js$/);
      await page.getByTestId('view-reload').click();
      await page.getByTestId('autonomy-indicator').waitFor();
      await page.getByTestId('nav-settings').click();
      await page.getByTestId('autonomy-toggle').waitFor();
    } finally {
      await context.close();
    }
  });

  it('says the autonomy switch is on once it is, and drops a refusal once the right token is typed', async () => {
    const page = await start();
    await page.getByTestId('nav-settings').click();
    expect(await page.getByTestId('autonomy-toggle').innerText()).toContain('Enable semi-autonomy');
    await page.getByTestId('autonomy-toggle').click();
    await page.getByTestId('autonomy-continue').click();
    const token = (await page.getByTestId('autonomy-token').innerText()).trim();
    await page.getByTestId('autonomy-token-input').fill('00000000-0000-4000-8000-000000000000');
    await page.getByTestId('autonomy-confirm').click();
    await page.getByTestId('autonomy-confirm-error').waitFor();
    await page.getByTestId('autonomy-token-input').fill(token);
    await expect.poll(() => page.getByTestId('autonomy-confirm-error').count()).toBe(0);
    await page.getByTestId('autonomy-confirm').click();
    await expect.poll(() => page.getByTestId('autonomy-indicator').getAttribute('data-state')).toBe('on');
    const label = await page.getByTestId('autonomy-toggle').innerText();
    expect(label).not.toContain('Enable');
    expect(label).toContain('turn it off');
    await shoot(page, 'autonomy-on');
  });

  it('clears the rate-limit note once a person approves the waiting batch', async () => {
    const home = await emptyHome();
    await writeFile(join(home, 'config.json'), JSON.stringify({ autonomyRateLimitPerMinute: 1 }));
    const page = await start(home);
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('autonomy-toggle').click();
    await page.getByTestId('autonomy-continue').click();
    const token = (await page.getByTestId('autonomy-token').innerText()).trim();
    await page.getByTestId('autonomy-token-input').fill(token);
    await page.getByTestId('autonomy-confirm').click();
    await expect.poll(() => page.getByTestId('autonomy-indicator').getAttribute('data-state')).toBe('on');
    await createFromPaste(page, 'echo first', 1);
    await expect.poll(() => batchStatus(page), { timeout: 20_000 }).toBe('completed');
    await createFromPaste(page, 'echo second', 1);
    await expect.poll(() => page.getByTestId('batch-note').innerText()).toMatch(/autonomy rate limit reached \(1 batch per minute\)/);
    await page.getByTestId('approve-all').click();
    await page.getByTestId('run').click();
    await expect.poll(() => batchStatus(page), { timeout: 20_000 }).toBe('completed');
    await expect(page.getByTestId('batch-note').count()).resolves.toBe(0);
  });
});

describe('look-alike characters', () => {
  it('shows a Cyrillic ѕ in a command as an escape, named, and prints reasons without raw invisible characters', async () => {
    const page = await start();
    await createFromPaste(page, 'l\u0455 -la\nl\u200Bs', 2);
    const commands = page.getByTestId('command-text');
    expect(await commands.nth(0).innerText()).toBe('l\\u{455} -la');
    const revealed = commands.nth(0).getByTestId('revealed-char');
    expect(await revealed.getAttribute('title')).toBe('Cyrillic character U+0455, looks like "s" but is not');
    expect(await page.getByTestId('revealed-note').first().innerText()).toMatch(/1 character that looks like ASCII but is not/);
    const reasons = await page.getByTestId('entry-reasons').allTextContents();
    for (const text of reasons) expect(text).not.toMatch(/[\u0455\u200B]/);
    expect(reasons.join('\n')).toContain('l\\u{200B}s');
    await shoot(page, 'look-alike');
  });
});
