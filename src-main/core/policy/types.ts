/**
 * The policy engine's public vocabulary. Verdicts are ordered (allow < ask < deny) so that
 * combining the findings of many commands is "take the strictest".
 */

export type Verdict = 'allow' | 'ask' | 'deny';

export const VERDICT_RANK: Record<Verdict, number> = { allow: 0, ask: 1, deny: 2 };

export const VERDICT_SCORE: Record<Verdict, 100 | 50 | 0> = { allow: 100, ask: 50, deny: 0 };

/** Every reason code the engine can emit, grouped by the verdict it forces. Codes are stable. */
export const DENY_CODES = [
  'RM_RECURSIVE_FORCE',
  'PRIVILEGE_ESCALATION',
  'REMOTE_CODE_EXECUTION',
  'REMOTE_ACCESS',
  'RAW_DISK_TOOL',
  'RAW_DISK_WRITE',
  /** A function that calls itself twice or more in new processes (`:(){ :|:& };:`). */
  'FORK_BOMB',
  /** A person's own deny rule ("never allow"), from their policy file or the project's. */
  'DENIED_BY_RULE',
] as const;

export const ASK_CODES = [
  'EMPTY_COMMAND',
  'COMMAND_TOO_LONG',
  'PARSE_ERROR',
  'UNSUPPORTED_SYNTAX',
  'NESTING_TOO_DEEP',
  'ANALYSIS_FAILED',
  'INVISIBLE_CHARACTER',
  'CONTROL_CHARACTER',
  'LINE_CONTINUATION',
  'NON_ASCII_COMMAND_NAME',
  'COMMAND_SUBSTITUTION',
  'PROCESS_SUBSTITUTION',
  'PARAMETER_EXPANSION',
  'ARITHMETIC_EXPANSION',
  'BRACE_EXPANSION',
  'OUTPUT_REDIRECT',
  'NETWORK_REDIRECT',
  'PIPE_TO_INTERPRETER',
  'BACKGROUND_JOB',
  'FUNCTION_DEFINITION',
  'SHELL_STATE_CHANGE',
  'ENV_PREFIX',
  'CREDENTIAL_PATH',
  'DYNAMIC_COMMAND_NAME',
  'DYNAMIC_ARGUMENT',
  'DYNAMIC_SCRIPT',
  'OPAQUE_CODE',
  'ARGUMENTS_FROM_INPUT',
  'UNSAFE_ARGUMENTS',
  'UNKNOWN_COMMAND',
  'UNSUPPORTED_TOOL',
  /** A patch entry: file changes are reviewed as a diff by a person, never allowed automatically. */
  'FILE_CHANGES',
  /** A person's own ask rule, or a project's `.leash/policy.json` asking for a person. */
  'ASK_BY_RULE',
  /** A policy file that cannot be read: no rule in it can be honoured, so a person decides (fail closed). */
  'POLICY_FILE_INVALID',
] as const;

/**
 * `ALLOWED_BY_RULE` and `ALLOWED_BY_PATTERN` are approval given in advance by a person, not a
 * finding that the command only reads: such entries run under the approved-entry sandbox.
 */
export const ALLOW_CODES = ['ALLOWED_COMMAND', 'ALLOWED_BY_PATTERN', 'ALLOWED_BY_RULE'] as const;

export type DenyCode = (typeof DENY_CODES)[number];
export type AskCode = (typeof ASK_CODES)[number];
export type AllowCode = (typeof ALLOW_CODES)[number];
export type ReasonCode = DenyCode | AskCode | AllowCode;

/** Half-open range of UTF-16 code units in the entry's command text. */
export interface Span {
  start: number;
  end: number;
}

export interface Reason {
  code: ReasonCode;
  message: string;
  /** The rule that produced the reason (e.g. `deny:rm-recursive-force`, `allow:git`, `pattern:^make( .*)?$`). */
  rule?: string;
  span?: Span;
}

export interface Classification {
  verdict: Verdict;
  score: 100 | 50 | 0;
  /** True when a person must decide: autonomy never runs such an entry. */
  requiresManual: boolean;
  reasons: Reason[];
  /** The programs the command runs, after unwrapping, in order of appearance (for dry runs). */
  programs: string[];
  /**
   * Every simple command the engine judged, in the order it judged them, with its words after
   * quote removal and expansion (the bash oracle in the tests compares these with what bash ran).
   */
  commands: JudgedCommand[];
}

/** One simple command the engine judged. */
export interface JudgedCommand {
  argv: string[];
  /** Indexes of words only known when the command runs (expansions, globs): they may become any number of words. */
  unknown?: number[];
  /**
   * The unknown words that are static globs (`*`, `src/*.ts`): bash replaces each with the file
   * names it matches. An allow with globs is a proof for every expansion (the rule accepts any
   * option a file name could spell, and the glob cannot match a credential name).
   */
  globs?: number[];
}

/** A tool call proposed by an agent. */
export type Entry = { tool: 'shell'; command: string } | { tool: 'python'; code: string };

/** A person's rule that matched one simple command (see core/rules). */
export interface UserRuleMatch {
  /** The rule's id, reported as `user:<id>` in the reason's `rule`. */
  id: string;
  decision: Verdict;
  /** How many argv words the rule names (`npm run test` is 3). */
  words: number;
  /** For the reason: "your rule `npm run test` for ~/code/app, added 2026-12-03". */
  description: string;
  /** An allow rule whose commands may use the network (the reason's rule is then `user:<id>:network`). */
  network?: boolean;
  /** Not a rule: a policy file that cannot be read, so everything in its reach asks (fail closed). */
  unreadable?: boolean;
}

/**
 * A person's rules as the engine sees them: already narrowed to the directory the entry runs in.
 * Both functions take the words of one simple command after quote removal, static words only.
 */
export interface UserRules {
  /** Deny and ask rules (and a broken policy file) that match: they only ever tighten. */
  tightening(argv: readonly string[]): readonly UserRuleMatch[];
  /** The most specific allow rule that matches, if any. */
  allowing(argv: readonly string[]): UserRuleMatch | undefined;
}

/** The part of the settings the policy reads. */
export interface PolicySettings {
  /** User allow patterns: regular expressions matched against a whole normalized simple command. */
  allowPatterns: readonly string[];
  /** The person's rules for this entry's directory (core/rules builds them). */
  userRules?: UserRules;
}

export const DEFAULT_POLICY_SETTINGS: PolicySettings = { allowPatterns: [] };

export function verdictOfCode(code: ReasonCode): Verdict {
  if ((DENY_CODES as readonly string[]).includes(code)) return 'deny';
  if ((ALLOW_CODES as readonly string[]).includes(code)) return 'allow';
  return 'ask';
}

export function strictest(a: Verdict, b: Verdict): Verdict {
  return VERDICT_RANK[a] >= VERDICT_RANK[b] ? a : b;
}
