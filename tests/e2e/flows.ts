import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { livePidsNamed, livePidsWith, waitFor } from '../core/batch/procfs.js';
import { sandboxTestRoot } from '../support/sandboxTestRoot.js';

/**
 * The original plan's flows, written once and run through both ways in: browser mode (the real
 * `leash serve`, tests/e2e/flows.test.ts) and the desktop app (the built main process under the
 * electron stand-in, tests/desktop/flows.test.ts). Each gets a page showing the real renderer,
 * the data directory behind it and a screenshot function.
 */
export interface FlowSession {
  page: Page;
  home: string;
  screenshot(name: string): Promise<void>;
}

export interface Flow {
  name: string;
  colorScheme?: 'light' | 'dark';
  run(session: FlowSession): Promise<void>;
}

/**
 * A fresh project directory for a flow's batch. The default working directory (home) cannot be a
 * workspace (the sandbox refuses it), and a read-only entry gets a private /tmp, so a file a flow
 * wants read lives in the project, which the sandbox keeps visible.
 */
export async function projectDir(): Promise<string> {
  return mkdtemp(join(sandboxTestRoot(), 'flow-project-'));
}

/** Pastes text into New batch, waits for the preview, creates the batch and returns to it. */
export async function createFromPaste(page: Page, text: string, entries: number, cwd?: string): Promise<void> {
  await page.getByTestId('nav-new').click();
  await page.getByTestId('paste-input').fill(text);
  await expect.poll(() => page.getByTestId('preview-entry').count(), { timeout: 10_000 }).toBe(entries);
  if (cwd) await page.getByTestId('cwd-input').fill(cwd);
  await page.getByTestId('create-batch').click();
  await page.getByTestId('batch-panel').waitFor();
}

export async function batchStatus(page: Page): Promise<string | null> {
  return page.getByTestId('batch-panel').getAttribute('data-status');
}

export async function entryStatuses(page: Page): Promise<(string | null)[]> {
  const rows = page.getByTestId('entry-row');
  const statuses: (string | null)[] = [];
  for (let i = 0; i < (await rows.count()); i++) statuses.push(await rows.nth(i).getAttribute('data-status'));
  return statuses;
}

