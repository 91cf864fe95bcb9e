import { createHash } from 'node:crypto';
import { join, sep } from 'node:path';
import { realpathSync } from 'node:fs';
import { checkPatchPath, foldCase } from './pathRules.js';
import { inspectPath, readState, resolveTargetRoot, type FileState, type TargetRoot } from './targetFs.js';
import { PatchError, patchFailure, type PatchFailure, type PatchFile, type PatchRequest } from './types.js';
import { hunks, MAX_DIFF_BYTES } from './unifiedDiff.js';

/**
 * The dry run of a patch: every rule checked, every file read, nothing written. It replays the
 * operations in order on an in-memory picture of the target, then compares the picture with the
 * disk file by file. The result is the unified diff a person approves, its SHA-256, the files it
 * changes (a pure move counts once, as git counts a rename), and the changes to make.
 */

/** A file moved by a patch is copied through memory; larger ones are refused. */
export const MAX_MOVE_BYTES = 16 * 1024 * 1024;

export interface FileContent {
  bytes: Buffer;
  mode: number;
  sha256: string;
}

/** One path whose content ends different from what is on disk. */
export interface PatchChange {
  path: string;
  segments: string[];
  before: FileState | null;
  after: FileContent | null;
}

export interface PatchPreview {
  ok: true;
  root: TargetRoot;
  /** Git-style unified diff; empty when nothing changes. */
  diff: string;
  diffSha256: string;
  files: PatchFile[];
  filesChanged: number;
  changes: PatchChange[];
}

interface Slot {
  path: string;
  segments: string[];
  before: FileState | null;
  now: FileContent | null;
}

