import { createHash } from 'node:crypto';
import { mkdir, open, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditWriter } from '../audit/index.js';
import { createBatchStore, describeSetAside } from './store.js';
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

/** When the batch was last touched: its end, or its last change for a batch that never ran. */
function settledAt(batch: Batch): number {
  return Date.parse(batch.finishedAt ?? batch.updatedAt ?? batch.createdAt);
}

/** The batches to archive at `now`, oldest first: finished ones settled more than `days` days ago. */
export function selectArchivable(batches: readonly Batch[], days: number, now: Date): Batch[] {
  const cutoff = now.getTime() - days * DAY_MS;
  return batches
    .filter((batch) => ARCHIVABLE_STATUSES.includes(batch.status) && settledAt(batch) < cutoff)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/**
 * Moves each batch's files (every entry of the store's directory named `<id>` or `<id>.…`, so a
 * batch kept as several files moves whole) to `<archive>/<yyyy-mm of its creation>/`, syncing
 * both directories. The record comes first: a crash between the record and the moves leaves
 * batches that the next pass archives again (and records again), never a move without a record.
 */
export async function archiveBatches(batchesDir: string, batches: readonly Batch[], audit: AuditWriter, reason: { olderThanDays: number }): Promise<string[]> {
  if (batches.length === 0) return [];
  const ids = batches.map((b) => b.id);
  const first = batches[0] as Batch;
  const last = batches[batches.length - 1] as Batch;
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
  const archive = archiveDirFor(batchesDir);
  const names = await readdir(batchesDir);
  const touched = new Set<string>();
  for (const batch of batches) {
    const month = join(archive, batch.createdAt.slice(0, 7));
    await mkdir(month, { recursive: true, mode: 0o700 });
    for (const name of names.filter((n) => n === batch.id || n.startsWith(`${batch.id}.`))) await rename(join(batchesDir, name), join(month, name));
    touched.add(month);
  }
  for (const directory of [batchesDir, archive, ...touched]) await syncDirectory(directory);
  return ids;
}

/** Every archived batch, oldest first, read without changing anything; problems as lines for people. */
export async function readArchivedBatches(batchesDir: string): Promise<{ batches: Batch[]; problems: string[] }> {
  const archive = archiveDirFor(batchesDir);
  const months = (await readdir(archive).catch(() => [] as string[])).filter((name) => /^\d{4}-\d{2}$/.test(name)).sort();
  const batches: Batch[] = [];
  const problems: string[] = [];
  for (const month of months) {
    const dir = join(archive, month);
    const loaded = await createBatchStore(dir).load({ readOnly: true });
    batches.push(...loaded.batches);
    problems.push(...loaded.setAside.map((entry) => describeSetAside(entry, dir)));
  }
  batches.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  return { batches, problems };
}

async function syncDirectory(directory: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the renames are still atomic.
  } finally {
    await handle.close();
  }
}
