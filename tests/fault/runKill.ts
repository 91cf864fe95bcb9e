import { killAtRandom } from './killAtRandom.js';

/**
 * The long form of the fault-injection suite: `npm run fault:kill -- [COUNT] [SEED]` (default
 * 500 kills). Prints one line per kill and a summary; exits 1 if any check failed.
 */
const count = Number(process.argv[2] ?? 500);
const seed = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
if (!Number.isInteger(count) || count < 1) {
  process.stderr.write('usage: npm run fault:kill -- [COUNT] [SEED]\n');
  process.exit(2);
}
const report = await killAtRandom({
  iterations: count,
  seed,
  onIteration: (index, outcome) => process.stdout.write(`kill ${index + 1}/${count}: batch ${outcome}\n`),
});
process.stdout.write(`\n${report.iterations} kills, seed ${report.seed}; batches after recovery: ${JSON.stringify(report.outcomes)}\n`);
for (const failure of report.failures) process.stdout.write(`FAILED ${failure}\n`);
process.stdout.write(report.failures.length === 0 ? 'every check held\n' : `${report.failures.length} checks failed\n`);
process.exit(report.failures.length === 0 ? 0 : 1);
