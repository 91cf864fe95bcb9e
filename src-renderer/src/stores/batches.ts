import { plural } from '../model/format';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Batch, BatchEntry, DryRunReport } from '../model/contract';
import { describeError, formatProblem } from '../model/problem';
import { DEFAULT_CHOICE, type SandboxChoice } from '../model/sandbox';
import { call } from '../services/ipc';
import { useConnectionStore } from './connection';
import { useToastStore } from './toast';

export type BatchAction = 'approve' | 'unapprove' | 'run' | 'dryRun' | 'reject' | 'stop';

/** Entries a person may approve: anything the policy did not deny. */
export function approvableEntries(batch: Batch): BatchEntry[] {
  return batch.entries.filter((entry) => entry.classification.verdict !== 'deny');
}

function newestFirst(a: Batch, b: Batch): number {
  return b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);
}

/** The batches, the one selected, the entries ticked for approval, and every batch action. */
export const useBatchStore = defineStore('batches', () => {
  const toast = useToastStore();
  const batches = ref<Batch[]>([]);
  const selectedId = ref<string | null>(null);
  const loading = ref(false);
  const loadError = ref<string | null>(null);
  /** Entry ids ticked for "Approve selected", per batch. */
  const ticked = ref<Record<string, string[]>>({});
  const dryRuns = ref<Record<string, DryRunReport>>({});
  /** The sandbox chosen in each pending batch's approval controls (default: workspace, no network). */
  const sandboxChoices = ref<Record<string, SandboxChoice>>({});
  /** The action in flight per batch, so its buttons can show it and not be pressed twice. */
  const busy = ref<Record<string, BatchAction | undefined>>({});

  const selected = computed(() => batches.value.find((batch) => batch.id === selectedId.value) ?? null);
  const running = computed(() => batches.value.filter((batch) => batch.status === 'running'));

  async function load(): Promise<void> {
    loading.value = true;
    try {
      const list = await call('batch:list', {});
      batches.value = [...list].sort(newestFirst);
      loadError.value = null;
      if (!selected.value) selectedId.value = batches.value[0]?.id ?? null;
    } catch (error) {
      loadError.value = formatProblem(describeError(error));
    } finally {
      loading.value = false;
    }
  }

  /** Adds or replaces a batch; an older copy (an event overtaken by a response) never wins. */
  function upsert(batch: Batch): void {
    const index = batches.value.findIndex((b) => b.id === batch.id);
    if (index === -1) {
      batches.value = [...batches.value, batch].sort(newestFirst);
      if (!selectedId.value) selectedId.value = batch.id;
      return;
    }
    const current = batches.value[index];
    if (current && current.updatedAt > batch.updatedAt) return;
    const next = [...batches.value];
    next[index] = batch;
    batches.value = next;
  }

  function select(id: string | null): void {
    selectedId.value = id;
  }

  /** Moves the selection up (-1) or down (+1) the list. */
  function selectNext(delta: 1 | -1): void {
    const list = batches.value;
    if (list.length === 0) return;
    const index = list.findIndex((b) => b.id === selectedId.value);
    const next = index === -1 ? 0 : Math.min(list.length - 1, Math.max(0, index + delta));
    selectedId.value = list[next]?.id ?? null;
  }

  function tickedFor(batchId: string): string[] {
    return ticked.value[batchId] ?? [];
  }

  function setTicked(batchId: string, entryId: string, on: boolean): void {
    const batch = batches.value.find((b) => b.id === batchId);
    const entry = batch?.entries.find((e) => e.id === entryId);
    if (!entry || entry.classification.verdict === 'deny') return;
    const current = new Set(tickedFor(batchId));
    if (on) current.add(entryId);
    else current.delete(entryId);
    // Keep the batch's order so the payload reads like the list.
    ticked.value = { ...ticked.value, [batchId]: batch?.entries.filter((e) => current.has(e.id)).map((e) => e.id) ?? [] };
  }

  async function act<T>(batchId: string, action: BatchAction, title: string, run: () => Promise<T>): Promise<T | undefined> {
    if (busy.value[batchId]) return undefined;
    busy.value = { ...busy.value, [batchId]: action };
    try {
      return await run();
    } catch (error) {
      toast.failure(title, error);
      return undefined;
    } finally {
      busy.value = { ...busy.value, [batchId]: undefined };
    }
  }

  async function approve(batchId: string, entryIds: string[]): Promise<Batch | undefined> {
    if (entryIds.length === 0) {
      toast.push('info', 'Nothing to approve', 'Blocked entries can never be approved.');
      return undefined;
    }
    const choice = sandboxChoiceFor(batchId);
    const batch = await act(batchId, 'approve', 'Approve failed', () =>
      call('batch:approve', { id: batchId, entryIds, sandbox: choice.profile, network: choice.network }),
    );
    if (batch) {
      upsert(batch);
      toast.success('Approved', `${entryIds.length} of ${plural(batch.entries.length, 'entry', 'entries')} will run.`);
    }
    return batch;
  }

  function sandboxChoiceFor(batchId: string): SandboxChoice {
    return sandboxChoices.value[batchId] ?? DEFAULT_CHOICE;
  }

  function setSandboxChoice(batchId: string, choice: SandboxChoice): void {
    sandboxChoices.value = { ...sandboxChoices.value, [batchId]: { ...choice } };
  }

  /** Approves every allowed and asked entry; blocked (denied) entries are never in the payload. */
  function approveAll(batchId: string): Promise<Batch | undefined> {
    const batch = batches.value.find((b) => b.id === batchId);
    return approve(batchId, batch ? approvableEntries(batch).map((e) => e.id) : []);
  }

  function approveSelected(batchId: string): Promise<Batch | undefined> {
    return approve(batchId, tickedFor(batchId));
  }

  async function unapprove(batchId: string): Promise<void> {
    const batch = await act(batchId, 'unapprove', 'Un-approve failed', () => call('batch:unapprove', { id: batchId }));
    if (batch) upsert(batch);
  }

  async function run(batchId: string): Promise<void> {
    const batch = await act(batchId, 'run', 'Run failed', () => call('batch:run', { id: batchId }));
    if (batch) upsert(batch);
  }

  async function dryRun(batchId: string): Promise<void> {
    // A pending batch is dry-run with the sandbox chosen so far; an approved one with what was fixed.
    const pending = batches.value.find((b) => b.id === batchId)?.status === 'pending';
    const choice = sandboxChoiceFor(batchId);
    const request = pending ? { id: batchId, sandbox: choice.profile, network: choice.network } : { id: batchId };
    const report = await act(batchId, 'dryRun', 'Dry-run failed', () => call('batch:dryRun', request));
    if (report) dryRuns.value = { ...dryRuns.value, [batchId]: report };
  }

  async function reject(batchId: string, reason?: string): Promise<void> {
    const request = reason ? { id: batchId, reason } : { id: batchId };
    const batch = await act(batchId, 'reject', 'Reject failed', () => call('batch:reject', request));
    if (batch) upsert(batch);
  }

  async function stop(batchId: string): Promise<void> {
    if (useConnectionStore().refuseUnreachableStop('Stop')) return;
    const batch = await act(batchId, 'stop', 'Stop failed', () => call('batch:stop', { id: batchId }));
    if (batch) upsert(batch);
  }

  /** Creates a batch from previewed commands and selects it. */
  async function create(commands: string[], cwd: string): Promise<Batch | undefined> {
    try {
      const request = cwd.trim() ? { entries: commands.map((command) => ({ command })), cwd: cwd.trim() } : { entries: commands.map((command) => ({ command })) };
      const batch = await call('batch:create', request);
      upsert(batch);
      selectedId.value = batch.id;
      const state = batch.status === 'pending' ? 'waiting for approval' : `${batch.status} (semi-autonomy)`;
      toast.success('Batch created', `${plural(batch.entries.length, 'entry', 'entries')}, ${state}.`);
      return batch;
    } catch (error) {
      toast.failure('Could not create the batch', error);
      return undefined;
    }
  }

  return {
    batches, selectedId, selected, running, loading, loadError, ticked, dryRuns, busy,
    load, upsert, select, selectNext, tickedFor, setTicked, approveAll, approveSelected, unapprove, run, dryRun, reject, stop, create,
    sandboxChoices, sandboxChoiceFor, setSandboxChoice,
  };
});
