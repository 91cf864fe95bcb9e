import type { Batch } from './contract';
import { shortId } from './format';

/**
 * What can be done to a batch. `approveRun` (Approve & run, the default) and `approveOnly` act on
 * the ticked entries when some are ticked, else on every entry the policy did not block.
 */
export type BatchCommand = 'approveRun' | 'approveOnly' | 'unapprove' | 'run' | 'dryRun' | 'reject' | 'stop';

/** An approved batch that waits in the run queue (it was run, or approved and run in one step) but has not started. */
export function isQueued(batch: Batch): boolean {
  return batch.status === 'approved' && Boolean(batch.queuedAt);
}

/** Where a queued batch stands, in words: `queued behind batch 1a2b3c4d` or `starting`. */
export function queueText(batch: Batch): string {
  return batch.queuedBehind ? `queued behind batch ${shortId(batch.queuedBehind)}` : 'starting';
}

/**
 * Why a command cannot be used on the batch right now, or null when it can. A button is enabled
 * exactly when pressing it does something: the service refuses everything this refuses.
 */
export function unavailableReason(batch: Batch, command: BatchCommand, tickedCount: number): string | null {
  const { status } = batch;
  switch (command) {
    case 'approveRun':
    case 'approveOnly':
      if (status !== 'pending') return `the batch is ${status}; only a pending batch can be approved`;
      if (tickedCount === 0 && batch.entries.every((e) => e.classification.verdict === 'deny')) return 'every entry is blocked by policy';
      return null;
    case 'unapprove':
      return status === 'approved' ? null : status === 'pending' ? 'the batch is not approved yet' : `the batch is ${status}; only an approved batch that has not started can be un-approved`;
    case 'run':
      if (status === 'pending') return 'approve the batch first';
      if (status !== 'approved') return `the batch is ${status}`;
      if (isQueued(batch)) return `it is already ${queueText(batch)}`;
      return null;
    case 'dryRun':
      return status === 'pending' || status === 'approved' ? null : `the batch is ${status}`;
    case 'reject':
      return status === 'pending' || status === 'approved' ? null : `the batch is ${status}; only a batch that has not started can be rejected`;
    case 'stop':
      if (status === 'running') return batch.stopRequestedAt ? 'the batch is already stopping' : null;
      if (status === 'approved') return null;
      return status === 'pending' ? 'nothing is running; reject the batch instead' : `the batch is ${status}`;
  }
}
