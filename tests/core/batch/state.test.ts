import { describe, expect, it } from 'vitest';
import { createBatchState } from '../../../src-main/core/batch/state.js';
import type { BatchStore } from '../../../src-main/core/batch/store.js';
import type { Batch, BatchStatus } from '../../../src-main/core/batch/types.js';

function batch(id: string, status: BatchStatus): Batch {
  const at = '2026-01-01T00:00:00.000Z';
  return { id, createdAt: at, updatedAt: at, source: 'paste', reason: null, cwd: '/', status, stopOnFailure: true, entries: [], approvedBy: null, approvedAt: null, startedAt: null, finishedAt: null, note: null };
}

/** A store that holds batches in memory and counts what is read from it. */
function countingStore(stored: Batch[]): { store: BatchStore; reads: string[] } {
  const reads: string[] = [];
  const byId = new Map(stored.map((b) => [b.id, b]));
  const store = {
    dir: '/nowhere',
    problems: [],
    bytesWritten: 0,
    load: async () => ({ listed: [], active: [], setAside: [], problems: [] }),
    read(id: string) {
      reads.push(id);
      const found = byId.get(id);
      return found ? { ok: true as const, batch: structuredClone(found) } : { ok: false as const, missing: true, message: 'gone' };
    },
    loadHead: async () => null,
    readListing: () => ({ listed: [], setAside: [] }),
    save: async () => undefined,
    remove: async () => undefined,
    close: async () => undefined,
  } satisfies BatchStore;
  return { store, reads };
}

describe('the batches in memory', () => {
  it('keeps a bounded number of read batches, dropping the least recently used, and reads a dropped one again', () => {
    const { store, reads } = countingStore(['a', 'b', 'c'].map((id) => batch(id, 'completed')));
    const state = createBatchState(store, [], () => new Date(), { cacheSize: 2 });
    for (const id of ['a', 'b', 'a', 'c', 'a', 'b']) state.get(id);
    // a stays (used most recently each time); b is dropped when c comes in, and read again.
    expect(reads).toEqual(['a', 'b', 'c', 'b']);
  });

  it('never drops an approved or running batch, however many others are read', () => {
    const running = batch('r', 'running');
    const { store, reads } = countingStore(['a', 'b', 'c'].map((id) => batch(id, 'completed')));
    const state = createBatchState(store, [running], () => new Date(), { cacheSize: 1 });
    for (const id of ['a', 'b', 'c']) state.get(id);
    expect(state.get('r').status).toBe('running');
    expect(reads).not.toContain('r');
    expect(state.active().map((b) => b.id)).toEqual(['r']);
  });

  it('says BATCH_NOT_FOUND for a batch the store does not have', () => {
    const state = createBatchState(countingStore([]).store, [], () => new Date());
    expect(() => state.get('nope')).toThrow(expect.objectContaining({ code: 'BATCH_NOT_FOUND' }));
  });
});
