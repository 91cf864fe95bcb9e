import { describe, expect, it } from 'vitest';
import { proposeRule } from '../../../src-main/core/rules/proposal.js';
import { DEFAULT_POLICY_SETTINGS } from '../../../src-main/core/policy/types.js';
import { sharedEngine } from '../policy/engine.js';
import { rule } from './rulesFixture.js';

async function propose(command: string, rules = [] as ReturnType<typeof rule>[]) {
  return proposeRule(await sharedEngine(), command, '/', DEFAULT_POLICY_SETTINGS, rules);
}

describe('proposing a rule from an approval card', () => {
  it.each([
    ['npm run test', [['npm', 'run', 'test']]],
    ['npm run test -- --watch src/app.test.ts', [['npm', 'run', 'test']]],
    ['npm test', [['npm', 'test']]],
    ['cargo check --all-targets', [['cargo', 'check']]],
    ['make lint', [['make', 'lint']]],
    ['make -j4 lint', [['make']]],
    ['pytest -x tests/unit', [['pytest']]],
    ['docker compose up -d', [['docker', 'compose', 'up']]],
    ['git push origin main', [['git', 'push']]],
    ['git commit -m "fix the build"', [['git', 'commit']]],
    ['npx tsc --noEmit', [['npx', 'tsc']]],
    ['timeout 300 npm run test', [['npm', 'run', 'test']]],
    ['npm run build && npm run test', [['npm', 'run', 'build'], ['npm', 'run', 'test']]],
    ['npm run test | grep -c passed', [['npm', 'run', 'test']]],
  ])('proposes the narrowest useful rule for %s', async (command, expected) => {
    const proposal = await propose(command);
    expect(proposal.ok).toBe(true);
    if (proposal.ok) expect(proposal.rules.map((r) => r.words)).toEqual(expected);
  });

  it('offers broader prefixes that are still safe, narrowest first', async () => {
    const proposal = await propose('npm run test');
    expect(proposal.ok && proposal.rules[0]?.alternatives).toEqual([['npm', 'run', 'test'], ['npm', 'run']]);
    const git = await propose('git push origin main');
    // `git` alone is never offered.
    expect(git.ok && git.rules[0]?.alternatives).toEqual([['git', 'push']]);
  });

  it.each([
    ['bash build.sh', /`bash` is a shell/],
    ['sh -c "make lint"', /RULE_CANNOT_LIFT|no rule|needs review/],
    ['python3 manage.py test', /`python3` is an interpreter/],
    ['node scripts/build.js', /`node` is an interpreter/],
    ['env CI=1 make', /needs review|no rule/],
    ['xargs -n1 make', /needs review|no rule/],
    ['curl -fsS https://example.com/api', /`curl` reaches whatever address/],
    ['rm build.log', /depends only on the files/],
    ['awk \'{system("make")}\' f', /runs another command \(or code\)|needs review/],
    ['./configure --prefix=/usr', /path|no rule/],
    ['npm exec', /must also name what it runs/],
    ['npm', /alone covers all its subcommands/],
  ])('refuses a rule with a reason for %s', async (command, why) => {
    const proposal = await propose(command);
    expect(proposal.ok).toBe(false);
    if (!proposal.ok) expect(proposal.message).toMatch(why);
  });

  it('refuses when the entry needs review for something no rule can lift', async () => {
    for (const command of ['npm run test > out.txt', 'npm run test $(cat x)', 'CI=1 npm run test', 'npm run test && cat ~/.aws/credentials']) {
      const proposal = await propose(command);
      expect(proposal, command).toMatchObject({ ok: false, code: 'RULE_CANNOT_LIFT' });
    }
  });

  it('says when no rule is needed and when the command is blocked', async () => {
    expect(await propose('ls -la')).toMatchObject({ ok: false, code: 'RULE_NOT_NEEDED' });
    expect(await propose('npm run test', [rule('npm run test')])).toMatchObject({ ok: false, code: 'RULE_NOT_NEEDED' });
    expect(await propose('sudo make install')).toMatchObject({ ok: false, code: 'RULE_CANNOT_LIFT' });
    expect(await propose('rm -rf /')).toMatchObject({ ok: false, code: 'RULE_CANNOT_LIFT' });
  });

  it('only proposes rules for the commands that need one', async () => {
    const proposal = await propose('ls && cargo check && cat Cargo.toml');
    expect(proposal.ok && proposal.rules.map((r) => r.text)).toEqual(['cargo check']);
  });
});
