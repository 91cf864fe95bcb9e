import type { Classification, JudgedCommand } from '../../../../src-main/core/policy/index.js';
import type { OracleResult } from './bashOracle.js';

/**
 * Compares what bash ran with what the engine judged. Every executed simple command must match a
 * judged one word for word, where a word the engine marked unknown stands for any number of
 * words. When the verdict is `allow`, the match must be exact except for static globs: allow is a
 * proof.
 */

export interface Mismatch {
  command: string;
  verdict: Classification['verdict'];
  kind: 'unjudged' | 'unsafe-allow';
  executed: string[];
  judged: JudgedCommand[];
}

/** Whether `judged` (unknown words as wildcards over zero or more words) matches `executed`. */
export function matches(judged: JudgedCommand, executed: readonly string[]): boolean {
  const unknown = new Set(judged.unknown ?? []);
  const argv = judged.argv;
  // reachable[j]: the first i judged words can produce the first j executed words.
  let reachable = new Array<boolean>(executed.length + 1).fill(false);
  reachable[0] = true;
  for (let i = 0; i < argv.length; i++) {
    const next = new Array<boolean>(executed.length + 1).fill(false);
    for (let j = 0; j <= executed.length; j++) {
      if (!reachable[j]) continue;
      if (unknown.has(i)) {
        for (let k = j; k <= executed.length; k++) next[k] = true;
        break;
      }
      if (j < executed.length && executed[j] === argv[i]) next[j + 1] = true;
    }
    reachable = next;
  }
  return reachable[executed.length] === true;
}

/**
 * An allowed command may hold unknown words only where they are static globs: the engine's
 * rule then covers whatever file names bash puts there (`ls *` in a directory holding `-R`).
 */
function provenWords(judged: JudgedCommand): boolean {
  const globs = new Set(judged.globs ?? []);
  return (judged.unknown ?? []).every((index) => globs.has(index));
}

export function compare(result: OracleResult, classification: Classification): Mismatch[] {
  const mismatches: Mismatch[] = [];
  const judged = classification.commands;
  for (const executed of result.executed) {
    const found = judged.filter((j) => matches(j, executed));
    const base = { command: result.command, verdict: classification.verdict, executed, judged };
    if (found.length === 0) mismatches.push({ ...base, kind: classification.verdict === 'allow' ? 'unsafe-allow' : 'unjudged' });
    else if (classification.verdict === 'allow' && !found.some(provenWords)) mismatches.push({ ...base, kind: 'unsafe-allow' });
  }
  return mismatches;
}

export function describeMismatch(m: Mismatch): string {
  return `${m.kind}: ${JSON.stringify(m.command)} (verdict ${m.verdict}): bash ran ${JSON.stringify(m.executed)}; the engine judged ${JSON.stringify(m.judged.map((j) => j.argv))}`;
}
