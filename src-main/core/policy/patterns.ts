import type { RE2JS } from 're2js';
import { re2js } from './lazyLibraries.js';
import { toRe2Syntax } from './patternSyntax.js';

/**
 * User allow patterns: regular expressions that must match a whole normalized simple command
 * (`make test`, `npm run lint`). They turn an unknown command into `allow`; they never lift a
 * deny or a structural ask (redirects, substitutions, credential paths, …).
 *
 * They are written in JavaScript syntax and matched by RE2 in linear time (see patternSyntax.ts),
 * so no pattern can stall the process that classifies, whatever command it meets.
 */

export const MAX_PATTERN_LENGTH = 500;
export const MAX_PATTERNS = 200;
/** Longer commands are never matched by a pattern (a cheap bound on top of linear-time matching). */
export const MAX_MATCHED_COMMAND_LENGTH = 4096;

export type PatternErrorCode = 'PATTERN_EMPTY' | 'PATTERN_TOO_LONG' | 'PATTERN_INVALID' | 'PATTERN_UNSUPPORTED' | 'TOO_MANY_PATTERNS';
export type PatternWarningCode = 'PATTERN_TOO_BROAD';

export interface PatternProblem<C extends string> {
  index: number;
  pattern: string;
  code: C;
  message: string;
}

/** A compiled pattern: `matches` is true when the whole command matches, in linear time. */
export interface CompiledPattern {
  source: string;
  matches(command: string): boolean;
}

export interface CheckedPatterns {
  patterns: CompiledPattern[];
  errors: PatternProblem<PatternErrorCode>[];
  warnings: PatternProblem<PatternWarningCode>[];
}

/** Commands that a sensible pattern never allows: shells, interpreters, anything at all. */
const BROAD_PROBES = [
  'bash -c x', 'sh x.sh', 'zsh', 'python3 -c x', 'python x.py', 'node -e x', 'perl -e x', 'ruby -e x', 'eval x',
  'curl https://example.com', 'rm -r x', 'x', 'anything at all', 'chmod 777 x', 'git push --force', 'npm publish',
];

type Compiled = { ok: true; pattern: CompiledPattern } | { ok: false; code: PatternErrorCode; message: string };

/**
 * The pattern must be valid JavaScript syntax (what people write and what the settings file has
 * always held) and expressible in RE2 (what matches it).
 */
function compile(source: string): Compiled {
  try {
    new RegExp(`^(?:${source})$`, 'u');
  } catch (error) {
    return { ok: false, code: 'PATTERN_INVALID', message: `not a valid regular expression: ${(error as Error).message}` };
  }
  const translated = toRe2Syntax(source);
  if (!translated.ok) return translated;
  let re2: RE2JS;
  try {
    re2 = re2js().compile(`(?:${translated.source})`);
  } catch (error) {
    const detail = (error as Error).message.replace(/^error parsing regexp: /, '');
    return { ok: false, code: 'PATTERN_UNSUPPORTED', message: `cannot be matched in linear time (RE2 syntax): ${detail}` };
  }
  return { ok: true, pattern: { source, matches: (command) => re2.testExact(command) } };
}

/**
 * Checks user allow patterns as the settings file and the UI hand them over: each bad one is an
 * error with its index and a stable code (`PATTERN_UNSUPPORTED` for what cannot be matched in
 * linear time: backreferences, lookaround, and the like), each one that allows far too much a
 * warning; the valid ones come back compiled.
 */
export function checkPatterns(sources: readonly unknown[]): CheckedPatterns {
  const result: CheckedPatterns = { patterns: [], errors: [], warnings: [] };
  if (sources.length > MAX_PATTERNS) {
    result.errors.push({ index: MAX_PATTERNS, pattern: '', code: 'TOO_MANY_PATTERNS', message: `at most ${MAX_PATTERNS} allow patterns` });
  }
  sources.slice(0, MAX_PATTERNS).forEach((raw, index) => {
    const source = typeof raw === 'string' ? raw : '';
    const problem = (code: PatternErrorCode, message: string): void => {
      result.errors.push({ index, pattern: source, code, message });
    };
    if (typeof raw !== 'string') return problem('PATTERN_INVALID', 'a pattern must be a string');
    if (source.trim() === '') return problem('PATTERN_EMPTY', 'the pattern is empty');
    if (source.length > MAX_PATTERN_LENGTH) return problem('PATTERN_TOO_LONG', `the pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
    const compiled = compile(source);
    if (!compiled.ok) return problem(compiled.code, compiled.message);
    const broad = BROAD_PROBES.filter((probe) => compiled.pattern.matches(probe));
    if (broad.length > 0 || /^\^?\.[*+]/.test(source)) {
      result.warnings.push({
        index,
        pattern: source,
        code: 'PATTERN_TOO_BROAD',
        message: broad.length > 0 ? `matches \`${broad[0]}\`: this pattern allows far more than one tool` : 'starts with `.*`, so it matches almost anything',
      });
    }
    result.patterns.push(compiled.pattern);
  });
  return result;
}

const cache = new Map<string, CheckedPatterns>();

/** Compiled valid patterns, cached by their sources (invalid ones are skipped: fail closed). */
export function compiledPatterns(sources: readonly string[]): CheckedPatterns['patterns'] {
  const key = JSON.stringify(sources);
  let checked = cache.get(key);
  if (!checked) {
    checked = checkPatterns(sources);
    if (cache.size > 32) cache.clear();
    cache.set(key, checked);
  }
  return checked.patterns;
}

/** The first valid pattern matching the whole normalized command, in linear time; none for overlong commands. */
export function matchingPattern(sources: readonly string[], normalized: string): string | undefined {
  if (sources.length === 0 || normalized.length > MAX_MATCHED_COMMAND_LENGTH) return undefined;
  return compiledPatterns(sources).find((p) => p.matches(normalized))?.source;
}
