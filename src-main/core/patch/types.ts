import * as z from 'zod';

/**
 * File changes proposed by a signed inbox command (`applyPatch`) and applied, after a person
 * approved their diff, inside one target directory. The vocabulary here is shared by the inbox
 * (which refuses a bad patch before anyone sees it), the batch (whose `patch` entry carries it)
 * and the renderer (which shows the diff).
 */

/** The operations a patch may contain; `noop` needs no permission, the others must be in `allowedActions`. */
export const PATCH_ACTIONS = ['writeFile', 'moveFile', 'deleteFile'] as const;
export type PatchAction = (typeof PATCH_ACTIONS)[number];

/** At most this many operations in one patch. */
export const MAX_PATCH_OPS = 200;

// Paths are checked by pathRules.ts, which gives each refusal its own code; the schema only bounds the size.
const pathText = z.string().max(65_536);

export const patchOpSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('noop') }).strict(),
  z
    .object({
      op: z.literal('writeFile'),
      path: pathText,
      /** The new content as text (UTF-8)... */
      content: z.string().optional(),
      /** ...or, for bytes that are not text, as standard base64. Exactly one of the two. */
      contentBase64: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be standard base64').optional(),
    })
    .strict()
    .refine((op) => (op.content === undefined) !== (op.contentBase64 === undefined), 'writeFile needs exactly one of content and contentBase64'),
  z.object({ op: z.literal('moveFile'), from: pathText, to: pathText }).strict(),
  z.object({ op: z.literal('deleteFile'), path: pathText }).strict(),
]);

export type PatchOp = z.infer<typeof patchOpSchema>;

/** What a patch may do and where: everything the preview and the application check. */
export interface PatchRequest {
  /** The target's name in the command (`MAIN`), for messages. */
  target: string;
  /** The target's directory, absolute (the inbox settings map the name to it). */
  root: string;
  ops: PatchOp[];
  /** Actions the sender allowed; `noop` is always allowed. */
  allowedActions: PatchAction[];
  /** Deletions also need the inbox setting `allowDeletions` (off by default). */
  allowDeletions: boolean;
  maxFilesChanged: number;
  /** Absolute directories no patch may touch even when they lie inside the root (the inbox folder's own, Leash's data). */
  protectedPaths: string[];
}

export type FileChangeKind = 'added' | 'modified' | 'deleted' | 'renamed';

/** One file of the diff, as the person reviewing it sees it summarised. */
export interface PatchFile {
  /** The path after the change (before, for a deletion), relative to the root, `/`-separated. */
  path: string;
  /** The old path of a rename. */
  from?: string;
  change: FileChangeKind;
  /** Not shown line by line: not UTF-8 text or holds NUL bytes. */
  binary: boolean;
  /** Not shown line by line: too large to diff (see unifiedDiff.ts). */
  large: boolean;
  additions: number;
  deletions: number;
  oldSize: number | null;
  newSize: number | null;
  /** SHA-256 (hex) of the content before and after; null where the file does not exist. */
  oldSha256: string | null;
  newSha256: string | null;
}

export const PATCH_ERROR_CODES = [
  /** A path leaves the target: `..`, an absolute path, a backslash, a symbolic link on the way. */
  'PATH_ESCAPE',
  /** A path goes into or names a dot-file or dot-directory (`.git/`, `.env`, `.github/`). */
  'HIDDEN',
  /** A path goes into `commands/`, `meta/`, the inbox folder's own directories or Leash's data. */
  'PATH_RESERVED',
  /** A path is not acceptable as written: empty, NUL or control characters, invisible characters, too long, not NFC, case-only twins. */
  'PATH_INVALID',
  /** An operation is not in `allowedActions`, or a deletion while deletions are not allowed. */
  'ACTION_NOT_ALLOWED',
  /** The patch changes more files than `constraints.maxFilesChanged`. */
  'CONSTRAINT_VIOLATED',
  /** An operation does not fit the files (moving a missing file, onto an existing one, writing over a directory). */
  'PATCH_CONFLICT',
  /** The target's files changed after the diff was computed: what was approved is not what would be applied. */
  'PATCH_STALE',
  /** The target directory is not configured or not a directory. */
  'UNKNOWN_TARGET',
  /** Applying took longer than `constraints.maxRuntimeMs` (everything was rolled back). */
  'RUNTIME_EXCEEDED',
  /** Stopped by an emergency stop (everything was rolled back). */
  'PATCH_CANCELLED',
  /** The file system refused a write (full disk, permissions); everything was rolled back. */
  'WRITE_FAILED',
] as const;

export type PatchErrorCode = (typeof PATCH_ERROR_CODES)[number];

export interface PatchFailure {
  ok: false;
  code: PatchErrorCode;
  message: string;
}

export function patchFailure(code: PatchErrorCode, message: string): PatchFailure {
  return { ok: false, code, message };
}

/** Thrown inside the patch code and turned into a {@link PatchFailure} at its boundary. */
export class PatchError extends Error {
  constructor(
    readonly code: PatchErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PatchError';
  }
}