export const FLOWS: Flow[] = [
  {
    name: '(1) runs a safe batch of which git, ls ~/ and cat, and shows the output',
    async run({ page, screenshot }) {
      // Outside Leash's data directory (\`home\`): reading that one is a credential read, asked for.
      const project = await projectDir();
      const notes = join(project, 'notes.txt');
      await writeFile(notes, 'hello from a file Leash read\n');
      await createFromPaste(page, `which git\nls ~/\ncat ${notes}`, 3, project);
      const badges = await page.getByTestId('verdict-badge').allInnerTexts();
      expect(badges.map((b) => b.trim())).toEqual(['SAFE', 'SAFE', 'SAFE']);
      await screenshot('1-safe-batch-before-run');
      // The default action: approved and run in one step.
      await page.getByTestId('approve-run').click();
      await expect.poll(() => batchStatus(page), { timeout: 20_000 }).toBe('completed');
      expect(await entryStatuses(page)).toEqual(['completed', 'completed', 'completed']);
      await expect.poll(() => page.getByTestId('batch-panel').innerText(), { timeout: 10_000 }).toContain('hello from a file Leash read');
      await screenshot('1-safe-batch-completed');
    },
  },
  {
    name: '(2) blocks the rm -rf entry of a mixed batch and runs the others approved one by one',
    async run({ page, home, screenshot }) {
      const victim = join(home, 'keep-me');
      await writeFile(victim, 'precious');
      await createFromPaste(page, `echo first\nrm -rf ${victim}\necho third`, 3);
      const rows = page.getByTestId('entry-row');
      expect(await rows.nth(1).getAttribute('data-verdict')).toBe('deny');
      expect((await rows.nth(1).getByTestId('verdict-badge').innerText()).trim()).toBe('BLOCKED');
      await expect(rows.nth(1).getByTestId('entry-approve').isDisabled()).resolves.toBe(true);
      await rows.nth(0).getByTestId('entry-approve').check();
      await rows.nth(2).getByTestId('entry-approve').check();
      await screenshot('2-mixed-batch-selected');
      await page.getByTestId('approve-selected').click();
      await page.getByTestId('run').click();
      await expect.poll(() => batchStatus(page), { timeout: 20_000 }).toBe('completed');
      expect(await entryStatuses(page)).toEqual(['completed', 'blocked', 'completed']);
      expect(await readFile(victim, 'utf8')).toBe('precious');
      await screenshot('2-mixed-batch-done');
    },
  },
  {
    name: '(3) enables autonomy by pasting the token back; a batch of allowed commands then runs without a click',
    async run({ page, home, screenshot }) {
      await page.getByTestId('nav-settings').click();
      await page.getByTestId('autonomy-toggle').click();
      await page.getByTestId('autonomy-explanation').waitFor();
      await screenshot('3-autonomy-danger-dialog');
      // Until switched off: the header then shows the token's fingerprint (a timed one shows the time left).
      await page.getByTestId('autonomy-duration-until-off').check();
      await page.getByTestId('autonomy-continue').click();
      const token = (await page.getByTestId('autonomy-token').innerText()).trim();
      expect(token).toMatch(/^[0-9a-f-]{36}$/);
      // A wrong paste is refused (and audited as AUTH_FAILURE).
      await page.getByTestId('autonomy-token-input').fill('00000000-0000-4000-8000-000000000000');
      await page.getByTestId('autonomy-confirm').click();
      await page.getByTestId('autonomy-confirm-error').waitFor();
      await screenshot('3-autonomy-wrong-token');
      // The token shown stays valid: copy it, then paste it back as a person would.
      const shown = (await page.getByTestId('autonomy-token').innerText()).trim();
      expect(shown).toBe(token);
      await page.getByTestId('autonomy-token-copy').click();
      // Writing to the clipboard is asynchronous: paste only once the copy has landed.
      await expect.poll(() => page.evaluate<string>('navigator.clipboard.readText()'), { timeout: 5_000 }).toBe(shown);
      const input = page.getByTestId('autonomy-token-input');
      await input.fill('');
      await input.focus();
      await page.keyboard.press('Control+V');
      expect((await input.inputValue()).trim()).toBe(shown);
      await page.getByTestId('autonomy-confirm').click();
      await expect.poll(() => page.getByTestId('autonomy-indicator').getAttribute('data-state'), { timeout: 10_000 }).toBe('on');
      const fingerprint = (await page.getByTestId('autonomy-fingerprint').innerText()).trim();
      await screenshot('3-autonomy-on');

      await createFromPaste(page, 'echo unattended\npwd', 2);
      await expect.poll(() => batchStatus(page), { timeout: 20_000 }).toBe('completed');
      expect(await page.getByTestId('batch-approved-by').innerText()).toContain(`autonomy:${fingerprint}`);
      await screenshot('3-autonomy-batch-ran');

      await page.getByTestId('nav-audit').click();
      const approved = page.locator('[data-testid="audit-row"][data-event="BATCH_APPROVED"]');
      await expect.poll(() => approved.count(), { timeout: 10_000 }).toBeGreaterThan(0);
      expect(await approved.first().innerText()).toContain(`autonomy:${fingerprint}`);
      const audit = await readFile(join(home, 'audit.jsonl'), 'utf8');
      expect(audit).toContain('"event":"AUTH_FAILURE"');
      expect(audit).not.toContain(shown);
      await screenshot('3-autonomy-audit');
    },
  },
  {
    name: '(4) the emergency stop ends a sleep 300 with a background child at once, and nothing survives',
    async run({ page, screenshot }) {
      const marker = `leash-e2e-${randomUUID()}`;
      await createFromPaste(page, `(exec -a ${marker}-child sleep 300) & exec -a ${marker}-main sleep 300\necho never`, 2, await projectDir());
      await page.getByTestId('approve-all').click();
      await page.getByTestId('run').click();
      await waitFor(async () => (await livePidsNamed(`${marker}-child`)).length === 1 && (await livePidsNamed(`${marker}-main`)).length === 1, 15_000);
      await expect.poll(() => batchStatus(page), { timeout: 10_000 }).toBe('running');
      await screenshot('4-running-before-stop');
      const pressed = Date.now();
      await page.getByTestId('emergency-stop').click();
      await expect.poll(() => batchStatus(page), { timeout: 5_000 }).toBe('cancelled');
      const settledMs = Date.now() - pressed;
      expect(await livePidsWith(marker)).toEqual([]);
      expect(await entryStatuses(page)).toEqual(['cancelled', 'cancelled']);
      await page.getByTestId('emergency-report').waitFor();
      expect(await page.getByTestId('emergency-killed').innerText()).toContain(`${marker}-main`);
      console.log(`emergency stop: batch shown cancelled ${settledMs} ms after the click`);
      await screenshot('4-emergency-stopped');
    },
  },
  {
    name: '(5) turns pasted AI text with three tool calls into a batch',
    colorScheme: 'dark',
    async run({ page, screenshot }) {
      const response = [
        "I'll check the repository state first.",
        '```json',
        JSON.stringify(
          {
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'shell', arguments: JSON.stringify({ command: 'git status' }) } },
              { id: 'call_2', type: 'function', function: { name: 'shell', arguments: JSON.stringify({ command: 'ls -la' }) } },
              { id: 'call_3', type: 'function', function: { name: 'shell', arguments: JSON.stringify({ command: 'npm test' }) } },
            ],
          },
          null,
          2,
        ),
        '```',
        'Then I will summarise what I find.',
      ].join('\n');
      await page.getByTestId('nav-new').click();
      await page.getByTestId('paste-input').fill(response);
      await expect.poll(() => page.getByTestId('preview-entry').count(), { timeout: 10_000 }).toBe(3);
      await screenshot('5-paste-preview-dark');
      await page.getByTestId('create-batch').click();
      await page.getByTestId('batch-panel').waitFor();
      const commands = await page.getByTestId('command-text').allInnerTexts();
      expect(commands.map((c) => c.trim())).toEqual(['git status', 'ls -la', 'npm test']);
      expect(await batchStatus(page)).toBe('pending');
      await screenshot('5-batch-from-paste-dark');
    },
  },
  {
    name: '(6) verifies the audit trail as intact',
    async run({ page, screenshot }) {
      await createFromPaste(page, 'echo audited', 1);
      await page.getByTestId('approve-all').click();
      await page.getByTestId('run').click();
      await expect.poll(() => batchStatus(page), { timeout: 20_000 }).toBe('completed');
      await page.getByTestId('nav-audit').click();
      await page.getByTestId('audit-verify').click();
      const result = page.getByTestId('audit-verify-result');
      await result.waitFor();
      expect(await result.getAttribute('data-ok')).toBe('true');
      expect(await result.innerText()).toMatch(/Intact: \d+ records, head [0-9a-f]{64}/);
      await screenshot('6-audit-intact');
    },
  },
  {
    name: 'shows a running entry\'s earlier output after the page reloads',
    async run({ page, screenshot }) {
      const marker = `leash-reload-${randomUUID()}`;
      // The output ("printed-before-reload") differs from the command text, so only output can match.
      await createFromPaste(page, `printf 'printed-%s\\n' before-reload; exec -a ${marker} sleep 300`, 1, await projectDir());
      await page.getByTestId('approve-all').click();
      await page.getByTestId('run').click();
      await expect.poll(() => page.getByTestId('output-view').first().innerText(), { timeout: 15_000 }).toContain('printed-before-reload');
      await page.reload();
      await page.getByTestId('batch-row').first().click();
      await expect.poll(() => page.getByTestId('output-view').first().innerText(), { timeout: 15_000 }).toContain('printed-before-reload');
      await screenshot('8-output-after-reload');
      await page.getByTestId('emergency-stop').click();
      await expect.poll(() => batchStatus(page), { timeout: 5_000 }).toBe('cancelled');
      expect(await livePidsWith(marker)).toEqual([]);
    },
  },
  {
    name: 'shows invisible characters in a proposed command as visible escapes',
    async run({ page, screenshot }) {
      await createFromPaste(page, 'echo safe\u200b; ls\u202e', 1);
      const shown = await page.getByTestId('command-text').first().innerText();
      expect(shown).toContain('\\u{200B}');
      expect(shown).toContain('\\u{202E}');
      expect((await page.getByTestId('verdict-badge').first().innerText()).trim()).toBe('REVIEW');
      await screenshot('7-invisible-characters');
    },
  },
  ...(['light', 'dark'] as const).map(
    (colorScheme): Flow => ({
      name: `shows each entry’s sandbox, lets the person turn the network on, and keeps writes in the project (${colorScheme})`,
      colorScheme,
      async run({ page, home, screenshot }) {
        const project = await mkdtemp(join(tmpdir(), 'leash-flow-project-'));
        // `home` is Leash's data directory: hidden from every command, so the second write fails.
        await createFromPaste(page, `ls\ntouch made-here.txt ${home}/planted`, 2, project);
        const badges = () => page.getByTestId('sandbox-badge').allInnerTexts();
        expect((await badges()).map((b) => b.replace('Sandbox:', '').trim())).toEqual(['read-only', 'workspace · no network']);
        await page.getByTestId('sandbox-network').check();
        expect((await badges())[1]).toContain('network on');
        await screenshot(`sandbox-controls-${colorScheme}`);
        await page.setViewportSize({ width: 800, height: 600 });
        await screenshot(`sandbox-controls-800x600-${colorScheme}`);
        await page.getByTestId('sandbox-network').uncheck();
        await page.getByTestId('approve-all').click();
        await page.getByTestId('run').click();
        await expect.poll(() => batchStatus(page), { timeout: 20_000 }).toBe('error');
        expect(existsSync(join(project, 'made-here.txt'))).toBe(true);
        expect(existsSync(join(home, 'planted'))).toBe(false);
        await expect.poll(() => page.getByTestId('entry-sandbox-hint').innerText(), { timeout: 10_000 }).toMatch(/the sandbox/);
        await screenshot(`sandbox-denied-${colorScheme}`);
      },
    }),
  ),
];
