import { plural, shortId } from '../model/format';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { Batch, BatchDelta, BatchEntry, BatchSummary, DryRunReport } from '../model/contract';
import { describeError, formatProblem } from '../model/problem';
import { DEFAULT_CHOICE, type SandboxChoice } from '../model/sandbox';
import { call } from '../services/ipc';
import { useBatchListStore } from './batchList';
import { useConnectionStore } from './connection';
import { useToastStore } from './toast';

export type BatchAction = 'approve' | 'unapprove' | 'run' | 'dryRun' | 'reject' | 'stop';

/** Entries a person may approve: anything the policy did not deny. */
export function approvableEntries(batch: Batch): BatchEntry[] {
  return batch.entries.filter((entry) => entry.classification.verdict !== 'deny');
}

/** `The entry is approved`, `All 3 entries approved`, `2 of 3 entries approved`. */
function approvedText(approved: number, total: number): string {
  if (total === 1) return 'The entry is approved';
  return approved === total ? `All ${total} entries approved` : `${approved} of ${plural(total, 'entry', 'entries')} approved`;
}

/** Applies a delta to a full batch: its fields, and the entries it names (captures stay as they were). */
export function applyDelta(batch: Batch, delta: BatchDelta): Batch {
  const changed = new Map(delta.entries.map((entry) => [entry.id, entry]));
  const entries = batch.entries.map((entry) => {
    const update = changed.get(entry.id);
    if (!update) return entry;
    const fields: Partial<typeof update> = { ...update };
    delete fields.outputChanged;
    return { ...entry, ...fields };
  });
  return { ...batch, ...delta.batch, entries };
}

/**
 * The selected batch, read whole with `batch:get` and kept current by deltas; the entries ticked
 * for approval; and every batch action. The list of summaries is `useBatchListStore`.
 */
