import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditError, openAuditWriter, verifyAudit, type AuditVerification } from '../../../src-main/core/audit/index.js';
import { epochKeyOf, firstEpochKey } from '../../../src-main/core/audit/sealKey.js';
import { readPendingKey, readSealKey, sealKeyPathFor } from '../../../src-main/core/audit/sealKeyFile.js';
import { makeTempDir, readLines, SAMPLE_EVENTS, steppingClock } from './auditFixtures.js';
import { forgeAppend, forgeKeyFile, forgeSealWithDiskKey, records, recheckpoint, rewriteLog, writeSealedLog } from './sealFixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
let logPath: string;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  logPath = join(dir, 'audit.jsonl');
});
afterEach(() => cleanup());

function failure(result: AuditVerification): Extract<AuditVerification, { ok: false }> {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
  return result;
}

async function openError(options: Parameters<typeof openAuditWriter>[1]): Promise<AuditError> {
  try {
    const writer = await openAuditWriter(logPath, options);
    await writer.close();
  } catch (error) {
    return error as AuditError;
  }
  throw new Error('expected open to fail');
}

describe('a sealing writer', () => {
  it('starts a key, seals at each batch end and on close, and every seal checks out with the verification key', async () => {
    const verification = await writeSealedLog(logPath);
    const events = records(await readLines(logPath)).map((record) => record.event);
    expect(events).toEqual([
      'AUDIT_SEALING_STARTED',
      'AUDIT_SEALED',
      'APP_STARTED',
      'BATCH_CREATED',
      'BATCH_APPROVED',
      'ENTRY_STARTED',
      'ENTRY_FINISHED',
      'BATCH_FINISHED',
      'AUDIT_SEALED',
    ]);
    const result = await verifyAudit(logPath, { verification });
    expect(result).toMatchObject({ ok: true, records: 9, sealing: { verifyKey: 'checked', sealedThrough: 9, unsealed: null, writer: 'closed' } });
    expect(result.sealing.keys).toEqual([{ keyId: verification.keyId, startedSeq: 1, sealedThrough: 9, seals: 2, lastEpoch: 1, checked: true }]);
  });

  it('keeps only the next epoch key on disk: never the verification key nor a key a seal was made with', async () => {
    const verification = await writeSealedLog(logPath);
    const onDisk = await readSealKey(logPath);
    expect(onDisk).toMatchObject({ kind: 'ok', state: { keyId: verification.keyId, epoch: 2 } });
    const state = (onDisk as { state: { key: Buffer } }).state;
    expect(state.key.equals(epochKeyOf(verification.key, 2))).toBe(true);
    const file = await readFile(sealKeyPathFor(logPath), 'utf8');
    for (const used of [verification.key, firstEpochKey(verification.key), epochKeyOf(verification.key, 1)]) expect(file).not.toContain(used.toString('hex'));
  });

  it('seals after an interval when no batch ends', async () => {
    const writer = await openAuditWriter(logPath, { sealing: { intervalMs: 20 } });
    await writer.append({ event: 'AUTONOMY_DISABLED' });
    await expect.poll(async () => records(await readLines(logPath)).at(-1)?.event, { timeout: 5000 }).toBe('AUDIT_SEALED');
    await writer.close();
  });

  it('keeps the verification key of an automatic setup until a person takes it, and says so', async () => {
    const verification = await writeSealedLog(logPath);
    expect(await readPendingKey(logPath)).toMatchObject({ keyId: verification.keyId });
    expect((await verifyAudit(logPath)).sealing.keyOnMachine).toBe(true);
  });

  it('seals an existing unsealed trail from where it stands, saying records before were unsealed', async () => {
    const writer = await openAuditWriter(logPath);
    await writer.append({ event: 'APP_STARTED' });
    await writer.close();
    const sealing = await openAuditWriter(logPath, { sealing: {} });
    await sealing.close();
    const all = records(await readLines(logPath));
    expect(all.map((record) => record.event)).toEqual(['APP_STARTED', 'AUDIT_SEALING_STARTED', 'AUDIT_SEALED']);
    expect(all[1]?.reason).toMatch(/written before the trail was sealed/);
  });
});

