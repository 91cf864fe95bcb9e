import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAuditWriter, readAuditTail, verifyAudit, type AuditEventInput, type AuditRecord } from '../../../src-main/core/audit/index.js';
import { readCheckpoint, writeCheckpoint } from '../../../src-main/core/audit/checkpoint.js';
import { scanAuditLog } from '../../../src-main/core/audit/scanLog.js';
import { listSegments } from '../../../src-main/core/audit/segments.js';
import { makeTempDir, readLines, steppingClock } from './auditFixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
let logPath: string;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  logPath = join(dir, 'audit.jsonl');
});
afterEach(() => cleanup());

const batch = (n: number): AuditEventInput[] => [
  { event: 'BATCH_CREATED', batchId: `b${n}`, details: { source: 'cli', entries: 1 } },
  { event: 'ENTRY_STARTED', batchId: `b${n}`, entryId: `e${n}`, tool: 'shell', command: `echo ${n}`, verdict: 'allow' },
  { event: 'BATCH_FINISHED', batchId: `b${n}` },
];

/** A sealing writer that rotates after `bytes`; writes `batches` batches and closes. */
async function writeRotated(batches: number, bytes = 1500, clock = steppingClock()): Promise<void> {
  const writer = await openAuditWriter(logPath, { clock, sealing: {}, rotateAfterBytes: () => bytes });
  for (let n = 1; n <= batches; n++) for (const event of batch(n)) await writer.append(event);
  await writer.close();
}

async function allRecords(): Promise<AuditRecord[]> {
  const files = [...(await listSegments(logPath)).map((s) => s.path), logPath];
  const records: AuditRecord[] = [];
  for (const file of files) records.push(...(await readLines(file).catch(() => [])).map((line) => JSON.parse(line) as AuditRecord));
  return records;
}