/** Checks and dry-runs `request`; never writes. */
export function previewPatch(request: PatchRequest): PatchPreview | PatchFailure {
  try {
    return preview(request);
  } catch (error) {
    if (error instanceof PatchError) return patchFailure(error.code, error.message);
    throw error;
  }
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function preview(request: PatchRequest): PatchPreview {
  const root = resolveTargetRoot(request.root, request.target);
  const protectedPaths = request.protectedPaths.map(realOrSelf).map(foldCase);
  const slots = new Map<string, Slot>();
  const moves = new Map<string, string>();

  const slot = (path: string): Slot => {
    const segments = checkPatchPath(path);
    const absolute = foldCase(join(root.path, ...segments));
    for (const guarded of protectedPaths) {
      if (absolute === guarded || absolute.startsWith(guarded.endsWith(sep) ? guarded : guarded + sep)) throw new PatchError('PATH_RESERVED', `path ${JSON.stringify(path)} is inside ${guarded}, which belongs to Leash or the inbox`);
    }
    const key = foldCase(path);
    const known = slots.get(key);
    if (known) {
      if (known.path !== path) throw new PatchError('PATH_INVALID', `paths ${JSON.stringify(known.path)} and ${JSON.stringify(path)} differ only in case or Unicode form`);
      return known;
    }
    const before = inspectPath(root, segments);
    const fresh: Slot = { path, segments, before, now: before && before.bytes ? { bytes: before.bytes, mode: before.mode, sha256: before.sha256 } : null };
    // A large file is only loaded when a move needs its bytes.
    if (before && !before.bytes) fresh.now = { bytes: Buffer.alloc(0), mode: before.mode, sha256: before.sha256 };
    slots.set(key, fresh);
    return fresh;
  };
  const allowed = new Set<string>(request.allowedActions);

  for (const [index, op] of request.ops.entries()) {
    const where = `ops.${index} (${op.op})`;
    if (op.op === 'noop') continue;
    if (!allowed.has(op.op)) throw new PatchError('ACTION_NOT_ALLOWED', `${where}: ${op.op} is not in allowedActions`);
    if (op.op === 'deleteFile' && !request.allowDeletions) throw new PatchError('ACTION_NOT_ALLOWED', `${where}: deletions are off (inbox setting allowDeletions)`);
    if (op.op === 'writeFile') {
      const target = slot(op.path);
      const bytes = op.content !== undefined ? Buffer.from(op.content, 'utf8') : Buffer.from(op.contentBase64 ?? '', 'base64');
      target.now = { bytes, mode: target.now?.mode ?? 0o644, sha256: sha256(bytes) };
    } else if (op.op === 'moveFile') {
      const from = slot(op.from);
      const to = slot(op.to);
      if (from === to) throw new PatchError('PATCH_CONFLICT', `${where}: from and to are the same file`);
      if (!from.now) throw new PatchError('PATCH_CONFLICT', `${where}: ${op.from} does not exist`);
      if (to.now) throw new PatchError('PATCH_CONFLICT', `${where}: ${op.to} exists; a move never overwrites`);
      to.now = from.before && from.now.sha256 === from.before.sha256 && !from.before.bytes ? loadForMove(root, from) : from.now;
      from.now = null;
      moves.set(foldCase(op.to), foldCase(op.from));
    } else {
      const target = slot(op.path);
      if (!target.now) throw new PatchError('PATCH_CONFLICT', `${where}: ${op.path} does not exist`);
      target.now = null;
    }
  }
  // A file cannot also be a directory of another file in the result.
  const files = [...slots.values()].filter((s) => s.now !== null).map((s) => foldCase(s.path));
  for (const path of files) {
    const parent = files.find((other) => path.startsWith(`${other}/`));
    if (parent) throw new PatchError('PATCH_CONFLICT', `${path} would be inside ${parent}, which is a file`);
  }
  return describe(root, slots, moves, request.maxFilesChanged);
}

function loadForMove(root: TargetRoot, from: Slot): FileContent {
  const before = from.before as FileState;
  if (before.size > MAX_MOVE_BYTES) throw new PatchError('PATCH_CONFLICT', `${from.path} is larger than ${MAX_MOVE_BYTES} bytes; move it another way`);
  const state = readState(join(root.path, ...from.segments), from.path);
  if (state.sha256 !== before.sha256) throw new PatchError('PATCH_STALE', `${from.path} changed while the patch was read`);
  const bytes = state.bytes ?? Buffer.alloc(0);
  return { bytes, mode: state.mode, sha256: state.sha256 };
}

function describe(root: TargetRoot, slots: Map<string, Slot>, moves: Map<string, string>, maxFilesChanged: number): PatchPreview {
  const changed = [...slots.entries()].filter(([, s]) => !same(s.before, s.now)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const renamedFrom = new Set<string>();
  const renamedTo = new Set<string>();
  const parts: Array<{ section: string; record: PatchFile }> = [];
  for (const [key, s] of changed) {
    const source = moves.get(key);
    const origin = source === undefined ? undefined : slots.get(source);
    if (origin && !s.before && origin.before && !origin.now && s.now && s.now.sha256 === origin.before.sha256 && s.now.mode === origin.before.mode) {
      renamedFrom.add(source as string);
      renamedTo.add(key);
      const section = `diff --git a/${origin.path} b/${s.path}\nsimilarity index 100%\nrename from ${origin.path}\nrename to ${s.path}\n`;
      parts.push({ section, record: fileRecord(s.path, 'renamed', origin.before, s.now, { binary: false, large: false, additions: 0, deletions: 0 }, origin.path) });
    }
  }
  for (const [key, s] of changed) {
    if (!renamedFrom.has(key) && !renamedTo.has(key)) parts.push(fileSection(s));
  }
  // One order for the diff, the file list and the application: by path, as git sorts a diff.
  parts.sort((a, b) => (a.record.path < b.record.path ? -1 : a.record.path > b.record.path ? 1 : 0));
  const sections = parts.map((part) => part.section);
  const files = parts.map((part) => part.record);
  if (files.length > maxFilesChanged) {
    throw new PatchError('CONSTRAINT_VIOLATED', `the patch changes ${files.length} files; constraints.maxFilesChanged allows ${maxFilesChanged}`);
  }
  const diff = sections.join('');
  const changes = changed.map(([, s]) => ({ path: s.path, segments: s.segments, before: s.before, after: s.now }));
  return { ok: true, root, diff, diffSha256: sha256(diff), files, filesChanged: files.length, changes };
}

function same(before: FileState | null, now: FileContent | null): boolean {
  if (before === null || now === null) return before === now;
  return before.sha256 === now.sha256 && before.mode === now.mode;
}

const gitMode = (mode: number): string => (mode & 0o111 ? '100755' : '100644');

function fileSection(s: Slot): { section: string; record: PatchFile } {
  const { before, now, path } = s;
  const lines = [`diff --git a/${path} b/${path}`];
  const change = before === null ? 'added' : now === null ? 'deleted' : 'modified';
  if (change === 'added') lines.push(`new file mode ${gitMode((now as FileContent).mode)}`);
  else if (change === 'deleted') lines.push(`deleted file mode ${gitMode((before as FileState).mode)}`);
  else if (gitMode((before as FileState).mode) !== gitMode((now as FileContent).mode)) lines.push(`old mode ${gitMode((before as FileState).mode)}`, `new mode ${gitMode((now as FileContent).mode)}`);
  const oldName = before === null ? '/dev/null' : `a/${path}`;
  const newName = now === null ? '/dev/null' : `b/${path}`;
  const large = (before !== null && before.bytes === null) || (now !== null && now.bytes.length > MAX_DIFF_BYTES);
  const oldBytes = before?.bytes ?? Buffer.alloc(0);
  const newBytes = now?.bytes ?? Buffer.alloc(0);
  const binary = !large && (isBinary(oldBytes) || isBinary(newBytes));
  let counts = { additions: 0, deletions: 0 };
  if (large) {
    lines.push(`Large file ${oldName} (${before?.size ?? 0} bytes) and ${newName} (${now?.bytes.length ?? 0} bytes) differ; not shown`);
  } else if (binary) {
    if (before?.sha256 !== now?.sha256) lines.push(`Binary files ${oldName} and ${newName} differ`);
  } else {
    const body = hunks(oldBytes.toString('utf8'), newBytes.toString('utf8'));
    counts = { additions: body.additions, deletions: body.deletions };
    if (body.text) lines.push(`--- ${oldName}`, `+++ ${newName}`, body.text.slice(0, -1));
  }
  return { section: `${lines.join('\n')}\n`, record: fileRecord(path, change, before, now, { binary, large, ...counts }) };
}

function fileRecord(path: string, change: PatchFile['change'], before: FileState | null, now: FileContent | null, shape: Pick<PatchFile, 'binary' | 'large' | 'additions' | 'deletions'>, from?: string): PatchFile {
  return {
    path,
    ...(from === undefined ? {} : { from }),
    change,
    ...shape,
    additions: shape.additions,
    deletions: shape.deletions,
    oldSize: before?.size ?? null,
    newSize: now?.bytes.length ?? null,
    oldSha256: before?.sha256 ?? null,
    newSha256: now?.sha256 ?? null,
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** As git decides: a NUL byte in the first 8000 bytes; also anything that is not UTF-8. */
export function isBinary(bytes: Buffer): boolean {
  if (bytes.subarray(0, 8000).includes(0)) return true;
  try {
    utf8.decode(bytes);
    return false;
  } catch {
    return true;
  }
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
