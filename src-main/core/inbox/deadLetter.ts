import { join } from 'node:path';
import { createFileAtomic, jsonText } from './folder.js';
import { dlqReason, type InboxRejection } from './reasons.js';

/**
 * A dead letter: `dead_letter/<id>.json` (or `_unnamed-<sha256 prefix>.json` when the file has no
 * usable id), holding the reason and the original. A name already taken (the same id refused
 * twice, or a forgery that borrowed a real id) is never overwritten: the next free `<name>~N.json`
 * is used. The original is embedded as the parsed document when it was JSON, otherwise as text
 * (UTF-8) or base64. A file over the size limit is not read: its first 4 KiB are kept, with the
 * length and SHA-256 of the whole.
 */
export interface DeadLetterInput {
  rejection: InboxRejection;
  /** The file's name in commands/. */
  file: string;
  receivedAt: string;
  /** Length of the whole original. */
  size: number;
  inputSha256: string;
  /** The whole original, or (TOO_LARGE) its first bytes. */
  bytes: Buffer;
  complete: boolean;
  document?: unknown;
  id?: string;
  /** The batch that was interrupted (INTERRUPTED only). */
  batchId?: string;
}

export const DEAD_LETTER_HEAD_BYTES = 4096;

export function deadLetterRecord(input: DeadLetterInput): Record<string, unknown> {
  const record: Record<string, unknown> = {
    schemaVersion: 1,
    reason: input.rejection.code,
    /** The plan's spelling of the reason (`expired`, `path_escape`), as in the commit message `bridge: DLQ <reason>`. */
    dlq_reason: dlqReason(input.rejection.code),
    message: input.rejection.message,
    id: input.id ?? null,
    file: input.file,
    received_at: input.receivedAt,
    input_bytes: input.size,
    input_sha256: input.inputSha256,
  };
  if (input.batchId !== undefined) record.batch_id = input.batchId;
  if (!input.complete) record.original_head_base64 = input.bytes.subarray(0, DEAD_LETTER_HEAD_BYTES).toString('base64');
  else if (input.document !== undefined) record.original = input.document;
  else {
    const text = asUtf8(input.bytes);
    if (text !== null) record.original_text = text;
    else record.original_base64 = input.bytes.toString('base64');
  }
  return record;
}

function asUtf8(bytes: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** Writes the dead letter without overwriting anything; returns its path relative to the inbox folder. */
export async function writeDeadLetter(deadLetterDir: string, input: DeadLetterInput): Promise<string> {
  const base = input.id ?? `_unnamed-${input.inputSha256.slice(0, 16)}`;
  const content = jsonText(deadLetterRecord(input));
  for (let n = 1; ; n++) {
    const name = n === 1 ? `${base}.json` : `${base}~${n}.json`;
    if (await createFileAtomic(join(deadLetterDir, name), content)) return `dead_letter/${name}`;
  }
}
