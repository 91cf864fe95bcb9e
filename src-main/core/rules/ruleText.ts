import { homedir } from 'node:os';
import { quote } from 'shell-quote';
import type { UserRule } from './types.js';

/** The rule's words as a person would type them: `npm run test`, `make 'my target'`. */
export function ruleCommandText(words: readonly string[]): string {
  return words.map((w) => (/^[\w\-.,:/@%+=]+$/.test(w) ? w : quote([w]))).join(' ');
}

/** `/home/ann/code/app` → `~/code/app`, for reading (the stored root stays absolute). */
export function shortPath(path: string, home: string = homedir()): string {
  if (home && (path === home || path.startsWith(`${home}/`))) return `~${path.slice(home.length)}`;
  return path;
}

/** Where a rule applies, in words: `for ~/code/app`, `everywhere`. */
export function scopeText(rule: Pick<UserRule, 'scope'>, home?: string): string {
  return rule.scope.kind === 'everywhere' ? 'everywhere' : `for ${shortPath(rule.scope.root, home)}`;
}

/**
 * How a verdict reason names a rule: "your rule `npm run test` for ~/code/app, added
 * 2026-12-03"; a session rule says "for this session only" instead of a date.
 */
export function describeRule(rule: UserRule, home?: string): string {
  const when = rule.lifetime === 'session' ? 'for this session only' : `added ${rule.addedAt.slice(0, 10)}`;
  return `your rule \`${ruleCommandText(rule.words)}\` ${scopeText(rule, home)}, ${when}`;
}
