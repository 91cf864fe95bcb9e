import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PatchError } from './types.js';
import { MAX_DIFF_BYTES } from './unifiedDiff.js';

/**
 * The target directory on disk, touched without ever following a symbolic link.
 *
 * Reading (the preview) walks each path from the root with `lstat`: a link anywhere on the way,
 * or as the final name, is `PATH_ESCAPE`, whether it points out of the target or not (a link
 * inside can be re-pointed outside between the review and the write).
 *
 * Writing (the application) must not be fooled by a directory swapped for a link after it was
 * checked. On Linux every directory is opened relative to its parent's descriptor with
 * `O_NOFOLLOW | O_DIRECTORY` through `/proc/self/fd/<fd>/<name>` (the equivalent of `openat`,
 * which Node lacks), and files are created, renamed and removed through those descriptors: once a
 * directory is open, renaming it or putting a link in its place changes nothing about where the
 * write lands. Where `/proc/self/fd` does not exist (macOS), each component is checked with
 * `lstat` right before use; a link swapped in within that window remains possible there, so the
 * final check after the write (apply.ts) re-walks every path and rolls back on any difference.
 */

const ANCHORED = process.platform === 'linux' && existsSync('/proc/self/fd');
const DIRECTORY_FLAGS = constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | (constants.O_NOFOLLOW ?? 0);

export interface TargetRoot {
  /** The real path (no links) of the target directory. */
  path: string;
  dev: number;
  ino: number;
}

/** Resolves and checks the target directory; `UNKNOWN_TARGET` if it is missing or not a directory. */
export function resolveTargetRoot(root: string, target: string): TargetRoot {
  let path: string;
  try {
    path = realpathSync(root);
  } catch {
    throw new PatchError('UNKNOWN_TARGET', `target ${target}: its directory ${root} does not exist`);
  }
  const stats = statSync(path);
  if (!stats.isDirectory()) throw new PatchError('UNKNOWN_TARGET', `target ${target}: ${root} is not a directory`);
  return { path, dev: stats.dev, ino: stats.ino };
}

/** A file's state: what the diff shows and what the application checks is still there. */
export interface FileState {
  size: number;
  /** The permission bits (0o644, 0o755). */
  mode: number;
  sha256: string;
  /** The content, when it is small enough to diff. */
  bytes: Buffer | null;
}

/** The state of `segments` under `root`, null when it does not exist. Refuses links, directories and special files. */
export function inspectPath(root: TargetRoot, segments: readonly string[]): FileState | null {
  let path = root.path;
  for (const [index, segment] of segments.entries()) {
    path = join(path, segment);
    let stats;
    try {
      stats = lstatSync(path);
    } catch (error) {
      if (isMissing(error)) return null;
      throw writeFailure(error, segments.join('/'));
    }
    const shown = segments.slice(0, index + 1).join('/');
    if (stats.isSymbolicLink()) throw new PatchError('PATH_ESCAPE', `${shown} is a symbolic link; patches never follow links`);
    const last = index === segments.length - 1;
    if (!last && !stats.isDirectory()) throw new PatchError('PATCH_CONFLICT', `${shown} is not a directory`);
    if (last && stats.isDirectory()) throw new PatchError('PATCH_CONFLICT', `${shown} is a directory, not a file`);
    if (last && !stats.isFile()) throw new PatchError('PATCH_CONFLICT', `${shown} is not a regular file`);
  }
  return readState(path, segments.join('/'));
}

/** Reads a regular file without following a link in its final name; hashes large files in chunks. */
export function readState(path: string, shown: string): FileState {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new PatchError('PATH_ESCAPE', `${shown} is a symbolic link; patches never follow links`);
    throw writeFailure(error, shown);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new PatchError('PATCH_CONFLICT', `${shown} is not a regular file`);
    const hash = createHash('sha256');
    const keep = stats.size <= MAX_DIFF_BYTES;
    const chunks: Buffer[] = [];
    const buffer = Buffer.alloc(64 * 1024);
    let size = 0;
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
      const chunk = buffer.subarray(0, read);
      hash.update(chunk);
      if (keep) chunks.push(Buffer.from(chunk));
      size += read;
    }
    return { size, mode: stats.mode & 0o777, sha256: hash.digest('hex'), bytes: keep && size <= MAX_DIFF_BYTES ? Buffer.concat(chunks) : null };
  } finally {
    closeSync(fd);
  }
}

/** An open directory of the target; names inside it are reached through its descriptor where the platform allows. */
export class TargetDirectory {
  private constructor(
    readonly fd: number,
    /** Where it was when it was opened (for messages and the final re-check). */
    readonly path: string,
    readonly segments: readonly string[],
  ) {}

  /** A path naming `name` inside this directory, anchored to the open descriptor on Linux. */
  child(name: string): string {
    return ANCHORED ? `/proc/self/fd/${this.fd}/${name}` : join(this.path, name);
  }

  identity(): { dev: number; ino: number } {
    const stats = fstatSync(this.fd);
    return { dev: stats.dev, ino: stats.ino };
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Opens the root and checks it is still the directory the preview saw. */
  static openRoot(root: TargetRoot): TargetDirectory {
    const fd = openSync(root.path, DIRECTORY_FLAGS);
    const directory = new TargetDirectory(fd, root.path, []);
    const { dev, ino } = directory.identity();
    if (dev !== root.dev || ino !== root.ino) {
      directory.close();
      throw new PatchError('PATH_ESCAPE', `the target directory ${root.path} was replaced`);
    }
    return directory;
  }

  /**
   * Opens the subdirectory `name` without following a link, creating it (mode 0o755 before the
   * umask) when `create` is set and it is missing; `created` receives what was made, for rollback.
   */
  open(name: string, create: boolean, created: Array<{ parent: TargetDirectory; name: string }>): TargetDirectory {
    const segments = [...this.segments, name];
    const shown = segments.join('/');
    const path = this.child(name);
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!ANCHORED) refuseLink(path, shown);
      try {
        return new TargetDirectory(openSync(path, DIRECTORY_FLAGS), join(this.path, name), segments);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' && create && attempt === 0) {
          try {
            mkdirSync(path, 0o755);
            created.push({ parent: this, name });
          } catch (made) {
            if ((made as NodeJS.ErrnoException).code !== 'EEXIST') throw writeFailure(made, shown);
          }
          continue;
        }
        if (code === 'ELOOP' || code === 'ENOTDIR') {
          refuseLink(path, shown);
          throw new PatchError('PATCH_CONFLICT', `${shown} is not a directory`);
        }
        throw writeFailure(error, shown);
      }
    }
    throw new PatchError('WRITE_FAILED', `${shown} could not be created`);
  }
}

function refuseLink(path: string, shown: string): void {
  try {
    if (lstatSync(path).isSymbolicLink()) throw new PatchError('PATH_ESCAPE', `${shown} is a symbolic link; patches never follow links`);
  } catch (error) {
    if (error instanceof PatchError) throw error;
  }
}

export function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export function writeFailure(error: unknown, shown: string): PatchError {
  if (error instanceof PatchError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code ?? 'error';
  return new PatchError('WRITE_FAILED', `${shown}: ${code}: ${(error as Error).message}`);
}
