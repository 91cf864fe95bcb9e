import { open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDirectory } from './checkpoint.js';
import { errnoCode } from './errors.js';
import { formatVerificationKey, parseVerificationKey } from './sealKey.js';

/**
 * `<log>.seal-key`: the key of the next seal, `{"epoch":"000000000007","key":"…","keyId":"…","v":1}`.
 * The epoch is written with a fixed width so that every version of the file has the same length
 * and evolving the key overwrites the old one in place (one short write and an fsync, as
 * journald does with its key file), rather than leaving it in a renamed-away inode.
 */
export interface SealKeyState {
  keyId: string;
  epoch: number;
  key: Buffer;
}

export type SealKeyRead = { kind: 'missing' } | { kind: 'ok'; state: SealKeyState } | { kind: 'invalid'; message: string };

const EPOCH_DIGITS = 12;

export function sealKeyPathFor(logPath: string): string {
  return `${logPath}.seal-key`;
}

/** `<log>.verify-key`: the verification key of a key set up automatically, until a person takes it. */
export function pendingKeyPathFor(logPath: string): string {
  return `${logPath}.verify-key`;
}

function serialize(state: SealKeyState): string {
  return `{"epoch":"${String(state.epoch).padStart(EPOCH_DIGITS, '0')}","key":"${state.key.toString('hex')}","keyId":"${state.keyId}","v":1}\n`;
}

export async function readSealKey(logPath: string): Promise<SealKeyRead> {
  let text: string;
  try {
    text = await readFile(sealKeyPathFor(logPath), 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  const match = /^\{"epoch":"(\d{12})","key":"([0-9a-f]{64})","keyId":"([0-9a-f]{16})","v":1\}\n$/.exec(text);
  if (!match) return { kind: 'invalid', message: `the sealing key file ${sealKeyPathFor(logPath)} is damaged` };
  return { kind: 'ok', state: { epoch: Number(match[1]), key: Buffer.from(match[2] as string, 'hex'), keyId: match[3] as string } };
}

/** Creates the key file for a new key (atomically: temporary file, fsync, rename, directory fsync). */
export async function createSealKey(logPath: string, state: SealKeyState): Promise<void> {
  const target = sealKeyPathFor(logPath);
  const temporary = `${target}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(serialize(state));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, target);
  await syncDirectory(dirname(target));
}

/**
 * Overwrites the key file in place with the next epoch's key and makes it durable. The file
 * keeps its length, so the old key's bytes are replaced, not left behind in a free block of a
 * renamed-away file. (On copy-on-write file systems and flash the old block may survive below
 * the file system; that limit is journald's too, and FORMAT.md says so.)
 */
export async function overwriteSealKey(logPath: string, state: SealKeyState): Promise<void> {
  const handle = await open(sealKeyPathFor(logPath), 'r+');
  try {
    const bytes = Buffer.from(serialize(state), 'latin1');
    let offset = 0;
    while (offset < bytes.length) offset += (await handle.write(bytes, offset, bytes.length - offset, offset)).bytesWritten;
    await handle.truncate(bytes.length);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface PendingVerificationKey {
  keyId: string;
  createdAt: string;
  /** As a person copies it (`leash1-…`). */
  printed: string;
}

/** Stores the verification key of an automatic setup until `takePendingKey` (owner-only file). */
export async function storePendingKey(logPath: string, verificationKey: Buffer, keyId: string, now: Date): Promise<void> {
  const target = pendingKeyPathFor(logPath);
  const temporary = `${target}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify({ createdAt: now.toISOString(), key: formatVerificationKey(verificationKey), keyId })}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, target);
  await syncDirectory(dirname(target));
}

/** The verification key still waiting on this machine, if any (a damaged file counts as none). */
export async function readPendingKey(logPath: string): Promise<PendingVerificationKey | undefined> {
  let text: string;
  try {
    text = await readFile(pendingKeyPathFor(logPath), 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(text) as { createdAt?: unknown; key?: unknown; keyId?: unknown };
    if (typeof value.key !== 'string' || typeof value.createdAt !== 'string') return undefined;
    const parsed = parseVerificationKey(value.key);
    if (!parsed.ok || parsed.keyId !== value.keyId) return undefined;
    return { keyId: parsed.keyId, createdAt: value.createdAt, printed: value.key };
  } catch {
    return undefined;
  }
}

/** Removes the stored verification key (a person has it now). Returns whether there was one. */
export async function forgetPendingKey(logPath: string): Promise<boolean> {
  try {
    const path = pendingKeyPathFor(logPath);
    // Overwrite before unlinking, for the same reason the sealing key is overwritten in place.
    const handle = await open(path, 'r+');
    try {
      const { size } = await handle.stat();
      await handle.write(Buffer.alloc(size), 0, size, 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await unlink(path);
    await syncDirectory(dirname(path));
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
}