describe('verification against an attacker who can write every file but lacks the verification key', () => {
  it('reports a forged tail record with a correct hash and an updated checkpoint as an unsealed tail (exit-worthy), naming it', async () => {
    await writeSealedLog(logPath);
    const forged = await forgeAppend(logPath, { event: 'BATCH_APPROVED', batchId: 'evil', approvedBy: 'manual' });
    const result = failure(await verifyAudit(logPath));
    expect(result.firstBad).toMatchObject({ seq: forged.seq, reason: 'UNSEALED_TAIL' });
    expect(result.firstBad.message).toContain(`record ${forged.seq} come after the last seal (seq ${forged.seq - 1})`);
    expect(result.sealing.unsealed).toEqual({ fromSeq: forged.seq, toSeq: forged.seq });
    // The writer does not seal (launder) it either.
    expect((await openError({ sealing: {} })).details).toMatchObject({ firstBad: { reason: 'UNSEALED_TAIL', seq: forged.seq } });
  });

  it('reports a tail cut back to an earlier seal and re-checkpointed, from the sealing key epoch', async () => {
    await writeSealedLog(logPath, [...SAMPLE_EVENTS, { event: 'BATCH_CREATED', batchId: 'b2' }, { event: 'BATCH_REJECTED', batchId: 'b2' }]);
    const lines = await readLines(logPath);
    const secondSeal = records(lines).findIndex((record, index) => index > 1 && record.event === 'AUDIT_SEALED');
    await rewriteLog(logPath, lines.slice(0, secondSeal + 1));
    const result = failure(await verifyAudit(logPath));
    expect(result.firstBad).toMatchObject({ reason: 'SEALS_CUT', seq: secondSeal + 2 });
    expect(result.firstBad.message).toMatch(/sealing key is at epoch 3 but the last seal in the trail is epoch 1 \(seq 9\): 1 seal was cut off/);
    expect((await openError({ sealing: {} })).details).toMatchObject({ firstBad: { reason: 'SEALS_CUT' } });
  });

  it('reports a tail cut in the middle of sealed records, even with the key file wound back to match', async () => {
    const verification = await writeSealedLog(logPath);
    const lines = await readLines(logPath);
    await rewriteLog(logPath, lines.slice(0, 6));
    expect(failure(await verifyAudit(logPath)).firstBad).toMatchObject({ reason: 'SEALS_CUT' });
    // The attacker cannot compute the key of epoch 1 and writes a made-up one.
    await forgeKeyFile(logPath, 1);
    const result = failure(await verifyAudit(logPath));
    expect(result.firstBad).toMatchObject({ reason: 'UNSEALED_TAIL', seq: 3 });
    expect(result.firstBad.message).toContain('records 3..6 come after the last seal (seq 2)');
    expect(failure(await verifyAudit(logPath, { verification })).firstBad).toMatchObject({ reason: 'SEAL_KEY_MISMATCH' });
  });

  it('sees a removed seal as a gap in the epochs, even without the verification key', async () => {
    await writeSealedLog(logPath);
    const lines = await readLines(logPath);
    const edited = lines.slice(0, -1).map((line) => line.replace('echo hi', 'echo pwned'));
    await rewriteLog(logPath, edited);
    await forgeSealWithDiskKey(logPath);
    expect(failure(await verifyAudit(logPath)).firstBad).toMatchObject({ seq: 9, reason: 'BAD_SEAL', message: expect.stringContaining('the seal of epoch 1 was removed') });
  });

  it('detects sealed records rewritten and re-sealed in their own epoch, given the verification key', async () => {
    const verification = await writeSealedLog(logPath);
    const lines = await readLines(logPath);
    const edited = lines.slice(0, -1).map((line) => line.replace('echo hi', 'echo pwned'));
    await rewriteLog(logPath, edited);
    // Epoch 1's key is gone from the disk; the best the attacker can do is a MAC with another key.
    await forgeSealWithDiskKey(logPath, 1);
    expect((await verifyAudit(logPath)).ok).toBe(true);
    const result = failure(await verifyAudit(logPath, { verification }));
    expect(result.firstBad).toMatchObject({ seq: 9, reason: 'FORGED_SEAL' });
  });

  it('cannot tell records appended and sealed with the disk key after a compromise (the limit of forward security)', async () => {
    const verification = await writeSealedLog(logPath);
    await forgeAppend(logPath, { event: 'BATCH_CREATED', batchId: 'later' });
    await forgeSealWithDiskKey(logPath);
    expect(await verifyAudit(logPath, { verification })).toMatchObject({ ok: true, sealing: { verifyKey: 'checked' } });
  });

  it('reports a replaced sealing key file, given the verification key', async () => {
    const verification = await writeSealedLog(logPath);
    const text = await readFile(sealKeyPathFor(logPath), 'utf8');
    await writeFile(sealKeyPathFor(logPath), text.replace(/"key":"[0-9a-f]{64}"/, `"key":"${'ab'.repeat(32)}"`));
    expect((await verifyAudit(logPath)).ok).toBe(true);
    expect(failure(await verifyAudit(logPath, { verification })).firstBad).toMatchObject({ reason: 'SEAL_KEY_MISMATCH' });
  });

  it('reports a deleted sealing key, and the new key a writer then starts, as a lost key', async () => {
    await writeSealedLog(logPath);
    await rm(sealKeyPathFor(logPath));
    expect(failure(await verifyAudit(logPath)).firstBad).toMatchObject({ reason: 'SEAL_KEY_MISMATCH' });
    const writer = await openAuditWriter(logPath, { sealing: {} });
    await writer.close();
    const result = failure(await verifyAudit(logPath));
    expect(result.firstBad).toMatchObject({ reason: 'SEAL_KEY_LOST', seq: 10 });
    expect(result.sealing.keys).toHaveLength(2);
  });

  it('refuses a verification key that sealed nothing in the trail', async () => {
    await writeSealedLog(logPath);
    const other = await writeSealedLog(join(dir, 'other.jsonl'));
    expect(failure(await verifyAudit(logPath, { verification: other })).firstBad).toMatchObject({ reason: 'SEAL_KEY_MISMATCH' });
  });
});

