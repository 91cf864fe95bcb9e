import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, screenshot, serve, type Served } from './harness.js';

/**
 * A patch from the signed inbox reviewed as a diff and approved in the UI: the real `leash serve`
 * with the inbox enabled over a git clone (the plan's CLOUD, also its MAIN target), documents
 * signed by the plan's own Python (its §14 smoke-test script byte for byte, and its signing lines),
 * real Chromium clicking Approve and Run, and the result published to a bare remote.
 */
const SECRET = 'e2e-inbox-secret-5b7e1c9a3d2f4e6a';
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'inbox');
const IDENTITY = ['-c', 'user.name=Sender', '-c', 'user.email=sender@example.com', '-c', 'init.defaultBranch=main'];
const git = (cwd: string, ...args: string[]): string => execFileSync('git', [...IDENTITY, ...args], { cwd, encoding: 'utf8' }).trim();

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

interface Cloud {
  bare: string;
  dir: string;
}

async function cloud(root: string): Promise<Cloud> {
  const bare = join(root, 'remote.git');
  git(root, 'init', '-q', '--bare', '-b', 'main', bare);
  const dir = join(root, 'cloud');
  git(root, 'clone', '-q', bare, dir);
  await mkdir(join(dir, 'src'));
  await writeFile(join(dir, 'src', 'greeting.ts'), ['export function greet(name: string): string {', "  return 'Hello, ' + name;", '}', '', 'export const VERSION = 1;', ''].join('\n'));
  await writeFile(join(dir, 'NOTES.md'), '# Notes\n\nKeep these.\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'seed');
  git(dir, 'push', '-q', 'origin', 'HEAD:main');
  return { bare, dir };
}

/** `leash serve` over a data directory whose settings turn the inbox on. */
async function serveWithInbox(inbox: Cloud): Promise<Served> {
  const home = await mkdtemp(join(tmpdir(), 'leash-e2e-patch-'));
  await writeFile(join(home, 'config.json'), JSON.stringify({ inbox: { enabled: true, dir: inbox.dir, publish: true, targets: { MAIN: inbox.dir } } }));
  return serve({ LEASH_INBOX_HMAC_SECRET: SECRET }, { home });
}

function signWithPython(dir: string, document: Record<string, unknown>): void {
  execFileSync('python3', [join(FIXTURES, 'ghost_bridge_sign.py'), join(dir, 'commands', `${document.id as string}.json`)], { input: JSON.stringify(document), env: { ...process.env, GPT_BRIDGE_HMAC_SECRET: SECRET } });
}

async function openBatch(page: Page, source: string): Promise<void> {
  const row = page.getByTestId('batch-row').filter({ hasText: source });
  await row.waitFor({ timeout: 30_000 });
  await row.click();
  await page.getByTestId('batch-panel').waitFor();
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('a patch from the inbox in the UI', { timeout: 120_000 }, () => {
  it('is shown as a diff, approved with the same controls as a batch, applied and published', async () => {
    const root = await mkdtemp(join(tmpdir(), 'leash-e2e-cloud-'));
    const inbox = await cloud(root);
    served = await serveWithInbox(inbox);
    const now = new Date();
    const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    signWithPython(inbox.dir, {
      schemaVersion: '1.0',
      id: 'edit-greeting',
      issued_at: iso(now.getTime()),
      expires_at: iso(now.getTime() + 300_000),
      nonce: 'e2e-1',
      target: 'MAIN',
      action: 'applyPatch',
      patchType: 'hybrid',
      payload: {
        inline: {
          version: 'greeting-v2',
          ops: [
            { op: 'writeFile', path: 'src/greeting.ts', content: ['export function greet(name: string): string {', '  return `Hello, ${name}!`;', '}', '', 'export const VERSION = 2;', ''].join('\n') },
            { op: 'writeFile', path: 'src/farewell.ts', content: "export const farewell = (name: string): string => `Bye, ${name}`;\n" },
            { op: 'moveFile', from: 'NOTES.md', to: 'docs/NOTES.md' },
            { op: 'writeFile', path: 'assets/icon.bin', contentBase64: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]).toString('base64') },
          ],
        },
        reason: 'greet with a template string; move the notes under docs/',
      },
      validationPlan: [],
      allowedActions: ['writeFile', 'moveFile'],
      constraints: { maxRuntimeMs: 60000, maxFilesChanged: 4 },
    });

    const page = await openPage(browser, served.url);
    await openBatch(page, 'inbox:edit-greeting');
    const diff = page.getByTestId('patch-diff');
    await diff.waitFor();
    expect(await diff.getByTestId('patch-files-changed').innerText()).toBe('4 files changed');
    expect(await diff.getByTestId('patch-file-path').allInnerTexts()).toEqual(['assets/icon.bin', 'NOTES.md → docs/NOTES.md', 'src/farewell.ts', 'src/greeting.ts']);
    expect(await diff.getByTestId('patch-binary').count()).toBe(1);
    expect(await diff.locator('tr[data-kind="add"]').count()).toBe(3);
    expect(await diff.locator('tr[data-kind="remove"]').count()).toBe(2);
    expect((await page.getByTestId('verdict-badge').allInnerTexts()).map((b) => b.trim())).toEqual(['REVIEW']);
    await screenshot(page, 'patch-1-review');
    await page.setViewportSize({ width: 800, height: 600 });
    await screenshot(page, 'patch-1-review-800x600');
    await page.setViewportSize({ width: 1280, height: 860 });

    await page.getByTestId('approve-all').click();
    await page.getByTestId('run').click();
    await until(async () => (await page.getByTestId('batch-panel').getAttribute('data-status')) === 'completed', 'the patch to be applied');
    expect(await readFile(join(inbox.dir, 'src', 'greeting.ts'), 'utf8')).toContain('return `Hello, ${name}!`;');
    expect(await readFile(join(inbox.dir, 'docs', 'NOTES.md'), 'utf8')).toBe('# Notes\n\nKeep these.\n');
    expect(existsSync(join(inbox.dir, 'NOTES.md'))).toBe(false);
    await expect(page.getByTestId('patch-outcome').innerText()).resolves.toMatch(/^Applied: /);
    await until(async () => git(inbox.bare, 'log', '-1', '--format=%s', 'main') === 'bridge: results edit-greeting (exit=0)', 'the results commit');
    expect(await readFile(join(inbox.dir, 'diffs', 'edit-greeting.patch'), 'utf8')).toContain('diff --git a/NOTES.md b/docs/NOTES.md\nsimilarity index 100%\n');
    await screenshot(page, 'patch-2-applied');

    // Dark mode, for the people who use it.
    const dark = await openPage(browser, served.url, { colorScheme: 'dark' });
    await openBatch(dark, 'inbox:edit-greeting');
    await dark.getByTestId('patch-diff').waitFor();
    await screenshot(dark, 'patch-3-applied-dark');
  });

  it('runs the plan\'s smoke test unchanged: after approval in the UI, archive, result, diff and one commit appear', async () => {
    const root = await mkdtemp(join(tmpdir(), 'leash-e2e-cloud-'));
    const inbox = await cloud(root);
    served = await serveWithInbox(inbox);
    const printed = execFileSync('bash', [join(FIXTURES, 'ghost-bridge-smoke.sh')], { encoding: 'utf8', env: { ...process.env, CLOUD: inbox.dir, GPT_BRIDGE_HMAC_SECRET: SECRET } }).trim();
    const id = /(noop-\d{8}T\d{6}Z)\.json$/.exec(printed)?.[1] as string;
    const page = await openPage(browser, served.url);
    await openBatch(page, `inbox:${id}`);
    await page.getByTestId('patch-empty').waitFor();
    await screenshot(page, 'patch-4-smoke-noop');
    await page.getByTestId('approve-all').click();
    const approvedAt = performance.now();
    await page.getByTestId('run').click();
    await until(async () => git(inbox.bare, 'log', '-1', '--format=%s', 'main') === `bridge: results ${id} (exit=0)`, 'the results commit');
    // Reported, not asserted (a shared machine): the plan asks for seconds, its criterion is 10 s.
    console.log(`smoke test: approval to pushed commit in ${Math.round(performance.now() - approvedAt)} ms`);
    expect(git(inbox.bare, 'log', '--format=%s', 'main').split('\n')).toEqual([`bridge: results ${id} (exit=0)`, 'seed']);
    expect(await readdir(join(inbox.dir, 'archive'))).toEqual([`${id}.json`]);
    expect(await readFile(join(inbox.dir, 'diffs', `${id}.patch`), 'utf8')).toBe('');
    expect(existsSync(join(inbox.dir, 'results', `${id}.json`))).toBe(true);
    expect(existsSync(join(inbox.dir, 'results', `${id}.integrity.json`))).toBe(true);
    expect(await readdir(join(inbox.dir, 'commands'))).toEqual([]);
  });
});
