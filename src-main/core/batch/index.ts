export { createBatchService, type BatchService, type BatchServiceDeps, type EmergencyStopReport } from './service.js';
export { createBatchStore, describeSetAside, type BatchStore, type SetAsideBatchFile } from './store.js';
export { APPROVED_NOT_RUN_NOTE } from './recovery.js';
export { BatchError, type BatchErrorCode } from './errors.js';
export { validateNewBatch, newBatchSchema, newEntrySchema, type NewBatch, type NewEntry } from './input.js';
export { canMoveBatch, canMoveEntry } from './transitions.js';
export type { DryRunEntry, DryRunReport } from './dryRun.js';
export * from './types.js';
export type { RecentOutput } from './execution.js';
