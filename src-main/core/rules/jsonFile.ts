import { randomUUID } from 'node:crypto';
import { closeSync, constants, fstatSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

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

/**
 * Replaces the file atomically: a temporary file beside it, fsync'd, renamed over it, and the
 * directory fsync'd, so a crash leaves the old file or the new one, never half of either.
 */
export function writeFileAtomically(path: string, text: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(path)}.${randomUUID()}.tmp`);
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  try {
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Some file systems refuse to fsync a directory; the rename itself is still atomic.
  }
}
