/**
 * Live output through a pipe: wall time and peak RSS of `leash run --yes` of
 * `head -c 1G /dev/zero` piped into `cat >/dev/null`, against the same `head | cat` without
 * Leash, run round-robin so load on a shared machine hits both alike. Peak RSS is the writing
 * process's VmHWM (Leash's own process, or `head`), sampled from /proc while it runs.
 * Run with `npm run bench:pipe [-- --rounds N] [--size 1G]`; prints medians and ratios.
 * Goal (issue #13): peak RSS ≤ 150 MiB for 1 GiB piped.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandboxTestRoot } from '../tests/support/sandboxTestRoot.js';
import { median } from './stats.js';

const option = (name: string): string | undefined => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
};
const rounds = Number(option('rounds')) || 3;
const size = option('size') ?? '1G';

// Off the sandbox's private tmpfs (/tmp, /var/tmp, /dev/shm): the project must be visible to the entry.
const root = mkdtempSync(join(sandboxTestRoot(), 'leash-bench-pipe-'));
const batchFile = join(root, 'batch.json');
writeFileSync(batchFile, JSON.stringify({ entries: [{ command: `head -c ${size} /dev/zero` }], cwd: root }));
const env = { ...process.env, LEASH_HOME: join(root, 'data') };
const leash = join(process.cwd(), 'bin', 'leash.js');

function vmHwmKiB(pid: number): number {
  try {
    return Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Runs `file args | cat >/dev/null`; resolves with the wall time and the writer's peak RSS. */
function piped(file: string, args: string[]): Promise<{ ms: number; rssMiB: number }> {
  const start = performance.now();
  const cat = spawn('cat', [], { stdio: ['pipe', 'ignore', 'inherit'] });
  const writer = spawn(file, args, { env, cwd: root, stdio: ['ignore', cat.stdin, 'inherit'] });
  cat.stdin.destroy(); // the writer holds the pipe now; cat sees its end when the writer exits
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, vmHwmKiB(writer.pid as number))), 10);
  const writerDone = new Promise<number | null>((resolve) => writer.on('exit', (code) => resolve(code)));
  const catDone = new Promise<void>((resolve) => cat.on('close', () => resolve()));
  return Promise.all([writerDone, catDone]).then(([code]) => {
    clearInterval(sampler);
    if (code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${code}`);
    return { ms: performance.now() - start, rssMiB: peak / 1024 };
  });
}

const cases = [
  { name: `head -c ${size} /dev/zero | cat (baseline)`, run: () => piped('head', ['-c', size, '/dev/zero']) },
  { name: `leash run --yes 'head -c ${size} /dev/zero' | cat`, run: () => piped(process.execPath, [leash, 'run', '--yes', batchFile]) },
];
const times = cases.map(() => [] as number[]);
const peaks = cases.map(() => [] as number[]);
try {
  for (let round = 0; round < rounds; round++) {
    for (const [index, benchCase] of cases.entries()) {
      const { ms, rssMiB } = await benchCase.run();
      times[index]!.push(ms);
      peaks[index]!.push(rssMiB);
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

const [baseTime, basePeak] = [median(times[0]!), median(peaks[0]!)];
console.log(`${size} of output piped into cat, ${rounds} rounds, medians:`);
cases.forEach((benchCase, index) => {
  const [time, peak] = [median(times[index]!), median(peaks[index]!)];
  console.log(
    `  ${benchCase.name.padEnd(52)} ${(time / 1000).toFixed(2)} s (${(time / baseTime).toFixed(1)}×)   peak RSS ${peak.toFixed(1)} MiB (${(peak / basePeak).toFixed(1)}×)`,
  );
});
const leashPeak = median(peaks[1]!);
console.log(`  goal: peak RSS ≤ 150 MiB: ${leashPeak <= 150 ? 'met' : `missed by ${(leashPeak - 150).toFixed(1)} MiB`}`);
