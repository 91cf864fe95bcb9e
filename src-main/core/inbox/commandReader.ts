import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { MAX_COMMAND_FILE_BYTES } from './commandFile.js';
import { DEAD_LETTER_HEAD_BYTES } from './deadLetter.js';
import { errnoCode, type CommandFileInfo } from './folder.js';

export type CommandRead =
  | {
      kind: 'read';
      /** The whole file, or (when `complete` is false: over the size limit) its first bytes. */
      bytes: Buffer;
      complete: boolean;
      size: number;
      /** SHA-256 of the whole file. */
      sha256: string;
      ino: number;
    }
  /** The file changed since it was listed or while it was read: it is still being written. */
  | { kind: 'changed' }
  /** The file is gone, or is no longer a regular file. */
  | { kind: 'gone' };

const CHUNK = 64 * 1024;

/**
 * Reads a command file only if it is exactly what the watcher saw settle: the same inode, size
 * and modification time before and after the read, and as many bytes as its size. So a file
 * still being written in place is never judged half-way; it is offered again once it settles.
 * The open does not follow symbolic links and does not block on a FIFO swapped in for the file.
 */
export async function readCommandFile(path: string, expected: CommandFileInfo): Promise<CommandRead> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if (['ENOENT', 'ELOOP', 'EMLINK', 'ENXIO'].includes(errnoCode(error) ?? '')) return { kind: 'gone' };
    throw error;
  }
  try {
    const before = await handle.stat();
    if (!before.isFile()) return { kind: 'gone' };
    if (before.ino !== expected.ino || before.size !== expected.size || before.mtimeMs !== expected.mtimeMs) return { kind: 'changed' };
    const complete = before.size <= MAX_COMMAND_FILE_BYTES;
    const keep = complete ? before.size : DEAD_LETTER_HEAD_BYTES;
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let total = 0;
    const hash = createHash('sha256');
    const chunk = Buffer.alloc(CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, CHUNK, total);
      if (bytesRead === 0) break;
      const piece = chunk.subarray(0, bytesRead);
      hash.update(piece);
      if (keptBytes < keep) {
        const take = Buffer.from(piece.subarray(0, keep - keptBytes));
        kept.push(take);
        keptBytes += take.length;
      }
      total += bytesRead;
      if (total > before.size) return { kind: 'changed' };
    }
    const after = await handle.stat();
    if (total !== before.size || after.size !== before.size || after.mtimeMs !== before.mtimeMs) return { kind: 'changed' };
    return { kind: 'read', bytes: Buffer.concat(kept), complete, size: total, sha256: hash.digest('hex'), ino: before.ino };
  } finally {
    await handle.close();
  }
}
