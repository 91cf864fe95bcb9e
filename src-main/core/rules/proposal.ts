import { quote } from 'shell-quote';
import type { PolicyEngine } from '../policy/engine.js';
import { verdictOfCode, type Classification, type PolicySettings } from '../policy/types.js';
import { WRAPPERS } from '../policy/wrapperSpecs.js';
import { SHELLS, isInterpreter } from '../policy/programs.js';
import { userRulesFor } from './matcher.js';
import { ruleCommandText } from './ruleText.js';
import { allowRefusal, rulePrefixes } from './ruleWords.js';
import type { UserRule } from './types.js';

/** One rule the card offers: the narrowest words first, then broader ones that are still safe. */
export interface ProposedRule {
  words: string[];
  text: string;
  /** Safe prefixes from narrowest (`words`) to broadest, for a person who wants a wider rule. */
  alternatives: string[][];
  /** A command from the entry this rule covers. */
  covers: string;
}

export type ProposalCode = 'RULE_NOT_NEEDED' | 'RULE_CANNOT_LIFT' | 'NO_SAFE_RULE';

export type RuleProposal =
  | { ok: true; rules: ProposedRule[] }
  | { ok: false; code: ProposalCode; message: string };

/** Programs that only carry another command: the command inside gets the rule, never them. */
const CARRIERS = new Set([...Object.keys(WRAPPERS), ...SHELLS, 'env', 'xargs', 'command', 'builtin', 'exec', 'eval', '!', 'coproc', 'time']);

/** The only findings a rule can turn into allow (see judgeRules.ts `userAllow`). */
const LIFTABLE = new Set<string>(['UNKNOWN_COMMAND', 'UNSAFE_ARGUMENTS']);

function blockers(result: Classification): string {
  const shown = result.reasons.filter((r) => verdictOfCode(r.code) !== 'allow').slice(0, 3);
  return shown.map((r) => `${r.code}: ${r.message}`).join('; ');
}

/**
 * What "Always allow commands like this" offers for a shell entry: one rule per simple command
 * that is only "not on the allowlist" (or a subcommand of an allowlisted program that is not
 * read-only, like `git push`), each the program plus its subcommand prefix. The proposal is
 * proved with the real engine: classified with the proposed rules the entry must be allowed,
 * else it is refused with what no rule can lift (a redirect, a substitution, a wrapper, …).
 * `rules` are the person's rules in force (so what they already allow needs no new rule).
 */
export function proposeRule(engine: PolicyEngine, command: string, cwd: string, base: PolicySettings, rules: readonly UserRule[]): RuleProposal {
  const withRules = (extra: readonly UserRule[]): PolicySettings => ({ ...base, userRules: userRulesFor({ rules: [...rules, ...extra], cwd }) });
  const current = engine.classify({ tool: 'shell', command }, withRules([]));
  if (current.verdict === 'allow') return { ok: false, code: 'RULE_NOT_NEEDED', message: 'this command is already allowed' };
  if (current.verdict === 'deny') {
    return { ok: false, code: 'RULE_CANNOT_LIFT', message: `this command is blocked, and no rule can lift a block (${blockers(current)})` };
  }
  const proposed: ProposedRule[] = [];
  const carriers: string[] = [];
  const refusals: string[] = [];
  for (const judged of current.commands) {
    if (judged.unknown !== undefined || judged.argv.length === 0) continue;
    const program = judged.argv[0] as string;
    if (CARRIERS.has(program.toLowerCase()) || isInterpreter(program.toLowerCase())) {
      carriers.push(program);
      continue;
    }
    const alone = engine.classify({ tool: 'shell', command: quote(judged.argv) }, withRules([]));
    // What else makes it ask (a credential path, a control character) is for the proof below to name.
    if (alone.verdict !== 'ask' || alone.reasons.some((r) => verdictOfCode(r.code) !== 'allow' && !LIFTABLE.has(r.code))) continue;
    const { prefixes, refusal } = rulePrefixes(judged.argv);
    const narrowest = prefixes[0];
    if (!narrowest) {
      refusals.push(refusal ?? `no rule is safe for \`${program}\``);
      continue;
    }
    if (proposed.some((p) => JSON.stringify(p.words) === JSON.stringify(narrowest))) continue;
    proposed.push({ words: narrowest, text: ruleCommandText(narrowest), alternatives: prefixes, covers: ruleCommandText(judged.argv) });
  }
  if (refusals.length > 0) return { ok: false, code: 'NO_SAFE_RULE', message: `no safe rule: ${refusals.join('; ')}` };
  if (proposed.length === 0) {
    const carrier = carriers.map((c) => allowRefusal([c])).find((why) => why !== undefined);
    if (carrier) return { ok: false, code: 'NO_SAFE_RULE', message: `no safe rule: ${carrier}` };
    return { ok: false, code: 'RULE_CANNOT_LIFT', message: `this command needs review for reasons no rule can lift (${blockers(current)})` };
  }
  const trial: UserRule[] = proposed.map((p, index) => ({
    id: `r-${String(index).padStart(12, '0')}`,
    decision: 'allow',
    words: p.words,
    scope: { kind: 'everywhere' },
    lifetime: 'session',
    network: false,
    addedAt: new Date(0).toISOString(),
  }));
  const proved = engine.classify({ tool: 'shell', command }, withRules(trial));
  if (proved.verdict !== 'allow') {
    return { ok: false, code: 'RULE_CANNOT_LIFT', message: `a rule would not be enough: this command also needs review because ${blockers(proved)}` };
  }
  return { ok: true, rules: proposed };
}
