import { BatchError } from './errors.js';
import type { BatchStatus, EntryStatus } from './types.js';

/**
 * The legal moves of the two status machines. Anything else is a bug or a stale request (a
 * second approve, a run of a rejected batch) and is refused with ILLEGAL_TRANSITION.
 */
const BATCH_MOVES: Record<BatchStatus, readonly BatchStatus[]> = {
  pending: ['approved', 'rejected', 'cancelled'],
  // Back to pending: a person withdrew the approval, or Leash stopped before the batch ran.
  approved: ['running', 'pending', 'rejected', 'cancelled'],
  running: ['completed', 'error', 'cancelled', 'interrupted'],
  completed: [],
  error: [],
  cancelled: [],
  rejected: [],
  interrupted: [],
};

const ENTRY_MOVES: Record<EntryStatus, readonly EntryStatus[]> = {
  pending: ['running', 'blocked', 'skipped', 'cancelled', 'interrupted'],
  running: ['completed', 'error', 'timed_out', 'cancelled', 'interrupted'],
  blocked: [],
  completed: [],
  error: [],
  timed_out: [],
  cancelled: [],
  skipped: [],
  interrupted: [],
};

export function canMoveBatch(from: BatchStatus, to: BatchStatus): boolean {
  return BATCH_MOVES[from].includes(to);
}

export function canMoveEntry(from: EntryStatus, to: EntryStatus): boolean {
  return ENTRY_MOVES[from].includes(to);
}

export function assertBatchMove(id: string, from: BatchStatus, to: BatchStatus): void {
  if (!canMoveBatch(from, to)) throw new BatchError('ILLEGAL_TRANSITION', `batch ${id} is ${from}; it cannot become ${to}`);
}

export function assertEntryMove(id: string, from: EntryStatus, to: EntryStatus): void {
  if (!canMoveEntry(from, to)) throw new BatchError('ILLEGAL_TRANSITION', `entry ${id} is ${from}; it cannot become ${to}`);
}
