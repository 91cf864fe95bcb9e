import type { Reason } from './types.js';

/**
 * Environment assignments in front of a command (`X=1 cmd`). A handful only change how output
 * looks; the rest can change which code a program loads (`LD_PRELOAD`, `PATH`, `GIT_*`,
 * `PYTHONPATH`, `BASH_ENV`, …) or are unknown, so they need a person.
 */
const PRESENTATION_VARIABLES = new Set([
  'LANG', 'LANGUAGE', 'TZ', 'TERM', 'COLUMNS', 'LINES', 'NO_COLOR', 'FORCE_COLOR', 'CLICOLOR', 'CLICOLOR_FORCE',
  'COLORTERM', 'GREP_COLOR', 'GREP_COLORS', 'LS_COLORS', 'TIME_STYLE', 'QUOTING_STYLE', 'POSIXLY_CORRECT',
]);

const LOADER_VARIABLES = [
  /^LD_/, /^DYLD_/, /^PATH$/, /^BASH_ENV$/, /^ENV$/, /^BASH_FUNC_/, /^SHELLOPTS$/, /^BASHOPTS$/, /^IFS$/, /^PS4$/,
  /^PROMPT_COMMAND$/, /^CDPATH$/, /^GLOBIGNORE$/, /^GIT_/, /^PYTHON/, /^NODE_OPTIONS$/, /^NODE_PATH$/, /^PERL5?LIB$/,
  /^PERL5OPT$/, /^RUBYOPT$/, /^RUBYLIB$/, /^JAVA_TOOL_OPTIONS$/, /^_JAVA_OPTIONS$/, /^CLASSPATH$/, /^PAGER$/,
  /^MANPAGER$/, /^EDITOR$/, /^VISUAL$/, /^LESSOPEN$/, /^LESSCLOSE$/, /^BROWSER$/, /^SSH_ASKPASS$/, /^SUDO_ASKPASS$/,
  /^HOME$/, /^ZDOTDIR$/, /^XDG_CONFIG_HOME$/, /^TMPDIR$/,
];

export type EnvironmentRisk = 'presentation' | 'loader' | 'unknown';

export function environmentRisk(name: string): EnvironmentRisk {
  if (PRESENTATION_VARIABLES.has(name) || /^LC_[A-Z]+$/.test(name)) return 'presentation';
  if (LOADER_VARIABLES.some((pattern) => pattern.test(name))) return 'loader';
  return 'unknown';
}

/** Asks for every assignment in front of a command that is not known to be harmless. */
export function checkAssignments(assignments: readonly { name: string; value: { word: { source: string } } }[], add: (r: Reason) => void): void {
  for (const { name, value } of assignments) {
    const risk = environmentRisk(name);
    if (risk === 'presentation') continue;
    add({
      code: 'ENV_PREFIX',
      rule: 'ask:env-prefix',
      message:
        risk === 'loader'
          ? `\`${name}=…\` changes which code or configuration programs load`
          : `\`${value.word.source}\` sets an environment variable for the command; Leash does not know it to be harmless`,
    });
  }
}
