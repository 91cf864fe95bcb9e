export { createBatchService, type BatchService, type BatchServiceDeps, type EmergencyStopReport } from './service.js';
export { createBatchStore, type BatchStore } from './store.js';
export { BatchError, type BatchErrorCode } from './errors.js';
export { validateNewBatch, newBatchSchema, newEntrySchema, newPatchEntrySchema, type NewBatch, type NewEntry, type NewPatchEntry } from './input.js';
export { summarizePatch } from './patchEntry.js';
export { canMoveBatch, canMoveEntry } from './transitions.js';
export type { DryRunEntry, DryRunReport } from './dryRun.js';
export * from './types.js';
export type { RecentOutput } from './execution.js';
