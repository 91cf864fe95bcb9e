import { isAbsolute } from 'node:path';
import * as z from 'zod';
import { MAX_PATCH_OPS, PATCH_ACTIONS, patchOpSchema } from '../patch/types.js';
import { MAX_COMMAND_LENGTH } from '../policy/engine.js';
import { HARD_MAX_BATCH_SIZE } from '../settings/schema.js';
import { BatchError } from './errors.js';

/** Whitespace and invisible format characters (zero-width space, bidi controls): what shows as nothing. */
const BLANK = /[\s\p{Cf}]/gu;

/**
 * The text of a proposed command, the one rule every door uses (IPC, control socket, MCP,
 * inbox, `leash run`): not empty, not only whitespace (or invisible characters: it would be an
 * empty card), no NUL (no process can take it), within the engine's length limit.
 */
export const commandTextSchema = z
  .string()
  .max(MAX_COMMAND_LENGTH, `the command is longer than ${MAX_COMMAND_LENGTH} characters`)
  .min(1, 'the command is empty')
  .refine((c) => c.length === 0 || c.replace(BLANK, '').length > 0, 'the command is only whitespace (or invisible characters)')
  .refine((c) => !c.includes('\0'), 'the command contains a NUL character');

/** A proposed entry, from any source (paste, agent, inbox, CLI file). */
export const newEntrySchema = z
  .object({
    tool: z.literal('shell').optional(),
    command: commandTextSchema,
    // Relative, missing and non-directories are refused by checkWorkingDirectories (CWD_NOT_FOUND).
    cwd: z.string().min(1).max(4096).optional(),
    timeoutMs: z.number().int().min(100).max(86_400_000).optional(),
  })
  .strict();

/**
 * Proposed file changes. Only the signed inbox proposes them (the service refuses them from any
 * other source); the diff is computed by the service, never taken from the proposer.
 */
export const newPatchEntrySchema = z
  .object({
    tool: z.literal('patch'),
    patch: z
      .object({
        target: z.string().min(1).max(64),
        root: z.string().min(1).refine(isAbsolute, 'root must be an absolute path'),
        ops: z.array(patchOpSchema).min(1).max(MAX_PATCH_OPS),
        allowedActions: z.array(z.enum(PATCH_ACTIONS)),
        allowDeletions: z.boolean(),
        maxFilesChanged: z.number().int().min(0).max(10_000),
        protectedPaths: z.array(z.string().min(1).refine(isAbsolute, 'protected paths are absolute')).max(64),
      })
      .strict(),
    timeoutMs: z.number().int().min(100).max(86_400_000).optional(),
  })
  .strict();

export const newBatchSchema = z
  .object({
    entries: z.array(z.union([newEntrySchema, newPatchEntrySchema])),
    cwd: z.string().min(1, 'the batch needs a working directory').max(4096),
    stopOnFailure: z.boolean().optional(),
    source: z.string().regex(/^(paste|cli|agent|mcp|inbox)(:[\w.@/-]{1,128})?$/, 'unknown batch source').default('cli'),
    reason: z.string().max(2000).optional(),
  })
  .strict();

export type NewEntry = z.infer<typeof newEntrySchema>;
export type NewPatchEntry = z.infer<typeof newPatchEntrySchema>;
export type NewBatch = z.input<typeof newBatchSchema>;
export type ValidNewBatch = z.output<typeof newBatchSchema>;

/**
 * Validates a proposed batch. The size limit comes first and is enforced here, in core, for every
 * source: an 11th entry is refused, never silently dropped.
 */
export function validateNewBatch(input: unknown, maxBatchSize: number): ValidNewBatch {
  const limit = Math.min(maxBatchSize, HARD_MAX_BATCH_SIZE);
  const entries = (input as { entries?: unknown } | null)?.entries;
  if (Array.isArray(entries)) {
    if (entries.length === 0) throw new BatchError('BATCH_EMPTY', 'a batch needs at least one entry');
    if (entries.length > limit) {
      throw new BatchError('BATCH_TOO_LARGE', `a batch holds at most ${limit} entries; this one has ${entries.length}`);
    }
  }
  const parsed = newBatchSchema.safeParse(input);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(batch)'}: ${i.message}`).join('; ');
    throw new BatchError('INVALID_BATCH', `invalid batch: ${detail}`);
  }
  return parsed.data;
}
