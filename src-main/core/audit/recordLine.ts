import * as crypto from 'node:crypto';
import { canonicalJson, CanonicalJsonError, compareCodePoints, quoteString, sortKeys } from '../json/canonicalJson.js';
import type { AuditRecord } from './events.js';

const HEX64 = /^[0-9a-f]{64}$/;

/** `crypto.hash` (Node >= 20.12) hashes a short string in one call, without a Hash object. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: 'hex') => string }).hash;

export function sha256Hex(data: string | Uint8Array): string {
  return oneShotHash ? oneShotHash('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex');
}

/**
 * Serializes a record twice in one pass: `body` is the canonical JSON without `hash` (what is
 * hashed) and `line` is the canonical JSON with it (what is stored). Each value is serialized once
 * and the two texts differ only by the `"hash":"…"` member, spliced in where `hash` sorts, so
 * sealing and checking cost one serialization instead of two.
 */
function canonicalForms(fields: Readonly<Record<string, unknown>>): { line: string; hash: string } {
  const keys = sortKeys(Object.keys(fields));
  let body = '{';
  let insertAt = -1;
  for (const key of keys) {
    if (key === 'hash') continue;
    if (insertAt === -1 && compareCodePoints(key, 'hash') > 0) insertAt = body.length;
    body += `${body.length === 1 ? '' : ','}${quoteString(key)}:${canonicalJson(fields[key])}`;
  }
  body += '}';
  const hash = sha256Hex(body);
  const member = `"hash":"${hash}"`;
  let line: string;
  if (insertAt === -1) line = `${body.slice(0, -1)}${body.length === 2 ? '' : ','}${member}}`;
  else if (insertAt === 1) line = `{${member},${body.slice(1)}`;
  // insertAt is where the `,` before the first later member starts.
  else line = `${body.slice(0, insertAt)},${member}${body.slice(insertAt)}`;
  return { line, hash };
}

/**
 * Adds the chain fields to checked event fields and returns the record and its line (canonical
 * JSON plus `\n`). Throws `CanonicalJsonError` when `fields` hold a value canonical JSON refuses.
 */
export function sealRecord(fields: Readonly<Record<string, unknown>>, chain: { seq: number; ts: string; prevHash: string }): { record: AuditRecord; line: string } {
  const unsealed = { ...fields, seq: chain.seq, ts: chain.ts, prevHash: chain.prevHash };
  const { hash, line } = canonicalForms(unsealed);
  return { record: { ...unsealed, hash } as AuditRecord, line: `${line}\n` };
}

export type LineInspection =
  | { ok: true; record: AuditRecord }
  | { ok: false; reason: 'MALFORMED' | 'EDITED'; message: string; record?: AuditRecord };

/**
 * Checks one stored line (without its `\n`) on its own: it must be JSON with the chain fields,
 * its `hash` must be the SHA-256 of the rest, and its bytes must be exactly the canonical form
 * (so even an edit that keeps the meaning, like added spaces, is caught). Linking to the previous
 * record is the chain checker's job.
 */
export function inspectRecordLine(text: string): LineInspection {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'MALFORMED', message: 'the line is not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: 'MALFORMED', message: 'the line is not a JSON object' };
  }
  const record = parsed as Record<string, unknown>;
  const missing = chainFieldProblem(record);
  if (missing) return { ok: false, reason: 'MALFORMED', message: missing };
  let forms: { hash: string; line: string };
  try {
    forms = canonicalForms(record);
  } catch (error) {
    if (!(error instanceof CanonicalJsonError)) throw error;
    return { ok: false, reason: 'MALFORMED', message: `the record holds a value canonical JSON cannot represent (${error.message})` };
  }
  const typed = record as unknown as AuditRecord;
  if (forms.hash !== typed.hash) {
    return { ok: false, reason: 'EDITED', message: `content does not match its hash (stored ${typed.hash}, computed ${forms.hash})`, record: typed };
  }
  if (forms.line !== text) {
    return { ok: false, reason: 'EDITED', message: 'the line bytes differ from the canonical form of the record', record: typed };
  }
  return { ok: true, record: typed };
}

function chainFieldProblem(record: Record<string, unknown>): string | undefined {
  if (!Number.isSafeInteger(record.seq) || (record.seq as number) < 1) return '"seq" is missing or not a positive integer';
  if (typeof record.ts !== 'string') return '"ts" is missing or not a string';
  if (typeof record.event !== 'string') return '"event" is missing or not a string';
  if (typeof record.prevHash !== 'string' || !HEX64.test(record.prevHash)) return '"prevHash" is missing or not 64 lowercase hex digits';
  if (typeof record.hash !== 'string' || !HEX64.test(record.hash)) return '"hash" is missing or not 64 lowercase hex digits';
  return undefined;
}
