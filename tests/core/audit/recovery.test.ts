import { appendFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditError, GENESIS_HASH, openAuditWriter, verifyAudit } from '../../../src-main/core/audit/index.js';
import { sha256Hex } from '../../../src-main/core/audit/recordLine.js';
import { hashOf, makeTempDir, readLines, steppingClock, writeLines, writeLog } from './auditFixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
let logPath: string;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  logPath = join(dir, 'audit.jsonl');
});
afterEach(() => cleanup());

async function openError(options?: Parameters<typeof openAuditWriter>[1]): Promise<AuditError> {
  try {
    const writer = await openAuditWriter(logPath, options);
    await writer.close();
  } catch (error) {
    return error as AuditError;
  }
  throw new Error('expected open to fail');
}

describe('opening a log after a crash mid-write', () => {
  it('cuts a torn last line, records its length and hash but not its bytes, and verifies again', async () => {
    await writeLog(logPath);
    const torn = '{"batchId":"b1","command":"echo sec';
    await appendFile(logPath, torn);
    expect(await verifyAudit(logPath)).toMatchObject({ ok: false, firstBad: { reason: 'TORN', line: 7 } });

    const writer = await openAuditWriter(logPath, { clock: steppingClock(Date.parse('2025-02-01T00:00:00.000Z')) });
    await writer.close();

    expect(writer.recovery).toMatchObject({
      seq: 7,
      event: 'AUDIT_RECOVERED',
      prevHash: hashOf((await readLines(logPath))[5] as string),
      details: { tornLine: 7, tornBytes: torn.length, tornSha256: sha256Hex(torn) },
    });
    expect(writer.recovery?.reason).toContain(`torn last line of ${torn.length} bytes`);
    const text = await readFile(logPath, 'latin1');
    expect(text).not.toContain('echo sec');
    expect(text.endsWith('\n')).toBe(true);
    expect(await verifyAudit(logPath)).toMatchObject({ ok: true, records: 7, headHash: writer.recovery?.hash });
  });

  it('cuts an unterminated line even when it is a whole record, since its append never completed', async () => {
    await writeLog(logPath, [{ event: 'APP_STARTED' }]);
    const whole = (await readFile(logPath, 'latin1')).trimEnd();
    await writeFile(logPath, whole, 'latin1');
    await rm(`${logPath}.head`);
    const writer = await openAuditWriter(logPath);
    await writer.close();
    expect(writer.recovery).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, details: { tornLine: 1, tornBytes: whole.length } });
    expect(await verifyAudit(logPath)).toMatchObject({ ok: true, records: 1 });
  });

  it('appends to a clean log without a recovery record', async () => {
    await writeLog(logPath);
    const writer = await openAuditWriter(logPath);
    await writer.close();
    expect(writer.recovery).toBeUndefined();
    expect(await readLines(logPath)).toHaveLength(6);
  });
});

describe('opening a log after a crash between append and checkpoint', () => {
  it('repairs a checkpoint one record behind and notes it', async () => {
    await writeLog(logPath, [{ event: 'APP_STARTED' }, { event: 'BATCH_CREATED', batchId: 'b1' }]);
    const afterTwo = await readFile(`${logPath}.head`, 'utf8');
    const writer = await openAuditWriter(logPath);
    await writer.append({ event: 'BATCH_APPROVED', batchId: 'b1', approvedBy: 'manual' });
    await writer.close();
    await writeFile(`${logPath}.head`, afterTwo);
    expect(await verifyAudit(logPath)).toMatchObject({ ok: true, records: 3, checkpointLag: 1 });

    const reopened = await openAuditWriter(logPath);
    await reopened.close();
    expect(reopened.recovery).toMatchObject({ seq: 4, event: 'AUDIT_RECOVERED', details: { checkpointSeq: 2, logSeq: 3 } });
    expect(JSON.parse(await readFile(`${logPath}.head`, 'utf8'))).toMatchObject({ seq: 4, hash: reopened.recovery?.hash });
    expect(await verifyAudit(logPath)).toMatchObject({ ok: true, records: 4, checkpointLag: 0 });
  });

  it('repairs a missing checkpoint after the very first record', async () => {
    await writeLog(logPath, [{ event: 'APP_STARTED' }]);
    await rm(`${logPath}.head`);
    const writer = await openAuditWriter(logPath);
    await writer.close();
    expect(writer.recovery?.details).toEqual({ checkpointSeq: null, logSeq: 1 });
    expect(await verifyAudit(logPath)).toMatchObject({ ok: true, records: 2 });
  });

  it('records both repairs in one record when a torn line and a stale checkpoint meet', async () => {
    await writeLog(logPath, [{ event: 'APP_STARTED' }]);
    const afterOne = await readFile(`${logPath}.head`, 'utf8');
    const writer = await openAuditWriter(logPath);
    await writer.append({ event: 'APP_STOPPED' });
    await writer.close();
    await writeFile(`${logPath}.head`, afterOne);
    await appendFile(logPath, '{"ev');
    const reopened = await openAuditWriter(logPath);
    await reopened.close();
    expect(reopened.recovery).toMatchObject({ seq: 3, details: { tornBytes: 4, checkpointSeq: 1, logSeq: 2 } });
    expect(await verifyAudit(logPath)).toMatchObject({ ok: true, records: 3 });
  });
});

