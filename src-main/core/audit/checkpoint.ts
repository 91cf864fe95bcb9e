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
  return { kind: 'ok', checkpoint: { seq: candidate.seq as number, hash: candidate.hash, ts: candidate.ts } };
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
    await handle.writeFile(`${canonicalJson({ hash: checkpoint.hash, seq: checkpoint.seq, ts: checkpoint.ts })}\n`);
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
