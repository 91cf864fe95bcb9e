import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { batchStatus, createFromPaste, entryStatuses, projectDir } from './flows.js';
import { launchChromium, openPage, screenshot, serve, type Served } from './harness.js';

/**
 * The approval flow from the keyboard, in real Chromium against the real `leash serve`: Enter
 * approves and runs, Shift+A approves only, a batch approved while another runs is shown queued
 * behind it, and a rejection carries a message for the agent. Screenshots at 1280×860 and
 * 800×600, light and dark (test-results/screenshots/approve-*).
 */
let browser: Browser;
let served: Served | undefined;
const clients: Client[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await served?.stop();
  served = undefined;
});

async function start(): Promise<Page> {
  served = await serve();
  const page = await openPage(browser, served.url);
  await page.getByTestId('autonomy-indicator').waitFor();
  return page;
}

/** The state at both sizes, in both themes; back to the default afterwards. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const [width, height] of [[1280, 860], [800, 600]] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme: scheme });
      // Colours change with a transition: photograph the theme, not the blend between two.
      // (Spinners animate for ever: only transitions are waited for.)
      await page.waitForFunction(transitionsDone);
      await screenshot(page, `approve-${name}-${width}x${height}-${scheme}`);
    }
  }
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.emulateMedia({ colorScheme: 'light' });
}

async function mcpClient(home: string): Promise<Client> {
  const transport = new StdioClientTransport({ command: process.execPath, args: ['bin/leash.js', 'mcp'], env: { ...process.env, LEASH_HOME: home } as Record<string, string>, stderr: 'pipe' });
  const client = new Client({ name: 'e2e-agent', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

const pill = (page: Page) => page.getByTestId('batch-panel').locator('header [data-testid="status-pill"]');

/** In the page (the page's CSP allows no string eval): no colour transition still running. */
function transitionsDone(): boolean {
  const { document } = globalThis as unknown as { document: { getAnimations(): { playState: string; constructor: { name: string } }[] } };
  return document.getAnimations().every((a) => a.constructor.name !== 'CSSTransition' || a.playState !== 'running');
}

/** Nothing focused: Enter then belongs to the page, as after creating a batch or clicking its card. */
async function focusPage(page: Page): Promise<void> {
  await page.evaluate('document.activeElement?.blur()');
}

