import { readdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { errnoCode } from './errors.js';

/**
 * Sealed segments of a rotated trail (FORMAT.md "Rotation"): `audit.jsonl` is the active log;
 * when it grows past the rotation size it is renamed to `audit.000001.jsonl`, `audit.000002.jsonl`,
 * … and a new active log continues the same chain (its first record links to the last record of
 * the newest segment, and seq goes on). Segments are never written again.
 */
export interface AuditSegment {
  /** 1, 2, 3, … in chain order. */
  number: number;
  path: string;
  /** The file name, as reports name it. */
  name: string;
}

const DIGITS = 6;

function parts(logPath: string): { directory: string; stem: string; extension: string } {
  const name = basename(logPath);
  const extension = extname(name);
  return { directory: dirname(logPath), stem: extension ? name.slice(0, -extension.length) : name, extension };
}

/** `audit.jsonl` → `audit.000007.jsonl`. */
export function segmentPathFor(logPath: string, number: number): string {
  const { directory, stem, extension } = parts(logPath);
  return join(directory, `${stem}.${String(number).padStart(DIGITS, '0')}${extension}`);
}

/** The sealed segments beside the log, oldest first (by number; a gap in the numbers is for the chain to judge). */
export async function listSegments(logPath: string): Promise<AuditSegment[]> {
  const { directory, stem, extension } = parts(logPath);
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return [];
    throw error;
  }
  const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${escape(stem)}\\.(\\d{${DIGITS},})${escape(extension)}$`);
  return names
    .flatMap((name) => {
      const match = pattern.exec(name);
      return match ? [{ number: Number(match[1]), path: join(directory, name), name }] : [];
    })
    .sort((a, b) => a.number - b.number);
}
