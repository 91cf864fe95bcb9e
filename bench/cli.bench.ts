/**
 * CLI cold start: whole-process wall time of short-lived `leash` commands against `node -e 0`,
 * run round-robin (one of each per round) so load on a shared machine hits all of them alike.
 * Run with `npm run bench:cli [-- --rounds N]`; prints medians and ratios to the baseline.
 * Goals (issue #13): `leash classify` ≤ 0.35 s and `leash run` of one `true` ≤ 0.5 s.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './stats.js';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 11;
const home = mkdtempSync(join(tmpdir(), 'leash-bench-cli-'));
const batchFile = join(home, 'batch.json');
writeFileSync(batchFile, JSON.stringify({ entries: [{ command: 'true' }], cwd: home }));
const leash = join(process.cwd(), 'bin', 'leash.js');
const env = { ...process.env, LEASH_HOME: join(home, 'data') };

const cases: Array<{ name: string; args: string[] }> = [
  { name: 'node -e 0 (baseline)', args: ['-e', '0'] },
  { name: 'leash classify "git status"', args: [leash, 'classify', 'git status'] },
  { name: 'leash classify, TurboFan tier-up left on', args: ['--no-liftoff-only', leash, 'classify', 'git status'] },
  { name: 'leash run (one `true`, --yes)', args: [leash, 'run', batchFile, '--yes'] },
];

const samples = cases.map(() => [] as number[]);
for (let round = 0; round < rounds; round++) {
  cases.forEach((benchCase, index) => {
    const start = performance.now();
    const run = spawnSync(process.execPath, benchCase.args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const elapsed = performance.now() - start;
    if (run.status !== 0 && !benchCase.args.includes('classify')) throw new Error(`${benchCase.name} failed: ${run.stderr}`);
    samples[index]!.push(elapsed);
  });
}
rmSync(home, { recursive: true, force: true });

const baseline = median(samples[0]!);
console.log(`CLI cold start, ${rounds} rounds, medians (whole process):`);
cases.forEach((benchCase, index) => {
  const value = median(samples[index]!);
  console.log(`  ${benchCase.name.padEnd(44)} ${(value / 1000).toFixed(3)} s   ${(value / baseline).toFixed(1)}× baseline`);
});
