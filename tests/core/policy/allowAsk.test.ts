import { describe, expect, it } from 'vitest';
import { ALL_RULES as ALLOW_RULES } from '../../../src-main/core/policy/allowlist.js';
import { classify, codes } from './engine.js';

describe('allow', () => {
  it.each([
    // the original plan's safe batch
    'which git',
    'ls ~/',
    'cat ~/.zshrc',
    'brew install node',
    // read-only commons
    'ls -la',
    'pwd',
    'whoami',
    'uname -a',
    'date',
    'date -u +%Y-%m-%dT%H:%M:%S',
    'head -n 20 README.md',
    'tail -n 5 log.txt',
    'wc -l src/*.ts',
    'grep -rn TODO src',
    'find . -name "*.ts" -type f',
    'echo hello world',
    'git status',
    'git log --oneline -n 10',
    'git diff HEAD~1 -- src',
    'git show HEAD:README.md',
    'git branch -a',
    'git branch --list "feat/*"',
    'git --no-pager log',
    'apt install ripgrep',
    // composition of allowed commands
    'ls | grep x',
    'ls -la | grep ts | wc -l',
    'pwd && ls',
    'ls; pwd',
    'ls || echo none',
    '(ls)',
    '{ ls; pwd; }',
    'if [ -d src ]; then ls src; fi',
    'ls 2>/dev/null',
    'ls 2>&1 | grep x',
    'ls >/dev/null 2>&1',
    'ls # list files',
    '[[ -f package.json ]] && cat package.json',
    'command -v git',
    'timeout 5 ls',
    'nice ls',
    'LANG=C ls',
    'cat <<EOF\nhello\nEOF',
  ])('allows %j', async (command) => {
    const result = await classify(command);
    expect(result.reasons.filter((r) => !r.code.startsWith('ALLOWED'))).toEqual([]);
    expect(result).toMatchObject({ verdict: 'allow', score: 100, requiresManual: false });
  });

  it('explains each allowed command with the rule that allowed it', async () => {
    const result = await classify('ls | grep x');
    expect(result.reasons).toEqual([
      { code: 'ALLOWED_COMMAND', rule: 'allow:ls', message: '`ls` is read-only, in the 1st command of a pipeline', span: { start: 0, end: 2 } },
      { code: 'ALLOWED_COMMAND', rule: 'allow:grep', message: '`grep` is read-only, in the 2nd command of a pipeline', span: { start: 5, end: 11 } },
    ]);
  });

  it('says that package installs run install scripts', async () => {
    const result = await classify('brew install node');
    expect(result.reasons[0]?.message).toMatch(/install scripts/);
  });
});

