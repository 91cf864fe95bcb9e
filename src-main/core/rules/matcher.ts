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

/** `words` is a prefix of `argv`; the program compared as `compareProgram` says. */
function prefixOf(words: readonly string[], argv: readonly string[], loose: boolean): boolean {
  if (argv.length < words.length) return false;
  const program = words[0] as string;
  const first = argv[0] as string;
  if (loose ? program.toLowerCase() !== first.toLowerCase() : program !== first) return false;
  for (let i = 1; i < words.length; i++) if (words[i] !== argv[i]) return false;
  return true;
}

/**
 * The person's rules as the engine needs them for one directory: rules scoped to a project
 * apply only inside it (real paths, so a symlink is the same project and `..` leads out), the
 * project's own `.leash/policy.json` adds deny and ask rules, and a policy file that cannot be
 * read makes every command ask. Allow rules match exactly; deny and ask rules (which only
 * tighten) compare the program without regard to case, as case-insensitive file systems run it.
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
        if (prefixOf(rule.words, argv, true)) found.push({ id: rule.id, decision: rule.decision, words: rule.words.length, description: describeRule(rule, input.home) });
      }
      for (const { words, match } of projectMatches) if (prefixOf(words, argv, true)) found.push(match);
      return found;
    },
    allowing(argv) {
      if (argv.length === 0) return undefined;
      const rule = allows.find((r) => prefixOf(r.words, argv, false));
      return rule ? { id: rule.id, decision: 'allow', words: rule.words.length, description: describeRule(rule, input.home) } : undefined;
    },
  };
}
