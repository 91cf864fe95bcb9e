import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { BatchError } from './errors.js';
import type { ValidNewBatch } from './input.js';

/**
 * Every working directory of a proposed batch must be an existing directory, named by an
 * absolute path, when the batch is proposed: a person must not approve a batch that can only
 * fail, and an agent should hear at once, not after approval. Throws {@link BatchError}
 * CWD_NOT_FOUND naming the directory (and the entry, for an entry's own cwd).
 */
export async function checkWorkingDirectories(batch: Pick<ValidNewBatch, 'cwd' | 'entries'>): Promise<void> {
  await checkOne(batch.cwd, 'the batch');
  for (const [index, entry] of batch.entries.entries()) {
    const cwd = 'cwd' in entry ? entry.cwd : undefined; // a patch entry has a target root instead
    if (cwd !== undefined && cwd !== batch.cwd) await checkOne(cwd, `entry ${index + 1}`);
  }
}

async function checkOne(cwd: string, owner: string): Promise<void> {
  if (!isAbsolute(cwd)) {
    throw new BatchError('CWD_NOT_FOUND', `the working directory of ${owner}, ${JSON.stringify(cwd)}, is not an absolute path`);
  }
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(cwd)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})`;
    throw new BatchError('CWD_NOT_FOUND', `the working directory of ${owner}, ${cwd}, ${why}`);
  }
  if (!isDirectory) throw new BatchError('CWD_NOT_FOUND', `the working directory of ${owner}, ${cwd}, is not a directory`);
}