describe('audit rotation into sealed segments', () => {
  it('rotates at the size into numbered, read-only segments, each ending in a seal, with one chain across files', async () => {
    await writeRotated(8);
    const segments = await listSegments(logPath);
    expect(segments.length).toBeGreaterThanOrEqual(2);
    expect(segments.map((s) => s.name)).toEqual(segments.map((_, i) => `audit.${String(i + 1).padStart(6, '0')}.jsonl`));
    for (const segment of segments) {
      const lines = await readLines(segment.path);
      expect((JSON.parse(lines[lines.length - 1] as string) as AuditRecord).event).toBe('AUDIT_SEALED');
      expect((await stat(segment.path)).mode & 0o777).toBe(0o400);
    }
    const records = await allRecords();
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
    for (let i = 1; i < records.length; i++) expect(records[i]?.prevHash).toBe(records[i - 1]?.hash);
    const result = await verifyAudit(logPath);
    expect(result).toMatchObject({ ok: true, records: records.length, headSeq: records.length, segments: segments.map((s) => s.name) });
  });

  it('goes on after a reopen: the new records chain to the newest segment and the numbering continues', async () => {
    await writeRotated(4);
    const before = (await listSegments(logPath)).length;
    await writeRotated(4);
    expect((await listSegments(logPath)).length).toBeGreaterThan(before);
    expect(await verifyAudit(logPath)).toMatchObject({ ok: true });
  });

  it('reads the tail on into the sealed segments when the active log holds fewer lines', async () => {
    await writeRotated(8);
    const all = await allRecords();
    const tail = await readAuditTail(logPath, 20);
    expect(tail.map((entry) => (entry.ok ? entry.record.seq : -1))).toEqual(all.slice(-20).map((r) => r.seq));
  });

  it('opens without reading old segments: the incremental scan starts at the checkpoint', async () => {
    await writeRotated(8);
    const [first] = await listSegments(logPath);
    // Unreadable content in an old segment does not matter to open (it is not read) ...
    await rename(first!.path, `${first!.path}.moved`);
    await writeFile(first!.path, 'not a record\n');
    const scan = await scanAuditLog(logPath, { incremental: true });
    expect(scan).toMatchObject({ incremental: true, firstBad: undefined });
    // ... but the full check finds it and names the segment.
    expect(await verifyAudit(logPath)).toMatchObject({ ok: false, firstBad: { reason: 'MALFORMED', line: 1, segment: first!.name } });
  });

  it('detects an edited record in an old segment and names that segment', async () => {
    await writeRotated(8);
    const [first] = await listSegments(logPath);
    const text = await readFile(first!.path, 'latin1');
    await rm(first!.path, { force: true });
    await writeFile(first!.path, text.replace('echo 1', 'echo X'));
    const result = await verifyAudit(logPath);
    expect(result).toMatchObject({ ok: false, firstBad: { reason: 'EDITED', segment: first!.name } });
  });

  it.each([
    ['the oldest', 0],
    ['a middle', 1],
  ])('detects %s segment deleted', async (_name, index) => {
    await writeRotated(12);
    const segments = await listSegments(logPath);
    expect(segments.length).toBeGreaterThanOrEqual(3);
    const gone = segments[index]!;
    await rm(gone.path);
    const next = segments[index + 1]!;
    const result = await verifyAudit(logPath);
    expect(result).toMatchObject({ ok: false, firstBad: { reason: 'DELETED', line: 1, segment: next.name } });
  });

  it('detects the newest segment deleted (the active log no longer links) and a cut segment end', async () => {
    await writeRotated(8);
    await writeRotated(1, 1_000_000); // records in the active log after the last rotation
    const segments = await listSegments(logPath);
    const newest = segments[segments.length - 1]!;
    const text = await readFile(newest.path, 'latin1');
    const lines = text.split('\n').filter(Boolean);
    await rm(newest.path);
    await writeFile(newest.path, `${lines.slice(0, -2).join('\n')}\n`);
    expect(await verifyAudit(logPath)).toMatchObject({ ok: false, firstBad: { reason: 'DELETED', line: 1, segment: 'audit.jsonl' } });
    await rm(newest.path);
    expect(await verifyAudit(logPath)).toMatchObject({ ok: false, firstBad: { line: 1, segment: 'audit.jsonl' } });
  });

  it('refuses a segment that ends in a partial line (it was sealed complete)', async () => {
    await writeRotated(8);
    const [first] = await listSegments(logPath);
    const text = await readFile(first!.path, 'latin1');
    await rm(first!.path);
    await writeFile(first!.path, text.slice(0, -10));
    expect(await verifyAudit(logPath)).toMatchObject({ ok: false, firstBad: { reason: 'TORN', segment: first!.name } });
  });

  describe('a crash at each step of a rotation leaves a trail that opens and verifies', () => {
    /** A closed, sealed, unrotated trail: what step 0 (deciding to rotate) leaves. */
    async function unrotated(): Promise<number> {
      const writer = await openAuditWriter(logPath, { clock: steppingClock(), sealing: {} });
      for (const event of batch(1)) await writer.append(event);
      await writer.close();
      return (await readLines(logPath)).length;
    }

    async function reopenAndCheck(records: number): Promise<void> {
      expect(await verifyAudit(logPath)).toMatchObject({ ok: true, headSeq: records });
      const writer = await openAuditWriter(logPath, { clock: steppingClock(Date.parse('2025-02-01T00:00:00.000Z')), sealing: {} });
      expect(writer.recovery).toBeUndefined();
      await writer.append({ event: 'APP_STARTED' });
      await writer.close();
      const all = await allRecords();
      expect(all.map((r) => r.seq)).toEqual(all.map((_, i) => i + 1));
      expect(await verifyAudit(logPath)).toMatchObject({ ok: true, segments: ['audit.000001.jsonl'] });
    }

    it('after the rename, before the checkpoint names the segment (no active log)', async () => {
      const records = await unrotated();
      await rename(logPath, join(dir, 'audit.000001.jsonl'));
      await reopenAndCheck(records);
    });

    it('after the checkpoint names the segment, before the new log exists', async () => {
      const records = await unrotated();
      await rename(logPath, join(dir, 'audit.000001.jsonl'));
      const read = await readCheckpoint(logPath);
      if (read.kind !== 'ok') throw new Error('no checkpoint');
      await writeCheckpoint(logPath, { ...read.checkpoint, segment: 'audit.000001.jsonl' });
      await reopenAndCheck(records);
    });

    it('after the new, empty log was created', async () => {
      const records = await unrotated();
      await rename(logPath, join(dir, 'audit.000001.jsonl'));
      const read = await readCheckpoint(logPath);
      if (read.kind !== 'ok') throw new Error('no checkpoint');
      await writeCheckpoint(logPath, { ...read.checkpoint, segment: 'audit.000001.jsonl' });
      await writeFile(logPath, '');
      await reopenAndCheck(records);
    });

    it('but a deleted active log after a rotation is still found (the checkpoint names a record no file has)', async () => {
      await writeRotated(8);
      await writeRotated(1, 1_000_000);
      await rm(logPath);
      const result = await verifyAudit(logPath);
      expect(result.ok).toBe(false);
      await expect(openAuditWriter(logPath, { sealing: {} })).rejects.toMatchObject({ code: 'AUDIT_TAMPERED' });
    });
  });

  it('quarantines the segments with the log, so the new chain does not follow a bad one', async () => {
    await writeRotated(8);
    const [first] = await listSegments(logPath);
    const text = await readFile(first!.path, 'latin1');
    await rm(first!.path);
    await writeFile(first!.path, text.replace('echo 1', 'echo X'));
    const writer = await openAuditWriter(logPath, { sealing: {}, onTampered: 'quarantine', fullCheck: true });
    expect(writer.recovery?.details).toMatchObject({ firstBadReason: 'EDITED' });
    await writer.close();
    expect(await listSegments(logPath)).toEqual([]);
    expect((await readdir(dir)).some((name) => name.includes('.tampered-') && name.endsWith('.audit.000001.jsonl'))).toBe(true);
    expect(await verifyAudit(logPath)).toMatchObject({ ok: true });
  });
});
