export { createRuleBook, type RuleBook, type RuleBookDeps, type RuleChange, type RuleListing } from './ruleBook.js';
export { proposeRule, type ProposedRule, type RuleProposal, type ProposalCode } from './proposal.js';
export { userRulesFor } from './matcher.js';
export { POLICY_FILE_NAME, POLICY_FILE_VERSION, readPolicyFile } from './policyFile.js';
export { PROJECT_POLICY_PATH } from './projectFile.js';
export { projectOf, type Project } from './projectRoot.js';
export { describeRule, ruleCommandText, scopeText, shortPath } from './ruleText.js';
export { allowRefusal, rulePrefixes } from './ruleWords.js';
export { RuleError, type NewRule, type PolicyFileProblem, type RuleDecision, type RuleErrorCode, type RuleLifetime, type RuleScope, type UserRule } from './types.js';
