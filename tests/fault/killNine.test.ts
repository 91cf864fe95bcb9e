import { describe, expect, it } from 'vitest';
import { killAtRandom } from './killAtRandom.js';

/**
 * The quick form of the fault-injection suite (the long form: `npm run fault:kill -- 500`).
 * LEASH_FAULT_SEED replays a run.
 */
describe('kill -9 of a real leash run at random points of a real batch', () => {
  it('leaves, every time, an audit that verifies, no entry process alive and every batch with a way forward', async () => {
    const seed = process.env.LEASH_FAULT_SEED ? Number(process.env.LEASH_FAULT_SEED) : undefined;
    const report = await killAtRandom({ iterations: 50, budgetMs: 180_000, seed });
    console.log(`fault injection: ${report.iterations} kills (seed ${report.seed}), batches after recovery: ${JSON.stringify(report.outcomes)}`);
    expect(report.failures).toEqual([]);
    // The budget bounds the time, not the point: enough kills must have happened to mean something.
    expect(report.iterations).toBeGreaterThanOrEqual(10);
  }, 300_000);
});
