import { createHash } from 'node:crypto';
import { applyPatch, PatchError, previewPatch } from '../patch/index.js';
import type { Classification } from '../policy/types.js';
import type { CapturedStream } from '../runner/types.js';
import { BatchError } from './errors.js';
import type { NewPatchEntry } from './input.js';
import type { BatchEntry, PatchEntryData } from './types.js';

/**
 * The `patch` entry kind: file changes from a signed inbox command, reviewed as a diff. Its
 * classification is always `ask` with `requiresManual`, so no rule, pattern or autonomy ever
 * runs it without a person; the service refuses autonomous approval of it outright as well.
 */

export const PATCH_CLASSIFICATION: Classification = {
  verdict: 'ask',
  score: 50,
  requiresManual: true,
  reasons: [{ code: 'FILE_CHANGES', message: 'file changes from a signed command: a person reviews the diff and approves them' }],
  programs: [],
  commands: [],
};

/**
 * The stored part of a new patch entry: its diff, computed here from the request and the disk
 * (never taken from whoever proposed it). Throws {@link PatchError} when the patch is refused
 * (a path escape, a violated constraint) and BatchError `INVALID_BATCH` for a source other than
 * the inbox.
 */
export function preparePatchEntry(input: NewPatchEntry, source: string): Pick<BatchEntry, 'tool' | 'command' | 'cwd' | 'patch'> {
  if (!source.startsWith('inbox:')) throw new BatchError('INVALID_BATCH', 'patch entries come only from the signed command inbox');
  const preview = previewPatch(input.patch);
  if (!preview.ok) throw new PatchError(preview.code, preview.message);
  const patch: PatchEntryData = { request: input.patch, diff: preview.diff, diffSha256: preview.diffSha256, files: preview.files, filesChanged: preview.filesChanged, outcome: null };
  return { tool: 'patch', command: summarizePatch(input.patch.target, patch), cwd: preview.root.path, patch };
}

/** `apply patch to MAIN: 2 files (src/a.ts, docs/b.md)`: what the entry shows where a command would be. */
export function summarizePatch(target: string, patch: Pick<PatchEntryData, 'files' | 'filesChanged'>): string {
  if (patch.filesChanged === 0) return `apply patch to ${target}: no file changes`;
  const names = patch.files.slice(0, 3).map((file) => (file.from ? `${file.from} → ${file.path}` : file.path));
  const more = patch.filesChanged > names.length ? `, +${patch.filesChanged - names.length} more` : '';
  return `apply patch to ${target}: ${patch.filesChanged} file${patch.filesChanged === 1 ? '' : 's'} (${names.join(', ')}${more})`;
}

export interface PatchRun {
  outcome: NonNullable<PatchEntryData['outcome']>;
  stdout: CapturedStream;
  stderr: CapturedStream;
  startedAt: string;
  endedAt: string;
  durationMs: number;
}

/** Applies an approved patch entry (see core/patch/apply.ts); never throws for a refusal. */
export function runPatchEntry(entry: BatchEntry, cancelled: () => boolean): PatchRun {
  const patch = entry.patch as PatchEntryData;
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const applied = applyPatch(patch.request, { diffSha256: patch.diffSha256, files: patch.files }, { maxRuntimeMs: entry.timeoutMs, cancelled });
  const durationMs = performance.now() - started;
  const outcome: PatchRun['outcome'] = applied.ok ? { ok: true, log: applied.log } : { ok: false, code: applied.code, message: applied.message };
  return {
    outcome,
    stdout: captured(applied.ok ? `${applied.log.join('\n')}\n` : ''),
    stderr: captured(applied.ok ? '' : `${applied.code}: ${applied.message}\n`),
    startedAt,
    endedAt: new Date().toISOString(),
    durationMs,
  };
}

function captured(text: string): CapturedStream {
  return { head: text, tail: '', truncated: false, bytes: Buffer.byteLength(text, 'utf8'), sha256: createHash('sha256').update(text).digest('hex') };
}
