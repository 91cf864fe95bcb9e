import { isTerminal, type Batch, type BatchEntry } from '../core/batch/types.js';

/** Everything about a batch but its entries: small, sent whole in each delta. */
export type BatchFields = Omit<Batch, 'entries'>;

/**
 * What changed in one entry: its id and its current run state, never its captured output (that
 * has its own channel, `entry:output`, and `batch:get` reads the stored capture). The command,
 * tool and cwd never change after creation; the classification only when a rule re-judges it.
 */
export interface EntryDelta {
  id: string;
  status: BatchEntry['status'];
  approved: boolean;
  exitCode: number | null;
  signal: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  error: BatchEntry['error'];
  note: string | null;
  /** Present when the classification changed (a rule re-judged a pending entry), and the first time an entry is told. */
  classification?: BatchEntry['classification'];
  /** True when the entry's stored capture changed: `batch:get` has it (e.g. the entry just ended). */
  outputChanged?: true;
}

/** One change of one batch, sent to every window: the batch's own fields and the entries that changed. */
export interface BatchDelta {
  id: string;
  updatedAt: string;
  batch: BatchFields;
  entries: EntryDelta[];
}

interface Seen {
  state: Map<string, string>;
  classification: Map<string, string>;
  output: Map<string, string>;
}

function runState(entry: BatchEntry): Omit<EntryDelta, 'classification' | 'outputChanged'> {
  return {
    id: entry.id,
    status: entry.status,
    approved: entry.approved,
    exitCode: entry.exitCode,
    signal: entry.signal,
    startedAt: entry.startedAt,
    endedAt: entry.endedAt,
    durationMs: entry.durationMs,
    error: entry.error,
    note: entry.note,
  };
}

const captureKey = (entry: BatchEntry): string => `${entry.stdout?.sha256 ?? ''}:${entry.stdout?.bytes ?? ''}:${entry.stderr?.sha256 ?? ''}:${entry.stderr?.bytes ?? ''}`;

/**
 * Turns successive full batches into deltas. It remembers the entries of batches that changed
 * since it started, and forgets a batch once it ends, so what it holds is bounded by the work in
 * progress, not the history. The first delta of a batch it has not seen carries every entry
 * (without captures): a window that opens the batch later reads it whole with `batch:get`.
 */
export function createDeltaTracker(): { next(batch: Batch): BatchDelta } {
  const seen = new Map<string, Seen>();
  return {
    next(batch) {
      const previous = seen.get(batch.id) ?? { state: new Map(), classification: new Map(), output: new Map() };
      const entries: EntryDelta[] = [];
      for (const entry of batch.entries) {
        const state = runState(entry);
        const stateKey = JSON.stringify(state);
        const classificationKey = JSON.stringify(entry.classification);
        const outputKey = captureKey(entry);
        const known = previous.state.has(entry.id);
        // An entry not seen before carries its classification: a rule may have re-judged it since the window read it.
        const classificationChanged = !known || previous.classification.get(entry.id) !== classificationKey;
        const outputChanged = known ? previous.output.get(entry.id) !== outputKey : outputKey !== ':::';
        if (known && previous.state.get(entry.id) === stateKey && !classificationChanged && !outputChanged) continue;
        entries.push({ ...state, ...(classificationChanged ? { classification: entry.classification } : {}), ...(outputChanged ? { outputChanged: true as const } : {}) });
        previous.state.set(entry.id, stateKey);
        previous.classification.set(entry.id, classificationKey);
        previous.output.set(entry.id, outputKey);
      }
      if (isTerminal(batch.status)) seen.delete(batch.id);
      else seen.set(batch.id, previous);
      const fields: Partial<Batch> = { ...batch };
      delete fields.entries;
      return { id: batch.id, updatedAt: batch.updatedAt, batch: fields as BatchFields, entries };
    },
  };
}
