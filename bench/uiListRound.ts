/**
 * One round of the batch list in real Chromium against a running `leash serve` (shared by
 * bench/uiList.bench.ts and bench/scale.bench.ts): a fresh page; first render (navigation start
 * to the first batch row in the DOM), DOM nodes, the bytes of the first `batch:list` answer, long
 * tasks (> 50 ms) while it loads, and while one 3-entry batch is created, approved and run to
 * completion over IPC.
 */
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { connectIpc } from '../tests/support/ipcClient.js';

const PROBE = fileURLToPath(new URL('./uiListProbe.js', import.meta.url));

export interface Round {
  firstRenderMs: number;
  domNodes: number;
  listBytes: number;
  loadLongTasks: number;
  loadLongestMs: number;
  runLongTasks: number;
  runLongestMs: number;
}

interface ProbeReport {
  firstRowAt: number | null;
  markAt: number | null;
  longTasks: { start: number; duration: number }[];
  nodes: number;
}

export async function round(browser: Browser, url: string, cwd: string): Promise<Round> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  await page.addInitScript({ path: PROBE });
  let listRequestId: number | null = null;
  let listBytes = 0;
  page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => {
      const text = String(payload);
      if (listRequestId === null && text.includes('"channel":"batch:list"')) listRequestId = (JSON.parse(text) as { id: number }).id;
    });
    socket.on('framereceived', ({ payload }) => {
      const text = String(payload);
      if (listRequestId !== null && listBytes === 0 && text.startsWith(`{"id":${listRequestId},`)) listBytes = Buffer.byteLength(text);
    });
  });
  await page.goto(url);
  await page.getByTestId('batch-row').first().waitFor({ timeout: 120_000 });
  await page.getByTestId('batch-panel').waitFor({ timeout: 60_000 });
  await page.waitForTimeout(300);
  const loaded = (await page.evaluate('window.__leashListProbe.report()')) as ProbeReport;
  await page.evaluate('window.__leashListProbe.mark()');
  const ipc = await connectIpc(url);
  const created = await ipc.call('batch:create', { entries: [{ command: 'echo one' }, { command: 'sleep 0.2; echo two' }, { command: 'printf three' }], cwd });
  if (!created.ok) throw new Error(created.error.message);
  const id = created.value.id;
  await ipc.call('batch:approve', { id });
  await ipc.call('batch:run', { id });
  for (let waited = 0; ; waited += 100) {
    const got = await ipc.call('batch:get', { id });
    if (got.ok && ['completed', 'error', 'cancelled', 'interrupted'].includes(got.value.status)) break;
    if (waited > 60_000) throw new Error('the 3-entry batch did not finish within a minute');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await page.locator(`[data-testid="batch-row"][data-batch-id="${id}"][data-status="completed"]`).waitFor({ timeout: 30_000 });
  await page.waitForTimeout(500);
  ipc.close();
  const after = (await page.evaluate('window.__leashListProbe.report()')) as ProbeReport;
  await context.close();
  const markAt = after.markAt ?? 0;
  const loadTasks = loaded.longTasks;
  const runTasks = after.longTasks.filter((task) => task.start + task.duration >= markAt);
  return {
    firstRenderMs: Math.round(loaded.firstRowAt ?? Number.NaN),
    domNodes: loaded.nodes,
    listBytes,
    loadLongTasks: loadTasks.length,
    loadLongestMs: Math.round(Math.max(0, ...loadTasks.map((t) => t.duration))),
    runLongTasks: runTasks.length,
    runLongestMs: Math.round(Math.max(0, ...runTasks.map((t) => t.duration))),
  };
}

