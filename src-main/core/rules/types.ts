/**
 * A person's own rules: "always allow commands like this", "ask me about these", "never allow
 * these". A rule names the leading words of a simple command's argv after quote removal
 * (`npm run test` matches `npm run test -- --watch`, never `npm run test:e2e` or `npx npm run test`).
 */

export type RuleDecision = 'allow' | 'ask' | 'deny';

/** Where a rule applies: inside one project (a git work tree, or a directory), or everywhere. */
export type RuleScope = { kind: 'everywhere' } | { kind: 'project'; root: string };

/** `saved` rules live in the policy file; `session` rules in memory until Leash quits. */
export type RuleLifetime = 'saved' | 'session';

export interface UserRule {
  /** `r-` and 12 hex digits, unique in the policy file and the session. */
  id: string;
  decision: RuleDecision;
  /** The argv prefix, at least the program name; the program is a bare name, never a path. */
  words: string[];
  scope: RuleScope;
  lifetime: RuleLifetime;
  /**
   * Allow rules only: the entries this rule allows may reach the network (their sandbox lets
   * them). Off unless the person turned it on.
   */
  network: boolean;
  /** ISO 8601 UTC. */
  addedAt: string;
  /** The command the rule was made from, if it came from an approval card. */
  example?: string;
}

/** What a person asks to add (the CLI, the approval card, Settings). */
export interface NewRule {
  decision: RuleDecision;
  words: string[];
  /** `project` takes the project enclosing `cwd`. */
  scope: 'project' | 'everywhere';
  /** The directory the project is found from (required for `project`). */
  cwd?: string;
  lifetime?: RuleLifetime;
  network?: boolean;
  example?: string;
}

/** Stable codes: the CLI, IPC and tests act on them. */
export type RuleErrorCode =
  | 'POLICY_FILE_UNREADABLE'
  | 'POLICY_FILE_NOT_JSON'
  | 'POLICY_FILE_INVALID'
  | 'POLICY_VERSION_UNSUPPORTED'
  | 'POLICY_FILE_WRITE_FAILED'
  | 'RULE_INVALID'
  | 'RULE_REFUSED'
  | 'RULE_EXISTS'
  | 'RULE_NOT_FOUND'
  | 'TOO_MANY_RULES'
  | 'PROJECT_NOT_FOUND';

export class RuleError extends Error {
  constructor(
    readonly code: RuleErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A policy file that cannot be used, as the UI and the CLI show it. */
export interface PolicyFileProblem {
  code: RuleErrorCode;
  message: string;
  path: string;
}