describe('opening a tampered log', () => {
  async function tamperedLog(): Promise<Buffer> {
    await writeLog(logPath);
    const lines = await readLines(logPath);
    lines[2] = (lines[2] as string).replace('manual', 'autonomy:ffff');
    await writeLines(logPath, lines);
    return readFile(logPath);
  }

  it('fails with AUDIT_TAMPERED naming the first bad record and touches nothing', async () => {
    const before = await tamperedLog();
    const headBefore = await readFile(`${logPath}.head`);
    const error = await openError();
    expect(error.code).toBe('AUDIT_TAMPERED');
    expect(error.message).toContain('record 3 (line 3): EDITED');
    expect(error.details).toMatchObject({ firstBad: { seq: 3, line: 3, reason: 'EDITED' }, records: 2 });
    expect(await readFile(logPath)).toEqual(before);
    expect(await readFile(`${logPath}.head`)).toEqual(headBefore);
    // The lock was released: a second attempt meets the same verdict, not AUDIT_LOCKED.
    expect((await openError()).code).toBe('AUDIT_TAMPERED');
  });

  it('refuses a checkpoint more than one record behind, which no crash leaves', async () => {
    await writeLog(logPath, [{ event: 'APP_STARTED' }]);
    const afterOne = await readFile(`${logPath}.head`, 'utf8');
    const writer = await openAuditWriter(logPath);
    await writer.append({ event: 'BATCH_CREATED', batchId: 'b1' });
    await writer.append({ event: 'BATCH_REJECTED', batchId: 'b1' });
    await writer.close();
    await writeFile(`${logPath}.head`, afterOne);
    const error = await openError();
    expect(error.code).toBe('AUDIT_TAMPERED');
    expect(error.details).toMatchObject({ firstBad: { reason: 'CHECKPOINT_MISMATCH', seq: 2 } });
  });

  it('refuses a log whose checkpointed tail was cut off', async () => {
    await writeLog(logPath);
    await writeLines(logPath, (await readLines(logPath)).slice(0, 3));
    expect((await openError()).details).toMatchObject({ firstBad: { reason: 'TRUNCATED', seq: 4 } });
  });

  it('with onTampered quarantine, moves the evidence aside unchanged and starts a new chain that names it', async () => {
    const before = await tamperedLog();
    const writer = await openAuditWriter(logPath, { onTampered: 'quarantine', clock: steppingClock(Date.parse('2025-03-04T05:06:07.890Z')) });
    await writer.append({ event: 'APP_STARTED' });
    await writer.close();

    const moved = 'audit.jsonl.tampered-2025-03-04T05-06-07.890Z';
    expect((await readdir(dir)).sort()).toEqual(['audit.jsonl', 'audit.jsonl.head', moved, `${moved}.head`]);
    expect(await readFile(join(dir, moved))).toEqual(before);
    expect(await verifyAudit(join(dir, moved))).toMatchObject({ ok: false, firstBad: { seq: 3, reason: 'EDITED' } });

    expect(writer.recovery).toMatchObject({
      seq: 1,
      prevHash: GENESIS_HASH,
      event: 'AUDIT_RECOVERED',
      details: { quarantinedAs: moved, quarantinedBytes: before.length, quarantinedSha256: sha256Hex(before), firstBadReason: 'EDITED', firstBadSeq: 3, firstBadLine: 3, verifiedRecords: 2 },
    });
    expect(await verifyAudit(logPath)).toMatchObject({ ok: true, records: 2 });
  });
});
