import { isAbsolute } from 'node:path';
import * as z from 'zod';
import { newEntrySchema } from '../batch/input.js';
import { MAX_PATCH_OPS, PATCH_ACTIONS, patchOpSchema } from '../patch/types.js';
import { HARD_MAX_BATCH_SIZE } from '../settings/schema.js';
import { rejection, type InboxRejection } from './reasons.js';

/**
 * The command file contract (FORMAT.md beside this file has it for people writing signers).
 *
 * Times are ISO 8601 UTC strings, not epoch numbers: they read well in a folder people look at,
 * and Python writes them with `datetime.now(timezone.utc).isoformat()`. Only UTC is accepted
 * (`Z` or `+00:00`), so one instant has a short list of spellings and no zone database is needed.
 * Numbers in a command are integers only: the signature is computed over canonical JSON, which
 * has no single spelling for floats.
 *
 * Two kinds of document share the envelope (schemaVersion, id, times, nonce, hmac): `runBatch`
 * (shell commands) and `applyPatch` (file changes, the ghost-bridge plan's contract, whose
 * fields are taken as the plan writes them).
 */

/** Both spellings are accepted: the integer Leash has always used and the plan's string. */
export const COMMAND_SCHEMA_VERSIONS = [1, '1.0'] as const;
/** Larger files are dead-lettered unread (TOO_LARGE). */
export const MAX_COMMAND_FILE_BYTES = 512 * 1024;
/** The batch hard cap, the same for every source. */
export const MAX_INBOX_ENTRIES = HARD_MAX_BATCH_SIZE;
/**
 * A command id is used as a file name in results/, archive/ and dead_letter/. The first
 * character is a letter or digit so that no id makes a hidden file or the names `.` and `..`.
 */
export const COMMAND_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Any non-empty text without control characters, up to 256 characters (the plan's smoke test uses "0"). */
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
export const NONCE = /^[^\u0000-\u001f\u007f]{1,256}$/u;
/** A target's name, as in the settings (`inbox.targets`): `MAIN`, `docs-site`. */
export const TARGET_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** Base64 of a 32-byte HMAC-SHA256, with its padding, as Python's `base64.b64encode` writes it. */
export const HMAC_BASE64 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
/** The longest runtime a command may ask for, like the longest entry timeout: one day. */
export const MAX_RUNTIME_MS = 86_400_000;
/** `patchType` values: both mean operations inline in `payload.inline.ops`. */
export const PATCH_TYPES = ['hybrid', 'inline'] as const;
export const ACTIONS = ['runBatch', 'applyPatch'] as const;

const UTC_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:Z|\+00:00)$/;

/**
 * Milliseconds since the epoch for an ISO 8601 UTC time (`2025-01-02T03:04:05Z`, optional
 * fraction up to microseconds, `Z` or `+00:00`), or null for anything else, including dates
 * that do not exist (`2025-02-30`).
 */
export function parseUtcTime(text: string): number | null {
  const match = UTC_TIME.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) + Math.floor(Number(`0.${match[7] ?? '0'}`) * 1000);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return null;
  return ms;
}

const utcTime = z.string().refine((text) => parseUtcTime(text) !== null, 'must be an ISO 8601 UTC time such as 2025-01-02T03:04:05Z');
const absolutePath = z.string().min(1).max(4096).refine(isAbsolute, 'must be an absolute path');

const common = {
  schemaVersion: z.union([z.literal(1), z.literal('1.0')]),
  id: z.string().regex(COMMAND_ID, 'must be 1-128 characters of A-Z a-z 0-9 . _ - starting with a letter or digit'),
  issued_at: utcTime,
  expires_at: utcTime,
  nonce: z.string().regex(NONCE, 'must be 1-256 characters without control characters'),
  hmac: z.string().regex(HMAC_BASE64, 'must be the base64 of an HMAC-SHA256 (44 characters)'),
};
const targetName = z.string().regex(TARGET_NAME, 'must name a target of the inbox settings (letters, digits, _ and -)');
const maxRuntimeMs = z.number().int().min(100).max(MAX_RUNTIME_MS);

export const runBatchDocumentSchema = z
  .object({
    ...common,
    action: z.literal('runBatch'),
    /** Optional: the entries' default working directory becomes the target's directory. */
    target: targetName.optional(),
    payload: z
      .object({
        entries: z.array(newEntrySchema).min(1, 'needs at least one entry').max(MAX_INBOX_ENTRIES),
        /** Working directory for entries without their own; the target's or the inbox's default otherwise. */
        cwd: absolutePath.optional(),
        /** Why the sender proposes it; shown to the person who approves. */
        reason: z.string().max(2000).optional(),
        stopOnFailure: z.boolean().optional(),
      })
      .strict(),
    constraints: z.object({ maxRuntimeMs }).strict(),
  })
  .strict();

/** A check to run after the patch is applied: a shell command, run in the target unless it names a cwd. */
const validationStep = z.union([z.string().min(1), newEntrySchema.omit({ tool: true })]);