export const useBatchStore = defineStore('batches', () => {
  const toast = useToastStore();
  const list = useBatchListStore();
  const selectedId = ref<string | null>(null);
  /** The selected batch in full; null while it loads (or when nothing is selected). */
  const selected = shallowRef<Batch | null>(null);
  const selectedError = ref<string | null>(null);
  /** Entry ids ticked for "Approve selected", per batch. */
  const ticked = ref<Record<string, string[]>>({});
  const dryRuns = ref<Record<string, DryRunReport>>({});
  /** The sandbox chosen in each pending batch's approval controls (default: workspace, no network). */
  const sandboxChoices = ref<Record<string, SandboxChoice>>({});
  /** The action in flight per batch, so its buttons can show it and not be pressed twice. */
  const busy = ref<Record<string, BatchAction | undefined>>({});
  /** The batch whose reject dialog is open, if any. */
  const rejecting = ref<string | null>(null);
  let fetching: Promise<void> | null = null;
  let refetch = false;

  const loading = computed(() => list.loading);
  const loadError = computed(() => list.loadError);

  /** Reads the selected batch whole; a second call while one is in flight reads once more after it. */
  function fetchSelected(): Promise<void> {
    if (fetching) {
      refetch = true;
      return fetching;
    }
    fetching = (async () => {
      do {
        refetch = false;
        const id = selectedId.value;
        if (id === null) break;
        try {
          const batch = await call('batch:get', { id });
          if (selectedId.value === id) upsert(batch);
          selectedError.value = null;
        } catch (error) {
          if (selectedId.value === id) selectedError.value = formatProblem(describeError(error));
        }
      } while (refetch);
    })().finally(() => {
      fetching = null;
    });
    return fetching;
  }

  async function load(): Promise<void> {
    await list.load();
    if (selectedId.value === null) selectedId.value = list.ids[0] ?? null;
    if (selectedId.value !== null) await fetchSelected();
  }

  /** A full batch from an action's answer: it replaces the selected one if it is that batch and not older. */
  function upsert(batch: Batch): void {
    if (batch.id !== selectedId.value) return;
    const current = selected.value;
    if (current && current.id === batch.id && current.updatedAt > batch.updatedAt) return;
    selected.value = batch;
  }

  /** A delta from main: applied to the selected batch; a changed capture is read again with batch:get. */
  function receiveDelta(delta: BatchDelta): void {
    const current = selected.value;
    if (!current || current.id !== delta.id || delta.updatedAt < current.updatedAt) return;
    selected.value = applyDelta(current, delta);
    if (delta.entries.some((entry) => entry.outputChanged)) void fetchSelected();
  }

  /** A summary from main: the list's row, and for a batch new to this page whether it was (see batchList.receive). */
  function receiveSummary(summary: BatchSummary): boolean {
    const isNew = list.receive(summary);
    if (selectedId.value === null) select(summary.id);
    return isNew;
  }

  function select(id: string | null): void {
    if (id === selectedId.value && (selected.value?.id === id || fetching)) return;
    selectedId.value = id;
    selected.value = null;
    selectedError.value = null;
    if (id !== null) void fetchSelected();
  }

  /** Moves the selection up (-1) or down (+1) the list; near the end, the next page is read. */
  function selectNext(delta: 1 | -1): void {
    const ids = list.ids;
    if (ids.length === 0) return;
    const index = selectedId.value === null ? -1 : ids.indexOf(selectedId.value);
    const next = index === -1 ? 0 : Math.min(ids.length - 1, Math.max(0, index + delta));
    select(ids[next] ?? null);
    if (next >= ids.length - 5) void list.loadMore();
  }

  function tickedFor(batchId: string): string[] {
    return ticked.value[batchId] ?? [];
  }

  function setTicked(batchId: string, entryId: string, on: boolean): void {
    const batch = selected.value?.id === batchId ? selected.value : null;
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

  /**
   * Approves the entries; with `run`, main also queues the batch in the same call (Approve & run),
   * so nothing can come between the two.
   */
  async function approve(batchId: string, entryIds: string[], options: { run?: boolean } = {}): Promise<Batch | undefined> {
    if (entryIds.length === 0) {
      toast.push('info', 'Nothing to approve', 'Blocked entries can never be approved.');
      return undefined;
    }
    const choice = sandboxChoiceFor(batchId);
    const request = { id: batchId, entryIds, sandbox: choice.profile, network: choice.network, ...(options.run ? { run: true } : {}) };
    const batch = await act(batchId, 'approve', options.run ? 'Approve & run failed' : 'Approve failed', () => call('batch:approve', request));
    if (batch) {
      upsert(batch);
      const what = approvedText(entryIds.length, batch.entries.length);
      if (!options.run) toast.success('Approved', `${what}. Press Run (R) to start it.`);
      else if (batch.status === 'approved' && batch.queuedBehind) toast.success('Approved and queued', `${what}. It runs after batch ${shortId(batch.queuedBehind)}, which is ahead in the queue.`);
      else toast.success('Approved and running', `${what}. Running now, one entry at a time.`);
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
    const batch = selected.value?.id === batchId ? selected.value : null;
    return approve(batchId, batch ? approvableEntries(batch).map((e) => e.id) : []);
  }

  function approveSelected(batchId: string): Promise<Batch | undefined> {
    return approve(batchId, tickedFor(batchId));
  }

  /** Approve & run (`run: true`) or approve only: the ticked entries when some are ticked, else every entry not blocked. */
  function approveTicked(batchId: string, options: { run: boolean }): Promise<Batch | undefined> {
    const chosen = tickedFor(batchId);
    if (chosen.length > 0) return approve(batchId, chosen, options);
    const batch = selected.value?.id === batchId ? selected.value : null;
    return approve(batchId, batch ? approvableEntries(batch).map((e) => e.id) : [], options);
  }

  /** Opens the reject dialog for the batch (the person may add a message for the agent). */
  function askReject(batchId: string): void {
    rejecting.value = batchId;
  }

  function cancelReject(): void {
    rejecting.value = null;
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
    const pending = (selected.value?.id === batchId ? selected.value.status : useBatchListStore().summary(batchId)?.status) === 'pending';
    const choice = sandboxChoiceFor(batchId);
    const request = pending ? { id: batchId, sandbox: choice.profile, network: choice.network } : { id: batchId };
    const report = await act(batchId, 'dryRun', 'Dry-run failed', () => call('batch:dryRun', request));
    if (report) dryRuns.value = { ...dryRuns.value, [batchId]: report };
  }

  /**
   * Rejects the batch, with what the agent should do instead when `message` is given (main trims
   * and checks it). Returns the error when main refused, so the dialog can show it and keep the text.
   */
  async function reject(batchId: string, message?: string): Promise<{ ok: true } | { ok: false; error: string }> {
    if (busy.value[batchId]) return { ok: false, error: 'another action on this batch is in progress' };
    const request = message && message.trim() !== '' ? { id: batchId, message } : { id: batchId };
    busy.value = { ...busy.value, [batchId]: 'reject' };
    try {
      const batch = await call('batch:reject', request);
      upsert(batch);
      if (rejecting.value === batchId) rejecting.value = null;
      toast.success('Rejected', batch.rejectionMessage ? 'The agent gets your message as the reason.' : 'Nothing in the batch runs.');
      return { ok: true };
    } catch (error) {
      return { ok: false, error: formatProblem(describeError(error)) };
    } finally {
      busy.value = { ...busy.value, [batchId]: undefined };
    }
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
      selectedId.value = batch.id;
      upsert(batch);
      const state = batch.status === 'pending' ? 'waiting for approval' : `${batch.status} (semi-autonomy)`;
      toast.success('Batch created', `${plural(batch.entries.length, 'entry', 'entries')}, ${state}.`);
      return batch;
    } catch (error) {
      toast.failure('Could not create the batch', error);
      return undefined;
    }
  }

  /** The running batches in full (at most one runs at a time): for catching up on live output after a reconnect. */
  async function running(): Promise<Batch[]> {
    const page = await call('batch:list', { status: ['running'], limit: 10 });
    const current = selected.value;
    return Promise.all(page.items.map((item) => (current && item.id === current.id ? current : call('batch:get', { id: item.id }))));
  }

  return {
    selectedId, selected, selectedError, loading, loadError, ticked, dryRuns, busy,
    load, upsert, receiveDelta, receiveSummary, select, selectNext, tickedFor, setTicked, approveAll, approveSelected, approveTicked, unapprove, run, dryRun, reject, stop, create, running,
    rejecting, askReject, cancelReject,
    sandboxChoices, sandboxChoiceFor, setSandboxChoice,
  };
});
