import { createHash } from 'node:crypto';
import { mkdir, open, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditWriter } from '../audit/index.js';
import { BatchError } from './errors.js';
import { createBatchListingFromIndex, type BatchListing } from './listing.js';
import { CAPTURES_DIR, createBatchStore, describeSetAside, type BatchStore } from './store.js';
import type { BatchSummary, IndexedBatch } from './summary.js';
import type { Batch, BatchStatus } from './types.js';

/**
 * Retention of batches (setting `archiveBatchesAfterDays`): finished batches older than N days
 * leave the list (and the memory of every Leash process) for `batches.archive/<yyyy-mm>/`, where
 * `leash batches --archived` still reads them. What they did stays in the audit trail, which
 * archiving never touches; the move itself is recorded as one `BATCHES_ARCHIVED`.
 *
 * Archived: `completed`, `error`, `cancelled`, `rejected` — nothing can happen to them any more.
 * Never: `pending`, `approved`, `running` (they are still in play) and `interrupted` — a batch a
 * crash cut off is what a person has to look at (what did its command leave behind?), so it
 * stays in the list until they do, whatever its age.
 */
export const ARCHIVABLE_STATUSES: readonly BatchStatus[] = ['completed', 'error', 'cancelled', 'rejected'];

const DAY_MS = 24 * 60 * 60 * 1000;

/** The archive beside the store's directory: `batches` → `batches.archive`. */
export function archiveDirFor(batchesDir: string): string {
  return `${batchesDir}.archive`;
}

/** What archiving needs to know of a batch: its summary's times and status. */
export type ArchiveCandidate = Pick<BatchSummary, 'id' | 'status' | 'createdAt' | 'updatedAt'>;

/** When the batch was last touched: a finished batch's last change is its end. */
function settledAt(batch: ArchiveCandidate): number {
  return Date.parse(batch.updatedAt ?? batch.createdAt);
}

/** The batches to archive at `now`, oldest first: finished ones settled more than `days` days ago. */
export function selectArchivable<T extends ArchiveCandidate>(batches: readonly T[], days: number, now: Date): T[] {
  const cutoff = now.getTime() - days * DAY_MS;
  return batches
    .filter((batch) => ARCHIVABLE_STATUSES.includes(batch.status) && settledAt(batch) < cutoff)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/**
 * Moves each batch's files (its state file `<id>.json` and its capture directory
 * `captures/<id>/`) to `<archive>/<yyyy-mm of its creation>/`, which is a batch store of its
 * own, then drops it from the store's index (`store.remove`, which finds nothing left to delete),
 * syncing the directories. The record comes first: a crash between the record and the moves
 * leaves batches that the next pass archives again (and records again), never a move without a
 * record. A crash between a move and its index line leaves an index line for a file that is
 * gone, which the next start's consistency check rebuilds away.
 */
export async function archiveBatches(store: BatchStore, batches: readonly ArchiveCandidate[], audit: AuditWriter, reason: { olderThanDays: number }): Promise<string[]> {
  if (batches.length === 0) return [];
  const ids = batches.map((b) => b.id);
  const first = batches[0] as ArchiveCandidate;
  const last = batches[batches.length - 1] as ArchiveCandidate;
  await audit.append({
    event: 'BATCHES_ARCHIVED',
    reason: `finished more than ${reason.olderThanDays} day${reason.olderThanDays === 1 ? '' : 's'} ago`,
    details: {
      count: batches.length,
      firstId: first.id,
      lastId: last.id,
      createdFrom: first.createdAt,
      createdTo: last.createdAt,
      idsSha256: createHash('sha256').update(ids.join('\n')).digest('hex'),
      olderThanDays: reason.olderThanDays,
    },
  });
  const batchesDir = store.dir;
  const archive = archiveDirFor(batchesDir);
  const touched = new Set<string>();
  for (const batch of batches) {
    const month = join(archive, batch.createdAt.slice(0, 7));
    await mkdir(join(month, CAPTURES_DIR), { recursive: true, mode: 0o700 });
    await moveIfPresent(join(batchesDir, `${batch.id}.json`), join(month, `${batch.id}.json`));
    await moveIfPresent(join(batchesDir, CAPTURES_DIR, batch.id), join(month, CAPTURES_DIR, batch.id));
    touched.add(month);
    touched.add(join(month, CAPTURES_DIR));
  }
  for (const directory of [batchesDir, join(batchesDir, CAPTURES_DIR), archive, ...touched]) await syncDirectory(directory);
  for (const id of ids) await store.remove(id);
  return ids;
}

async function moveIfPresent(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** The archived batches, read without changing anything: a listing over every month, and each in full on demand. */
export interface ArchivedBatches {
  batches: BatchListing;
  read(id: string): Batch;
  problems: string[];
}

/** Every archived batch (each month is a batch store of its own), read-only; problems as lines for people. */
export async function readArchivedBatches(batchesDir: string): Promise<ArchivedBatches> {
  const archive = archiveDirFor(batchesDir);
  const months = (await readdir(archive).catch(() => [] as string[])).filter((name) => /^\d{4}-\d{2}$/.test(name)).sort();
  const listed: IndexedBatch[] = [];
  const owner = new Map<string, BatchStore>();
  const problems: string[] = [];
  for (const month of months) {
    const dir = join(archive, month);
    const monthStore = createBatchStore(dir);
    const loaded = await monthStore.load({ readOnly: true });
    for (const item of loaded.listed) {
      listed.push(item);
      owner.set(item.summary.id, monthStore);
    }
    problems.push(...loaded.setAside.map((entry) => describeSetAside(entry, dir)), ...loaded.problems);
  }
  return {
    batches: createBatchListingFromIndex(listed),
    read(id) {
      const monthStore = owner.get(id);
      const read = monthStore?.read(id);
      if (!read?.ok) throw new BatchError(read && !read.missing ? 'BATCH_UNREADABLE' : 'BATCH_NOT_FOUND', read && !read.missing ? read.message : `no archived batch with id ${id}`);
      return read.batch;
    },
    problems,
  };
}

async function syncDirectory(directory: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(directory, 'r').catch(() => null);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the renames are still atomic.
  } finally {
    await handle.close();
  }
}
