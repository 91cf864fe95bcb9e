import { readdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { errnoCode } from './errors.js';
import { pendingKeyPathFor, sealKeyPathFor } from './sealKeyFile.js';

/** What else tells that a trail existed: the batches it recorded. */
export interface TrailHistory {
  /** The batch store's directory (`batches/` in the data directory). */
  batchesDir?: string;
}

/**
 * Evidence that a trail existed at `logPath` although the log and its checkpoint are gone: its
 * sealing key, its quarantined or rotated files beside it, batches it must have recorded. Each
 * item is a sentence for a person. Empty means a fresh start is what it looks like.
 */
export async function evidenceOfTrail(logPath: string, history: TrailHistory = {}): Promise<string[]> {
  const evidence: string[] = [];
  const siblings = await listDirectory(dirname(logPath));
  const name = basename(logPath);
  if (siblings.includes(basename(sealKeyPathFor(logPath)))) evidence.push(`its sealing key ${basename(sealKeyPathFor(logPath))} is still there`);
  if (siblings.includes(basename(pendingKeyPathFor(logPath)))) evidence.push(`its verification key ${basename(pendingKeyPathFor(logPath))} is still there`);
  const older = siblings.filter((entry) => entry.startsWith(`${name}.tampered-`) && !entry.endsWith('.head'));
  if (older.length > 0) evidence.push(`${older.length} quarantined part${older.length === 1 ? '' : 's'} of it remain (${older[0]}${older.length > 1 ? ', …' : ''})`);
  if (history.batchesDir) {
    const batches = (await listDirectory(history.batchesDir)).filter((entry) => entry.endsWith('.json'));
    if (batches.length > 0) evidence.push(`${batches.length} batch${batches.length === 1 ? '' : 'es'} it recorded remain in ${history.batchesDir}`);
  }
  return evidence;
}

async function listDirectory(directory: string): Promise<string[]> {
  try {
    return await readdir(directory);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return [];
    throw error;
  }
}
