import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { livePidsWith, waitFor } from '../core/batch/procfs.js';
import { batchStatus, createFromPaste } from '../e2e/flows.js';
import { SCREENSHOTS } from '../e2e/harness.js';
import type { DesktopApp, JournalEntry, PendingDialog } from './standin/host.js';

/**
 * Starts a batch whose one command sleeps under a unique name, approved and running. It runs in a
 * project directory of its own: the workspace sandbox refuses the home directory as a writable root.
 */
export async function startSleepingBatch(page: Page): Promise<string> {
  const marker = `leash-desktop-${randomUUID()}`;
  const project = await mkdtemp(join(tmpdir(), 'leash-desktop-project-'));
  await createFromPaste(page, `exec -a ${marker} sleep 300`, 1, project);
  // Approve & run: one click approves and queues it (main does both in one call).
  await page.getByTestId('approve-run').click();
  // The sandbox wrapper (bwrap) carries the command line too: one or more processes, all gone after a stop.
  await waitFor(async () => (await livePidsWith(marker)).length >= 1, 15_000);
  await expect.poll(() => batchStatus(page)).toBe('running');
  return marker;
}

/** The batch was emergency-stopped: nothing of it is alive and the core says cancelled. */
export async function expectStopped(page: Page, marker: string): Promise<void> {
  await expect.poll(() => batchStatus(page), { timeout: 10_000 }).toBe('cancelled');
  expect(await livePidsWith(marker)).toEqual([]);
}

export async function auditEvents(home: string): Promise<string[]> {
  const text = await readFile(join(home, 'audit.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { event: string }).event);
}

export function lastCall(desktop: DesktopApp, target: string | RegExp, method: string): JournalEntry | undefined {
  return desktop.calls(target, method).at(-1);
}

export function waitForCall(desktop: DesktopApp, target: string | RegExp, method: string, after = 0): Promise<JournalEntry> {
  return desktop.waitFor(() => desktop.calls(target, method).slice(after)[0], `${String(target)}.${method}`);
}

export function waitForDialog(desktop: DesktopApp): Promise<PendingDialog> {
  return desktop.waitFor(() => desktop.dialogs[0], 'a dialog');
}

export function notificationTitles(desktop: DesktopApp): string[] {
  return desktop.calls('notification', 'show').map((entry) => (entry.args[0] as { title: string }).title);
}

export async function desktopScreenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `desktop-${name}.png`), fullPage: true });
}
