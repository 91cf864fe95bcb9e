import { open, type FileHandle } from 'node:fs/promises';
import { AuditError, errnoCode } from './errors.js';
import type { AuditRecord } from './events.js';
import { listSegments, type AuditSegment } from './segments.js';

export type AuditTailEntry =
  | { ok: true; record: AuditRecord }
  /** A line that is not a record (`MALFORMED`), or an unterminated last line (`TORN`). */
  | { ok: false; reason: 'MALFORMED' | 'TORN'; text: string };

const CHUNK_BYTES = 64 * 1024;
/** Enough of a bad line for a person to recognize it. */
const MAX_SHOWN = 200;

/**
 * The last `count` lines of the log, oldest first, for people to read. Reads backwards from the
 * end, so it costs the same on a huge log as on a small one; it does NOT verify the chain (that
 * is `verifyAudit`). In a rotated trail the lines run on into the sealed segments before the
 * active log (newest first) when it holds fewer than `count`. Throws {@link AuditError} `AUDIT_NOT_FOUND` / `AUDIT_UNREADABLE`.
 */
export async function readAuditTail(logPath: string, count: number): Promise<AuditTailEntry[]> {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  let handle: FileHandle;
  try {
    handle = await open(logPath, 'r');
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') throw new AuditError('AUDIT_NOT_FOUND', `no audit log at ${logPath}`, { path: logPath });
    throw new AuditError('AUDIT_UNREADABLE', `cannot read the audit log ${logPath}: ${code ?? 'EIO'}`, { path: logPath, errno: code });
  }
  let entries: AuditTailEntry[];
  try {
    entries = count === 0 ? [] : toEntries(await readLastLines(handle, count), count);
  } finally {
    await handle.close();
  }
  // A rotated trail goes on in its sealed segments, newest first, until `count` lines are read.
  if (entries.length < count) {
    const segments = await listSegments(logPath).catch(() => []);
    for (let index = segments.length - 1; index >= 0 && entries.length < count; index--) {
      const older = await open((segments[index] as AuditSegment).path, 'r').catch(() => undefined);
      if (!older) break;
      try {
        const wanted = count - entries.length;
        entries = [...toEntries(await readLastLines(older, wanted), wanted), ...entries];
      } finally {
        await older.close();
      }
    }
  }
  return entries;
}

/** Reads whole chunks from the end until they hold `count` complete lines or the file starts. */
async function readLastLines(handle: FileHandle, count: number): Promise<{ text: string; fromStart: boolean }> {
  const size = (await handle.stat()).size;
  const chunks: Buffer[] = [];
  let position = size;
  let newlines = 0;
  // One more newline than lines wanted: the one that ends the line before the first we keep.
  while (position > 0 && newlines <= count) {
    const length = Math.min(CHUNK_BYTES, position);
    position -= length;
    const chunk = Buffer.alloc(length);
    await handle.read(chunk, 0, length, position);
    for (const byte of chunk) if (byte === 0x0a) newlines++;
    chunks.unshift(chunk);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), fromStart: position === 0 };
}

function toEntries({ text, fromStart }: { text: string; fromStart: boolean }, count: number): AuditTailEntry[] {
  const lines = text.split('\n');
  const unterminated = lines.pop() ?? '';
  if (!fromStart) lines.shift();
  const entries: AuditTailEntry[] = lines.map(parseEntry);
  if (unterminated !== '') entries.push({ ok: false, reason: 'TORN', text: unterminated.slice(0, MAX_SHOWN) });
  return entries.slice(-count);
}

function parseEntry(line: string): AuditTailEntry {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as AuditRecord).seq === 'number' && typeof (value as AuditRecord).event === 'string') {
      return { ok: true, record: value as AuditRecord };
    }
  } catch {
    // Falls through to the malformed entry.
  }
  return { ok: false, reason: 'MALFORMED', text: line.slice(0, MAX_SHOWN) };
}
