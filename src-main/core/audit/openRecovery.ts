import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, open, rename } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { checkpointPathFor, syncDirectory } from './checkpoint.js';
import { AuditError, errnoCode } from './errors.js';
import { GENESIS_HASH, type AuditEventInput } from './events.js';
import type { LogScan } from './scanLog.js';
import { pendingKeyPathFor, sealKeyPathFor } from './sealKeyFile.js';
import { listSegments } from './segments.js';

/**
 * What to do when the existing log fails verification at open:
 * - `fail` (default): leave every byte as it is and reject with `AUDIT_TAMPERED`. Nothing is
 *   appended, so the evidence stays exactly as found and a person decides what happens next.
 * - `quarantine`: move the log and its checkpoint aside, unchanged, to
 *   `<log>.tampered-<time>` (+ `.head`), and start a new chain whose first record is an
 *   `AUDIT_RECOVERED` naming the moved file, its size and SHA-256, and the first bad record.
 *   Appending after the damage instead would leave a log that can never verify again, and
 *   repairing it in place would launder the tampering.
 */
export type TamperedLogPolicy = 'fail' | 'quarantine';

export interface AppendStart {
  /** The record new appends chain to. */
  head: { seq: number; hash: string };
  /** An `AUDIT_RECOVERED` event to append first, when open repaired or quarantined something. */
  recovery: AuditEventInput | undefined;
}

/**
 * Turns a scan of the existing log into a state that can be appended to, repairing only what a
 * crash can cause: a torn last line (cut off; its length and SHA-256 are recorded, not its
 * bytes) and a checkpoint one record behind (rewritten by the next append). Anything else is
 * handled by `policy`.
 */
export async function prepareForAppend(logPath: string, scan: LogScan, policy: TamperedLogPolicy, clock: () => Date): Promise<AppendStart> {
  if (scan.firstBad) {
    const { firstBad } = scan;
    const where = firstBad.seq === undefined ? `line ${firstBad.line}` : `record ${firstBad.seq} (line ${firstBad.line})`;
    if (policy === 'fail') {
      throw new AuditError(
        'AUDIT_TAMPERED',
        `the audit log ${logPath} fails verification at ${where}: ${firstBad.reason} — ${firstBad.message}. It was left untouched; inspect it with \`leash audit verify\`.`,
        { firstBad, records: scan.records },
      );
    }
    return quarantine(logPath, scan, `${firstBad.reason} at ${where}`, clock());
  }
  const notes: string[] = [];
  const details: Record<string, string | number | null> = {};
  if (scan.torn) {
    await cutTo(logPath, scan.torn.start);
    notes.push(`cut a torn last line of ${scan.torn.bytes} bytes (line ${scan.torn.line}) left by a crash mid-write`);
    Object.assign(details, { tornLine: scan.torn.line, tornBytes: scan.torn.bytes, tornSha256: scan.torn.sha256 });
  }
  if (scan.checkpointLag > 0) {
    const was = scan.checkpoint.kind === 'ok' ? scan.checkpoint.checkpoint.seq : null;
    notes.push(`the head checkpoint was ${was === null ? 'missing' : `at seq ${was}`} and lagged the log by ${scan.checkpointLag} chain-valid record (a crash between append and checkpoint)`);
    Object.assign(details, { checkpointSeq: was, logSeq: scan.head?.seq ?? 0 });
  }
  const head = { seq: scan.head?.seq ?? 0, hash: scan.head?.hash ?? GENESIS_HASH };
  if (notes.length === 0) return { head, recovery: undefined };
  return { head, recovery: { event: 'AUDIT_RECOVERED', reason: `${notes.join('; ')}.`, details } };
}

async function cutTo(logPath: string, length: number): Promise<void> {
  const handle = await open(logPath, 'r+');
  try {
    await handle.truncate(length);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function quarantine(logPath: string, scan: LogScan, what: string, now: Date): Promise<AppendStart> {
  const target = await unusedPath(`${logPath}.tampered-${now.toISOString().replace(/:/g, '-')}`);
  const details: Record<string, string | number> = { quarantinedAs: basename(target), firstBadReason: scan.firstBad?.reason ?? 'UNKNOWN', firstBadLine: scan.firstBad?.line ?? 0, verifiedRecords: scan.records };
  if (scan.firstBad?.seq !== undefined) details.firstBadSeq = scan.firstBad.seq;
  if (scan.exists) {
    Object.assign(details, await fileDigest(logPath));
    await rename(logPath, target);
  }
  // The segment's sealing key and any verification key still waiting go with it: they are what
  // checks its seals, and the new segment gets a key of its own.
  for (const [from, to] of [
    [checkpointPathFor(logPath), checkpointPathFor(target)],
    [sealKeyPathFor(logPath), sealKeyPathFor(target)],
    [pendingKeyPathFor(logPath), pendingKeyPathFor(target)],
  ] as const) {
    await rename(from, to).catch((error: unknown) => {
      if (errnoCode(error) !== 'ENOENT') throw error;
    });
  }
  // A rotated trail is one chain: its sealed segments go aside with it, keeping their names after
  // the quarantined log's (`audit.jsonl.tampered-<time>.audit.000001.jsonl`).
  const segments = await listSegments(logPath);
  for (const segment of segments) await rename(segment.path, `${target}.${segment.name}`);
  if (segments.length > 0) details.quarantinedSegments = segments.length;
  await syncDirectory(dirname(logPath));
  return {
    head: { seq: 0, hash: GENESIS_HASH },
    recovery: { event: 'AUDIT_RECOVERED', reason: `the previous log failed verification (${what}); it was moved unchanged to ${basename(target)} and a new chain started.`, details },
  };
}

async function unusedPath(base: string): Promise<string> {
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? base : `${base}-${n}`;
    try {
      await access(candidate);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return candidate;
      throw error;
    }
  }
}

async function fileDigest(path: string): Promise<{ quarantinedBytes: number; quarantinedSha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { quarantinedBytes: bytes, quarantinedSha256: hash.digest('hex') };
}
