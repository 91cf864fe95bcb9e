import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { newEntrySchema } from '../batch/input.js';
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
 */

export const COMMAND_SCHEMA_VERSION = 1;
/** Larger files are dead-lettered unread (TOO_LARGE). */
export const MAX_COMMAND_FILE_BYTES = 512 * 1024;
/** The batch hard cap, the same for every source. */
export const MAX_INBOX_ENTRIES = HARD_MAX_BATCH_SIZE;
/**
 * A command id is used as a file name in results/, archive/ and dead_letter/. The first
 * character is a letter or digit so that no id makes a hidden file or the names `.` and `..`.
 */
export const COMMAND_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Printable ASCII without spaces; long enough to be unique when random. */
export const NONCE = /^[\x21-\x7e]{8,256}$/;
/** Base64 of a 32-byte HMAC-SHA256, with its padding, as Python's `base64.b64encode` writes it. */
export const HMAC_BASE64 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
/** The longest runtime a command may ask for, like the longest entry timeout: one day. */
export const MAX_RUNTIME_MS = 86_400_000;

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

export const commandDocumentSchema = z
  .object({
    schemaVersion: z.literal(COMMAND_SCHEMA_VERSION),
    id: z.string().regex(COMMAND_ID, 'must be 1-128 characters of A-Z a-z 0-9 . _ - starting with a letter or digit'),
    issued_at: utcTime,
    expires_at: utcTime,
    nonce: z.string().regex(NONCE, 'must be 8-256 printable ASCII characters without spaces'),
    action: z.literal('runBatch'),
    payload: z
      .object({
        entries: z.array(newEntrySchema).min(1, 'needs at least one entry').max(MAX_INBOX_ENTRIES),
        /** Working directory for entries without their own; the inbox's default otherwise. */
        cwd: absolutePath.optional(),
        /** Why the sender proposes it; shown to the person who approves. */
        reason: z.string().max(2000).optional(),
        stopOnFailure: z.boolean().optional(),
      })
      .strict(),
    constraints: z.object({ maxRuntimeMs: z.number().int().min(100).max(MAX_RUNTIME_MS) }).strict(),
    hmac: z.string().regex(HMAC_BASE64, 'must be the base64 of an HMAC-SHA256 (44 characters)'),
  })
  .strict();

export type CommandDocument = z.infer<typeof commandDocumentSchema>;

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
  if (typeof value.action === 'string' && value.action !== 'runBatch') {
    return fail('UNSUPPORTED_ACTION', `action ${JSON.stringify(value.action.slice(0, 64))} is not supported; the only action is "runBatch"`);
  }
  const entries = isPlainObject(value.payload) ? value.payload.entries : undefined;
  if (Array.isArray(entries) && entries.length > MAX_INBOX_ENTRIES) {
    return fail('TOO_MANY_ENTRIES', `a command holds at most ${MAX_INBOX_ENTRIES} entries; this one has ${entries.length}`);
  }
  const parsed = commandDocumentSchema.safeParse(value);
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
  const tooLong = command.payload.entries.findIndex((entry) => entry.timeoutMs !== undefined && entry.timeoutMs > limit);
  if (tooLong !== -1) {
    return fail('OVER_LIMIT', `payload.entries.${tooLong}.timeoutMs (${command.payload.entries[tooLong]?.timeoutMs} ms) is beyond constraints.maxRuntimeMs (${limit} ms)`);
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
