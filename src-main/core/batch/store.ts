import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BatchError } from './errors.js';
import { parseBatchFile } from './fileSchema.js';
import type { Batch } from './types.js';

/** A batch file that did not load: renamed out of the way so it neither blocks nor is lost. */
export interface SetAsideBatchFile {
  /** The file's name in the batches directory (`x.json`, or `x.json.bad-<time>` when found set aside earlier). */
  file: string;
  /** Set aside at this load, or found set aside by an earlier one. */
  when: 'now' | 'earlier';
  /** Where it is now (`x.json.bad-<time>`); null when the rename failed (the file was skipped). */
  movedTo: string | null;
  /** What is wrong with it (`is not JSON (…)`); empty for files set aside earlier. */
  message: string;
}

/**
 * Batches on disk, one JSON file each, written atomically (temp file, fsync, rename, fsync of the
 * directory) so a crash leaves either the old or the new version, never half of one.
 */
export interface BatchStore {
  /**
   * Every batch file that passes the schema. A file that is not JSON, not a batch, or whose id
   * is not its name is renamed `<name>.bad-<time>` and reported; files set aside at an earlier
   * start are reported again (with `movedTo: null`) until a person removes them.
   *
   * `readOnly` changes nothing on disk (no directory created, no leftover temporary file
   * removed, a bad file reported but left where it is): for readers beside a running Leash,
   * whose temporary file may be about to be renamed into place.
   */
  load(options?: { readOnly?: boolean }): Promise<{ batches: Batch[]; setAside: SetAsideBatchFile[] }>;
  readonly dir: string;
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

/** `2025-01-02T03-04-05-678Z`: a timestamp that is safe in a file name on every platform. */
function fileTime(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

const SET_ASIDE = /\.json\.bad-[0-9TZ-]+$/;

export function createBatchStore(dir: string, options: { now?: () => Date } = {}): BatchStore {
  const now = options.now ?? (() => new Date());
  let ready: Promise<unknown> | undefined;
  const ensureDir = (): Promise<unknown> => (ready ??= mkdir(dir, { recursive: true, mode: 0o700 }));
  const readBatch = async (file: string): Promise<{ ok: true; batch: Batch } | { ok: false; message: string }> => {
    let text: string;
    try {
      text = await readFile(join(dir, file), 'utf8');
    } catch (error) {
      return { ok: false, message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return { ok: false, message: `is not JSON (${(error as Error).message})` };
    }
    const parsed = parseBatchFile(json);
    if (!parsed.ok) return { ok: false, message: `is not a valid batch (${parsed.message})` };
    if (`${parsed.batch.id}.json` !== file) return { ok: false, message: `holds batch id ${JSON.stringify(parsed.batch.id)}, not the one its name says` };
    return parsed;
  };
  const setAside = async (file: string, message: string): Promise<SetAsideBatchFile> => {
    const movedTo = `${file}.bad-${fileTime(now())}`;
    try {
      await rename(join(dir, file), join(dir, movedTo));
      return { file, when: 'now', movedTo, message };
    } catch (error) {
      return { file, when: 'now', movedTo: null, message: `${message}; it could not be set aside (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}) and was skipped` };
    }
  };
  return {
    dir,
    async load(options = {}) {
      if (!options.readOnly) await ensureDir();
      const batches: Batch[] = [];
      const aside: SetAsideBatchFile[] = [];
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
        if (SET_ASIDE.test(file)) {
          aside.push({ file, when: 'earlier', movedTo: file, message: '' });
          continue;
        }
        if (!file.endsWith('.json')) continue;
        const read = await readBatch(file);
        if (read.ok) batches.push(read.batch);
        else if (options.readOnly) aside.push({ file, when: 'now', movedTo: null, message: `${read.message}; left as it is (read-only)` });
        else aside.push(await setAside(file, read.message));
      }
      batches.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
      return { batches, setAside: aside };
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

/** One line a person can act on, for the UI's problem notice and the CLI's warnings. */
export function describeSetAside(entry: SetAsideBatchFile, dir: string): string {
  if (entry.when === 'earlier') return `batch file ${join(dir, entry.file)} was set aside at an earlier start because it did not load; look at it, then delete it`;
  if (entry.movedTo === null) return `batch file ${join(dir, entry.file)} ${entry.message}`;
  return `batch file ${join(dir, entry.file)} ${entry.message}; it was set aside as ${entry.movedTo} and is not listed`;
}
