import { BatchError } from './errors.js';
import type { BatchStore } from './store.js';
import { isTerminal, type Batch, type BatchEvent, type BatchStatus } from './types.js';

/**
 * The batches in memory, the single source of truth while the process runs. Every change goes
 * through `change`, which persists the batch (writes for one batch are serialized, and each
 * writes the latest state, so an older snapshot can never overwrite a newer one) and emits
 * `batch-updated` to listeners.
 *
 * Not every stored batch is in memory: approved and running batches always are (the runner and
 * recovery work on them), others are read from the store when asked for and kept in a bounded
 * cache, so memory does not grow with the history.
 */
export interface BatchState {
  /** The unfinished batches in memory (every approved or running one, and pending ones read or created here). */
  active(): Batch[];
  /** The batch, read from the store if it is not in memory. Throws BATCH_NOT_FOUND, or BATCH_UNREADABLE for a file that does not load. */
  get(id: string): Batch;
  add(batch: Batch): Promise<Batch>;
  change(id: string, mutate: (batch: Batch) => void): Promise<Batch>;
  /** Forgets a batch (after the store removed it); refused while it is approved or running. */
  forget(id: string): void;
  emit(event: BatchEvent): void;
  on(listener: (event: BatchEvent) => void): () => void;
  /** Resolves when every write queued so far is on disk. */
  flush(): Promise<void>;
}

/** Batches a process keeps in memory besides the approved and running ones. */
export const CACHED_BATCHES = 64;

const PINNED: ReadonlySet<BatchStatus> = new Set(['approved', 'running']);

export function createBatchState(store: BatchStore, initial: Batch[], now: () => Date, options: { cacheSize?: number } = {}): BatchState {
  const cacheSize = options.cacheSize ?? CACHED_BATCHES;
  /** In least-recently-used order (a use moves a batch to the end). */
  const batches = new Map(initial.map((b) => [b.id, b]));
  const writes = new Map<string, Promise<void>>();
  const listeners = new Set<(event: BatchEvent) => void>();

  /** Drops the least recently used batches that nothing needs in memory (no write pending, not approved or running). */
  const trim = (): void => {
    let excess = batches.size - cacheSize;
    if (excess <= 0) return;
    for (const [id, batch] of batches) {
      if (excess <= 0) break;
      if (PINNED.has(batch.status) || writes.has(id)) continue;
      batches.delete(id);
      excess -= 1;
    }
  };
  const persist = (batch: Batch): Promise<void> => {
    const previous = writes.get(batch.id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => store.save(batch));
    writes.set(batch.id, next);
    const settled = (): void => {
      if (writes.get(batch.id) !== next) return;
      writes.delete(batch.id);
      trim();
    };
    next.then(settled, settled);
    return next;
  };
  const emit = (event: BatchEvent): void => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // A failing listener (a closed window, a gone socket) must not break a run.
      }
    }
  };
  const get = (id: string): Batch => {
    const resident = batches.get(id);
    if (resident) {
      batches.delete(id);
      batches.set(id, resident);
      return resident;
    }
    const read = store.read(id);
    if (!read.ok) throw new BatchError(read.missing ? 'BATCH_NOT_FOUND' : 'BATCH_UNREADABLE', read.missing ? `no batch with id ${id}` : read.message);
    batches.set(id, read.batch);
    trim();
    return read.batch;
  };
  return {
    active: () => [...batches.values()].filter((b) => !isTerminal(b.status)).map((b) => structuredClone(b)),
    get: (id) => structuredClone(get(id)),
    async add(batch) {
      batches.set(batch.id, batch);
      await persist(batch);
      emit({ type: 'batch-updated', batch: structuredClone(batch) });
      return structuredClone(batch);
    },
    async change(id, mutate) {
      const batch = get(id);
      mutate(batch);
      batch.updatedAt = now().toISOString();
      const snapshot = structuredClone(batch);
      emit({ type: 'batch-updated', batch: snapshot });
      await persist(batch);
      return snapshot;
    },
    forget(id) {
      const batch = batches.get(id);
      if (batch && PINNED.has(batch.status)) throw new BatchError('ILLEGAL_TRANSITION', `batch ${id} is ${batch.status}; it cannot be removed`);
      batches.delete(id);
      writes.delete(id);
    },
    emit,
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async flush() {
      await Promise.allSettled([...writes.values()]);
    },
  };
}