describe('a deleted trail', () => {
  it('is reported as MISSING when batches remain, and a writer refuses to start a new chain silently', async () => {
    await writeSealedLog(logPath);
    const batchesDir = join(dir, 'batches');
    await mkdir(batchesDir);
    await writeFile(join(batchesDir, 'b1.json'), '{}');
    await rm(logPath);
    await rm(`${logPath}.head`);
    await rm(sealKeyPathFor(logPath));
    await rm(`${logPath}.verify-key`);
    const result = failure(await verifyAudit(logPath, { history: { batchesDir } }));
    expect(result.firstBad).toMatchObject({ reason: 'MISSING', line: 1 });
    expect(result.firstBad.message).toContain(`1 batch it recorded remain in ${batchesDir}`);
    const error = await openError({ sealing: {}, history: { batchesDir } });
    expect(error.code).toBe('AUDIT_TAMPERED');
    expect(error.message).toContain('leash audit new-trail');
    await expect(readFile(logPath)).rejects.toThrow(/ENOENT/);
  });

  it('is reported as MISSING from its sealing key alone', async () => {
    await writeSealedLog(logPath);
    await rm(logPath);
    await rm(`${logPath}.head`);
    expect(failure(await verifyAudit(logPath)).firstBad.reason).toBe('MISSING');
  });

  it('starts a new chain, saying the old one is missing, under the quarantine policy', async () => {
    await writeSealedLog(logPath);
    await rm(logPath);
    await rm(`${logPath}.head`);
    const writer = await openAuditWriter(logPath, { sealing: {}, onTampered: 'quarantine' });
    await writer.close();
    expect(writer.recovery).toMatchObject({ seq: 1, event: 'AUDIT_RECOVERED', details: { firstBadReason: 'MISSING' } });
  });
});

describe('a writer that died', () => {
  it('leaves an unsealed tail that verifies with a note, and the next writer seals it late, saying so', async () => {
    const verification = await writeSealedLog(logPath);
    await forgeAppend(logPath, { event: 'BATCH_CREATED', batchId: 'b9' });
    // What kill -9 leaves: the lock of a dead process.
    await writeFile(`${logPath}.lock`, `${JSON.stringify({ pid: 2 ** 22 + 7, hostname: hostname(), startedAt: '2025-01-01T00:00:00.000Z' })}\n`);
    const result = await verifyAudit(logPath, { verification });
    expect(result).toMatchObject({ ok: true, sealing: { writer: 'crashed', unsealed: { fromSeq: 10, toSeq: 10 } } });
    expect(result.sealing.notes.join(' ')).toMatch(/left unsealed by a Leash process .* that died/);
    const writer = await openAuditWriter(logPath, { sealing: {}, clock: steppingClock() });
    await writer.close();
    expect(writer.recovery).toMatchObject({ event: 'AUDIT_RECOVERED', details: { unsealedFromSeq: 10, unsealedToSeq: 10 } });
    const after = await verifyAudit(logPath, { verification });
    expect(after).toMatchObject({ ok: true, sealing: { unsealed: null, lateSealed: [{ fromSeq: 10, toSeq: 10 }] } });
  });
});

describe('incremental open', () => {
  it('resumes from the checkpointed record without reading the chain before it; verifyAudit still checks everything', async () => {
    await writeSealedLog(logPath);
    const lines = await readLines(logPath);
    // An edit of the same length deep in the chain: open does not read there, the full check does.
    lines[3] = (lines[3] as string).replace('"b1"', '"b2"');
    await writeFile(logPath, lines.map((line) => `${line}\n`).join(''), 'latin1');
    const writer = await openAuditWriter(logPath, { sealing: {} });
    await writer.close();
    expect(failure(await verifyAudit(logPath)).firstBad).toMatchObject({ seq: 4, reason: 'EDITED' });
    expect((await openError({ sealing: {}, fullCheck: true })).details).toMatchObject({ firstBad: { seq: 4, reason: 'EDITED' } });
  });

  it('falls back to the full check when the checkpointed record cannot be confirmed', async () => {
    await writeSealedLog(logPath);
    const lines = await readLines(logPath);
    lines[8] = (lines[8] as string).replace('"epoch":1', '"epoch":7');
    await writeFile(logPath, lines.map((line) => `${line}\n`).join(''), 'latin1');
    await recheckpoint(logPath);
    expect((await openError({ sealing: {} })).details).toMatchObject({ firstBad: { seq: 9, reason: 'EDITED' } });
  });
});
