/**
 * `npm run bench:patterns`: a user allow pattern with a nested quantifier (`mytool (\w+-?)+`,
 * issue #16) against commands that almost match, `mytool aaa…a!`. Baseline: the backtracking
 * JavaScript RegExp the patterns used to be matched with; now: the linear-time RE2 matcher
 * (re2js) behind `checkPatterns`. Medians side by side, and their ratio.
 */
import { checkPatterns } from '../src-main/core/policy/patterns.js';
import { median } from './stats.js';

const PATTERN = 'mytool (\\w+-?)+';
const RUNS = 5;
/** The backtracking baseline doubles with every extra `a`: stop it before it takes minutes. */
const BASELINE_MAX_LENGTH = 24;

function time(run: () => boolean, runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    run();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

const backtracking = new RegExp(`^(?:${PATTERN})$`, 'u');
const [linear] = checkPatterns([PATTERN]).patterns;
if (!linear) throw new Error('the benchmark pattern was refused');

console.log(`allow pattern ${PATTERN} vs "mytool " + "a" x N + "!" (median of ${RUNS} runs)`);
console.log('      N   backtracking (before)   linear RE2 (now)   ratio before/now');
for (const length of [16, 20, 22, 24, 31, 1000, 4000]) {
  const command = `mytool ${'a'.repeat(length)}!`;
  const now = time(() => linear.matches(command), RUNS);
  const before = length <= BASELINE_MAX_LENGTH ? time(() => backtracking.test(command), RUNS) : undefined;
  const beforeText = before === undefined ? 'not run (doubles per a)' : `${before.toFixed(3)} ms`;
  const ratio = before === undefined ? '' : `${(before / Math.max(now, 0.001)).toFixed(0)}x`;
  console.log(`${String(length).padStart(7)}   ${beforeText.padStart(20)}   ${`${now.toFixed(3)} ms`.padStart(16)}   ${ratio.padStart(16)}`);
}
