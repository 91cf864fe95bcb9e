import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAudit } from '../../src-main/core/audit/index.js';
import { isTerminal } from '../../src-main/core/batch/index.js';
import { openLeash } from '../../src-main/core/leash.js';
import { livePidsWith, waitFor } from '../core/batch/procfs.js';

/**
 * Fault injection: a real `leash run` (the built CLI) runs a real batch over one data directory
 * and is killed with SIGKILL at a random moment, again and again, as repeated crashes would. After
 * each kill a new Leash opens the same directory (recovery), and then:
 * - the audit trail verifies;
 * - no process of any entry is alive;
 * - every batch has a way forward: it is awaiting approval or has ended (never left `running`
 *   or `approved`, which nothing would ever move on).
 * Shared by the quick test (tests/fault/killNine.test.ts) and `npm run fault:kill -- <count>`.
 */

export interface KillReport {
  iterations: number;
  /** How the batch ended up after each kill, counted: `pending`, `interrupted`, … or `none` (killed before it was stored). */
  outcomes: Record<string, number>;
  failures: string[];
  seed: number;
}

export interface KillOptions {
  iterations: number;
  /** Stop starting new iterations after this long (the quick form is bounded in time). */
  budgetMs?: number;
  /** Longest extra wait after the chosen line of output before the kill. */
  maxJitterMs?: number;
  seed?: number;
  onIteration?: (index: number, outcome: string) => void;
}

const BIN = join(process.cwd(), 'bin/leash.js');

/** A small deterministic PRNG (mulberry32), so a failing run can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Where to kill: after the `line`-th line `leash run` prints (0: before it prints anything; its
 * lines mark the batch's creation, each entry's start and its output), plus `jitterMs`. Counting
 * lines, not wall time, spreads the kills over the batch however loaded the machine is.
 */
interface KillPoint {
  line: number;
  jitterMs: number;
}

async function killDuringRun(home: string, batchFile: string, point: KillPoint): Promise<void> {
  const child = spawn(process.execPath, [BIN, 'run', batchFile, '--yes', '--allow-ask'], {
    env: { ...process.env, LEASH_HOME: home },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const reached = new Promise<void>((resolve) => {
    if (point.line === 0) return resolve();
    let lines = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      lines += chunk.toString('utf8').split('\n').length - 1;
      if (lines >= point.line) resolve();
    });
  });
  child.stdout.resume();
  await Promise.race([exited, reached.then(() => new Promise((resolve) => setTimeout(resolve, point.jitterMs)))]);
  child.kill('SIGKILL');
  await exited;
}

export async function killAtRandom(options: KillOptions): Promise<KillReport> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const next = random(seed);
  const maxJitterMs = options.maxJitterMs ?? 400;
  const deadline = options.budgetMs === undefined ? Infinity : Date.now() + options.budgetMs;
  const home = await mkdtemp(join(tmpdir(), 'leash-fault-'));
  const marker = `leash-fault-${randomUUID()}`;
  const batchFile = join(home, 'batch.json');
  // Something quick, a command that would outlive Leash, and one with a background child.
  await writeFile(
    batchFile,
    JSON.stringify({
      cwd: home,
      entries: [
        { command: `echo started-${marker}` },
        { command: `exec -a ${marker}-first sleep 0.5` },
        { command: `(exec -a ${marker}-child sleep 30) & exec -a ${marker}-parent sleep 30` },
      ],
    }),
  );
  const report: KillReport = { iterations: 0, outcomes: {}, failures: [], seed };
  const seen = new Set<string>();
  try {
    for (let index = 0; index < options.iterations && Date.now() < deadline; index++) {
      // `leash run` prints 16 lines up to the last entry's start (which then sleeps): every stage
      // from start-up through approval to each entry's run gets its share of kills.
      await killDuringRun(home, batchFile, { line: Math.floor(next() * 17), jitterMs: Math.floor(next() * maxJitterMs) });
      report.iterations++;
      const fail = (what: string): void => void report.failures.push(`iteration ${index + 1} (seed ${seed}): ${what}`);

      const leash = await openLeash({ dataDir: home, env: process.env, mode: 'fault-test' });
      let outcome = 'none';
      try {
        for (const batch of leash.batches.list({ limit: 200 }).items) {
          if (!seen.has(batch.id)) {
            seen.add(batch.id);
            outcome = batch.status;
          }
          if (batch.status !== 'pending' && !isTerminal(batch.status)) fail(`batch ${batch.id} is left ${batch.status}`);
        }
        if (leash.problems.length > 0) fail(`problems at start: ${leash.problems.join('; ')}`);
      } finally {
        await leash.close();
      }
      const verified = await verifyAudit(join(home, 'audit.jsonl'));
      if (!verified.ok) fail(`the audit trail does not verify: ${JSON.stringify(verified)}`);
      try {
        await waitFor(async () => (await livePidsWith(marker)).length === 0, 3000);
      } catch {
        const survivors = await livePidsWith(marker);
        fail(`${survivors.length} entry process(es) survived: ${survivors.join(', ')}`);
        for (const pid of survivors) process.kill(pid, 'SIGKILL');
      }
      report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1;
      options.onIteration?.(index, outcome);
    }
  } finally {
    for (const pid of await livePidsWith(marker)) process.kill(pid, 'SIGKILL');
    await rm(home, { recursive: true, force: true });
  }
  return report;
}
