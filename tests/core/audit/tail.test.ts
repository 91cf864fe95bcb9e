import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAuditTail, type AuditTailEntry } from '../../../src-main/core/audit/index.js';
import { buildLog, makeTempDir, readLines, writeLines, writeLog } from './auditFixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
let logPath: string;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  logPath = join(dir, 'audit.jsonl');
});
afterEach(() => cleanup());

function seqs(entries: AuditTailEntry[]): Array<number | string> {
  return entries.map((entry) => (entry.ok ? entry.record.seq : entry.reason));
}

describe('readAuditTail', () => {
  it('returns the last records, oldest first', async () => {
    await writeLog(logPath);
    const entries = await readAuditTail(logPath, 3);
    expect(seqs(entries)).toEqual([4, 5, 6]);
    expect(entries[0]).toEqual({ ok: true, record: JSON.parse((await readLines(logPath))[3] as string) });
  });

  it('returns the whole log when it is shorter than asked, and nothing for zero', async () => {
    await writeLog(logPath);
    expect(seqs(await readAuditTail(logPath, 50))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await readAuditTail(logPath, 0)).toEqual([]);
  });

  it('returns nothing for an empty log', async () => {
    await writeFile(logPath, '');
    expect(await readAuditTail(logPath, 5)).toEqual([]);
  });

  it('shows a torn last line and unreadable lines instead of hiding them', async () => {
    await writeLog(logPath);
    const lines = await readLines(logPath);
    lines[4] = 'garbage';
    await writeLines(logPath, lines);
    await appendFile(logPath, '{"event":"EN');
    expect(await readAuditTail(logPath, 3)).toEqual([
      { ok: false, reason: 'MALFORMED', text: 'garbage' },
      { ok: true, record: JSON.parse(lines[5] as string) },
      { ok: false, reason: 'TORN', text: '{"event":"EN' },
    ]);
  });

  it('reads across chunk boundaries from the end of a large log', async () => {
    const events = Array.from({ length: 1000 }, (_, i) => ({ event: 'ENTRY_STARTED' as const, command: `echo ${'y'.repeat(300)} ${i}` }));
    await buildLog(logPath, events);
    const entries = await readAuditTail(logPath, 400);
    expect(seqs(entries)).toEqual(Array.from({ length: 400 }, (_, i) => 601 + i));
  });

  it('throws AUDIT_NOT_FOUND for a missing log', async () => {
    await expect(readAuditTail(join(dir, 'missing.jsonl'), 5)).rejects.toMatchObject({ code: 'AUDIT_NOT_FOUND' });
  });
});
