import { timingSafeEqual } from 'node:crypto';
import { canonicalJson, CanonicalJsonError } from '../json/canonicalJson.js';
import { HMAC_BASE64, isPlainObject } from './commandFile.js';
import { rejection, type InboxRejection } from './reasons.js';
import { NO_SECRET_MESSAGE, type InboxKey } from './secrets.js';

/**
 * Command signatures: `hmac` is the base64 HMAC-SHA256 of the canonical JSON of the document
 * without its `hmac` field, the exact bytes Python writes with
 * `json.dumps(doc, sort_keys=True, separators=(',', ':'))`, so a signer is a few lines of Python:
 *
 * ```python
 * body = {k: v for k, v in doc.items() if k != "hmac"}
 * text = json.dumps(body, sort_keys=True, separators=(",", ":"))
 * doc["hmac"] = base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()).decode()
 * ```
 */

/** The bytes that are signed. Throws {@link CanonicalJsonError} for floats and other values without a canonical form. */
export function signedBytes(document: Record<string, unknown>): Buffer {
  // A null-prototype copy: a `__proto__` key is then an ordinary key, as it is in JSON and in Python.
  const body = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(document)) if (key !== 'hmac') body[key] = value;
  return Buffer.from(canonicalJson(body), 'utf8');
}

/** The `hmac` value for `document` under `key`. */
export function computeHmac(document: Record<string, unknown>, key: InboxKey): string {
  return key.hmac(signedBytes(document)).toString('base64');
}

/** A copy of `document` with `hmac` set (replacing any old one), keys in their original order. */
export function signDocument(document: Record<string, unknown>, key: InboxKey): Record<string, unknown> {
  return { ...document, hmac: computeHmac(document, key) };
}

export type SignatureCheck = { ok: true; verifiedWith: string } | { ok: false; rejection: InboxRejection };

/**
 * Verifies `document.hmac` against every key. Comparisons are constant time and every key is
 * tried (no early exit), so timing shows neither how much of a forgery matched nor which key
 * would have. Returns the label of the first key that matches.
 *
 * Codes: `SCHEMA_INVALID` when there is no well-formed `hmac` or the document has no canonical
 * form (floats, unsafe integers), `NO_SECRET` with no keys, `BAD_SIGNATURE` when none matches.
 */
export function verifySignature(document: unknown, keys: readonly InboxKey[]): SignatureCheck {
  if (!isPlainObject(document)) return fail('SCHEMA_INVALID', 'a command must be a JSON object');
  const given = document.hmac;
  if (given === undefined) return fail('SCHEMA_INVALID', 'hmac: missing; the command is not signed');
  if (typeof given !== 'string' || !HMAC_BASE64.test(given)) return fail('SCHEMA_INVALID', 'hmac: must be the base64 of an HMAC-SHA256 (44 characters)');
  let bytes: Buffer;
  try {
    bytes = signedBytes(document);
  } catch (error) {
    if (!(error instanceof CanonicalJsonError)) throw error;
    return fail('SCHEMA_INVALID', `the command has no canonical JSON form to verify (${error.message}); numbers must be integers`);
  }
  if (keys.length === 0) return fail('NO_SECRET', NO_SECRET_MESSAGE);
  const expected = Buffer.from(given, 'base64');
  let match: string | undefined;
  for (const key of keys) {
    if (timingSafeEqual(key.hmac(bytes), expected) && match === undefined) match = key.label;
  }
  if (match === undefined) return fail('BAD_SIGNATURE', `the hmac does not match under any of the ${keys.length} configured inbox secret${keys.length === 1 ? '' : 's'}`);
  return { ok: true, verifiedWith: match };
}

function fail(code: InboxRejection['code'], message: string): SignatureCheck {
  return { ok: false, rejection: rejection(code, message) };
}
