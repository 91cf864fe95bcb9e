import type { Batch, BatchEntry, BatchStatus, EntryStatus } from './contract';
import { plural } from './format';
import { BATCH_STATUS_TONE, ENTRY_STATUS_TONE, statusLabel, type Tone } from './verdict';

/** How a status reads to a person: the words and the colour, from the whole state, not one field. */
export interface StatusView {
  label: string;
  tone: Tone;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** What ended differently from "completed", in the order a person looks for trouble. */
const SHORTFALLS: readonly EntryStatus[] = ['error', 'timed_out', 'interrupted', 'blocked', 'cancelled', 'skipped'];

/** `1 blocked, 1 skipped`: the entries of a batch that did not complete, or '' if all did. */
export function shortfallText(entries: readonly BatchEntry[]): string {
  return SHORTFALLS.map((status) => ({ status, count: entries.filter((e) => e.status === status).length }))
    .filter((c) => c.count > 0)
    .map((c) => `${c.count} ${statusLabel(c.status)}`)
    .join(', ');
}

/**
 * A batch's status in words: "Completed" only when every entry completed; otherwise
 * "Completed with 1 blocked, 1 skipped" (in the warning colour); "Stopping…" between a graceful
 * stop and the end of the running entry.
 */
export function batchStatusView(batch: Batch): StatusView {
  if (batch.status === 'running' && batch.stopRequestedAt) return { label: 'Stopping…', tone: 'running' };
  // Approved and run, waiting for the batch ahead of it (or starting this instant).
  if (batch.status === 'approved' && batch.queuedAt) return { label: 'Queued', tone: 'info' };
  if (batch.status === 'completed') {
    const shortfall = shortfallText(batch.entries);
    if (shortfall) return { label: `Completed with ${shortfall}`, tone: 'warn' };
  }
  return { label: capitalized(statusLabel(batch.status)), tone: BATCH_STATUS_TONE[batch.status] };
}

/** An entry's status in words, read with its batch: an approved entry waiting to run is not just "pending". */
export function entryStatusView(entry: BatchEntry, batchStatus: BatchStatus): StatusView {
  if (entry.status === 'pending' && (batchStatus === 'approved' || batchStatus === 'running')) {
    if (!entry.approved) return { label: 'Not approved, will be skipped', tone: 'neutral' };
    return { label: batchStatus === 'approved' ? 'Approved, waiting' : 'Waiting', tone: 'info' };
  }
  return { label: capitalized(statusLabel(entry.status)), tone: ENTRY_STATUS_TONE[entry.status] };
}

/** Bands of the progress bar, in entry order, one colour per outcome. */
export type Outcome = 'completed' | 'failed' | 'blocked' | 'interrupted' | 'not-run' | 'running';

const OUTCOME_OF: Record<EntryStatus, Outcome | null> = {
  pending: null,
  running: 'running',
  completed: 'completed',
  error: 'failed',
  timed_out: 'failed',
  blocked: 'blocked',
  interrupted: 'interrupted',
  cancelled: 'not-run',
  skipped: 'not-run',
};

export function entryOutcome(status: EntryStatus): Outcome | null {
  return OUTCOME_OF[status];
}

/**
 * The progress line's words: while the batch can still change, how many entries are done;
 * once it has ended, what each ended as (`2 completed, 1 blocked`), never a bare "3 / 3 done".
 */
export function progressText(batch: Batch): string {
  const total = batch.entries.length;
  const ended = !['pending', 'approved', 'running'].includes(batch.status);
  if (!ended) return `${batch.entries.filter((e) => OUTCOME_OF[e.status] !== null && e.status !== 'running').length} / ${total} done`;
  const completed = batch.entries.filter((e) => e.status === 'completed').length;
  const parts = [completed > 0 ? `${completed} completed` : '', shortfallText(batch.entries)].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : plural(total, 'entry', 'entries');
}
