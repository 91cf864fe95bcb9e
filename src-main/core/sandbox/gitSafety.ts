/**
 * Git run on the policy's allow must not run a program the repository configures. A repository
 * an agent works in is untrusted, and its `.git/config` can name programs git runs on its own:
 * `core.fsmonitor` (on `git status`), pagers, hooks, ssh commands. Git reads configuration given
 * through the environment (`GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n`) with the
 * priority of `git -c`, above every configuration file, so these values win.
 *
 * What no fixed value switches off: `diff.external` has no "off" value (an empty one makes
 * every `git diff` fail), and textconv, `diff.<driver>.command` and filters are chosen by
 * attributes the repository controls (`.git/info/attributes` outranks anything we could set).
 * Those are read from the repository when the entry starts and forced off by name
 * (gitDrivers.ts). Whatever might remain still runs inside the read-only sandbox: no writes, no
 * network, no credentials.
 * - Aliases cannot shadow a built-in subcommand (git expands an alias only for a name it does
 *   not know), and the allow rule admits only built-in read subcommands (status, log, diff,
 *   show, branch), so no `!` alias can run.
 */
export const GIT_SAFE_CONFIG: ReadonlyArray<readonly [key: string, value: string]> = [
  ['core.fsmonitor', 'false'],
  ['core.untrackedCache', 'false'],
  ['core.hooksPath', '/dev/null'],
  ['core.pager', 'cat'],
  ['core.sshCommand', 'false'],
  ['core.askPass', 'false'],
  ['credential.helper', ''],
  ['protocol.allow', 'never'],
  ['gpg.program', 'false'],
  ['gpg.ssh.program', 'false'],
  ['gpg.x509.program', 'false'],
  ['log.showSignature', 'false'],
];

/** Variables removed from the environment of an allowed git entry: each names a program git would run. */
export const GIT_UNSAFE_VARIABLES = [
  'GIT_EXTERNAL_DIFF',
  'GIT_SSH',
  'GIT_SSH_COMMAND',
  'GIT_ASKPASS',
  'SSH_ASKPASS',
  'GIT_PROXY_COMMAND',
  'GIT_EDITOR',
  'GIT_SEQUENCE_EDITOR',
  'GIT_CONFIG_PARAMETERS',
  'GIT_CONFIG',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_SYSTEM',
  'GIT_EXEC_PATH',
  'GIT_TEMPLATE_DIR',
  'GIT_TRACE',
  'GIT_TRACE2',
  'GIT_TRACE2_EVENT',
  'GIT_TRACE2_PERF',
];

/** True when the entry runs git on the policy's allow (its classification names git). */
export function runsAllowedGit(classification: { verdict: string; programs: readonly string[] }): boolean {
  return classification.verdict === 'allow' && classification.programs.some((program) => program === 'git' || program.endsWith('/git'));
}

/**
 * `key=value` lines for the entry's details and the dry run. The last says what happens to the
 * drivers the repository names, which are only known when the entry starts (gitDrivers.ts).
 */
export function gitSafeConfigLines(): string[] {
  return [
    ...GIT_SAFE_CONFIG.map(([key, value]) => `${key}=${value}`),
    'GIT_PAGER=cat',
    'GIT_NO_LAZY_FETCH=1',
    'GIT_TERMINAL_PROMPT=0',
    `unset ${GIT_UNSAFE_VARIABLES.join(' ')}`,
    REPOSITORY_DRIVERS_LINE,
  ];
}

/** What the dry run says about the programs a repository's configuration names. */
export const REPOSITORY_DRIVERS_LINE = 'for each driver the repository configures: diff.<name>.textconv=cat, diff.<name>.command= and filter.<name>.clean/smudge/process= (and diff.external=), read from the repository and each checked-out submodule when the entry starts';

/**
 * The environment of an allowed git entry: `env` without the variables that name programs and
 * with the safe configuration forced. Any `GIT_CONFIG_COUNT` already present is replaced, so
 * nothing Leash inherited can add a key after ours.
 */
export function withGitSafety(env: Record<string, string | undefined>, repository: ReadonlyArray<readonly [key: string, value: string]> = []): Record<string, string | undefined> {
  const safe: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) {
    if (GIT_UNSAFE_VARIABLES.includes(name) || /^GIT_CONFIG_(COUNT|KEY_\d+|VALUE_\d+)$/.test(name)) continue;
    safe[name] = value;
  }
  // The repository's drivers (gitDrivers.ts) come after the fixed keys; none overlaps them.
  const forced = [...GIT_SAFE_CONFIG, ...repository];
  forced.forEach(([key, value], index) => {
    safe[`GIT_CONFIG_KEY_${index}`] = key;
    safe[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  safe.GIT_CONFIG_COUNT = String(forced.length);
  safe.GIT_PAGER = 'cat';
  safe.PAGER = 'cat';
  // A partial clone would fetch missing objects on `git log`, over the network, with ssh.
  safe.GIT_NO_LAZY_FETCH = '1';
  safe.GIT_TERMINAL_PROMPT = '0';
  return safe;
}
