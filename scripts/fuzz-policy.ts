/**
 * `npm run fuzz:policy -- --seconds N [--seed S] [--batch B]`: differential fuzzing of the policy
 * engine against real bash in a sandbox, for as long as asked. Every failure is appended to
 * tests/core/policy/corpus/failures.jsonl, which the test suite replays.
 */
import { createPolicyEngine } from '../src-main/core/policy/index.js';
import { createBashOracle } from '../tests/core/policy/oracle/bashOracle.js';
import { describeMismatch } from '../tests/core/policy/oracle/compare.js';
import { compareWithBash, generateBatch, recordFailures } from '../tests/core/policy/fuzz/differential.js';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? undefined : Number(process.argv[index + 1]);
  if (value !== undefined && !Number.isFinite(value)) throw new Error(`--${name} needs a number`);
  return value ?? fallback;
}

const seconds = option('seconds', 60);
const batch = option('batch', 300);
let seed = option('seed', Date.now() % 2 ** 31);
const oracle = await createBashOracle();
if ('unavailable' in oracle) {
  console.error(`fuzz:policy: the bash oracle needs bubblewrap (${oracle.unavailable})`);
  process.exit(2);
}
const engine = await createPolicyEngine();
const deadline = Date.now() + seconds * 1000;
let compared = 0;
let failures = 0;
let fresh = 0;
console.log(`fuzz:policy: ${seconds} s, batches of ${batch}, first seed ${seed}`);
try {
  while (Date.now() < deadline) {
    const outcome = await compareWithBash(engine, oracle, generateBatch(seed, batch));
    compared += outcome.compared;
    const found = [...outcome.mismatches.map((m) => ({ command: m.command, kind: m.kind })), ...outcome.crashes.map((c) => ({ command: c.command, kind: 'crash' }))];
    failures += found.length;
    for (const mismatch of outcome.mismatches) console.log(`  ${describeMismatch(mismatch)}`);
    for (const crash of outcome.crashes) console.log(`  crash: ${JSON.stringify(crash.command)}: ${crash.message}`);
    fresh += await recordFailures(found);
    console.log(`  seed ${seed}: ${compared} commands compared so far, ${failures} failures`);
    seed++;
  }
} finally {
  await oracle.close();
}
console.log(`fuzz:policy: compared ${compared} generated commands with bash; ${failures} failures (${fresh} new in the corpus)`);
process.exit(failures > 0 ? 1 : 0);