describe('approving from the keyboard', () => {
  it('Enter approves and runs the open batch with one key, to completion', async () => {
    const page = await start();
    const dir = await projectDir();
    await createFromPaste(page, `echo one key\ntouch made-by-enter.txt`, 2, dir);
    await expect(page.getByTestId('approve-run').isEnabled()).resolves.toBe(true);
    expect(await page.getByTestId('approve-run').getAttribute('aria-keyshortcuts')).toBe('A Enter');
    await shoot(page, 'pending');
    await focusPage(page);
    await page.keyboard.press('Enter');
    await expect.poll(() => batchStatus(page), { timeout: 20_000 }).toBe('completed');
    expect(await entryStatuses(page)).toEqual(['completed', 'completed']);
    expect(existsSync(join(dir, 'made-by-enter.txt'))).toBe(true);
    // One call approved and queued it: the audit has the approval marked as run, and no Run was pressed.
    const audit = await readFile(join((served as Served).home, 'audit.jsonl'), 'utf8');
    const approved = audit.split('\n').filter((line) => line.includes('"event":"BATCH_APPROVED"'));
    expect(approved).toHaveLength(1);
    expect(JSON.parse(approved[0] as string).details.run).toBe(true);
    await shoot(page, 'completed-by-enter');
  });

  it('Shift+A approves only: the batch waits for Run, which R then starts', async () => {
    const page = await start();
    const dir = await projectDir();
    await createFromPaste(page, 'touch only-after-run.txt', 1, dir);
    await focusPage(page);
    await page.keyboard.press('Shift+A');
    await expect.poll(() => batchStatus(page)).toBe('approved');
    expect(await pill(page).innerText()).toBe('Approved');
    await expect(page.getByTestId('run').isEnabled()).resolves.toBe(true);
    expect(existsSync(join(dir, 'only-after-run.txt'))).toBe(false);
    await shoot(page, 'approved-only');
    await page.keyboard.press('r');
    await expect.poll(() => batchStatus(page), { timeout: 20_000 }).toBe('completed');
    expect(existsSync(join(dir, 'only-after-run.txt'))).toBe(true);
  });

  it("shows an agent's batch approved while another runs as queued behind it; rejecting it with a message reaches the agent", async () => {
    const page = await start();
    const dir = await projectDir();
    const gate = join(dir, 'release');
    await createFromPaste(page, `while [ ! -e '${gate}' ]; do sleep 0.05; done`, 1, dir);
    const aheadId = (await page.getByTestId('batch-panel').getAttribute('data-batch-id')) as string;
    await page.getByTestId('approve-run').click();
    await expect.poll(() => batchStatus(page), { timeout: 15_000 }).toBe('running');

    // An agent proposes over MCP (the real `leash mcp`) and waits for its answer.
    const client = await mcpClient((served as Served).home);
    const answer = client.callTool({ name: 'run_commands', arguments: { commands: ['touch never-made.txt'], cwd: dir, reason: 'make the marker file' } }, undefined, { timeout: 60_000 }) as Promise<{
      isError?: boolean;
      content: { text: string }[];
    }>;
    // Settled either way, so a failure below is reported as itself, not as the closed connection.
    answer.catch(() => undefined);
    const row = page.locator('[data-testid="batch-row"]').filter({ hasText: 'touch never-made.txt' });
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    await expect.poll(() => page.getByTestId('batch-panel').getAttribute('data-batch-id')).not.toBe(aheadId);
    await focusPage(page);
    await page.keyboard.press('a');
    await expect.poll(() => pill(page).innerText()).toBe('Queued');
    expect(await page.getByTestId('batch-queued').innerText()).toContain(`Queued behind batch ${aheadId.slice(0, 8)}`);
    await expect(page.getByTestId('run').isDisabled()).resolves.toBe(true);
    expect(await page.getByTestId('run').getAttribute('title')).toBe(`Run: not available, it is already queued behind batch ${aheadId.slice(0, 8)}`);
    // Enabled once the approval's answer is in (while it is in flight every action waits).
    for (const id of ['unapprove', 'reject', 'stop']) await expect.poll(() => page.getByTestId(id).isEnabled(), { message: id }).toBe(true);
    expect(await page.getByTestId('stop').innerText()).toContain('Cancel batch');
    await shoot(page, 'queued');

    await page.keyboard.press('x');
    const dialog = page.getByTestId('reject-dialog');
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain('The agent (mcp:e2e-agent) is told you rejected it');
    const field = page.getByTestId('reject-message');
    await expect.poll(() => page.evaluate<string | null>("document.activeElement?.getAttribute('data-testid') ?? null")).toBe('reject-message');
    // Over the limit: the counter and the error say so, and Reject waits.
    await field.fill('x'.repeat(2001));
    expect(await page.getByTestId('reject-message-count').innerText()).toBe('2001 / 2000');
    expect(await page.getByTestId('reject-error').innerText()).toContain('at most 2000');
    await expect(page.getByTestId('reject-confirm').isDisabled()).resolves.toBe(true);
    await shoot(page, 'reject-too-long');
    const message = 'Not while the build runs. Touch the file from the build script instead,\nafter `make all`.';
    await field.fill(message);
    expect(await page.getByTestId('reject-message-count').innerText()).toBe(`${message.length} / 2000`);
    expect(await page.getByTestId('reject-confirm').innerText()).toContain('Reject and tell the agent');
    await shoot(page, 'reject-dialog');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => batchStatus(page)).toBe('rejected');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await page.getByTestId('batch-rejection-message').innerText()).toContain('Touch the file from the build script instead,\nafter `make all`.');
    await shoot(page, 'rejected-with-message');

    const result = await answer;
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toContain(`Rejected by the person: ${message}`);

    await writeFile(gate, '');
    await page.locator(`[data-testid="batch-row"][data-batch-id="${aheadId}"]`).click();
    await expect.poll(() => batchStatus(page), { timeout: 20_000 }).toBe('completed');
    expect(existsSync(join(dir, 'never-made.txt'))).toBe(false);
  }, 120_000);
});
