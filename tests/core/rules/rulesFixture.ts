import { mkdir, mkdtemp, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { userRulesFor } from '../../../src-main/core/rules/matcher.js';
import type { UserRule } from '../../../src-main/core/rules/types.js';
import type { PolicySettings } from '../../../src-main/core/policy/types.js';

let counter = 0;

/** A saved rule as the policy file holds it (ids are unique within a test file). */
export function rule(words: string, options: Partial<UserRule> = {}): UserRule {
  counter++;
  return {
    id: `r-${counter.toString(16).padStart(12, '0')}`,
    decision: 'allow',
    words: words.split(' '),
    scope: { kind: 'everywhere' },
    lifetime: 'saved',
    network: false,
    addedAt: '2026-12-03T10:00:00.000Z',
    ...options,
  };
}

/** A temporary directory holding a git work tree `app` (with `.git`) and a plain directory `other`. */
export async function projects(): Promise<{ base: string; app: string; sub: string; other: string }> {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'leash-rules-')));
  const app = join(base, 'app');
  const sub = join(app, 'packages', 'web');
  const other = join(base, 'other');
  await mkdir(join(app, '.git'), { recursive: true });
  await mkdir(sub, { recursive: true });
  await mkdir(other, { recursive: true });
  return { base, app, sub, other };
}

export async function writeProjectPolicy(root: string, content: unknown): Promise<void> {
  await mkdir(join(root, '.leash'), { recursive: true });
  await writeFile(join(root, '.leash', 'policy.json'), typeof content === 'string' ? content : JSON.stringify(content));
}

export function settingsIn(cwd: string, rules: UserRule[], extra: Partial<Parameters<typeof userRulesFor>[0]> = {}): PolicySettings {
  return { allowPatterns: [], userRules: userRulesFor({ rules, cwd, home: '/nonexistent-home', ...extra }) };
}
