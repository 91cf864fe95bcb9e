import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAuditWriter, type AuditEventInput, type AuditRecord } from '../../../src-main/core/audit/index.js';
import { writeCheckpoint } from '../../../src-main/core/audit/checkpoint.js';
import { GENESIS_HASH } from '../../../src-main/core/audit/events.js';
import { sealRecord } from '../../../src-main/core/audit/recordLine.js';

/** A clock that ticks one second per call from a fixed instant, so bytes are reproducible. */
export function steppingClock(start = Date.parse('2025-01-02T03:04:05.678Z')): () => Date {
  let calls = 0;
  return () => new Date(start + 1000 * calls++);
}

export async function makeTempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'leash-audit-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A small but varied run of events, like one batch from creation to finish. */
export const SAMPLE_EVENTS: AuditEventInput[] = [
  { event: 'APP_STARTED' },
  { event: 'BATCH_CREATED', batchId: 'b1', details: { source: 'paste', entries: 2 } },
  { event: 'BATCH_APPROVED', batchId: 'b1', approvedBy: 'manual' },
  { event: 'ENTRY_STARTED', batchId: 'b1', entryId: 'e1', tool: 'shell', command: 'echo hi', verdict: 'allow' },
  {
    event: 'ENTRY_FINISHED',
    batchId: 'b1',
    entryId: 'e1',
    exitCode: 0,
    durationMs: 12,
    stdoutSha256: '98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4',
    stdoutBytes: 3,
  },
  { event: 'BATCH_FINISHED', batchId: 'b1', durationMs: 15 },
];

/** Writes `events` through a real writer and returns the records. */
export async function writeLog(path: string, events: readonly AuditEventInput[] = SAMPLE_EVENTS, clock = steppingClock()): Promise<AuditRecord[]> {
  const writer = await openAuditWriter(path, { clock });
  const records: AuditRecord[] = [];
  for (const event of events) records.push(await writer.append(event));
  await writer.close();
  return records;
}

/**
 * Builds a large valid log (and its checkpoint) in one write, without a writer's per-record
 * fsync: for tests that need many records, not durability.
 */
export async function buildLog(path: string, events: readonly AuditEventInput[], clock = steppingClock()): Promise<void> {
  let head = { seq: 0, hash: GENESIS_HASH, ts: '' };
  const lines: string[] = [];
  for (const event of events) {
    const { record, line } = sealRecord({ ...event }, { seq: head.seq + 1, ts: clock().toISOString(), prevHash: head.hash });
    lines.push(line);
    head = { seq: record.seq, hash: record.hash, ts: record.ts };
  }
  await writeFile(path, lines.join(''), 'latin1');
  if (head.seq > 0) await writeCheckpoint(path, head);
}

export async function readLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'latin1');
  return text.split('\n').slice(0, -1);
}

export async function writeLines(path: string, lines: readonly string[]): Promise<void> {
  await writeFile(path, lines.map((line) => `${line}\n`).join(''), 'latin1');
}

/** What an attacker who knows the format can do: change a record and give it a valid hash. */
export function reseal(line: string, change: (record: Record<string, unknown>) => void): string {
  const record = JSON.parse(line) as Record<string, unknown>;
  change(record);
  const { seq, ts, prevHash, hash: _hash, ...fields } = record;
  return sealRecord(fields, { seq: seq as number, ts: ts as string, prevHash: prevHash as string }).line.trimEnd();
}

export function hashOf(line: string): string {
  return (JSON.parse(line) as AuditRecord).hash;
}