export const applyPatchDocumentSchema = z
  .object({
    ...common,
    action: z.literal('applyPatch'),
    target: targetName,
    patchType: z.enum(PATCH_TYPES),
    payload: z
      .object({
        inline: z
          .object({
            /** A label for the change (the plan's smoke test says "noop"); shown, not interpreted. */
            version: z.string().max(128).optional(),
            ops: z.array(patchOpSchema).min(1, 'needs at least one operation').max(MAX_PATCH_OPS),
          })
          .strict(),
        reason: z.string().max(2000).optional(),
      })
      .strict(),
    /** Commands run after the patch, in order, each after a person approved it; the first failure stops the rest. */
    validationPlan: z.array(validationStep).max(MAX_INBOX_ENTRIES - 1),
    allowedActions: z
      .array(z.enum(PATCH_ACTIONS))
      .min(1, 'must name at least one of writeFile, moveFile, deleteFile')
      .refine((actions) => new Set(actions).size === actions.length, 'must not repeat an action'),
    constraints: z.object({ maxRuntimeMs, maxFilesChanged: z.number().int().min(0).max(10_000) }).strict(),
  })
  .strict();

export type RunBatchDocument = z.infer<typeof runBatchDocumentSchema>;
export type ApplyPatchDocument = z.infer<typeof applyPatchDocumentSchema>;
export type CommandDocument = RunBatchDocument | ApplyPatchDocument;

/** The schema of `action`'s document kind; both kinds, for callers that only describe them. */
export const commandDocumentSchema = z.discriminatedUnion('action', [runBatchDocumentSchema, applyPatchDocumentSchema]);

export type CommandParse = { ok: true; command: CommandDocument } | { ok: false; rejection: InboxRejection };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks a parsed (and already signature-checked) document against the contract. The codes are
 * as precise as the document allows: `UNSUPPORTED_ACTION` for another action, `TOO_MANY_ENTRIES`
 * past the cap, `OVER_LIMIT` for an entry timeout beyond `constraints.maxRuntimeMs`, and
 * `SCHEMA_INVALID` (naming each bad field) for everything else, including `expires_at` not after
 * `issued_at`. Time against the clock is checked separately ({@link checkValidityWindow}).
 */
export function parseCommandDocument(value: unknown): CommandParse {
  if (!isPlainObject(value)) return fail('SCHEMA_INVALID', 'a command must be a JSON object');
  if (typeof value.action === 'string' && !(ACTIONS as readonly string[]).includes(value.action)) {
    return fail('UNSUPPORTED_ACTION', `action ${JSON.stringify(value.action.slice(0, 64))} is not supported; the actions are "runBatch" and "applyPatch"`);
  }
  if (value.action === 'applyPatch' && typeof value.patchType === 'string' && !(PATCH_TYPES as readonly string[]).includes(value.patchType)) {
    return fail('UNSUPPORTED_PATCH_TYPE', `patchType ${JSON.stringify(value.patchType.slice(0, 64))} is not supported; use "hybrid" or "inline" (operations in payload.inline.ops)`);
  }
  const entries = isPlainObject(value.payload) ? value.payload.entries : undefined;
  if (Array.isArray(entries) && entries.length > MAX_INBOX_ENTRIES) {
    return fail('TOO_MANY_ENTRIES', `a command holds at most ${MAX_INBOX_ENTRIES} entries; this one has ${entries.length}`);
  }
  if (Array.isArray(value.validationPlan) && value.validationPlan.length > MAX_INBOX_ENTRIES - 1) {
    return fail('TOO_MANY_ENTRIES', `a patch runs at most ${MAX_INBOX_ENTRIES - 1} validation steps after it; this one has ${value.validationPlan.length}`);
  }
  const parsed = (value.action === 'applyPatch' ? applyPatchDocumentSchema : runBatchDocumentSchema).safeParse(value);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 10)
      .map((issue) => `${issue.path.join('.') || '(document)'}: ${issue.message}`)
      .join('; ');
    return fail('SCHEMA_INVALID', detail);
  }
  const command = parsed.data;
  if ((parseUtcTime(command.expires_at) as number) <= (parseUtcTime(command.issued_at) as number)) {
    return fail('SCHEMA_INVALID', 'expires_at must be later than issued_at');
  }
  const limit = command.constraints.maxRuntimeMs;
  const steps = command.action === 'runBatch' ? command.payload.entries.map((e) => e.timeoutMs) : command.validationPlan.map((step) => (typeof step === 'string' ? undefined : step.timeoutMs));
  const tooLong = steps.findIndex((timeoutMs) => timeoutMs !== undefined && timeoutMs > limit);
  if (tooLong !== -1) {
    const where = command.action === 'runBatch' ? `payload.entries.${tooLong}` : `validationPlan.${tooLong}`;
    return fail('OVER_LIMIT', `${where}.timeoutMs (${steps[tooLong]} ms) is beyond constraints.maxRuntimeMs (${limit} ms)`);
  }
  return { ok: true, command };
}

/**
 * `EXPIRED` once `expires_at` has passed, `NOT_YET_VALID` when `issued_at` is more than
 * `skewMs` ahead of the clock (a sender whose clock runs slightly fast is still accepted);
 * null inside the window.
 */
export function checkValidityWindow(command: CommandDocument, nowMs: number, skewMs: number): InboxRejection | null {
  const issued = parseUtcTime(command.issued_at) as number;
  const expires = parseUtcTime(command.expires_at) as number;
  if (nowMs >= expires) return rejection('EXPIRED', `the command expired at ${command.expires_at}`);
  if (issued - nowMs > skewMs) return rejection('NOT_YET_VALID', `the command is issued at ${command.issued_at}, later than this clock allows`);
  return null;
}

function fail(code: InboxRejection['code'], message: string): CommandParse {
  return { ok: false, rejection: rejection(code, message) };
}
