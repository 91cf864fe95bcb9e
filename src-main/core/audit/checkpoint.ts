import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { canonicalJson } from '../json/canonicalJson.js';
import { errnoCode } from './errors.js';

/**
 * The head checkpoint `<log>.head`: the seq, hash and ts of the last record the writer finished.
 * A hash chain on its own cannot show that records were cut off the end (what is left is still a
 * valid chain); the checkpoint can, because it is rewritten after every append and never shrinks.
 */
export interface AuditCheckpoint {
  seq: number;
  hash: string;
  ts: string;
  /**
   * Byte offset just past the record, so the next open can check that record and read on from
   * there instead of the whole log (incremental open; the full check is `verifyAudit`).
   */
  offset?: number;
  /** Where sealing stood at this record (sealTracker.ts): the active key, its last epoch and the last seal's seq. */
  sealKeyId?: string;
  sealEpoch?: number;
  sealSeq?: number;
  /**
   * In a rotated trail, right after a rotation: the sealed segment (file name) that holds this
   * record, `offset` being its end there; the active log is empty. Absent: the active log holds it.
   */
  segment?: string;
}

export type CheckpointRead = { kind: 'missing' } | { kind: 'ok'; checkpoint: AuditCheckpoint } | { kind: 'invalid'; message: string };

export function checkpointPathFor(logPath: string): string {
  return `${logPath}.head`;
}

/** Reads the checkpoint; a damaged one is reported, not thrown, because it is evidence too. */
export async function readCheckpoint(logPath: string): Promise<CheckpointRead> {
  let text: string;
  try {
    text = await readFile(checkpointPathFor(logPath), 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'invalid', message: 'the head checkpoint is not JSON' };
  }
  const candidate = value as Partial<AuditCheckpoint> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    !Number.isSafeInteger(candidate.seq) ||
    (candidate.seq as number) < 1 ||
    typeof candidate.hash !== 'string' ||
    !/^[0-9a-f]{64}$/.test(candidate.hash) ||
    typeof candidate.ts !== 'string'
  ) {
    return { kind: 'invalid', message: 'the head checkpoint lacks a valid seq, hash or ts' };
  }
  const checkpoint: AuditCheckpoint = { seq: candidate.seq as number, hash: candidate.hash, ts: candidate.ts };
  if (candidate.offset !== undefined) {
    if (!Number.isSafeInteger(candidate.offset) || candidate.offset < 1) return { kind: 'invalid', message: 'the head checkpoint has an invalid offset' };
    checkpoint.offset = candidate.offset;
  }
  if (candidate.sealKeyId !== undefined || candidate.sealEpoch !== undefined || candidate.sealSeq !== undefined) {
    const { sealKeyId, sealEpoch, sealSeq } = candidate;
    if (typeof sealKeyId !== 'string' || !/^[0-9a-f]{16}$/.test(sealKeyId) || !Number.isSafeInteger(sealEpoch) || (sealEpoch as number) < -1 || !Number.isSafeInteger(sealSeq) || (sealSeq as number) < 0) {
      return { kind: 'invalid', message: 'the head checkpoint has an invalid seal position' };
    }
    Object.assign(checkpoint, { sealKeyId, sealEpoch, sealSeq });
  }
  if (candidate.segment !== undefined) {
    if (typeof candidate.segment !== 'string' || !/^[^/\\]+$/.test(candidate.segment) || candidate.segment.startsWith('.')) return { kind: 'invalid', message: 'the head checkpoint names an invalid segment' };
    checkpoint.segment = candidate.segment;
  }
  return { kind: 'ok', checkpoint };
}

/**
 * Replaces the checkpoint atomically: write a temporary file, fsync it, rename it over the old
 * one, fsync the directory. Readers see the old or the new checkpoint, never a mix; and because
 * the directory is synced before the next record is appended, a crash leaves the checkpoint at
 * most one record behind the log, which is what lets open tell a crash from tampering.
 */
export async function writeCheckpoint(logPath: string, checkpoint: AuditCheckpoint): Promise<void> {
  const target = checkpointPathFor(logPath);
  const temporary = `${target}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    const { seq, hash, ts, offset, sealKeyId, sealEpoch, sealSeq, segment } = checkpoint;
    const fields: Record<string, string | number> = { hash, seq, ts };
    if (offset !== undefined) fields.offset = offset;
    if (segment !== undefined) fields.segment = segment;
    if (sealKeyId !== undefined && sealEpoch !== undefined && sealSeq !== undefined) Object.assign(fields, { sealEpoch, sealKeyId, sealSeq });
    await handle.writeFile(`${canonicalJson(fields)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, target);
  await syncDirectory(dirname(target));
}

/** Makes a rename or a new file durable. Windows cannot open directories; NTFS journals renames. */
export async function syncDirectory(directory: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
