import { createHash } from 'node:crypto';
import { access, open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { ChainChecker, type ChainLink, type FirstBad } from './chainChecker.js';
import { readCheckpoint, type AuditCheckpoint, type CheckpointRead } from './checkpoint.js';
import { errnoCode } from './errors.js';
import { MAX_LINE_BYTES, readLogLines } from './lineReader.js';
import { inspectRecordLine } from './recordLine.js';
import type { AuditRecord } from './events.js';
import { listSegments, type AuditSegment } from './segments.js';
import { SealTracker } from './sealTracker.js';

/** An unterminated last line: what a crash in the middle of a write leaves. */
export interface TornTail {
  line: number;
  /** Byte offset where the torn line starts (the log is cut back to here). */
  start: number;
  bytes: number;
  /** SHA-256 of the torn bytes, kept as evidence instead of the bytes themselves. */
  sha256: string;
}

/** Everything open and verify need to know about a log, read in one streaming pass. */
export interface LogScan {
  /** Whether the trail exists: the active log or any sealed segment (a missing log with a checkpoint means it was deleted). */
  exists: boolean;
  /** Whether the active log file exists (after a rotation that crashed it may not yet). */
  activeExists: boolean;
  /** The sealed segments' file names, oldest first (empty for a trail never rotated). */
  segments: string[];
  /** Records that chain correctly, from the first, before any problem. */
  records: number;
  head: ChainLink | undefined;
  /** Byte offset just past the last good record. */
  goodEnd: number;
  torn: TornTail | undefined;
  /** The first problem other than a torn tail; undefined when the chain and checkpoint agree. */
  firstBad: FirstBad | undefined;
  /** Records after the checkpoint's (0, or 1 after a crash between append and checkpoint). */
  checkpointLag: number;
  checkpoint: CheckpointRead;
  /** The seals seen (all of them in a full scan; from the checkpoint on in an incremental one). */
  seals: SealTracker;
  /** Whether this scan started at the checkpoint instead of the first record. */
  incremental: boolean;
}

export interface ScanOptions {
  /** The verification key of one key id: seals made with it have their MACs checked. */
  verification?: { key: Buffer; keyId: string };
  /**
   * Start at the record the checkpoint names (after checking that record and its offset) instead
   * of the first one; falls back to a full scan whenever that record cannot be confirmed. Only for
   * a writer that holds the lock: nothing is appending meanwhile.
   */
  incremental?: boolean;
}

/**
 * How often to follow a log that grew while being read (a live writer) before judging it. Every
 * pass after the first reads only what was appended meanwhile, so passes get short quickly.
 */
const MAX_PASSES = 20;

/**
 * Reads the log once, checking the chain as it streams, then compares the head checkpoint.
 *
 * The checkpoint is read after the log, not before: a live writer updates it right after each
 * append, so read in this order it can be at most one record behind what was read, and if it is
 * ahead the log grew meanwhile and the new lines are read too (likewise for a last line caught
 * half written). Read the other way round, an append during the scan would look like tampering.
 */
export async function scanAuditLog(logPath: string, options: ScanOptions = {}): Promise<LogScan> {
  const segments = await listSegments(logPath);
  if (options.incremental) {
    const resumed = await scanFromCheckpoint(logPath, segments);
    if (resumed) return resumed;
  }
  const seals = new SealTracker(options.verification);
  const checker = new ChainChecker((record, line) => seals.observe(record, line));
  const base = { torn: undefined, checkpointLag: 0, seals, incremental: false, segments: segments.map((segment) => segment.name) };
  // Sealed segments first, in order, as one chain; they are never written again, so a partial
  // last line there is damage, not a crash to repair.
  for (const segment of segments) {
    const handle = await open(segment.path, 'r');
    try {
      checker.startFile();
      const torn = await feed(handle, checker, (await handle.stat()).size);
      checker.finish();
      if (torn && !checker.failure) checker.failure = { line: torn.line, reason: 'TORN', message: `the sealed segment ends in a partial line of ${torn.bytes} bytes: segments are complete when sealed, so it was cut or edited` };
    } finally {
      await handle.close();
    }
    if (checker.failure) {
      const checkpoint = await readCheckpoint(logPath);
      return { ...base, exists: true, activeExists: await exists(logPath), records: checker.records, head: checker.head, goodEnd: 0, firstBad: { ...checker.failure, segment: segment.name }, checkpoint };
    }
  }
  checker.startFile();
  const named = (scan: LogScan): LogScan => (segments.length > 0 && scan.firstBad && scan.firstBad.segment === undefined ? { ...scan, firstBad: { ...scan.firstBad, segment: basename(logPath) } } : scan);
  let handle: FileHandle | undefined;
  try {
    handle = await open(logPath, 'r');
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
  if (!handle) {
    // No active log: a fresh trail, a deleted one, or a rotation that crashed after its rename.
    const checkpoint = await readCheckpoint(logPath);
    const scan: LogScan = { ...base, exists: segments.length > 0, activeExists: false, records: checker.records, head: checker.head, goodEnd: 0, firstBad: undefined, checkpoint };
    return named({ ...scan, ...compareCheckpoint(checker, checkpoint) });
  }
  try {
    let torn: TornTail | undefined;
    let checkpoint: CheckpointRead = { kind: 'missing' };
    for (let pass = 1; pass <= MAX_PASSES; pass++) {
      const size = (await handle.stat()).size;
      torn = await feed(handle, checker, size);
      checker.finish();
      checkpoint = await readCheckpoint(logPath);
      // A checkpoint ahead of what was read, or a last line without its newline, is what a
      // writer appending right now looks like; if the file grew, read on before judging.
      const behind = checkpoint.kind === 'ok' && checkpoint.checkpoint.seq > checker.records;
      if (checker.failure || (!behind && !torn) || (await handle.stat()).size === size) break;
    }
    const scan: LogScan = { ...base, exists: true, activeExists: true, records: checker.records, head: checker.head, goodEnd: checker.goodEnd, torn, firstBad: checker.failure, checkpoint };
    if (checker.failure) return named(scan);
    return named({ ...scan, ...compareCheckpoint(checker, checkpoint, torn) });
  } finally {
    await handle.close();
  }
}

/**
 * The incremental open: confirm the record the checkpoint names (its bytes end at the
 * checkpoint's offset, it is intact, and its seq, hash and ts are the checkpoint's), then check
 * only what follows it. Costs the same at any history (and any number of sealed segments: they
 * are not read). The record is in the active log, or, right after a rotation (the checkpoint
 * names the segment, or a crash came between the rename and the checkpoint), at the end of the
 * newest segment; the active log is then checked from its start. Returns undefined, for a full
 * scan, when anything about that record cannot be confirmed: the full scan then names the problem.
 */
async function scanFromCheckpoint(logPath: string, segments: AuditSegment[]): Promise<LogScan | undefined> {
  const checkpoint = await readCheckpoint(logPath);
  if (checkpoint.kind !== 'ok' || checkpoint.checkpoint.offset === undefined) return undefined;
  const mark = checkpoint.checkpoint;
  const latest = segments[segments.length - 1];
  let start = 0;
  let record = mark.segment === undefined ? await recordEndingAt(logPath, mark.offset as number) : undefined;
  if (record && matches(record, mark)) start = mark.offset as number;
  else {
    record = latest && (mark.segment === undefined || mark.segment === latest.name) ? await recordEndingAt(latest.path, mark.offset as number) : undefined;
    if (!record || !matches(record, mark)) return undefined;
  }
  const seals = new SealTracker(undefined, sealPositionOf(mark));
  const link: ChainLink = { seq: record.seq, hash: record.hash, prevHash: record.prevHash, ts: record.ts, line: start === 0 ? 0 : record.seq };
  const checker = new ChainChecker((next, line) => seals.observe(next, line), { link, end: start });
  seals.resumeAfter(record.seq);
  const base = { checkpointLag: 0, checkpoint, seals, incremental: true, segments: segments.map((segment) => segment.name) };
  let handle: FileHandle;
  try {
    handle = await open(logPath, 'r');
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT' || start !== 0) throw error;
    return { ...base, exists: true, activeExists: false, records: checker.records, head: checker.head, goodEnd: 0, torn: undefined, firstBad: undefined };
  }
  try {
    const torn = await feed(handle, checker, (await handle.stat()).size);
    checker.finish();
    const scan: LogScan = { ...base, exists: true, activeExists: true, records: checker.records, head: checker.head, goodEnd: checker.goodEnd, torn, firstBad: checker.failure };
    if (checker.failure) return scan;
    return { ...scan, ...compareCheckpoint(checker, checkpoint, torn) };
  } finally {
    await handle.close();
  }
}

function matches(record: AuditRecord, mark: AuditCheckpoint): boolean {
  return record.seq === mark.seq && record.hash === mark.hash && record.ts === mark.ts;
}

/** The intact record whose line ends at byte `end` of the file at `path`, if there is one. */
async function recordEndingAt(path: string, end: number): Promise<AuditRecord | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    if ((await handle.stat()).size < end) return undefined;
    const text = await lineEndingAt(handle, end);
    if (text === undefined) return undefined;
    const inspection = inspectRecordLine(text);
    return inspection.ok ? inspection.record : undefined;
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function sealPositionOf(mark: AuditCheckpoint): { keyId: string | undefined; epoch: number; sealSeq: number } {
  if (mark.sealKeyId === undefined) return { keyId: undefined, epoch: -1, sealSeq: 0 };
  return { keyId: mark.sealKeyId, epoch: mark.sealEpoch ?? -1, sealSeq: mark.sealSeq ?? 0 };
}

/** The text of the line whose `\n` is the byte before `end`, read backwards; undefined if there is none. */
async function lineEndingAt(handle: FileHandle, end: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let position = end;
  let total = 0;
  while (position > 0 && total <= MAX_LINE_BYTES) {
    const length = Math.min(64 * 1024, position);
    position -= length;
    const chunk = Buffer.alloc(length);
    await handle.read(chunk, 0, length, position);
    chunks.unshift(chunk);
    total += length;
    const joined = Buffer.concat(chunks);
    if (joined[joined.length - 1] !== 0x0a) return undefined;
    const start = joined.lastIndexOf(0x0a, joined.length - 2);
    if (start !== -1) return joined.toString('latin1', start + 1, joined.length - 1);
    if (position === 0) return joined.toString('latin1', 0, joined.length - 1);
  }
  return undefined;
}

/** Feeds the lines after the last good record; returns the torn tail, if that is what ends them. */
async function feed(handle: FileHandle, checker: ChainChecker, size: number): Promise<TornTail | undefined> {
  const firstNumber = checker.head?.line ?? 0;
  for await (const line of readLogLines(handle, checker.goodEnd, size)) {
    const numbered = { ...line, number: line.number + firstNumber };
    if (!numbered.terminated && checker.failure === undefined && !checker.isDiagnosing) {
      return { line: numbered.number, start: line.start, bytes: line.end - line.start, sha256: await hashRange(handle, line.start, line.end) };
    }
    if (!checker.push(numbered)) break;
  }
  return undefined;
}

function compareCheckpoint(checker: ChainChecker, read: CheckpointRead, torn?: TornTail): Pick<LogScan, 'firstBad' | 'checkpointLag'> {
  const records = checker.records;
  const end = records + 1;
  const mismatch = (message: string, seq?: number): Pick<LogScan, 'firstBad' | 'checkpointLag'> => ({
    firstBad: { seq, line: seq ?? end, reason: 'CHECKPOINT_MISMATCH', message },
    checkpointLag: 0,
  });
  if (read.kind === 'invalid') return mismatch(read.message);
  if (read.kind === 'missing') {
    // Only the very first append can crash before any checkpoint exists.
    if (records <= 1) return { firstBad: undefined, checkpointLag: records };
    return mismatch(`the head checkpoint is missing but the log holds ${records} records`);
  }
  const { checkpoint } = read;
  if (checkpoint.seq > records) {
    const cut = checkpoint.seq - records;
    const tornNote = torn ? ` (and ${torn.bytes} bytes of a torn line remain)` : '';
    const message = `the head checkpoint records seq ${checkpoint.seq} but the log ends at seq ${records}: ${cut} record${cut === 1 ? ' was' : 's were'} cut off${tornNote}`;
    return { firstBad: { seq: records + 1, line: end, reason: 'TRUNCATED', message }, checkpointLag: 0 };
  }
  const lag = records - checkpoint.seq;
  if (lag > 1) {
    return mismatch(`the head checkpoint is at seq ${checkpoint.seq}, ${lag} records behind the log; a crash leaves at most one`, checkpoint.seq + 1);
  }
  const link = lag === 0 ? checker.head : checker.beforeHead;
  if (!link || link.hash !== checkpoint.hash || link.ts !== checkpoint.ts) {
    return mismatch(`the head checkpoint names a different record ${checkpoint.seq} (hash ${checkpoint.hash})`, checkpoint.seq);
  }
  return { firstBad: undefined, checkpointLag: lag };
}

async function hashRange(handle: FileHandle, start: number, end: number): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  for (let position = start; position < end; ) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, end - position), position);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return hash.digest('hex');
}
