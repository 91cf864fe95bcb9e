/**
 * `npm run bench:policy`: classifies the committed corpus (bench/corpus/commands.jsonl) and prints
 * throughput, per-command latency percentiles and parser start-up time. Targets (issue #2):
 * >= 5,000 commands/s on one core, p99 <= 2 ms, start-up <= 150 ms.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createPolicyEngine } from '../src-main/core/policy/index.js';
import { percentile, median } from './stats.js';

const ROUNDS = 10;
const STARTUP_RUNS = 7;

function loadCorpus(): string[] {
  const text = readFileSync(new URL('./corpus/commands.jsonl', import.meta.url), 'utf8');
  return text.trim().split('\n').map((line) => (JSON.parse(line) as { command: string }).command);
}

/**
 * Start-up in a fresh process each time, from importing the compiled engine to its first verdict.
 * `flags` are node's: the short-lived CLI runs with `--liftoff-only` (src-main/cli/index.ts), the
 * app and `leash serve` with V8's default tiering.
 */
function measureStartup(flags: string[] = []): number[] {
  const engine = fileURLToPath(new URL('../dist/core/policy/index.js', import.meta.url));
  if (!existsSync(engine)) execFileSync(process.execPath, ['scripts/build-cli.js'], { stdio: 'inherit' });
  const script = `const t0 = performance.now();
const { createPolicyEngine } = await import(${JSON.stringify(engine)});
const e = await createPolicyEngine();
e.classify({ tool: 'shell', command: 'ls' });
process.stdout.write(String(performance.now() - t0));`;
  const times: number[] = [];
  for (let i = 0; i < STARTUP_RUNS; i++) {
    times.push(Number(execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8' })));
  }
  return times;
}

async function main(): Promise<void> {
  const corpus = loadCorpus();
  const engine = await createPolicyEngine();
  const verdicts = { allow: 0, ask: 0, deny: 0 };
  // The first pass runs before the JIT has warmed up: report it apart from the steady state.
  const cold: number[] = [];
  for (const command of corpus) {
    const t0 = performance.now();
    verdicts[engine.classify({ tool: 'shell', command }).verdict]++;
    cold.push(performance.now() - t0);
  }

  const latencies: number[] = [];
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (const command of corpus) {
      const t0 = performance.now();
      engine.classify({ tool: 'shell', command });
      latencies.push(performance.now() - t0);
    }
    rates.push(corpus.length / ((performance.now() - start) / 1000));
  }
  const startup = measureStartup();
  const startupCli = measureStartup(['--liftoff-only']);

  console.log(`policy benchmark: ${corpus.length} commands x ${ROUNDS} rounds (one core, one thread)`);
  console.log(`  verdicts:            allow ${verdicts.allow}, ask ${verdicts.ask}, deny ${verdicts.deny}`);
  console.log(`  throughput (median): ${Math.round(median(rates))} commands/s   (target >= 5000)`);
  console.log(`  latency p50:         ${percentile(latencies, 50).toFixed(3)} ms`);
  console.log(`  latency p99:         ${percentile(latencies, 99).toFixed(3)} ms   (target <= 2 ms)`);
  console.log(`  latency max:         ${Math.max(...latencies).toFixed(3)} ms`);
  console.log(`  first pass (cold JIT): p50 ${percentile(cold, 50).toFixed(3)} ms, p99 ${percentile(cold, 99).toFixed(3)} ms`);
  console.log(`  start-up (median of ${STARTUP_RUNS} fresh processes): ${median(startup).toFixed(1)} ms   (target <= 150 ms)`);
  console.log(`  start-up as \`leash\` runs it (--liftoff-only): ${median(startupCli).toFixed(1)} ms`);
}

await main();
