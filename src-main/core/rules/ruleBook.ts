import { randomBytes } from 'node:crypto';
import { unwatchFile, watchFile } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { AuditEventInput } from '../audit/events.js';
import type { PolicySettings } from '../policy/types.js';
import { userRulesFor } from './matcher.js';
import { MAX_RULES, readPolicyFile, writePolicyFile } from './policyFile.js';
import { projectOf, realDirectory } from './projectRoot.js';
import { allowRefusal, wordsProblem } from './ruleWords.js';
import { RuleError, type NewRule, type PolicyFileProblem, type UserRule } from './types.js';
import { existsSync } from 'node:fs';

export interface RuleBookDeps {
  /** The policy file (`policy.json` in the data directory). */
  path: string;
  audit: { append(event: AuditEventInput): Promise<unknown> };
  now?: () => Date;
  newId?: () => string;
  home?: string;
}

export interface RuleListing {
  path: string;
  /** Saved rules first (in file order), then this session's. */
  rules: UserRule[];
  /** Set while the policy file cannot be used. */
  problem: PolicyFileProblem | null;
}

export interface RuleChange {
  kind: 'added' | 'removed' | 'file-changed';
  rule?: UserRule;
}

export interface RuleBook {
  readonly path: string;
  list(): RuleListing;
  /** Validates, saves (or keeps for the session) and audits (RULE_ADDED) a rule. */
  add(input: NewRule): Promise<UserRule>;
  /** Removes a saved or session rule and audits it (RULE_REMOVED). */
  remove(id: string): Promise<UserRule>;
  /** `base` plus the person's rules as they apply in `cwd`. */
  policyFor(cwd: string, base: PolicySettings): PolicySettings;
  /**
   * Re-reads the policy file if it changed on disk (`leash rules` beside a running Leash, a
   * hand edit). Rules that appeared or vanished are audited as RULE_ADDED / RULE_REMOVED, with
   * a reason saying the file changed outside this Leash. True when the rules changed.
   */
  refresh(): Promise<boolean>;
  on(listener: (change: RuleChange) => void): () => void;
  /** Polls the policy file for changes made by other processes; returns a stop function. */
  watch(intervalMs?: number): () => void;
}

const newRuleId = (): string => `r-${randomBytes(6).toString('hex')}`;

function sameRule(a: UserRule, b: UserRule): boolean {
  return (
    a.decision === b.decision &&
    a.lifetime === b.lifetime &&
    JSON.stringify(a.words) === JSON.stringify(b.words) &&
    JSON.stringify(a.scope) === JSON.stringify(b.scope)
  );
}

function auditDetails(rule: UserRule): NonNullable<AuditEventInput['details']> {
  return {
    ruleId: rule.id,
    decision: rule.decision,
    words: rule.words,
    scope: rule.scope.kind,
    root: rule.scope.kind === 'project' ? rule.scope.root : undefined,
    lifetime: rule.lifetime,
    network: rule.network,
    example: rule.example,
  };
}

/**
 * The person's rules: saved ones in the policy file, session ones in memory. Changes are
 * serialized, written atomically and audited before listeners hear of them; a policy file that
 * cannot be used is never overwritten (adding and removing fail with its code until it is fixed).
 */
