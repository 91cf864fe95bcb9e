import { readFile, stat, writeFile } from 'node:fs/promises';
import { openAuditWriter, type AuditEventInput, type AuditRecord } from '../../../src-main/core/audit/index.js';
import { readCheckpoint, writeCheckpoint } from '../../../src-main/core/audit/checkpoint.js';
import { sealRecord } from '../../../src-main/core/audit/recordLine.js';
import { evolveKey, parseVerificationKey, sealMac } from '../../../src-main/core/audit/sealKey.js';
import { overwriteSealKey, readPendingKey, readSealKey } from '../../../src-main/core/audit/sealKeyFile.js';
import { readLines, SAMPLE_EVENTS, steppingClock, writeLines } from './auditFixtures.js';

/** Writes `events` through a sealing writer (closed cleanly) and returns the person's verification key. */
export async function writeSealedLog(path: string, events: readonly AuditEventInput[] = SAMPLE_EVENTS, clock = steppingClock()): Promise<{ key: Buffer; keyId: string }> {
  const writer = await openAuditWriter(path, { clock, sealing: {} });
  for (const event of events) await writer.append(event);
  await writer.close();
  return takeKey(path);
}

export async function takeKey(path: string): Promise<{ key: Buffer; keyId: string }> {
  const pending = await readPendingKey(path);
  if (!pending) throw new Error('no verification key is waiting');
  const parsed = parseVerificationKey(pending.printed);
  if (!parsed.ok) throw new Error(parsed.message);
  return { key: parsed.key, keyId: parsed.keyId };
}

export function records(lines: readonly string[]): AuditRecord[] {
  return lines.map((line) => JSON.parse(line) as AuditRecord);
}

/**
 * The attacker of issue #16 item 11, who can write every file in the data directory and knows
 * the format: rewrites the lines from `lines` on, re-hashing every record from the first change
 * (so the chain holds), and points the checkpoint at the new end exactly as the writer would.
 */
export async function rewriteLog(path: string, lines: readonly string[]): Promise<void> {
  const rechained: string[] = [];
  let previous: AuditRecord | undefined;
  for (const line of lines) {
    const record = JSON.parse(line) as Record<string, unknown>;
    const { hash: _hash, seq: _seq, prevHash: _prev, ts, ...fields } = record;
    const seq = (previous?.seq ?? 0) + 1;
    const sealed = sealRecord(fields, { seq, ts: ts as string, prevHash: previous?.hash ?? '0'.repeat(64) });
    rechained.push(sealed.line.trimEnd());
    previous = sealed.record;
  }
  await writeLines(path, rechained);
  await recheckpoint(path);
}

/** Writes the checkpoint for the log's current last record, seal position included (what a careful attacker does). */
export async function recheckpoint(path: string): Promise<void> {
  const all = records(await readLines(path));
  const last = all.at(-1) as AuditRecord;
  const before = await readCheckpoint(path);
  let sealKeyId = before.kind === 'ok' ? before.checkpoint.sealKeyId : undefined;
  let sealEpoch = -1;
  let sealSeq = 0;
  for (const record of all) {
    if (record.event === 'AUDIT_SEALING_STARTED') [sealKeyId, sealEpoch] = [String(record.details?.keyId), -1];
    if (record.event === 'AUDIT_SEALED') [sealEpoch, sealSeq] = [Number(record.details?.epoch), record.seq];
  }
  const offset = (await stat(path)).size;
  await writeCheckpoint(path, { seq: last.seq, hash: last.hash, ts: last.ts, offset, ...(sealKeyId ? { sealKeyId, sealEpoch, sealSeq } : {}) });
}

/** Appends a record with a correct hash after the last one and updates the checkpoint. */
export async function forgeAppend(path: string, event: AuditEventInput, ts = '2030-01-01T00:00:00.000Z'): Promise<AuditRecord> {
  const all = records(await readLines(path));
  const last = all.at(-1) as AuditRecord;
  const { record, line } = sealRecord({ ...event }, { seq: last.seq + 1, ts, prevHash: last.hash });
  await writeFile(path, `${await readFile(path, 'latin1')}${line}`, 'latin1');
  await recheckpoint(path);
  return record;
}

/**
 * A seal made with the key the attacker finds on disk (the next epoch's), then the key file
 * evolved as the writer would: all an attacker can seal is what comes after the compromise.
 * `claimEpoch` makes the seal claim another epoch (whose key the attacker does not have), and
 * leaves the key file alone.
 */
export async function forgeSealWithDiskKey(path: string, claimEpoch?: number): Promise<void> {
  const read = await readSealKey(path);
  if (read.kind !== 'ok') throw new Error('no sealing key on disk');
  const { keyId, epoch, key } = read.state;
  const last = records(await readLines(path)).at(-1) as AuditRecord;
  const claimed = claimEpoch ?? epoch;
  await forgeAppend(path, { event: 'AUDIT_SEALED', details: { keyId, epoch: claimed, mac: sealMac(key, keyId, claimed, last.seq, last.hash) } });
  if (claimEpoch === undefined) await overwriteSealKey(path, { keyId, epoch: epoch + 1, key: evolveKey(key) });
}

/** A key file with a made-up key at `epoch` (the attacker cannot compute the real one). */
export async function forgeKeyFile(path: string, epoch: number): Promise<void> {
  const read = await readSealKey(path);
  if (read.kind !== 'ok') throw new Error('no sealing key on disk');
  await overwriteSealKey(path, { keyId: read.state.keyId, epoch, key: Buffer.alloc(32, 0xab) });
}
