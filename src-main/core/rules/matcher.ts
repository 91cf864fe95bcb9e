import type { UserRuleMatch, UserRules } from '../policy/types.js';
import { isInside, projectOf, realDirectory } from './projectRoot.js';
import { PROJECT_POLICY_PATH, readProjectPolicy } from './projectFile.js';
import { describeRule, ruleCommandText, shortPath } from './ruleText.js';
import type { PolicyFileProblem, UserRule } from './types.js';

export interface RulesForDirectory {
  /** Saved and session rules (all scopes: the ones for other projects are left out here). */
  rules: readonly UserRule[];
  /** The directory the entry runs in. */
  cwd: string;
  /** The person's policy file cannot be used: every command asks. */
  fileProblem?: PolicyFileProblem | null;
  /** Read the project's `.leash/policy.json` (default true). */
  projectFile?: boolean;
  home?: string;
}

/** Allow rules: `words` is exactly a prefix of `argv` (narrow: `npm --prefix x run test` is not `npm run test`). */
function prefixOf(words: readonly string[], argv: readonly string[]): boolean {
  if (argv.length < words.length || words[0] !== argv[0]) return false;
  for (let i = 1; i < words.length; i++) if (words[i] !== argv[i]) return false;
  return true;
}

/**
 * Deny and ask rules: the program (without regard to case) and then the rule's other words in
 * order anywhere after it, so options in between (`npm --registry r publish`) do not slip past
 * `npm publish`. Matching too much only ever asks or blocks more.
 */
function tightens(words: readonly string[], argv: readonly string[]): boolean {
  if (argv.length < words.length || (words[0] as string).toLowerCase() !== (argv[0] as string).toLowerCase()) return false;
  let next = 1;
  for (let i = 1; i < argv.length && next < words.length; i++) if (argv[i] === words[next]) next++;
  return next === words.length;
}

/**
 * The person's rules as the engine needs them for one directory: rules scoped to a project
 * apply only inside it (real paths, so a symlink is the same project and `..` leads out), the
 * project's own `.leash/policy.json` adds deny and ask rules, and a policy file that cannot be
 * read makes every command ask. Allow rules match an exact argv prefix; deny and ask rules
 * (which only tighten) match more loosely (see `tightens`).
 */
export function userRulesFor(input: RulesForDirectory): UserRules {
  const dir = realDirectory(input.cwd);
  const applicable = input.rules.filter((rule) => rule.scope.kind === 'everywhere' || isInside(dir, rule.scope.root));
  const allows = applicable.filter((rule) => rule.decision === 'allow').sort((a, b) => b.words.length - a.words.length);
  const tighten = applicable.filter((rule) => rule.decision !== 'allow');
  const blanket: UserRuleMatch[] = [];
  if (input.fileProblem) {
    blanket.push({
      id: 'policy-file',
      decision: 'ask',
      words: 0,
      unreadable: true,
      description: `your policy file cannot be used (${input.fileProblem.code}: ${input.fileProblem.message}); until it is fixed a person decides every command`,
    });
  }
  const projectMatches: { words: string[]; match: UserRuleMatch }[] = [];
  if (input.projectFile !== false) {
    const project = projectOf(dir);
    const policy = readProjectPolicy(project.root);
    const where = shortPath(`${project.root}/${PROJECT_POLICY_PATH}`, input.home);
    if (policy && !policy.ok) {
      blanket.push({ id: 'project-file', decision: 'ask', words: 0, unreadable: true, description: `${policy.message}; until it is fixed a person decides every command in this project` });
    } else if (policy) {
      policy.rules.forEach((rule, index) => {
        const note = rule.note ? ` (${rule.note})` : '';
        projectMatches.push({
          words: rule.words,
          match: { id: `project-${index}`, decision: rule.decision, words: rule.words.length, description: `the project's rule \`${ruleCommandText(rule.words)}\` in ${where}${note}` },
        });
      });
    }
  }
  return {
    tightening(argv) {
      if (argv.length === 0) return blanket;
      const found: UserRuleMatch[] = [...blanket];
      for (const rule of tighten) {
        if (tightens(rule.words, argv)) found.push({ id: rule.id, decision: rule.decision, words: rule.words.length, description: describeRule(rule, input.home) });
      }
      for (const { words, match } of projectMatches) if (tightens(words, argv)) found.push(match);
      return found;
    },
    allowing(argv) {
      if (argv.length === 0) return undefined;
      const rule = allows.find((r) => prefixOf(r.words, argv));
      return rule ? { id: rule.id, decision: 'allow', words: rule.words.length, description: describeRule(rule, input.home), ...(rule.network ? { network: true } : {}) } : undefined;
    },
  };
}