export function createRuleBook(deps: RuleBookDeps): RuleBook {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? newRuleId;
  const listeners = new Set<(change: RuleChange) => void>();
  let saved: UserRule[] = [];
  /** The rules of the last read that succeeded: what changes outside this process are diffed against. */
  let lastGood: UserRule[] = [];
  let problem: PolicyFileProblem | null = null;
  let signature = '';
  const session: UserRule[] = [];
  let queue: Promise<unknown> = Promise.resolve();

  const emit = (change: RuleChange): void => {
    for (const listener of listeners) {
      try {
        listener(change);
      } catch {
        // One listener failing must not keep the others from hearing about the change.
      }
    }
  };

  const load = (): boolean => {
    const read = readPolicyFile(deps.path);
    if (read.signature === signature && signature !== '') return false;
    const before = JSON.stringify({ saved, problem });
    signature = read.signature;
    if (read.ok) {
      saved = read.rules;
      problem = null;
    } else {
      // The rules last read stay out of use as well: a broken file means nothing is allowed.
      saved = [];
      problem = { ...read.error, path: deps.path };
    }
    return JSON.stringify({ saved, problem }) !== before;
  };
  load();
  lastGood = saved;

  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  const usableFile = (): void => {
    load();
    if (problem) throw new RuleError(problem.code, `${problem.message}. Leash does not overwrite it: fix it or move it aside, then try again`);
  };

  const build = (input: NewRule): UserRule => {
    const words = [...input.words];
    const shape = wordsProblem(words);
    if (shape) throw new RuleError('RULE_INVALID', shape);
    if (input.decision === 'allow') {
      const refusal = allowRefusal(words);
      if (refusal) throw new RuleError('RULE_REFUSED', refusal);
    } else if (input.network) {
      throw new RuleError('RULE_INVALID', 'only an allow rule can grant the network');
    }
    let scope: UserRule['scope'] = { kind: 'everywhere' };
    if (input.scope === 'project') {
      if (!input.cwd || !isAbsolute(input.cwd) || !existsSync(input.cwd)) {
        throw new RuleError('PROJECT_NOT_FOUND', `a project rule needs the absolute path of an existing directory in the project${input.cwd ? ` (not ${input.cwd})` : ''}`);
      }
      scope = { kind: 'project', root: projectOf(realDirectory(input.cwd)).root };
    }
    return {
      id: newId(),
      decision: input.decision,
      words,
      scope,
      lifetime: input.lifetime ?? 'saved',
      network: input.decision === 'allow' && input.network === true,
      addedAt: now().toISOString(),
      ...(input.example === undefined ? {} : { example: input.example.slice(0, 2000) }),
    };
  };

  const book: RuleBook = {
    path: deps.path,
    list: () => {
      load();
      return { path: deps.path, rules: [...saved, ...session].map((rule) => structuredClone(rule)), problem };
    },
    add: (input) =>
      serialized(async () => {
        const rule = build(input);
        if (rule.lifetime === 'saved') usableFile();
        const existing = [...saved, ...session].find((r) => sameRule(r, rule));
        if (existing) throw new RuleError('RULE_EXISTS', `the same rule already exists (${existing.id})`);
        if (saved.length + session.length >= MAX_RULES) throw new RuleError('TOO_MANY_RULES', `at most ${MAX_RULES} rules; remove some first`);
        if (rule.lifetime === 'saved') {
          writePolicyFile(deps.path, [...saved, rule]);
          load();
          lastGood = saved;
        } else {
          session.push(rule);
        }
        await deps.audit.append({ event: 'RULE_ADDED', reason: `${rule.decision} rule added`, details: auditDetails(rule) });
        emit({ kind: 'added', rule });
        return structuredClone(rule);
      }),
    remove: (id) =>
      serialized(async () => {
        const inSession = session.findIndex((r) => r.id === id);
        let removed: UserRule;
        if (inSession !== -1) {
          removed = session.splice(inSession, 1)[0] as UserRule;
        } else {
          usableFile();
          const found = saved.find((r) => r.id === id);
          if (!found) throw new RuleError('RULE_NOT_FOUND', `there is no rule ${id}`);
          writePolicyFile(deps.path, saved.filter((r) => r.id !== id));
          load();
          lastGood = saved;
          removed = found;
        }
        await deps.audit.append({ event: 'RULE_REMOVED', reason: `${removed.decision} rule removed`, details: auditDetails(removed) });
        emit({ kind: 'removed', rule: removed });
        return structuredClone(removed);
      }),
    policyFor(cwd, base) {
      return { ...base, userRules: userRulesFor({ rules: [...saved, ...session], cwd, fileProblem: problem, ...(deps.home ? { home: deps.home } : {}) }) };
    },
    refresh: () =>
      serialized(async () => {
        if (!load()) return false;
        // While the file is unusable its rules are out of force but not removed: the diff is
        // taken against the last good read once it reads again.
        if (!problem) {
          const reason = 'the policy file was changed outside this Leash';
          for (const rule of saved.filter((r) => !lastGood.some((b) => b.id === r.id))) {
            await deps.audit.append({ event: 'RULE_ADDED', reason, details: auditDetails(rule) });
          }
          for (const rule of lastGood.filter((b) => !saved.some((r) => r.id === b.id))) {
            await deps.audit.append({ event: 'RULE_REMOVED', reason, details: auditDetails(rule) });
          }
          lastGood = saved;
        }
        emit({ kind: 'file-changed' });
        return true;
      }),
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    watch(intervalMs = 1000) {
      const onChange = (): void => {
        void book.refresh().catch(() => undefined);
      };
      watchFile(deps.path, { interval: intervalMs, persistent: false }, onChange);
      return () => unwatchFile(deps.path, onChange);
    },
  };
  return book;
}
