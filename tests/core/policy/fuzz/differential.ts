import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PolicyEngine } from '../../../../src-main/core/policy/index.js';
import type { BashOracle } from '../oracle/bashOracle.js';
import { compare, type Mismatch } from '../oracle/compare.js';
import { generateCommand, seededRandom } from './generate.js';

/** Every failure the fuzzer ever found; the test suite replays each one forever. */
export const CORPUS_FILE = fileURLToPath(new URL('../corpus/failures.jsonl', import.meta.url));

export interface BatchOutcome {
  compared: number;
  mismatches: Mismatch[];
  /** Commands the engine threw on (it must never throw). */
  crashes: { command: string; message: string }[];
}

/** Runs commands under the oracle and compares each with the engine's classification. */
export async function compareWithBash(engine: PolicyEngine, oracle: BashOracle, commands: readonly string[]): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { compared: 0, mismatches: [], crashes: [] };
  const results = await oracle.run(commands);
  for (const result of results) {
    try {
      const classification = engine.classify({ tool: 'shell', command: result.command });
      outcome.mismatches.push(...compare(result, classification));
      outcome.compared++;
    } catch (error) {
      outcome.crashes.push({ command: result.command, message: (error as Error).message });
    }
  }
  return outcome;
}

export function generateBatch(seed: number, count: number): string[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => generateCommand(random));
}

export async function readCorpus(): Promise<string[]> {
  const text = await readFile(CORPUS_FILE, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => (JSON.parse(line) as { command: string }).command);
}

/** Appends failures not yet in the corpus; returns how many were new. */
export async function recordFailures(failures: readonly { command: string; kind: string }[]): Promise<number> {
  const known = new Set(await readCorpus());
  const fresh = [...new Map(failures.filter((f) => !known.has(f.command)).map((f) => [f.command, f])).values()];
  if (fresh.length === 0) return 0;
  await mkdir(dirname(CORPUS_FILE), { recursive: true });
  await appendFile(CORPUS_FILE, fresh.map((f) => `${JSON.stringify({ command: f.command, kind: f.kind, found: new Date().toISOString().slice(0, 10) })}\n`).join(''));
  return fresh.length;
}
