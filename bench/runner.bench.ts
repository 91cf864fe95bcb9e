/**
 * Runner benchmark: per-entry overhead, kill latency and output throughput, measured on real
 * processes. Run with `node --import tsx bench/runner.bench.ts`; figures are medians (and p95
 * for kill latency) over several rounds, since a shared machine is noisy.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startEntry, DEFAULT_KILL_GRACE_MS } from '../src-main/core/runner/index.js';
import { median, percentile } from './stats.js';

const env = { PATH: '/usr/local/bin:/usr/bin:/bin' };

function rawTrue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/bash', ['-c', 'true'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.on('error', reject);
    child.on('close', () => resolve());
  });
}

export interface OverheadFigures {
  startEntryMsPerEntry: number;
  rawSpawnMsPerEntry: number;
  overheadMsPerEntry: number;
}

/** (a) 10 × `true` through startEntry and through a bare spawn, sequentially; median of `rounds`. */
export async function measureEntryOverhead(rounds = 9, perRound = 10): Promise<OverheadFigures> {
  const viaEntry: number[] = [];
  const viaRaw: number[] = [];
  const cwd = tmpdir();
  await startEntry({ command: 'true', cwd, timeoutMs: 60_000, env }).result; // warm up imports and JIT
  await rawTrue();
  for (let round = 0; round < rounds; round++) {
    let start = performance.now();
    for (let i = 0; i < perRound; i++) await startEntry({ command: 'true', cwd, timeoutMs: 60_000, env }).result;
    viaEntry.push((performance.now() - start) / perRound);
    start = performance.now();
    for (let i = 0; i < perRound; i++) await rawTrue();
    viaRaw.push((performance.now() - start) / perRound);
  }
  const startEntryMsPerEntry = median(viaEntry);
  const rawSpawnMsPerEntry = median(viaRaw);
  return { startEntryMsPerEntry, rawSpawnMsPerEntry, overheadMsPerEntry: startEntryMsPerEntry - rawSpawnMsPerEntry };
}

/** Live (non-zombie) processes whose command line contains `marker`. */
function liveWith(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/cmdline`, 'latin1').includes(marker)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const state = stat[stat.lastIndexOf(')') + 2];
      if (state !== 'Z' && state !== 'X') found.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

export interface KillLatency {
  p50Ms: number;
  p95Ms: number;
  runs: number;
}

/**
 * (b) Time from `kill()` to a tree with no live member, confirmed by an independent /proc scan.
 * The tree is a shell with two background sleepers, started and fully built before each kill.
 */
export async function measureKillLatency(ignoreTerm: boolean, runs = 20): Promise<KillLatency> {
  const dir = mkdtempSync(join(tmpdir(), 'leash-bench-'));
  const sleeper = join(dir, `leash-bench-sleep-${process.pid}`);
  symlinkSync('/bin/sleep', sleeper);
  const latencies: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const command = `${ignoreTerm ? "trap '' TERM; " : ''}"${sleeper}" 300 & "${sleeper}" 301 & wait`;
      const entry = startEntry({ command, cwd: dir, timeoutMs: 60_000, env });
      while (liveWith(`${sleeper}\0`).length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      const start = performance.now();
      await entry.kill('cancelled');
      while (liveWith(sleeper).length > 0) await new Promise((resolve) => setImmediate(resolve));
      latencies.push(performance.now() - start);
    }
  } finally {
    for (const pid of liveWith(sleeper)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  return { p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95), runs };
}

export interface ThroughputFigures {
  megabytesPerSecond: number;
  peakRssGrowthMiB: number;
  bytes: number;
}

/**
 * (c) `head -c <bytes> /dev/zero` through startEntry: MB/s (10^6 bytes) from start to settled
 * result, and the peak growth of this process's RSS over its value before the run, sampled
 * every 5 ms. With `liveOutput`, an onOutput hook receives (and so forces decoding of) every byte.
 */
export async function measureThroughput(liveOutput: boolean, bytes = 512 * 1024 * 1024): Promise<ThroughputFigures> {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  let delivered = 0;
  const hooks = liveOutput ? { onOutput: (_stream: string, text: string) => void (delivered += text.length) } : {};
  const start = performance.now();
  const result = await startEntry({ command: `head -c ${bytes} /dev/zero`, cwd: tmpdir(), timeoutMs: 600_000, env }, hooks).result;
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  if (result.stdout.bytes !== bytes || (liveOutput && delivered !== bytes)) throw new Error('throughput run lost bytes');
  return { megabytesPerSecond: bytes / 1e6 / seconds, peakRssGrowthMiB: (peak - baseline) / 2 ** 20, bytes };
}

function medianOf<T>(runs: T[], pick: (run: T) => number): number {
  return median(runs.map(pick));
}

async function main(): Promise<void> {
  const fixed = (value: number, digits = 1): string => value.toFixed(digits).padStart(8);
  console.log('Leash runner benchmark (medians; machine is shared, expect noise)\n');

  const overhead = await measureEntryOverhead();
  console.log('(a) per-entry cost, 10 × `true` sequentially, median of 9 rounds');
  console.log(`    startEntry          ${fixed(overhead.startEntryMsPerEntry, 2)} ms/entry   (target ≤ 15)`);
  console.log(`    raw spawn           ${fixed(overhead.rawSpawnMsPerEntry, 2)} ms/entry`);
  console.log(`    overhead            ${fixed(overhead.overheadMsPerEntry, 2)} ms/entry\n`);

  console.log(`(b) kill latency to zero live processes, 20 runs each (grace ${DEFAULT_KILL_GRACE_MS} ms)`);
  const honours = await measureKillLatency(false);
  console.log(`    honours SIGTERM     p50 ${fixed(honours.p50Ms)} ms   p95 ${fixed(honours.p95Ms)} ms   (target p95 ≤ 100)`);
  const ignores = await measureKillLatency(true);
  console.log(`    ignores SIGTERM     p50 ${fixed(ignores.p50Ms)} ms   p95 ${fixed(ignores.p95Ms)} ms   (target ≤ ${DEFAULT_KILL_GRACE_MS + 100})\n`);

  console.log('(c) throughput of `head -c 512M /dev/zero`, median of 3 runs');
  for (const liveOutput of [false, true]) {
    const runs: ThroughputFigures[] = [];
    for (let i = 0; i < 3; i++) runs.push(await measureThroughput(liveOutput));
    const label = liveOutput ? 'capture + onOutput ' : 'capture only       ';
    console.log(
      `    ${label} ${fixed(medianOf(runs, (r) => r.megabytesPerSecond), 0)} MB/s (target ≥ 300)   ` +
        `peak RSS growth ${fixed(medianOf(runs, (r) => r.peakRssGrowthMiB))} MiB (target ≤ 64)`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
