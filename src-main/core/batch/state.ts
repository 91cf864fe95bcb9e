import { BatchError } from './errors.js';
import type { BatchStore } from './store.js';
import type { Batch, BatchEvent } from './types.js';

/**
 * The batches in memory, the single source of truth while the process runs. Every change goes
 * through `change`, which persists the batch (writes for one batch are serialized, and each
 * writes the latest state, so an older snapshot can never overwrite a newer one) and emits
 * `batch-updated` to listeners.
 */
export interface BatchState {
  all(): Batch[];
  get(id: string): Batch;
  add(batch: Batch): Promise<Batch>;
  change(id: string, mutate: (batch: Batch) => void): Promise<Batch>;
  emit(event: BatchEvent): void;
  on(listener: (event: BatchEvent) => void): () => void;
  /** Resolves when every write queued so far is on disk. */
  flush(): Promise<void>;
  /** Drops a batch from memory (it was archived); its files are the caller's business. */
  forget(id: string): void;
}

export function createBatchState(store: BatchStore, initial: Batch[], now: () => Date): BatchState {
  const batches = new Map(initial.map((b) => [b.id, b]));
  const writes = new Map<string, Promise<void>>();
  const listeners = new Set<(event: BatchEvent) => void>();

  const persist = (id: string): Promise<void> => {
    const previous = writes.get(id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => store.save(batches.get(id) as Batch));
    writes.set(id, next);
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
    const batch = batches.get(id);
    if (!batch) throw new BatchError('BATCH_NOT_FOUND', `no batch with id ${id}`);
    return batch;
  };
  return {
    all: () => [...batches.values()].map((b) => structuredClone(b)),
    get: (id) => structuredClone(get(id)),
    async add(batch) {
      batches.set(batch.id, batch);
      await persist(batch.id);
      emit({ type: 'batch-updated', batch: structuredClone(batch) });
      return structuredClone(batch);
    },
    async change(id, mutate) {
      const batch = get(id);
      mutate(batch);
      batch.updatedAt = now().toISOString();
      const snapshot = structuredClone(batch);
      emit({ type: 'batch-updated', batch: snapshot });
      await persist(id);
      return snapshot;
    },
    emit,
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async flush() {
      await Promise.allSettled([...writes.values()]);
    },
    forget(id) {
      batches.delete(id);
      writes.delete(id);
    },
  };
}
