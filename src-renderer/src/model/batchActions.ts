import type { Batch } from './contract';

export type BatchCommand = 'approveAll' | 'approveSelected' | 'unapprove' | 'run' | 'dryRun' | 'reject' | 'stop';

/**
 * Why a command cannot be used on the batch right now, or null when it can. A button is enabled
 * exactly when pressing it does something: the service refuses everything this refuses.
 */
export function unavailableReason(batch: Batch, command: BatchCommand, tickedCount: number): string | null {
  const { status } = batch;
  switch (command) {
    case 'approveAll':
      if (status !== 'pending') return `the batch is ${status}; only a pending batch can be approved`;
      if (batch.entries.every((e) => e.classification.verdict === 'deny')) return 'every entry is blocked by policy';
      return null;
    case 'approveSelected':
      if (status !== 'pending') return `the batch is ${status}; only a pending batch can be approved`;
      if (tickedCount === 0) return 'tick the entries to approve first';
      return null;
    case 'unapprove':
      return status === 'approved' ? null : status === 'pending' ? 'the batch is not approved yet' : `the batch is ${status}; only an approved batch that has not started can be un-approved`;
    case 'run':
      if (status === 'pending') return 'approve the batch first';
      if (status !== 'approved') return `the batch is ${status}`;
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
