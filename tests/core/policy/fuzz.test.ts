import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBashOracle, type BashOracle } from './oracle/bashOracle.js';
import { describeMismatch } from './oracle/compare.js';
import { compareWithBash, generateBatch, readCorpus } from './fuzz/differential.js';
import { sharedEngine } from './engine.js';

/**
 * Differential fuzzing, bounded: a fixed seed, a few hundred generated commands, each compared
 * with what bash ran. Longer runs: `npm run fuzz:policy -- --seconds N`; what they find lands in
 * corpus/failures.jsonl and is replayed here forever.
 */

const SEED = 20261203;
const COUNT = 120;

let oracle: BashOracle | { unavailable: string };

beforeAll(async () => {
  oracle = await createBashOracle();
}, 60_000);

afterAll(async () => {
  if (oracle && !('unavailable' in oracle)) await oracle.close();
});

function available(): BashOracle {
  if ('unavailable' in oracle) throw new Error(`the bash oracle needs bubblewrap: ${oracle.unavailable}`);
  return oracle;
}

describe('differential fuzzing against bash', () => {
  it(`finds no command bash ran that the engine did not judge, in ${COUNT} generated commands (seed ${SEED})`, async () => {
    const outcome = await compareWithBash(await sharedEngine(), available(), generateBatch(SEED, COUNT));
    expect(outcome.crashes).toEqual([]);
    expect(outcome.mismatches.map(describeMismatch)).toEqual([]);
    expect(outcome.compared).toBe(COUNT);
  }, 180_000);

  it('replays every failure the fuzzer ever found', async () => {
    const corpus = await readCorpus();
    if (corpus.length === 0) return;
    const outcome = await compareWithBash(await sharedEngine(), available(), corpus);
    expect(outcome.crashes).toEqual([]);
    expect(outcome.mismatches.map(describeMismatch)).toEqual([]);
  }, 180_000);

  it('generates the same commands for the same seed', () => {
    expect(generateBatch(7, 20)).toEqual(generateBatch(7, 20));
    expect(generateBatch(7, 20)).not.toEqual(generateBatch(8, 20));
  });
});
