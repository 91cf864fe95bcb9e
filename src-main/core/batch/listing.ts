import { BatchError } from './errors.js';
import { resolveBatchId } from './shortId.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, summarize, type BatchListQuery, type BatchPage, type BatchSummary, type IndexedBatch } from './summary.js';
import { BATCH_STATUSES, type Batch, type BatchStatus } from './types.js';

/** The longest search text: a search is typed (or pasted) by a person, not a document. */
export const MAX_SEARCH_CHARS = 200;

/**
 * Summaries of every batch in memory, newest first, answering list queries and short ids. Kept
 * current by `put` on every change, at a cost independent of how many batches there are
 * (apart from one sorted insert when a batch is new). The store's index can replace it behind
 * the service's `list` without the callers noticing.
 */
export interface BatchListing {
  put(batch: Batch): void;
  /** Drops a batch from the list (removed from the store); false if it was not listed. */
  remove(id: string): boolean;
  list(query?: BatchListQuery): BatchPage;
  /** The ids of the listed batches in one of these statuses, newest first. */
  ids(statuses: readonly BatchStatus[]): string[];
  /** The summaries of the listed batches in one of these statuses, newest first. */
  summaries(statuses: readonly BatchStatus[]): BatchSummary[];
  /** The whole id `idOrPrefix` names (see resolveBatchId). */
  resolve(idOrPrefix: string): string;
  readonly size: number;
}

type Listed = IndexedBatch;

/** Newest first: createdAt descending, then id descending (ids break ties between batches of the same millisecond). */
function before(a: { createdAt: string; id: string }, b: { createdAt: string; id: string }): boolean {
  return a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);
}

/** Pages hand out the summaries themselves: frozen, so no caller can change what the next one is told. */
function frozenSummary(batch: Batch): BatchSummary {
  return freeze(summarize(batch));
}

function freeze(summary: BatchSummary): BatchSummary {
  Object.freeze(summary.verdicts);
  Object.freeze(summary.entryStatuses);
  return Object.freeze(summary);
}

/** What the list search looks in for a batch (see BatchListQuery.search); the index stores it. */
export function searchableText(batch: Batch): string {
  return [batch.source, batch.cwd, ...batch.entries.map((e) => e.command)].join('\u0000').toLowerCase();
}

/** Cursors are opaque to callers: the position (createdAt, id) of the last item of a page. */
export function encodeCursor(summary: Pick<BatchSummary, 'createdAt' | 'id'>): string {
  return Buffer.from(`${summary.createdAt}\n${summary.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const text = /^[A-Za-z0-9_-]{1,400}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const [createdAt, id, extra] = text.split('\n');
  if (extra !== undefined || !createdAt || !id || !/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(createdAt) || !/^[A-Za-z0-9_-]{1,80}$/.test(id)) {
    throw new BatchError('INVALID_QUERY', 'the list cursor is not one this Leash handed out: list again from the first page');
  }
  return { createdAt, id };
}

/** Checks a query from any door (IPC validates its own shape; the CLI and tests come here directly). */
export function checkQuery(query: BatchListQuery): { search: string; status: Set<string> | null; after: { createdAt: string; id: string } | null; limit: number } {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw new BatchError('INVALID_QUERY', `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  const search = (query.search ?? '').trim();
  if (search.length > MAX_SEARCH_CHARS) throw new BatchError('INVALID_QUERY', `search text is limited to ${MAX_SEARCH_CHARS} characters`);
  if (search.includes('\u0000')) throw new BatchError('INVALID_QUERY', 'search text may not contain NUL characters');
  const unknown = (query.status ?? []).filter((s) => !(BATCH_STATUSES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new BatchError('INVALID_QUERY', `unknown batch status ${unknown.join(', ')} (one of ${BATCH_STATUSES.join(', ')})`);
  return {
    search: search.toLowerCase(),
    status: query.status && query.status.length > 0 ? new Set(query.status) : null,
    after: query.before ? decodeCursor(query.before) : null,
    limit,
  };
}

export function createBatchListing(initial: Iterable<Batch>): BatchListing {
  const items: IndexedBatch[] = [];
  for (const batch of initial) items.push({ summary: summarize(batch), text: searchableText(batch) });
  return createBatchListingFromIndex(items);
}

/** The same listing, from summaries as the store's index holds them (no batch read in full). */
export function createBatchListingFromIndex(initial: Iterable<IndexedBatch>): BatchListing {
  const listed = new Map<string, Listed>();
  for (const item of initial) listed.set(item.summary.id, { summary: freeze(item.summary), text: item.text });
  /** Ids, newest first. */
  const order = [...listed.keys()].sort((a, b) => (before(listed.get(a)!.summary, listed.get(b)!.summary) ? -1 : 1));

  /** Index of the first id that sorts after `position` (binary search: order is sorted). */
  const firstAfter = (position: { createdAt: string; id: string }): number => {
    let low = 0;
    let high = order.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (before(listed.get(order[middle]!)!.summary, position) || order[middle] === position.id) low = middle + 1;
      else high = middle;
    }
    return low;
  };

  const summariesIn = (statuses: readonly BatchStatus[]): BatchSummary[] => {
    const wanted = new Set(statuses);
    return order.map((id) => listed.get(id)!.summary).filter((summary) => wanted.has(summary.status));
  };
  return {
    get size() {
      return listed.size;
    },
    put(batch) {
      const known = listed.has(batch.id);
      listed.set(batch.id, { summary: frozenSummary(batch), text: known ? listed.get(batch.id)!.text : searchableText(batch) });
      if (known) return;
      // New batches are nearly always the newest: the insert is at the front, found in O(log n).
      const at = firstAfter(batch);
      order.splice(at, 0, batch.id);
    },
    remove(id) {
      if (!listed.delete(id)) return false;
      order.splice(order.indexOf(id), 1);
      return true;
    },
    ids: (statuses) => summariesIn(statuses).map((summary) => summary.id),
    summaries: (statuses) => summariesIn(statuses),
    list(query = {}) {
      const { search, status, after, limit } = checkQuery(query);
      const matches = (item: Listed): boolean =>
        (status === null || status.has(item.summary.status)) && (search === '' || item.summary.id.toLowerCase().startsWith(search) || item.text.includes(search));
      const start = after ? firstAfter(after) : 0;
      const items: BatchSummary[] = [];
      let total = 0;
      let more = false;
      for (let index = 0; index < order.length; index++) {
        const item = listed.get(order[index]!)!;
        if (!matches(item)) continue;
        total += 1;
        if (index < start) continue;
        if (items.length < limit) items.push(item.summary);
        else more = true;
      }
      const tail = items.at(-1);
      return { items, nextCursor: more && tail ? encodeCursor(tail) : null, total };
    },
    resolve: (idOrPrefix) => resolveBatchId(listed.keys(), idOrPrefix),
  };
}