describe('ask', () => {
  it.each([
    ['rm build', 'UNKNOWN_COMMAND'],
    // allow needs every word statically known
    ['echo $HOME', 'DYNAMIC_ARGUMENT'],
    ['echo "${HOME}/x"', 'DYNAMIC_ARGUMENT'],
    ['for f in a b; do echo $f; done', 'DYNAMIC_ARGUMENT'],
    // another repository's configuration can run programs
    ['git -C ../other status', 'UNSAFE_ARGUMENTS'],
    ['npm test', 'UNKNOWN_COMMAND'],
    ['echo $(date)', 'COMMAND_SUBSTITUTION'],
    ['echo `date`', 'COMMAND_SUBSTITUTION'],
    ['diff <(ls a) <(ls b)', 'PROCESS_SUBSTITUTION'],
    ['echo ${x:-default}', 'PARAMETER_EXPANSION'],
    ['echo ${x@P}', 'PARAMETER_EXPANSION'],
    ['echo ${!x}', 'PARAMETER_EXPANSION'],
    ['echo ${#x}', 'PARAMETER_EXPANSION'],
    ['echo $((1+2))', 'ARITHMETIC_EXPANSION'],
    ['(( x = 1 + 2 ))', 'ARITHMETIC_EXPANSION'],
    ['ls > out.txt', 'OUTPUT_REDIRECT'],
    ['ls >> out.txt', 'OUTPUT_REDIRECT'],
    ['ls &> out.txt', 'OUTPUT_REDIRECT'],
    ['ls >& out.txt', 'OUTPUT_REDIRECT'],
    ['ls >| out.txt', 'OUTPUT_REDIRECT'],
    ['cat 3<> file', 'PARSE_ERROR'],
    ['ls > "$OUT"', 'OUTPUT_REDIRECT'],
    ['echo hi | bash', 'PIPE_TO_INTERPRETER'],
    ['ls | python3', 'PIPE_TO_INTERPRETER'],
    ['cat x | sh -c "cat"', 'PIPE_TO_INTERPRETER'],
    ['ls &', 'BACKGROUND_JOB'],
    ['sleep 1 & wait', 'BACKGROUND_JOB'],
    ['f() { ls; }', 'FUNCTION_DEFINITION'],
    ['export PATH=/tmp', 'SHELL_STATE_CHANGE'],
    ['IFS=,', 'SHELL_STATE_CHANGE'],
    ['x=1', 'SHELL_STATE_CHANGE'],
    ["alias ls='rm'", 'SHELL_STATE_CHANGE'],
    ['unset HOME', 'SHELL_STATE_CHANGE'],
    ['set -e', 'SHELL_STATE_CHANGE'],
    ['LD_PRELOAD=/tmp/x.so ls', 'ENV_PREFIX'],
    ['PATH=/tmp ls', 'ENV_PREFIX'],
    ['BASH_ENV=/tmp/x bash -c ls', 'ENV_PREFIX'],
    ['GIT_PAGER=x git log', 'ENV_PREFIX'],
    ['GIT_EXTERNAL_DIFF=x git diff', 'ENV_PREFIX'],
    ['PYTHONPATH=. ls', 'ENV_PREFIX'],
    ['FOO=1 ls', 'ENV_PREFIX'],
    ['env PATH=/tmp ls', 'ENV_PREFIX'],
    ['cat ~/.ssh/id_rsa', 'CREDENTIAL_PATH'],
    ['cat $HOME/.ssh/id_ed25519', 'CREDENTIAL_PATH'],
    ['ls ~/.aws', 'CREDENTIAL_PATH'],
    ['cat ~/.aws/credentials', 'CREDENTIAL_PATH'],
    ['cat ~/.gnupg/secring.gpg', 'CREDENTIAL_PATH'],
    ['cat .env', 'CREDENTIAL_PATH'],
    ['cat config/.env.production', 'CREDENTIAL_PATH'],
    ['cat ~/.netrc', 'CREDENTIAL_PATH'],
    ['head ~/.npmrc', 'CREDENTIAL_PATH'],
    ['grep token ~/.config/gh/hosts.yml', 'CREDENTIAL_PATH'],
    ['cat ~/.ss?/id_rsa', 'CREDENTIAL_PATH'],
    ['cat ~/.*/credentials', 'CREDENTIAL_PATH'],
    ['cat < ~/.ssh/config', 'CREDENTIAL_PATH'],
    ['cat server.pem', 'CREDENTIAL_PATH'],
    ['cat /etc/shadow', 'CREDENTIAL_PATH'],
    ['echo hi\u200b', 'INVISIBLE_CHARACTER'],
    ['ls\u00a0-la', 'INVISIBLE_CHARACTER'],
    ['echo \u202eevil', 'INVISIBLE_CHARACTER'],
    ['echo \u2066x\u2069', 'INVISIBLE_CHARACTER'],
    ['echo a\u3000b', 'INVISIBLE_CHARACTER'],
    ['echo \ufeffx', 'INVISIBLE_CHARACTER'],
    ['echo x\r', 'INVISIBLE_CHARACTER'],
    ['echo "unterminated', 'PARSE_ERROR'],
    ['ls (', 'PARSE_ERROR'],
    ['if true; then ls', 'PARSE_ERROR'],
    ['$CMD -la', 'DYNAMIC_COMMAND_NAME'],
    ['"$(which ls)"', 'DYNAMIC_COMMAND_NAME'],
    ['ⅼs', 'NON_ASCII_COMMAND_NAME'],
    ['find . -delete', 'UNSAFE_ARGUMENTS'],
    ['find . -exec cat {} \\;', 'UNSAFE_ARGUMENTS'],
    ['find . -execdir ls \\;', 'UNSAFE_ARGUMENTS'],
    ['find . -ok ls \\;', 'UNSAFE_ARGUMENTS'],
    ['find . -fprint out', 'UNSAFE_ARGUMENTS'],
    ['find $DIR -name x', 'DYNAMIC_ARGUMENT'],
    ['git push', 'UNSAFE_ARGUMENTS'],
    ['git commit -m x', 'UNSAFE_ARGUMENTS'],
    ['git -c core.pager=sh log', 'UNSAFE_ARGUMENTS'],
    ['git --config-env=core.pager=X log', 'UNSAFE_ARGUMENTS'],
    ['git -p log', 'UNSAFE_ARGUMENTS'],
    ['git --paginate log', 'UNSAFE_ARGUMENTS'],
    ['git diff --output=patch.txt', 'UNSAFE_ARGUMENTS'],
    ['git log --outp=x', 'UNSAFE_ARGUMENTS'],
    ['git diff --ext-diff', 'UNSAFE_ARGUMENTS'],
    ['git diff --ext', 'UNSAFE_ARGUMENTS'],
    ['git branch feature', 'UNSAFE_ARGUMENTS'],
    ['git branch -D old', 'UNSAFE_ARGUMENTS'],
    ['git branch -m a b', 'UNSAFE_ARGUMENTS'],
    ['git branch --set-upstream-to=origin/x', 'UNSAFE_ARGUMENTS'],
    ['date -s 12:00', 'UNSAFE_ARGUMENTS'],
    ['date --set=12:00', 'UNSAFE_ARGUMENTS'],
    ['date --se 12:00', 'UNSAFE_ARGUMENTS'],
    ['date 0101120030', 'UNSAFE_ARGUMENTS'],
    ['printf -v x hi', 'UNSAFE_ARGUMENTS'],
    ['brew uninstall node', 'UNSAFE_ARGUMENTS'],
    ['apt install -o APT::Update::Pre-Invoke::=x jq', 'UNSAFE_ARGUMENTS'],
    ['apt remove jq', 'UNSAFE_ARGUMENTS'],
    ['xargs cat', 'ARGUMENTS_FROM_INPUT'],
    ['python3 -c "print(1)"', 'OPAQUE_CODE'],
    ['node script.js', 'OPAQUE_CODE'],
    ['bash script.sh', 'OPAQUE_CODE'],
    ['source ./env.sh', 'OPAQUE_CODE'],
    ['bash -c "$CMD"', 'DYNAMIC_SCRIPT'],
    ['eval "$CMD"', 'DYNAMIC_SCRIPT'],
    ['echo {a,b}', 'BRACE_EXPANSION'],
    ['env -S "ls -la"', 'UNSAFE_ARGUMENTS'],
    ['env', 'UNKNOWN_COMMAND'],
    ['time -o out.txt ls', 'OUTPUT_REDIRECT'],
    ['', 'EMPTY_COMMAND'],
    ['   \n  ', 'EMPTY_COMMAND'],
    ['# just a comment', 'EMPTY_COMMAND'],
  ])('asks for %j (%s)', async (command, code) => {
    const result = await classify(command);
    expect(result.verdict).toBe('ask');
    expect(result.score).toBe(50);
    expect(result.requiresManual).toBe(true);
    expect(result.reasons.map((r) => r.code)).toContain(code);
  });

  it('reveals which invisible character it found and where', async () => {
    const result = await classify('echo hi\u200b there');
    expect(result.reasons[0]).toEqual({
      code: 'INVISIBLE_CHARACTER',
      message: 'contains the invisible or look-alike character U+200B (zero width space): what you see is not exactly what runs',
      span: { start: 7, end: 8 },
    });
  });

  it('refuses to parse a command over the size limit', async () => {
    expect(await codes(`echo ${'a'.repeat(100_001)}`)).toEqual(['COMMAND_TOO_LONG']);
  });

  it('asks for code in tools it does not analyse', async () => {
    const { classify: run } = await import('./engine.js').then(async (m) => ({ classify: (await m.sharedEngine()).classify }));
    expect(run({ tool: 'python', code: 'print(1)' }).verdict).toBe('ask');
  });

  it('stops following scripts nested too deep', async () => {
    let command = 'ls';
    for (let i = 0; i < 8; i++) command = `bash -c ${JSON.stringify(command)}`;
    expect(await codes(command)).toContain('NESTING_TOO_DEEP');
  });
});

describe('the allowlist rules', () => {
  const cases = ALLOW_RULES.flatMap((rule) => [
    ...rule.examples.allow.map((command) => [rule.name, command, true] as const),
    ...rule.examples.notAllow.map((command) => [rule.name, command, false] as const),
  ]);
  it.each(cases)('rule %s judges its own example %j (allowed: %s)', async (_rule, command, allowed) => {
    const verdict = (await classify(command)).verdict;
    if (allowed) expect(verdict).toBe('allow');
    else expect(verdict).not.toBe('allow');
  });
});

describe('determinism', () => {
  it('gives the same result, reasons included, every time', async () => {
    const command = 'ls | bash -c "echo $(curl x)" > out; sudo rm -rf / &';
    const first = await classify(command);
    for (let i = 0; i < 5; i++) expect(await classify(command)).toEqual(first);
  });
});
