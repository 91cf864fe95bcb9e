import { readFile } from 'node:fs/promises';
import type { PolicyEngine } from '../../../src-main/core/policy/index.js';

/** The commands of a corpus file (tests/core/policy/corpus/NAME.txt): one a line, `#` comments skipped. */
export async function readCommandList(name: string): Promise<string[]> {
  const text = await readFile(new URL(`./corpus/${name}.txt`, import.meta.url), 'utf8');
  return text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

export interface AllowRate {
  allowed: number;
  share: number;
  notAllowed: { command: string; verdict: string; why: string }[];
}

/** How many of the commands the engine allows, and the reason of each one it does not. */
export function allowRate(engine: PolicyEngine, commands: readonly string[]): AllowRate {
  const notAllowed: AllowRate['notAllowed'] = [];
  for (const command of commands) {
    const result = engine.classify({ tool: 'shell', command });
    if (result.verdict !== 'allow') notAllowed.push({ command, verdict: result.verdict, why: result.reasons[0]?.message ?? '' });
  }
  const allowed = commands.length - notAllowed.length;
  return { allowed, share: commands.length === 0 ? 0 : allowed / commands.length, notAllowed };
}
