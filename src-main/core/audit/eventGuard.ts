import { AuditError } from './errors.js';
import { isAuditEventName, OPTIONAL_FIELDS, type AuditEventInput } from './events.js';

/**
 * Key names that suggest a secret. The audit trail is read by people and copied into bug reports,
 * so anything that looks like a credential is refused outright rather than redacted: a caller that
 * trips this has a bug, and a silent redaction would hide it.
 */
const SECRET_KEY = /token|secret|passw(or)?d|passphrase|api[-_]?key|private[-_]?key|credential|cookie|authori[sz]ation/i;

/** Fingerprints are derived to be shown (they identify a token without revealing it). */
const ALLOWED_IN_DETAILS = /fingerprint$/i;

/** Output is represented by its SHA-256 and length, never by its text. */
const RAW_OUTPUT_KEY = /^(stdout|stderr|output|combinedOutput)$/i;

const STRING_FIELDS = new Set(['batchId', 'entryId', 'tool', 'command', 'approvedBy', 'signal', 'reason']);
const COUNT_FIELDS = new Set(['durationMs', 'stdoutBytes', 'stderrBytes']);
const SHA256_FIELDS = new Set(['stdoutSha256', 'stderrSha256']);
const KNOWN_FIELDS = new Set<string>(['event', ...OPTIONAL_FIELDS]);
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Checks an event before it is sealed and returns a copy holding only the fields that are set.
 *
 * Throws {@link AuditError} `AUDIT_FORBIDDEN_FIELD` for a key (at the top level or anywhere inside
 * `details`) named like a token, secret, password or raw output (`stdout`, `stderr`, `output`),
 * except keys ending in `fingerprint` inside `details`; `AUDIT_INVALID_EVENT` for an unknown event
 * or field, or a value of the wrong type. Properties that are `undefined`, at the top level or in
 * `details`, are left out. Values inside `details` are checked when the record is sealed, by
 * canonical JSON (integers only).
 */
export function checkAuditEvent(input: AuditEventInput): Record<string, unknown> {
  if (typeof input !== 'object' || input === null) throw invalid('an audit event must be an object');
  if (!isAuditEventName(input.event)) throw invalid(`unknown audit event ${JSON.stringify(input.event)}`);
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    refuseForbiddenKey(key, `event field "${key}"`);
    if (!KNOWN_FIELDS.has(key)) throw invalid(`unknown audit field "${key}"`);
    if (value === undefined) continue;
    checkFieldValue(key, value);
    fields[key] = value;
  }
  if (fields.details !== undefined) fields.details = copyDetails(fields.details, 'details');
  return fields;
}

function checkFieldValue(key: string, value: unknown): void {
  if (STRING_FIELDS.has(key)) {
    if (typeof value !== 'string') throw invalid(`"${key}" must be a string`);
  } else if (COUNT_FIELDS.has(key)) {
    if (!Number.isSafeInteger(value) || (value as number) < 0) throw invalid(`"${key}" must be a non-negative integer`);
  } else if (SHA256_FIELDS.has(key)) {
    if (typeof value !== 'string' || !SHA256_HEX.test(value)) throw invalid(`"${key}" must be 64 lowercase hex digits`);
  } else if (key === 'exitCode') {
    if (!Number.isSafeInteger(value)) throw invalid('"exitCode" must be an integer');
  } else if (key === 'verdict') {
    if (value !== 'allow' && value !== 'ask' && value !== 'deny') throw invalid('"verdict" must be allow, ask or deny');
  } else if (key === 'details') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('"details" must be an object');
  }
}

/**
 * Copies `details`, checking every key on the way and dropping object properties that are
 * `undefined` (absent, as at the top level). Array holes and `undefined` items are kept, for
 * canonical JSON to refuse: dropping them would shift the items after them.
 */
function copyDetails(value: unknown, path: string): unknown {
  if (Array.isArray(value)) return value.map((item: unknown, index) => copyDetails(item, `${path}[${index}]`));
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (!ALLOWED_IN_DETAILS.test(key)) refuseForbiddenKey(key, `"${path}.${key}"`);
    if (inner !== undefined) copy[key] = copyDetails(inner, `${path}.${key}`);
  }
  return copy;
}

function refuseForbiddenKey(key: string, where: string): void {
  if (RAW_OUTPUT_KEY.test(key)) {
    throw new AuditError('AUDIT_FORBIDDEN_FIELD', `${where} would store raw output; record its sha256 and byte count instead`, { key });
  }
  if (SECRET_KEY.test(key)) {
    throw new AuditError('AUDIT_FORBIDDEN_FIELD', `${where} looks like a secret; the audit trail never stores secrets`, { key });
  }
}

function invalid(message: string): AuditError {
  return new AuditError('AUDIT_INVALID_EVENT', message);
}
