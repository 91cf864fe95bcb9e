import { describe, expect, it } from 'vitest';
import { checkPatterns } from '../../../src-main/core/policy/patterns.js';
import { parseSettings } from '../../../src-main/core/settings/schema.js';
import { classify } from './engine.js';

describe('user allow patterns', () => {
  const settings = { allowPatterns: ['make( [a-z-]+)*', 'npm (test|run lint)', 'git push origin [a-z0-9/-]+'] };

  it.each(['make', 'make test', 'npm test', 'npm run lint', 'make test && npm test', 'git push origin feat/x'])(
    'turn an unknown command into allow: %j',
    async (command) => {
      const result = await classify(command, settings);
      expect(result.verdict).toBe('allow');
      expect(result.reasons.some((r) => r.code === 'ALLOWED_BY_PATTERN')).toBe(true);
    },
  );

  it('names the pattern that allowed the command', async () => {
    const result = await classify('npm test', settings);
    expect(result.reasons).toEqual([
      { code: 'ALLOWED_BY_PATTERN', rule: 'pattern:npm (test|run lint)', message: '`npm test` matches your allow pattern `npm (test|run lint)`', span: { start: 0, end: 8 } },
    ]);
  });

  it('match the whole command, not a part of it', async () => {
    expect((await classify('npm test --unsafe-perm', settings)).verdict).toBe('ask');
    expect((await classify('xmake test', settings)).verdict).toBe('ask');
  });

  it.each([
    ['make test > out.txt', 'OUTPUT_REDIRECT'],
    ['make $(whoami)', 'COMMAND_SUBSTITUTION'],
    ['LD_PRELOAD=x.so make', 'ENV_PREFIX'],
    ['make test &', 'BACKGROUND_JOB'],
    ['make\u200b test', 'INVISIBLE_CHARACTER'],
    ['echo x | make', 'ALLOWED_BY_PATTERN'],
  ])('never lift a structural ask: %j', async (command, code) => {
    const result = await classify(command, { allowPatterns: ['make( .*)?', 'echo x'] });
    expect(result.reasons.map((r) => r.code)).toContain(code);
    if (code !== 'ALLOWED_BY_PATTERN') expect(result.verdict).toBe('ask');
  });

  it('never lift a deny', async () => {
    expect((await classify('sudo make', { allowPatterns: ['sudo make'] })).verdict).toBe('deny');
  });

  it('match in linear time: a nested quantifier meets a long non-matching command and gets the right verdict', async () => {
    const catastrophic = { allowPatterns: ['mytool (\\w+-?)+'] };
    // With a backtracking matcher the first takes seconds and the second would not finish.
    expect((await classify('mytool aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', catastrophic)).verdict).toBe('ask');
    expect((await classify(`mytool ${'a'.repeat(4000)}!`, catastrophic)).verdict).toBe('ask');
    expect((await classify('mytool build-all', catastrophic)).verdict).toBe('allow');
  });

  it('are skipped when invalid, so a bad pattern never allows anything', async () => {
    expect((await classify('make', { allowPatterns: ['make(', 'mak[e'] })).verdict).toBe('ask');
  });
});

describe('checking allow patterns', () => {
  it('reports each invalid pattern with a stable code and its position', () => {
    const checked = checkPatterns(['ok', '', '(unclosed', 'x'.repeat(501), 42]);
    expect(checked.errors.map((e) => [e.index, e.code])).toEqual([
      [1, 'PATTERN_EMPTY'],
      [2, 'PATTERN_INVALID'],
      [3, 'PATTERN_TOO_LONG'],
      [4, 'PATTERN_INVALID'],
    ]);
    expect(checked.errors[1]?.message).toMatch(/not a valid regular expression/);
    expect(checked.patterns.map((p) => p.source)).toEqual(['ok']);
  });

  it.each(['.*', '.+', 'bash.*', '(sh|bash) .*', 'python3? .*', '[a-z]+( .*)?', 'node -e .*', 'eval .*'])('warns that %j is too broad', (pattern) => {
    const checked = checkPatterns([pattern]);
    expect(checked.errors).toEqual([]);
    expect(checked.warnings.map((w) => w.code)).toEqual(['PATTERN_TOO_BROAD']);
  });

  it.each(['make test', 'npm (test|run lint)', 'cargo (build|test)( --release)?'])('does not warn about the narrow %j', (pattern) => {
    expect(checkPatterns([pattern]).warnings).toEqual([]);
  });

  it('refuses a pattern with a backreference or lookaround when settings are saved', () => {
    const parsed = parseSettings({ allowPatterns: ['make test', '(\\w+) \\1', 'npm(?! publish).*'] });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.message).toMatch(/allowPatterns\.1: PATTERN_UNSUPPORTED: `\\1` is a backreference; Leash matches allow patterns in linear time/);
      expect(parsed.error.message).toMatch(/allowPatterns\.2: PATTERN_UNSUPPORTED: `\(\?!…\)` is a lookahead/);
    }
  });

  it('rejects invalid patterns in a settings file', () => {
    const parsed = parseSettings({ allowPatterns: ['fine', '(bad'] });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.message).toMatch(/^allowPatterns\.1: PATTERN_INVALID/);
  });
});
