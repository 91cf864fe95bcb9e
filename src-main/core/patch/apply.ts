import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, linkSync, lstatSync, openSync, renameSync, rmdirSync, unlinkSync, writeSync, constants } from 'node:fs';
import { join } from 'node:path';
import { previewPatch, type PatchChange, type PatchPreview } from './preview.js';
import { readState, TargetDirectory, writeFailure } from './targetFs.js';
import { PatchError, patchFailure, type PatchFailure, type PatchFile, type PatchRequest } from './types.js';

/**
 * Applies an approved patch, all of it or nothing:
 *
 * 1. the dry run is repeated against the disk as it is now, and must give exactly the diff that
 *    was approved (same SHA-256, same files with the same before-hashes): otherwise `PATCH_STALE`;
 * 2. every new content is staged in a temporary file beside its destination (created with
 *    `O_EXCL | O_NOFOLLOW`, fsynced), through directory descriptors (targetFs.ts);
 * 3. each destination is committed: the old file is renamed aside (and checked to be the file
 *    the diff was computed from), the new one linked into place (never over a file that appeared
 *    meanwhile);
 * 4. every directory used is walked again from the root by name and must still be the directory
 *    that was written to (a directory moved out of the target or swapped for a link is caught);
 * 5. the set-aside files are removed.
 *
 * A failure at any step, the `maxRuntimeMs` deadline passing between steps, or a cancellation
 * rolls back in reverse order (new files removed, old ones renamed back, created directories
 * removed), leaving the target as it was.
 */

export interface ApprovedDiff {
  diffSha256: string;
  files: PatchFile[];
}

export interface ApplyOptions {
  /** The whole application must end within this many milliseconds. */
  maxRuntimeMs: number;
  /** Checked between steps; true stops and rolls back (`PATCH_CANCELLED`). */
  cancelled?: () => boolean;
  now?: () => number;
  /** Test hook: runs after staging, before the first destination is touched. */
  beforeCommit?: () => void;
}

export interface PatchApplied {
  ok: true;
  diffSha256: string;
  filesChanged: number;
  files: PatchFile[];
  /** One line per change, for the entry's output. */
  log: string[];
}

type Undo = () => void;

export function applyPatch(request: PatchRequest, approved: ApprovedDiff, options: ApplyOptions): PatchApplied | PatchFailure {
  const now = options.now ?? (() => performance.now());
  const deadline = now() + options.maxRuntimeMs;
  const checkpoint = (): void => {
    if (options.cancelled?.()) throw new PatchError('PATCH_CANCELLED', 'stopped before the patch was complete; nothing was changed');
    if (now() > deadline) throw new PatchError('RUNTIME_EXCEEDED', `applying took longer than constraints.maxRuntimeMs (${options.maxRuntimeMs} ms); nothing was changed`);
  };
  const preview = previewPatch(request);
  if (!preview.ok) return preview;
  if (preview.diffSha256 !== approved.diffSha256 || !sameFiles(preview.files, approved.files)) {
    return patchFailure('PATCH_STALE', 'the files in the target changed after the diff was reviewed; nothing was changed (send the command again to review the new diff)');
  }
  const undo: Undo[] = [];
  const cleanup: Undo[] = [];
  const directories = new Map<string, TargetDirectory>();
  try {
    checkpoint();
    const root = TargetDirectory.openRoot(preview.root);
    directories.set('', root);
    const created: Array<{ parent: TargetDirectory; name: string }> = [];
    undo.push(() => {
      for (const made of created.reverse()) ignore(() => rmdirSync(made.parent.child(made.name)));
    });
    const parentOf = (change: PatchChange): TargetDirectory => {
      let directory = root;
      for (const [index, segment] of change.segments.slice(0, -1).entries()) {
        const key = change.segments.slice(0, index + 1).join('/');
        let next = directories.get(key);
        if (!next) {
          next = directory.open(segment, change.after !== null, created);
          directories.set(key, next);
        }
        directory = next;
      }
      return directory;
    };
    const staged = preview.changes.map((change) => {
      const parent = parentOf(change);
      const name = change.segments.at(-1) as string;
      const temp = change.after ? stage(parent, change) : null;
      if (temp) undo.push(() => ignore(() => unlinkSync(parent.child(temp))));
      checkpoint();
      return { change, parent, name, temp };
    });
    options.beforeCommit?.();
    for (const { change, parent, name, temp } of staged) {
      checkpoint();
      if (change.before) {
        const aside = temporaryName('old');
        renameSync(parent.child(name), parent.child(aside));
        undo.push(() => ignore(() => renameSync(parent.child(aside), parent.child(name))));
        cleanup.push(() => ignore(() => unlinkSync(parent.child(aside))));
        const moved = readState(parent.child(aside), change.path);
        if (moved.sha256 !== change.before.sha256) throw new PatchError('PATCH_STALE', `${change.path} changed while the patch was applied; nothing was changed`);
      }
      if (temp) {
        try {
          linkSync(parent.child(temp), parent.child(name));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new PatchError('PATCH_STALE', `${change.path} appeared while the patch was applied; nothing was changed`);
          throw writeFailure(error, change.path);
        }
        undo.push(() => ignore(() => unlinkSync(parent.child(name))));
        ignore(() => unlinkSync(parent.child(temp)));
      }
    }
    checkpoint();
    verifyDirectories(preview, directories);
    for (const directory of directories.values()) ignore(() => fsyncSync(directory.fd));
    for (const step of cleanup) step();
    return { ok: true, diffSha256: preview.diffSha256, filesChanged: preview.filesChanged, files: preview.files, log: describeChanges(preview.files) };
  } catch (error) {
    for (const step of undo.reverse()) step();
    const failure = error instanceof PatchError ? error : writeFailure(error, request.target);
    return patchFailure(failure.code, failure.message);
  } finally {
    for (const directory of directories.values()) ignore(() => directory.close());
  }
}

