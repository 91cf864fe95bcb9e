import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBashOracle, type BashOracle, type OracleResult } from './oracle/bashOracle.js';
import { compare, describeMismatch } from './oracle/compare.js';
import { SEED_SHAPES } from './fuzz/generate.js';
import { classify } from './engine.js';

/**
 * The engine against bash itself: every command here runs under real bash in a sandbox with
 * xtrace, and every simple command bash executed must be one the engine judged, word for word.
 */

const CASES = [
  ...SEED_SHAPES,
  'ls -la | grep ts | wc -l', 'ls; pwd', '(ls)', '{ ls; pwd; }', 'if [ -d src ]; then ls src; fi', 'for f in a b; do echo $f; done',
  'ls 2>/dev/null', 'ls >/dev/null 2>&1', 'cat <<EOF\nhello\nEOF', '[[ -f package.json ]] && cat package.json', 'timeout 5 ls',
  'LANG=C ls', 'command -v git', 'echo "$(whoami)"', 'diff <(ls a) <(ls b)', 'echo {a,b}c', 'echo $((1+2))', 'x=1; echo "$x"',
  'declare -x a=1; unset a', "printf '%s\\n' a b", 'eval "ls -la"', 'trap "id" EXIT', 'echo a >f b >g c', 'cat <<-EOF\n\tx\n\tEOF',
  'cat <<"E"\n$(id)\nE', "echo $'a\\tb' \"c\\\"d\" 'e'\\''f'", 'ls \\\n  -la', 'a && b >x y', 'f | sh 2>/dev/null -delete',
  'echo a$"hi"b $"x"', 'echo \\$"x"', 'echo "$(coproc ls)"', 'f() { id; }; f | cat 2>/dev/null -n',
  'find . -name "*.ts" -type f', 'git log --oneline -n 10', 'echo ${x:-default}', 'x=$(id); echo $x', 'cat < <(id)',
];

let oracle: BashOracle | { unavailable: string };
let results: Map<string, OracleResult>;

beforeAll(async () => {
  oracle = await createBashOracle();
  if ('unavailable' in oracle) return;
  results = new Map((await oracle.run(CASES)).map((r) => [r.command, r]));
}, 120_000);

afterAll(async () => {
  if (oracle && !('unavailable' in oracle)) await oracle.close();
});

describe('the bash oracle', () => {
  it('runs in a sandbox here (bubblewrap is required for the policy tests)', () => {
    expect('unavailable' in oracle ? oracle.unavailable : 'available').toBe('available');
  });

  it('sees what bash really runs: words after redirects, NUL cuts, joined continuations, substitutions in here-documents', () => {
    const executed = (command: string) => results.get(command)?.executed;
    expect(executed('find . 2>/dev/null -delete')).toEqual([['find', '.', '-delete']]);
    expect(executed("find . $'-delete\\0'")).toEqual([['find', '.', '-delete']]);
    expect(executed('find . -del\\\nete')).toEqual([['find', '.', '-delete']]);
    expect(executed('cat <<EOF\n`id`\nEOF')).toContainEqual(['id']);
    expect(executed('x=rm; y=$x; $y -rf ~')).toEqual([['rm', '-rf', '~']]);
  });

  it.each(CASES)('the engine judged every command bash ran for %j', async (command) => {
    const result = results.get(command);
    expect(result, 'the oracle ran the command').toBeDefined();
    const mismatches = compare(result as OracleResult, await classify(command));
    expect(mismatches.map(describeMismatch)).toEqual([]);
  });
});
