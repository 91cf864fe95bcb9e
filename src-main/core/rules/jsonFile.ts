import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';

export { writeFileAtomically } from '../json/atomicFile.js';

/** Policy files are small; anything larger is refused before it is read. */
export const MAX_POLICY_FILE_BYTES = 256 * 1024;

export type ReadText =
  | { ok: true; text: string; signature: string }
  | { ok: false; missing: true; signature: string }
  | { ok: false; missing: false; reason: string; signature: string };

/** Size, change time and inode: a cheap way to tell whether the file changed since last read. */
export function fileSignature(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
  } catch (error) {
    return `missing:${(error as NodeJS.ErrnoException).code ?? ''}`;
  }
}

/**
 * Reads a policy file synchronously (the engine classifies synchronously). Opened non-blocking
 * and checked to be a regular file first, so a FIFO or a device planted in a repository's
 * `.leash/` cannot hang or flood the process that classifies.
 */
export function readPolicyText(path: string): ReadText {
  const signature = fileSignature(path);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, missing: true, signature };
    return { ok: false, missing: false, reason: code === 'EACCES' || code === 'EPERM' ? 'permission denied' : `cannot open it (${code ?? 'unknown error'})`, signature };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ok: false, missing: false, reason: 'it is not a regular file', signature };
    if (stat.size > MAX_POLICY_FILE_BYTES) return { ok: false, missing: false, reason: `it is larger than ${MAX_POLICY_FILE_BYTES / 1024} KiB`, signature };
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    const text = new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, read));
    return { ok: true, text, signature };
  } catch (error) {
    return { ok: false, missing: false, reason: error instanceof TypeError ? 'it is not valid UTF-8' : `cannot read it (${(error as Error).message})`, signature };
  } finally {
    closeSync(fd);
  }
}
