import * as z from 'zod';
import type { BatchSummary } from './summary.js';
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
  /** `file`: its captured output is in its own capture file (see store.ts), and stdout/stderr here are null. */
  capture: z.literal('file').optional(),
})
  .refine((e) => (e.tool === 'patch') === (e.patch !== undefined), { message: 'a patch entry, and only a patch entry, carries its patch' })
  .refine((e) => e.capture === undefined || (e.stdout === null && e.stderr === null), { message: 'an entry whose output is in a capture file carries none inline' });

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
  if (!parsed.success) return { ok: false, message: describeIssues(parsed.error) };
  return { ok: true, batch: parsed.data as unknown as Batch };
}

/** One finished entry's captured output, written once when it finishes (`captures/<batch id>/<entry id>.json`). */
export const captureFileSchema = z.looseObject({
  batchId: z.string().min(1),
  entryId: z.string().min(1),
  stdout: capturedStream.nullable(),
  stderr: capturedStream.nullable(),
});

export type CaptureFile = z.infer<typeof captureFileSchema>;

/**
 * One line of the summaries index (`index.jsonl`): the batch as stored (its summary, and the
 * text the list search looks in, on the first such line), a notice that its file is being
 * rewritten (read the file, not the index), or its removal.
 */
export type IndexLine =
  | { id: string; summary: BatchSummary; text?: string; file?: FileStamp; n?: number; p?: number }
  | { id: string; unsettled: true; new?: true; n?: number; p?: number }
  | { id: string; removed: true; n?: number; p?: number };

/** The batch file as written (size and modification time), so a start can tell it changed since. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const BATCH_ID = /^[A-Za-z0-9_-]{1,64}$/;
const BATCH_STATUS_SET: ReadonlySet<unknown> = new Set(BATCH_STATUSES);
const ENTRY_STATUS_SET: ReadonlySet<unknown> = new Set(ENTRY_STATUSES);
const SUMMARY_LINE_KEYS: ReadonlySet<string> = new Set(['id', 'summary', 'text', 'file', 'n', 'p']);
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 0;
const keyCount = (value: Record<string, unknown>): number => {
  let n = 0;
  for (const key in value) if (Object.hasOwn(value, key)) n += 1;
  return n;
};

/**
 * Checks one parsed index line, field by field. Written by hand rather than with zod: the index
 * holds a line per batch and is read at every start (also by each `leash batches`), and a zod
 * parse costs about 26 µs a line (0.5 s for 20,000 lines on the development machine) against
 * 1.5 µs for JSON.parse itself. Every field the list reads is checked; a line that fails makes
 * the whole index untrusted.
 */
export function parseIndexLine(value: unknown): { ok: true; line: IndexLine } | { ok: false; message: string } {
  if (!isRecord(value) || typeof value.id !== 'string' || !BATCH_ID.test(value.id)) return { ok: false, message: 'not an index line with a batch id' };
  // The counts after the line (`n` listed, `p` pending) are on lines appended since heads exist (indexHead.ts).
  if ((value.n !== undefined && !isCount(value.n)) || (value.p !== undefined && !isCount(value.p))) return { ok: false, message: `line for ${value.id} has a count that is not one` };
  const counts = { ...(value.n === undefined ? {} : { n: value.n as number }), ...(value.p === undefined ? {} : { p: value.p as number }) };
  const counted = (value.n === undefined ? 0 : 1) + (value.p === undefined ? 0 : 1);
  if (value.unsettled === true && (value.new === undefined || value.new === true) && keyCount(value) === 2 + counted + (value.new ? 1 : 0)) {
    return { ok: true, line: { id: value.id, unsettled: true, ...(value.new ? { new: true as const } : {}), ...counts } };
  }
  if (value.removed === true && keyCount(value) === 2 + counted) return { ok: true, line: { id: value.id, removed: true, ...counts } };
  for (const key in value) if (!SUMMARY_LINE_KEYS.has(key)) return { ok: false, message: `line for ${value.id} has an unknown field ${JSON.stringify(key)}` };
  if (value.text !== undefined && typeof value.text !== 'string') return { ok: false, message: `line for ${value.id} has a text that is not a string` };
  const file = value.file;
  if (file !== undefined && (!isRecord(file) || !isCount(file.size) || typeof file.mtimeMs !== 'number' || !Number.isFinite(file.mtimeMs))) return { ok: false, message: `line for ${value.id} has a bad file stamp` };
  const summary = value.summary;
  if (!isRecord(summary) || summary.id !== value.id) return { ok: false, message: `line for ${value.id} has no summary of it` };
  const wrong = summaryProblem(summary);
  if (wrong) return { ok: false, message: `summary of ${value.id}: ${wrong}` };
  return { ok: true, line: value as IndexLine };
}

function summaryProblem(summary: Record<string, unknown>): string | null {
  if (typeof summary.source !== 'string' || summary.source === '') return 'source is not a non-empty string';
  if (typeof summary.cwd !== 'string' || summary.cwd === '') return 'cwd is not a non-empty string';
  if (typeof summary.createdAt !== 'string' || !ISO_TIME.test(summary.createdAt)) return 'createdAt is not a time';
  if (typeof summary.updatedAt !== 'string' || !ISO_TIME.test(summary.updatedAt)) return 'updatedAt is not a time';
  if (!BATCH_STATUS_SET.has(summary.status)) return 'status is not a batch status';
  if (typeof summary.firstCommand !== 'string') return 'firstCommand is not a string';
  if (!isCount(summary.entryCount)) return 'entryCount is not a count';
  const verdicts = summary.verdicts;
  if (!isRecord(verdicts) || !isCount(verdicts.allow) || !isCount(verdicts.ask) || !isCount(verdicts.deny)) return 'verdicts are not counts';
  const statuses = summary.entryStatuses;
  if (!isRecord(statuses)) return 'entryStatuses are not counts of entry statuses';
  for (const status in statuses) if (!ENTRY_STATUS_SET.has(status) || !isCount(statuses[status])) return 'entryStatuses are not counts of entry statuses';
  return null;
}

/** The first problems of a failed parse, for a person (`entries.0.command: …`). */
export function describeIssues(error: z.ZodError): string {
  const issues = error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return `${issues.join('; ')}${more}`;
}
