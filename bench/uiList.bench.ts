/**
 * Batch list benchmark (issue #13 items 3, 4 and the UI part of 7): real Chromium against a real
 * `leash serve` over 10, 1,000 and 10,000 stored batches, seeded through the project's own
 * writers (tests/support/seedBatches.ts: the batch service, then the batch store). Per size,
 * ROUNDS fresh pages; per page:
 *   - first render: navigation start to the first batch row in the DOM;
 *   - DOM nodes once the list and the selected batch are shown;
 *   - bytes of the answer to the first `batch:list` (as the WebSocket frame arrived);
 *   - long tasks (PerformanceObserver 'longtask', > 50 ms) during the load, and while one
 *     3-entry batch is created, approved and run to completion over IPC.
 * Prints each round, then medians per size and their ratio to the 10-batch baseline.
 * Goals (at 10k batches): first render <= 300 ms, no task > 50 ms while a batch runs.
 *
 * Run with `npm run bench:ui-list` after `node scripts/build-cli.js && npx electron-vite build`.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, serve } from '../tests/e2e/harness.js';
import { seedBatches } from '../tests/support/seedBatches.js';
import { median } from './stats.js';
import { round, type Round } from './uiListRound.js';

const SIZES = [10, 1_000, 10_000];
const ROUNDS = 3;
const RENDER_GOAL_MS = 300;
const TASK_GOAL_MS = 50;

async function main(): Promise<void> {
  if (!existsSync('out/renderer/index.html') || !existsSync('dist/cli/index.js')) throw new Error('build first: node scripts/build-cli.js && npx electron-vite build');
  const browser = await launchBrowser();
  const results = new Map<number, Round[]>();
  try {
    for (const size of SIZES) {
      const home = await mkdtemp(join(tmpdir(), `leash-bench-list-${size}-`));
      const cwd = await mkdtemp(join(tmpdir(), 'leash-bench-list-project-'));
      const seededAt = Date.now();
      await seedBatches(home, size, { cwd });
      console.log(`seeded ${size} batches in ${((Date.now() - seededAt) / 1000).toFixed(1)} s`);
      const served = await serve({}, { home });
      try {
        const rounds: Round[] = [];
        for (let i = 0; i < ROUNDS; i++) {
          const figures = await round(browser, served.url, cwd);
          console.log(`${size} batches, round ${i + 1}: ${JSON.stringify(figures)}`);
          rounds.push(figures);
        }
        results.set(size, rounds);
      } finally {
        await served.stop();
        await rm(home, { recursive: true, force: true });
        await rm(cwd, { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close();
  }
  const keys: (keyof Round)[] = ['firstRenderMs', 'domNodes', 'listBytes', 'loadLongTasks', 'loadLongestMs', 'runLongTasks', 'runLongestMs'];
  const medians = new Map([...results].map(([size, rounds]) => [size, Object.fromEntries(keys.map((k) => [k, median(rounds.map((r) => r[k]))])) as Record<keyof Round, number>]));
  const base = medians.get(SIZES[0] as number) as Record<keyof Round, number>;
  console.log('\nmedians (ratio to the 10-batch baseline):');
  for (const [size, figures] of medians) {
    const cells = keys.map((k) => `${k} ${figures[k]}${base[k] > 0 ? ` (${(figures[k] / base[k]).toFixed(2)}x)` : ''}`);
    console.log(`  ${String(size).padStart(6)}: ${cells.join(', ')}`);
  }
  const largest = medians.get(SIZES.at(-1) as number) as Record<keyof Round, number>;
  const worstRunTask = Math.max(...(results.get(SIZES.at(-1) as number) ?? []).map((r) => r.runLongestMs));
  console.log(`\ngoal first render <= ${RENDER_GOAL_MS} ms at ${SIZES.at(-1)}: ${largest.firstRenderMs} ms ${largest.firstRenderMs <= RENDER_GOAL_MS ? 'MET' : 'MISSED'}`);
  console.log(`goal no task > ${TASK_GOAL_MS} ms while a batch runs at ${SIZES.at(-1)}: longest ${worstRunTask} ms over ${ROUNDS} rounds ${worstRunTask <= TASK_GOAL_MS ? 'MET' : 'MISSED'}`);
}

await main();
