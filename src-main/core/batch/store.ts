import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BatchError } from './errors.js';
import type { Batch } from './types.js';

/**
 * Batches on disk, one JSON file each, written atomically (temp file, fsync, rename, fsync of the
 * directory) so a crash leaves either the old or the new version, never half of one.
 */
export interface BatchStore {
  /**
   * Reads every stored batch. `readOnly` changes nothing on disk (no directory created, no
   * leftover temporary file removed): for readers beside a running Leash, whose temporary
   * file may be about to be renamed into place.
   */
  load(options?: { readOnly?: boolean }): Promise<{ batches: Batch[]; unreadable: { file: string; message: string }[] }>;
  save(batch: Batch): Promise<void>;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

async function writeAtomically(dir: string, name: string, content: string): Promise<void> {
  const temp = join(dir, `.${name}.${randomUUID()}.tmp`);
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, join(dir, name));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  const directory = await open(dir, 'r');
  try {
    await directory.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await directory.close();
  }
}

export function createBatchStore(dir: string): BatchStore {
  let ready: Promise<unknown> | undefined;
  const ensureDir = (): Promise<unknown> => (ready ??= mkdir(dir, { recursive: true, mode: 0o700 }));
  return {
    async load(options = {}) {
      if (!options.readOnly) await ensureDir();
      const batches: Batch[] = [];
      const unreadable: { file: string; message: string }[] = [];
      const files = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
        if (options.readOnly && error.code === 'ENOENT') return [] as string[];
        throw error;
      });
      for (const file of files.sort()) {
        if (file.startsWith('.') && file.endsWith('.tmp')) {
          // A write that crashed before its rename: the batch file itself is intact.
          if (!options.readOnly) await rm(join(dir, file), { force: true });
          continue;
        }
        if (!file.endsWith('.json')) continue;
        try {
          const batch = JSON.parse(await readFile(join(dir, file), 'utf8')) as Batch;
          if (!batch || typeof batch.id !== 'string' || !Array.isArray(batch.entries)) throw new Error('not a batch');
          batches.push(batch);
        } catch (error) {
          unreadable.push({ file, message: (error as Error).message });
        }
      }
      batches.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
      return { batches, unreadable };
    },
    async save(batch) {
      if (!ID.test(batch.id)) throw new BatchError('STORE_FAILED', `refusing to store a batch with id ${JSON.stringify(batch.id)}`);
      await ensureDir();
      try {
        await writeAtomically(dir, `${batch.id}.json`, `${JSON.stringify(batch, null, 2)}\n`);
      } catch (error) {
        throw new BatchError('STORE_FAILED', `could not save batch ${batch.id}: ${(error as Error).message}`);
      }
    },
  };
}
