import { defineStore } from 'pinia';
import { computed, ref, shallowRef, type ShallowRef } from 'vue';
import type { BatchStatus, BatchSummary } from '../model/contract';
import { describeError, formatProblem } from '../model/problem';
import { call } from '../services/ipc';

/** The status filters offered as chips; each is a set of statuses main filters by. */
export const STATUS_FILTERS = [
  { key: 'all', label: 'All', statuses: [] },
  { key: 'pending', label: 'Pending', statuses: ['pending'] },
  { key: 'active', label: 'Approved & running', statuses: ['approved', 'running'] },
  { key: 'completed', label: 'Completed', statuses: ['completed'] },
  { key: 'failed', label: 'Failed', statuses: ['error', 'interrupted'] },
  { key: 'stopped', label: 'Rejected & cancelled', statuses: ['rejected', 'cancelled'] },
] as const satisfies readonly { key: string; label: string; statuses: readonly BatchStatus[] }[];

export type StatusFilter = (typeof STATUS_FILTERS)[number]['key'];

const PAGE_SIZE = 100;
/** Pending batches the header counts are read in one page of at most this many. */
const PENDING_PAGE = 200;

/**
 * The batch list: summaries keyed by id, each in its own shallow ref, and the ids of the current
 * query in list order. A change to one batch sets one ref, so it re-renders one row (if it is
 * visible) and costs the same with 10 or 10,000 batches stored; the id array changes only when
 * a page arrives or a new batch is listed.
 */
export const useBatchListStore = defineStore('batchList', () => {
  const summaries = new Map<string, ShallowRef<BatchSummary>>();
  const ids = shallowRef<readonly string[]>([]);
  const listed = new Set<string>();
  const total = ref(0);
  const nextCursor = ref<string | null>(null);
  const search = ref('');
  const filter = ref<StatusFilter>('all');
  const loading = ref(false);
  const loadingMore = ref(false);
  const loadError = ref<string | null>(null);
  /** Every batch stored, whatever the query (the empty state says "no batches yet" only when it is 0). */
  const everything = ref(0);
  /** Pending batches by id: the header's count and the attention UI read these. */
  const pending = shallowRef<ReadonlyMap<string, BatchSummary>>(new Map());
  const pendingOverflow = ref(0);
  /** Which query the list shows: a response to an older one is dropped. */
  let generation = 0;

  const statuses = computed<BatchStatus[]>(() => [...(STATUS_FILTERS.find((f) => f.key === filter.value)?.statuses ?? [])]);
  const pendingCount = computed(() => pending.value.size + pendingOverflow.value);
  const filtered = computed(() => search.value.trim() !== '' || statuses.value.length > 0);

  function summary(id: string): BatchSummary | undefined {
    return summaries.get(id)?.value;
  }

  function remember(item: BatchSummary): void {
    const known = summaries.get(item.id);
    if (!known) summaries.set(item.id, shallowRef(item));
    else if (known.value.updatedAt <= item.updatedAt) known.value = item;
  }

  function query(cursor: string | null): Parameters<typeof call<'batch:list'>>[1] {
    const text = search.value.trim();
    return { limit: PAGE_SIZE, ...(text ? { search: text } : {}), ...(statuses.value.length > 0 ? { status: statuses.value } : {}), ...(cursor ? { before: cursor } : {}) };
  }

  /** The first page of the current query (again), replacing the list. */
  async function load(): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    try {
      const [page, waiting, all] = await Promise.all([
        call('batch:list', query(null)),
        call('batch:list', { status: ['pending'], limit: PENDING_PAGE }),
        filtered.value ? call('batch:list', { limit: 1 }) : undefined,
      ]);
      if (mine !== generation) return;
      for (const item of [...page.items, ...waiting.items]) remember(item);
      listed.clear();
      for (const item of page.items) listed.add(item.id);
      ids.value = page.items.map((item) => item.id);
      total.value = page.total;
      everything.value = all?.total ?? page.total;
      nextCursor.value = page.nextCursor;
      pending.value = new Map(waiting.items.map((item) => [item.id, item]));
      pendingOverflow.value = waiting.total - waiting.items.length;
      loadError.value = null;
    } catch (error) {
      if (mine === generation) loadError.value = formatProblem(describeError(error));
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  /** The next page (infinite scroll); does nothing on the last page or while one is loading. */
  async function loadMore(): Promise<void> {
    if (!nextCursor.value || loadingMore.value || loading.value) return;
    const mine = generation;
    loadingMore.value = true;
    try {
      const page = await call('batch:list', query(nextCursor.value));
      if (mine !== generation) return;
      const fresh = page.items.filter((item) => !listed.has(item.id));
      for (const item of fresh) {
        remember(item);
        listed.add(item.id);
      }
      ids.value = [...ids.value, ...fresh.map((item) => item.id)];
      nextCursor.value = page.nextCursor;
    } catch (error) {
      loadError.value = formatProblem(describeError(error));
    } finally {
      loadingMore.value = false;
    }
  }

  /** Could `item` be in the current query's results? (The search is checked again in main on the next load.) */
  function fits(item: BatchSummary): boolean {
    if (statuses.value.length > 0 && !statuses.value.includes(item.status)) return false;
    const text = search.value.trim().toLowerCase();
    if (!text) return true;
    return item.id.toLowerCase().startsWith(text) || [item.source, item.cwd, item.firstCommand].some((field) => field.toLowerCase().includes(text));
  }

  function trackPending(item: BatchSummary): void {
    const was = pending.value.has(item.id);
    if (item.status === 'pending') {
      const next = new Map(pending.value);
      next.set(item.id, item);
      pending.value = next;
    } else if (was) {
      const next = new Map(pending.value);
      next.delete(item.id);
      pending.value = next;
    }
  }

  /**
   * A summary from an event. A known batch updates its row in place (it stays in a filtered
   * list until the next load, so rows do not vanish under the pointer); a new one that fits the
   * query goes to the top. Returns whether the batch was new to this page.
   */
  function receive(item: BatchSummary): boolean {
    const isNew = !summaries.has(item.id);
    const previous = summaries.get(item.id)?.value;
    if (previous && previous.updatedAt > item.updatedAt) return false;
    remember(item);
    if (isNew || previous?.status !== item.status) trackPending(item);
    if (isNew) everything.value += 1;
    if (isNew && fits(item) && !listed.has(item.id)) {
      listed.add(item.id);
      ids.value = [item.id, ...ids.value];
      total.value += 1;
    }
    return isNew;
  }

  function setSearch(text: string): void {
    search.value = text;
  }

  function setFilter(key: StatusFilter): void {
    filter.value = key;
  }

  return {
    ids, total, everything, nextCursor, search, filter, statuses, filtered, loading, loadingMore, loadError, pending, pendingCount,
    summary, load, loadMore, receive, setSearch, setFilter,
  };
});