/** Writes the new content to a fresh temporary file in the destination's directory; returns its name. */
function stage(parent: TargetDirectory, change: PatchChange): string {
  const after = change.after as NonNullable<PatchChange['after']>;
  const name = temporaryName('new');
  let fd: number;
  try {
    fd = openSync(parent.child(name), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
  } catch (error) {
    throw writeFailure(error, change.path);
  }
  try {
    for (let written = 0; written < after.bytes.length; ) written += writeSync(fd, after.bytes, written);
    fchmodSync(fd, after.mode);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    ignore(() => unlinkSync(parent.child(name)));
    throw writeFailure(error, change.path);
  }
  closeSync(fd);
  return name;
}

/** Each directory written to must still be reachable from the root by its name, without links. */
function verifyDirectories(preview: PatchPreview, directories: Map<string, TargetDirectory>): void {
  for (const [key, directory] of directories) {
    if (key === '') continue;
    const path = join(preview.root.path, ...key.split('/'));
    let stats;
    try {
      stats = lstatSync(path);
    } catch {
      stats = null;
    }
    const identity = directory.identity();
    if (!stats || stats.isSymbolicLink() || stats.dev !== identity.dev || stats.ino !== identity.ino) {
      throw new PatchError('PATH_ESCAPE', `${key}/ was moved or replaced while the patch was applied; nothing was changed`);
    }
  }
}

function sameFiles(a: PatchFile[], b: PatchFile[]): boolean {
  const shape = (files: PatchFile[]): string => JSON.stringify(files.map((f) => [f.path, f.from ?? null, f.change, f.oldSha256, f.newSha256]));
  return shape(a) === shape(b);
}

function describeChanges(files: PatchFile[]): string[] {
  if (files.length === 0) return ['no files changed'];
  return files.map((file) => {
    if (file.change === 'renamed') return `moved ${file.from} → ${file.path}`;
    if (file.change === 'deleted') return `deleted ${file.path}`;
    return `${file.change === 'added' ? 'created' : 'wrote'} ${file.path} (${file.newSize} bytes)`;
  });
}

function temporaryName(kind: 'new' | 'old'): string {
  return `.leash-patch-${kind}-${randomBytes(6).toString('hex')}.tmp`;
}

function ignore(step: () => void): void {
  try {
    step();
  } catch {
    // Rollback and cleanup go on past a step that fails: the rest must still be undone.
  }
}
