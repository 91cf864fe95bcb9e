import type { AuditWriter } from '../audit/index.js';
import { reapLeftovers } from '../runner/leftovers.js';
import { killProcessesOfEntry } from './entryMarker.js';
import type { BatchState } from './state.js';
import { assertBatchMove } from './transitions.js';
import type { Batch } from './types.js';

/** Shown on a batch that was approved when Leash stopped, and recorded in the audit. */
export const APPROVED_NOT_RUN_NOTE = 'Leash stopped before this approved batch ran; approve again to run it';

export const INTERRUPTED_NOTE = 'Leash stopped while this batch was running';

/**
 * Takes an approved batch back to awaiting approval: nothing of it runs until a person (or
 * autonomy, for a new batch) approves again. Entries the policy blocked stay blocked.
 */
export async function withdrawApproval(state: BatchState, audit: AuditWriter, id: string, reason: string): Promise<Batch> {
  const batch = state.get(id);
  assertBatchMove(id, batch.status, 'pending');
  await audit.append({ event: 'BATCH_UNAPPROVED', batchId: id, approvedBy: batch.approvedBy ?? undefined, reason });
  return state.change(id, (b) => {
    b.status = 'pending';
    b.approvedBy = null;
    b.approvedAt = null;
    b.note = reason;
    b.queuedAt = null;
    b.queuedBehind = null;
    for (const entry of b.entries) entry.approved = false;
  });
}

/**
 * What a start finds of the previous process's work, given a definite way forward each:
 * - `running` batches become `interrupted` (their running entry too, with the end time the
 *   batch gets, so both durations agree), entries not reached are cancelled, and what the
 *   running command left alive is killed;
 * - `approved` batches (queued, or approved a moment before Leash died) go back to awaiting
 *   approval with {@link APPROVED_NOT_RUN_NOTE}: never a silent run after a crash.
 * Each is audited.
 */
export async function recoverBatches(state: BatchState, audit: AuditWriter, now: () => Date): Promise<void> {
  for (const batch of state.active()) {
    if (batch.status === 'running') await recoverRunning(state, audit, batch, now);
    else if (batch.status === 'approved') await withdrawApproval(state, audit, batch.id, APPROVED_NOT_RUN_NOTE);
  }
}

async function recoverRunning(state: BatchState, audit: AuditWriter, batch: Batch, now: () => Date): Promise<void> {
  const note = INTERRUPTED_NOTE;
  const ended = now();
  await state.change(batch.id, (b) => {
    b.status = 'interrupted';
    b.finishedAt = ended.toISOString();
    b.note = note;
    for (const entry of b.entries) {
      if (entry.status === 'running') {
        // When exactly it died is not known; the start that noticed is the end both the entry
        // and the batch show, so the two never disagree and the entry's clock stops.
        const started = entry.startedAt ? Date.parse(entry.startedAt) : Number.NaN;
        const durationMs = Number.isNaN(started) ? null : Math.max(0, ended.getTime() - started);
        Object.assign(entry, { status: 'interrupted', note, process: null, endedAt: ended.toISOString(), durationMs });
      } else if (entry.status === 'pending') Object.assign(entry, { status: 'cancelled', note });
    }
  });
  const running = batch.entries.find((e) => e.status === 'running');
  // Entries run detached, so the command may have outlived Leash: kill what is left of it.
  const grouped = running?.process ? await reapLeftovers(running.process).catch(() => 0) : 0;
  // Also what no record names: Leash may have died between the spawn and recording the group.
  const marked = running ? await killProcessesOfEntry(running.id).catch(() => 0) : 0;
  const leftovers = Math.max(grouped, marked);
  const reaped = leftovers > 0 ? `; killed ${leftovers} process${leftovers === 1 ? '' : 'es'} it left running` : '';
  await audit.append({ event: 'BATCH_FINISHED', batchId: batch.id, entryId: running?.id, command: running?.command, reason: `interrupted: ${note}${reaped}` });
}
