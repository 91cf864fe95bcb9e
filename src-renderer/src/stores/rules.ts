import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { NewRuleRequest, PolicyFileProblemView, RuleList, RuleView } from '../model/contract';
import { describeError, formatProblem } from '../model/problem';
import { call } from '../services/ipc';
import { useToastStore } from './toast';

/**
 * The person's rules as main has them. Main re-judges pending batches on every change and says
 * so with `batch:summary` and `batch:delta`; `rules:changed` keeps this list current (another window, the CLI).
 */
export const useRulesStore = defineStore('rules', () => {
  const toast = useToastStore();
  const rules = ref<RuleView[]>([]);
  const path = ref('');
  const problem = ref<PolicyFileProblemView | null>(null);
  const loaded = ref(false);
  const loadError = ref<string | null>(null);
  /** Ids being removed, so their buttons show it and cannot be pressed twice. */
  const removing = ref<string[]>([]);

  function set(list: RuleList): void {
    rules.value = list.rules;
    path.value = list.path;
    problem.value = list.problem;
    loaded.value = true;
  }

  async function load(): Promise<void> {
    try {
      set(await call('rules:list', {}));
      loadError.value = null;
    } catch (error) {
      loadError.value = formatProblem(describeError(error));
    }
  }

  /** Adds a rule; a refusal is thrown to the caller (the dialog shows it beside its form). */
  async function add(request: NewRuleRequest): Promise<RuleView> {
    const rule = await call('rules:add', request);
    await load();
    return rule;
  }

  async function remove(id: string): Promise<void> {
    removing.value = [...removing.value, id];
    try {
      const rule = await call('rules:remove', { id });
      toast.success('Rule removed', `\`${rule.text}\` ${rule.where}: pending batches were judged again.`);
      await load();
    } catch (error) {
      toast.failure('The rule was not removed', error);
    } finally {
      removing.value = removing.value.filter((x) => x !== id);
    }
  }

  return { rules, path, problem, loaded, loadError, removing, set, load, add, remove };
});
