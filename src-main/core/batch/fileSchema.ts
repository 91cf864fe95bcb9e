import { z } from 'zod';
import { BATCH_STATUSES, ENTRY_STATUSES, type Batch } from './types.js';

/**
 * The shape of a stored batch file, checked on every load: a file that does not match is never
 * half-trusted (its fields would reach the runner, the UI and the CLI), it is set aside.
 *
 * Objects are loose (unknown keys are kept) so a file written by a newer Leash with an extra
 * field still loads; every field the code reads is checked.
 */
const isoTime = z.iso.datetime({ offset: true });
const nullableTime = isoTime.nullable();

const capturedStream = z.looseObject({
  head: z.string(),
  tail: z.string(),
  truncated: z.boolean(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const reason = z.looseObject({
  code: z.string().min(1),
  message: z.string(),
  rule: z.string().optional(),
  span: z.looseObject({ start: z.number().int().nonnegative(), end: z.number().int().nonnegative() }).optional(),
});

const classification = z.looseObject({
  verdict: z.enum(['allow', 'ask', 'deny']),
  score: z.union([z.literal(100), z.literal(50), z.literal(0)]),
  requiresManual: z.boolean(),
  reasons: z.array(reason),
  programs: z.array(z.string()),
});

/** A patch entry's stored request and diff (see PatchEntryData); applying it re-checks every path. */
const patch = z.looseObject({
  request: z.looseObject({
    target: z.string().min(1),
    root: z.string().min(1),
    ops: z.array(z.looseObject({ op: z.string().min(1) })),
    allowedActions: z.array(z.string()),
    allowDeletions: z.boolean(),
    maxFilesChanged: z.number().int().nonnegative(),
    protectedPaths: z.array(z.string()),
  }),
  diff: z.string(),
  diffSha256: z.string().regex(/^[0-9a-f]{64}$/),
  files: z.array(z.looseObject({ path: z.string(), change: z.string() })),
  filesChanged: z.number().int().nonnegative(),
  outcome: z.looseObject({ ok: z.boolean() }).nullable(),
});

const entry = z.looseObject({
  id: z.string().min(1),
  tool: z.enum(['shell', 'patch']),
  patch: patch.optional(),
  command: z.string(),
  cwd: z.string().min(1),
  timeoutMs: z.number().int().positive(),
  classification,
  status: z.enum(ENTRY_STATUSES),
  approved: z.boolean(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  startedAt: nullableTime,
  endedAt: nullableTime,
  durationMs: z.number().nonnegative().nullable(),
  stdout: capturedStream.nullable(),
  stderr: capturedStream.nullable(),
  error: z.looseObject({ code: z.string().min(1), message: z.string() }).nullable(),
  note: z.string().nullable(),
  process: z.looseObject({ pid: z.number().int().positive(), startTime: z.number().nonnegative() }).nullable().optional(),
}).refine((e) => (e.tool === 'patch') === (e.patch !== undefined), { message: 'a patch entry, and only a patch entry, carries its patch' });

export const batchFileSchema = z.looseObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  createdAt: isoTime,
  updatedAt: isoTime,
  source: z.string().min(1),
  reason: z.string().nullable(),
  cwd: z.string().min(1),
  status: z.enum(BATCH_STATUSES),
  stopOnFailure: z.boolean(),
  entries: z.array(entry).min(1),
  approvedBy: z.union([z.literal('manual'), z.string().regex(/^autonomy:.+$/)]).nullable(),
  approvedAt: nullableTime,
  startedAt: nullableTime,
  finishedAt: nullableTime,
  note: z.string().nullable(),
  stopRequestedAt: nullableTime.optional(),
  queuedAt: nullableTime.optional(),
  queuedBehind: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).nullable().optional(),
  rejectionMessage: z.string().nullable().optional(),
});

/** Checks one parsed batch file; the error names the first fields that are wrong (`entries: …`). */
export function parseBatchFile(value: unknown): { ok: true; batch: Batch } | { ok: false; message: string } {
  const parsed = batchFileSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
    const more = parsed.error.issues.length > 3 ? ` (and ${parsed.error.issues.length - 3} more)` : '';
    return { ok: false, message: `${issues.join('; ')}${more}` };
  }
  return { ok: true, batch: parsed.data as unknown as Batch };
}
