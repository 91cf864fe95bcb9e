import { newerThan } from './indexHead.js';
import { checkQuery, createBatchListingFromIndex, encodeCursor, searchableText, type BatchListing } from './listing.js';
import type { HeadLoad, SetAsideBatchFile } from './store.js';
import { summarize, type BatchPage, type BatchSummary, type IndexedBatch } from './summary.js';
import type { BatchStatus } from './types.js';

const IN_FLIGHT: ReadonlySet<BatchStatus> = new Set(['approved', 'running']);

interface Prefix {
  items: BatchSummary[];
  complete: boolean;
}

function freeze(summary: BatchSummary): BatchSummary {
  Object.freeze(summary.verdicts);
  Object.freeze(summary.entryStatuses);
  return Object.freeze(summary);
}

/**
 * The batch listing of a start from the index's head: it answers what a person waits for at a
 * start from the head alone (the newest pages unfiltered, the newest pending ones, and which
 * batches are approved or running), at a cost independent of the history; the first query it cannot answer (a search,
 * a status filter, an older page, a short id it does not know) reads the whole listing once
 * (`readAll`) and everything goes there from then on, with the changes seen since replayed.
 */
export function createHeadListing(start: HeadLoad, readAll: () => { listed: IndexedBatch[]; setAside: SetAsideBatchFile[] }, onSetAside: (files: SetAsideBatchFile[]) => void): BatchListing {
  let full: BatchListing | null = null;
  let total = start.total;
  let pendingTotal = start.pendingTotal;
  /** Newest first, exact prefixes of the whole list and of the pending batches. */
  const newest: Prefix = { items: start.newest.map(freeze), complete: start.complete };
  const pending: Prefix = { items: start.pending.map(freeze), complete: start.pendingComplete };
  const known = new Map<string, BatchSummary>([...newest.items, ...pending.items].map((summary) => [summary.id, summary]));
  const inFlight = new Map<string, BatchSummary>();
  /** What changed since the start (the latest of each batch; null: removed), for the whole listing when it is read. */
  const changed = new Map<string, IndexedBatch | null>();
  for (const batch of start.active) {
    const summary = freeze(summarize(batch));
    known.set(batch.id, summary);
    inFlight.set(batch.id, summary);
  }

  const whole = (): BatchListing => {
    if (full) return full;
    const read = readAll();
    if (read.setAside.length > 0) onSetAside(read.setAside);
    const items = new Map(read.listed.map((item) => [item.summary.id, item]));
    for (const [id, item] of changed) {
      if (item === null) items.delete(id);
      else items.set(id, { summary: item.summary, text: items.get(id)?.text ?? item.text });
    }
    full = createBatchListingFromIndex(items.values());
    changed.clear();
    return full;
  };

  const place = (prefix: Prefix, summary: BatchSummary): void => {
    const { items } = prefix;
    const at = items.findIndex((s) => s.id === summary.id);
    if (at !== -1) {
      items[at] = summary;
      return;
    }
    const last = items.at(-1);
    if (!prefix.complete && (!last || !newerThan(summary, last))) return;
    let index = items.length;
    while (index > 0 && newerThan(summary, items[index - 1]!)) index -= 1;
    items.splice(index, 0, summary);
  };
  const drop = (prefix: Prefix, id: string): void => {
    const at = prefix.items.findIndex((s) => s.id === id);
    if (at !== -1) prefix.items.splice(at, 1);
  };
  /** A page of a prefix after `after`, or null when the prefix does not hold it. */
  const pageOf = (prefix: Prefix, count: number, after: { createdAt: string; id: string } | null, limit: number): BatchPage | null => {
    const from = after ? prefix.items.findIndex((s) => !newerThan(s, after) && s.id !== after.id) : 0;
    if (from === -1 && !prefix.complete) return null;
    const items = from === -1 ? [] : prefix.items.slice(from, from + limit);
    if (items.length < limit && !prefix.complete) return null;
    const shown = (from === -1 ? prefix.items.length : from) + items.length;
    const tail = items.at(-1);
    return { items, nextCursor: shown < count && tail ? encodeCursor(tail) : null, total: count };
  };

  return {
    get size() {
      return full ? full.size : total;
    },
    put(batch) {
      if (full) return full.put(batch);
      const summary = freeze(summarize(batch));
      // Batches the head did not name reach this listing only through `resolve` (which reads the whole list) or `create`: new.
      const was = known.get(batch.id);
      if (!was) total += 1;
      if (pendingTotal !== null) pendingTotal += (summary.status === 'pending' ? 1 : 0) - (was?.status === 'pending' ? 1 : 0);
      known.set(batch.id, summary);
      changed.set(batch.id, { summary, text: searchableText(batch) });
      if (IN_FLIGHT.has(summary.status)) inFlight.set(batch.id, summary);
      else inFlight.delete(batch.id);
      place(newest, summary);
      if (summary.status === 'pending') place(pending, summary);
      else drop(pending, batch.id);
    },
    remove(id) {
      if (full || !known.has(id)) return whole().remove(id);
      if (pendingTotal !== null && known.get(id)?.status === 'pending') pendingTotal -= 1;
      known.delete(id);
      inFlight.delete(id);
      changed.set(id, null);
      drop(newest, id);
      drop(pending, id);
      total -= 1;
      return true;
    },
    list(query = {}) {
      if (full) return full.list(query);
      const { search, status, after, limit } = checkQuery(query);
      if (search === '' && status === null) {
        const page = pageOf(newest, total, after, limit);
        if (page) return page;
      } else if (search === '' && status !== null && status.size === 1 && status.has('pending') && pendingTotal !== null) {
        const page = pageOf(pending, pendingTotal, after, limit);
        if (page) return page;
      } else if (search === '' && after === null && status !== null && [...status].every((s) => IN_FLIGHT.has(s as BatchStatus))) {
        const all = [...inFlight.values()].filter((s) => status.has(s.status)).sort((a, b) => (newerThan(a, b) ? -1 : 1));
        const items = all.slice(0, limit);
        const tail = items.at(-1);
        return { items, nextCursor: all.length > limit && tail ? encodeCursor(tail) : null, total: all.length };
      }
      return whole().list(query);
    },
    ids: (statuses) => whole().ids(statuses),
    summaries: (statuses) => whole().summaries(statuses),
    resolve: (idOrPrefix) => (!full && known.has(idOrPrefix) ? idOrPrefix : whole().resolve(idOrPrefix)),
  };
}
