/**
 * User allow patterns: regular expressions that must match a whole normalized simple command
 * (`make test`, `npm run lint`). They turn an unknown command into `allow`; they never lift a
 * deny or a structural ask (redirects, substitutions, credential paths, …).
 */

export const MAX_PATTERN_LENGTH = 500;
export const MAX_PATTERNS = 200;
/** Longer commands are never matched, so a slow user pattern cannot stall classification. */
export const MAX_MATCHED_COMMAND_LENGTH = 4096;

export type PatternErrorCode = 'PATTERN_EMPTY' | 'PATTERN_TOO_LONG' | 'PATTERN_INVALID' | 'TOO_MANY_PATTERNS';
export type PatternWarningCode = 'PATTERN_TOO_BROAD';

export interface PatternProblem<C extends string> {
  index: number;
  pattern: string;
  code: C;
  message: string;
}

export interface CheckedPatterns {
  patterns: { source: string; regex: RegExp }[];
  errors: PatternProblem<PatternErrorCode>[];
  warnings: PatternProblem<PatternWarningCode>[];
}

/** Commands that a sensible pattern never allows: shells, interpreters, anything at all. */
const BROAD_PROBES = [
  'bash -c x', 'sh x.sh', 'zsh', 'python3 -c x', 'python x.py', 'node -e x', 'perl -e x', 'ruby -e x', 'eval x',
  'curl https://example.com', 'rm -r x', 'x', 'anything at all', 'chmod 777 x', 'git push --force', 'npm publish',
];

function compile(source: string): RegExp {
  return new RegExp(`^(?:${source})$`, 'u');
}

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
    let regex: RegExp;
    try {
      regex = compile(source);
    } catch (error) {
      return problem('PATTERN_INVALID', `not a valid regular expression: ${(error as Error).message}`);
    }
    const broad = BROAD_PROBES.filter((probe) => regex.test(probe));
    if (broad.length > 0 || /^\^?\.[*+]/.test(source)) {
      result.warnings.push({
        index,
        pattern: source,
        code: 'PATTERN_TOO_BROAD',
        message: broad.length > 0 ? `matches \`${broad[0]}\`: this pattern allows far more than one tool` : 'starts with `.*`, so it matches almost anything',
      });
    }
    result.patterns.push({ source, regex });
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

export function matchingPattern(sources: readonly string[], normalized: string): string | undefined {
  if (sources.length === 0 || normalized.length > MAX_MATCHED_COMMAND_LENGTH) return undefined;
  return compiledPatterns(sources).find((p) => p.regex.test(normalized))?.source;
}
