import { RuleError, proposeRule, projectOf, ruleCommandText, scopeText, shortPath, type RuleBook, type UserRule } from '../core/rules/index.js';
import { BatchError } from '../core/batch/errors.js';
import type { Leash } from '../core/leash.js';
import type { Request, Response, RuleList, RuleView } from './contract.js';

type RuleChannel = 'rules:list' | 'rules:propose' | 'rules:add' | 'rules:remove';
export type RuleHandlers = { [C in RuleChannel]: (request: Request<C>) => Promise<Response<C>> };

export function ruleView(rule: UserRule): RuleView {
  return { ...rule, text: ruleCommandText(rule.words), where: scopeText(rule) };
}

export function ruleList(rules: RuleBook): RuleList {
  const listing = rules.list();
  return { path: listing.path, problem: listing.problem, rules: listing.rules.map(ruleView) };
}

/**
 * The rules' channels. The renderer names an entry, never a command: main proposes from the
 * text and directory it stored, and a project rule's root comes from that entry's directory.
 */
export function createRuleHandlers(leash: Leash): RuleHandlers {
  const entryOf = (batchId: string, entryId: string) => {
    const entry = leash.batches.get(batchId).entries.find((e) => e.id === entryId);
    if (!entry) throw new BatchError('ENTRY_NOT_FOUND', `batch ${batchId} has no entry ${entryId}`);
    if (entry.tool !== 'shell') throw new RuleError('RULE_INVALID', 'rules apply to shell commands; file changes are always reviewed by a person');
    return entry;
  };
  return {
    'rules:list': async () => ruleList(leash.rules),
    'rules:propose': async ({ batchId, entryId }) => {
      const entry = entryOf(batchId, entryId);
      const project = projectOf(entry.cwd);
      const listing = leash.rules.list();
      const proposal = proposeRule(leash.engine, entry.command, entry.cwd, leash.settings.get(), listing.rules);
      return { proposal, project: { ...project, display: shortPath(project.root) }, command: entry.command };
    },
    'rules:add': async ({ from, cwd, ...rule }) => {
      const entry = from ? entryOf(from.batchId, from.entryId) : undefined;
      const added = await leash.rules.add({ ...rule, cwd: entry?.cwd ?? cwd, ...(entry ? { example: entry.command } : {}) });
      return ruleView(added);
    },
    'rules:remove': async ({ id }) => ruleView(await leash.rules.remove(id)),
  };
}
