import { checkValidityWindow, COMMAND_ID, isPlainObject, MAX_COMMAND_FILE_BYTES, parseCommandDocument, type CommandDocument } from './commandFile.js';
import { rejection, type InboxRejection } from './reasons.js';
import type { InboxKey } from './secrets.js';
import { verifySignature } from './signature.js';

/**
 * Judges the bytes of one command file: accepted (signed, well-formed, in its validity window,
 * never seen) or refused with one precise reason. The order is deliberate:
 *
 * 1. bytes: `EMPTY`, `TOO_LARGE`, `NOT_JSON` (UTF-8 and JSON, nothing else is looked at);
 * 2. authenticity: `SCHEMA_INVALID` for a missing or malformed `hmac` or a document with no
 *    canonical form, `NO_SECRET`, `BAD_SIGNATURE`. Nothing an unauthenticated document says
 *    (its time window, its id, its nonce) is acted on, so a forgery cannot burn an id;
 * 3. contract: `UNSUPPORTED_ACTION`, `TOO_MANY_ENTRIES`, `OVER_LIMIT`, `SCHEMA_INVALID`;
 * 4. time: `EXPIRED`, `NOT_YET_VALID`;
 * 5. replay: `REPLAYED_ID`, `REPLAYED_NONCE`.
 */
export interface JudgeContext {
  keys: readonly InboxKey[];
  nowMs: number;
  /** How far `issued_at` may be ahead of this clock. */
  skewMs: number;
  replayed(id: string, nonce: string): Promise<'REPLAYED_ID' | 'REPLAYED_NONCE' | null>;
}

export type Judgement =
  | { ok: true; command: CommandDocument; verifiedWith: string }
  | {
      ok: false;
      rejection: InboxRejection;
      /** The parsed document, when the bytes were JSON. */
      document?: unknown;
      /** The document's id when it is usable as a file name (signed or not). */
      id?: string;
    };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** No command nests this deep (it needs 4 levels); the bound keeps every walk of a document shallow. */
export const MAX_DEPTH = 32;

/** Whether `value` has arrays or objects nested more than `max` deep; iterative, so any depth is safe to ask about. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

export async function judgeCommandBytes(bytes: Buffer, context: JudgeContext): Promise<Judgement> {
  if (bytes.length === 0) return { ok: false, rejection: rejection('EMPTY', 'the file is empty') };
  if (bytes.length > MAX_COMMAND_FILE_BYTES) {
    return { ok: false, rejection: rejection('TOO_LARGE', `the file has ${bytes.length} bytes; the limit is ${MAX_COMMAND_FILE_BYTES}`) };
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, rejection: rejection('NOT_JSON', 'the file cannot be read as a command: it is not UTF-8 text') };
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { ok: false, rejection: rejection('NOT_JSON', 'the file cannot be read as a command: it is not valid JSON') };
  }
  // Checked before anything recursive (canonical JSON, the schema, the dead letter) walks it.
  if (nestedDeeperThan(document, MAX_DEPTH)) {
    return { ok: false, rejection: rejection('SCHEMA_INVALID', `the document is nested deeper than ${MAX_DEPTH} levels`) };
  }
  const id = isPlainObject(document) && typeof document.id === 'string' && COMMAND_ID.test(document.id) ? document.id : undefined;
  const refuse = (reason: InboxRejection): Judgement => ({ ok: false, rejection: reason, document, id });

  const signature = verifySignature(document, context.keys);
  if (!signature.ok) return refuse(signature.rejection);
  const parsed = parseCommandDocument(document);
  if (!parsed.ok) return refuse(parsed.rejection);
  const command = parsed.command;
  const window = checkValidityWindow(command, context.nowMs, context.skewMs);
  if (window) return refuse(window);
  const replay = await context.replayed(command.id, command.nonce);
  if (replay === 'REPLAYED_ID') return refuse(rejection('REPLAYED_ID', `a command with id ${command.id} was already accepted`));
  if (replay === 'REPLAYED_NONCE') return refuse(rejection('REPLAYED_NONCE', `the nonce was already used by another accepted command`));
  return { ok: true, command, verifiedWith: signature.verifiedWith };
}
