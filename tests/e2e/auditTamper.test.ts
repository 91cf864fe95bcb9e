import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, screenshot, serve, type Served } from './harness.js';

/**
 * Issue #14 item 10 in the real UI: `leash serve` in Chromium over a trail someone edits on disk.
 * Screenshots go to test-results/screenshots/ (audit-tampered-*).
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

async function start(env: NodeJS.ProcessEnv = {}, colorScheme: 'light' | 'dark' = 'light'): Promise<{ served: Served; page: Page }> {
  const served = await serve(env);
  running.push(served);
  const page = await openPage(browser, served.url, { colorScheme });
  await page.getByTestId('autonomy-indicator').waitFor();
  return { served, page };
}

async function runOneBatch(page: Page, command: string): Promise<void> {
  await page.getByTestId('nav-new').click();
  await page.getByTestId('paste-input').fill(command);
  await expect.poll(() => page.getByTestId('preview-entry').count(), { timeout: 10_000 }).toBe(1);
  await page.getByTestId('create-batch').click();
  await page.getByTestId('batch-panel').waitFor();
  await page.getByTestId('approve-all').click();
  await page.getByTestId('run').click();
  await expect.poll(() => page.getByTestId('batch-panel').getAttribute('data-status'), { timeout: 20_000 }).toBe('completed');
}

/** Rewrites the command of the ENTRY_STARTED record in place, keeping its (now wrong) hash. */
async function editEntryStarted(log: string, from: string, to: string): Promise<void> {
  const lines = (await readFile(log, 'latin1')).split('\n');
  const index = lines.findIndex((line) => line.includes('"event":"ENTRY_STARTED"'));
  lines[index] = (lines[index] as string).replace(`"command":"${from}"`, `"command":"${to}"`);
  await writeFile(log, lines.join('\n'), 'latin1');
}

describe('a tampered audit trail in the UI', { timeout: 120_000 }, () => {
  it('marks the bad record, refreshes the table on Verify and keeps the failure in the header on every screen', async () => {
    const { served, page } = await start();
    await runOneBatch(page, 'echo audited');
    await page.getByTestId('nav-audit').click();
    await expect.poll(() => page.locator('[data-testid="audit-row"][data-event="ENTRY_STARTED"]').count()).toBe(1);

    // Someone edits what ran, in place, without fixing the hash.
    const log = join(served.home, 'audit.jsonl');
    await editEntryStarted(log, 'echo audited', 'echo AUDITED');

    await page.getByTestId('audit-verify').click();
    const result = page.getByTestId('audit-verify-result');
    await expect.poll(() => result.getAttribute('data-ok'), { timeout: 20_000 }).toBe('false');
    expect(await result.innerText()).toContain('EDITED');
    const bad = page.locator('[data-testid="audit-row"][data-bad="true"]');
    await expect.poll(() => bad.count()).toBe(1);
    // The table shows what is on disk now, not what it showed before the check.
    expect(await bad.innerText()).toContain('echo AUDITED');
    // The failing segment was set aside; the table says which one it shows.
    expect(await page.getByTestId('audit-set-aside').innerText()).toMatch(/set aside unchanged as audit\.jsonl\.tampered-/);
    expect(await page.getByTestId('audit-alert').innerText()).toMatch(/Audit trail failed verification: EDITED at record \d+/);
    await screenshot(page, 'audit-tampered-verify');

    await page.getByTestId('nav-batches').click();
    await page.getByTestId('audit-alert').waitFor();
    await page.setViewportSize({ width: 800, height: 600 });
    await screenshot(page, 'audit-tampered-header-800x600');
    await page.getByTestId('audit-alert-open').click();
    expect(await page.getByTestId('main').getAttribute('data-view')).toBe('audit');
  });

  it('sets a trail that fails its check at start aside, records new work in a new segment that names it, and says so in the header', async () => {
    const first = await start();
    await runOneBatch(first.page, 'echo before');
    const home = first.served.home;
    await first.served.stop();
    const log = join(home, 'audit.jsonl');
    await editEntryStarted(log, 'echo before', 'echo BEFORE');

    const { page } = await start({ LEASH_HOME: home }, 'dark');
    // Open resumes from the checkpoint (fast at any history); the full check runs in the
    // background at start, finds the edit and sets the segment aside.
    const alert = page.getByTestId('audit-alert');
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.innerText()).toMatch(/Audit trail failed verification: EDITED at record \d+/);
    const asideFiles = async (): Promise<string[]> => (await readdir(home)).filter((name) => name.startsWith('audit.jsonl.tampered-') && !name.includes('.head') && !name.includes('-key'));
    await expect.poll(async () => (await asideFiles()).length, { timeout: 10_000 }).toBe(1);
    const quarantined = await asideFiles();
    const firstRecord = JSON.parse((await readFile(log, 'utf8')).split('\n')[0] as string) as { event: string; details: Record<string, unknown> };
    expect(firstRecord).toMatchObject({ event: 'AUDIT_RECOVERED', details: { quarantinedAs: quarantined[0], firstBadReason: 'EDITED' } });
    // New work is recorded in the new segment, which verifies.
    await runOneBatch(page, 'echo after');
    expect(await readFile(log, 'utf8')).toContain('"command":"echo after"');
    expect(await readFile(join(home, quarantined[0] as string), 'utf8')).not.toContain('echo after');
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-refresh').click();
    await page.locator('[data-testid="audit-row"][data-event="AUDIT_RECOVERED"]').waitFor();
    await screenshot(page, 'audit-tampered-at-start-dark');
    // The new segment's verification key is offered until a person takes it.
    await page.getByTestId('audit-key-show').click();
    expect(await page.getByTestId('audit-key-value').innerText()).toMatch(/^leash1(-[0-9a-f]{8}){8}$/);
    await screenshot(page, 'audit-key-shown-dark');
    await page.getByTestId('audit-key-saved').click();
    await expect.poll(() => page.getByTestId('audit-key').count()).toBe(0);
    expect((await readdir(home)).includes('audit.jsonl.verify-key')).toBe(false);
  });
});
