/**
 * How long opening the audit trail takes as history piles up (issue #13 item 1): a sealing
 * writer's open on logs of 1k / 100k / 1M records, against an empty data directory measured in
 * the same run, as medians and ratios. "before" checks the whole chain at open (what every open
 * did before: `fullCheck: true`); "after" resumes from the checkpointed record (the default).
 * Run with `node --import tsx bench/auditOpen.bench.ts` (LEASH_BENCH_OPEN_SIZES=1000,100000 to
 * choose sizes).
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { openAuditWriter, type AuditEventInput } from '../src-main/core/audit/index.js';
import { writeCheckpoint } from '../src-main/core/audit/checkpoint.js';
import { GENESIS_HASH } from '../src-main/core/audit/events.js';
import { sealRecord } from '../src-main/core/audit/recordLine.js';
import { median } from './stats.js';

const DEFAULT_SIZES = [1_000, 100_000, 1_000_000];

function entryFinished(i: number): AuditEventInput {
  return {
    event: 'ENTRY_FINISHED',
    batchId: `batch-${Math.floor(i / 10)}`,
    entryId: `entry-${i}`,
    tool: 'shell',
    command: `npm test -- --filter "suite ${i}" && git status --short`,
    verdict: 'allow',
    approvedBy: 'manual',
    exitCode: 0,
    durationMs: 1200 + (i % 97),
    stdoutSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    stdoutBytes: 4096 + i,
  };
}

/** Writes `records` records in big chunks (no per-record fsync), then lets a writer seal them once. */
async function buildSealedLog(path: string, records: number): Promise<void> {
  const handle = await open(path, 'w');
  let head = { seq: 0, hash: GENESIS_HASH, ts: '' };
  let offset = 0;
  let chunk: string[] = [];
  const start = Date.parse('2025-01-01T00:00:00.000Z');
  for (let i = 0; i < records; i++) {
    const { record, line } = sealRecord({ ...entryFinished(i) }, { seq: head.seq + 1, ts: new Date(start + i * 1000).toISOString(), prevHash: head.hash });
    chunk.push(line);
    offset += line.length;
    head = { seq: record.seq, hash: record.hash, ts: record.ts };
    if (chunk.length === 10_000) {
      await handle.write(chunk.join(''), null, 'latin1');
      chunk = [];
    }
  }
  await handle.write(chunk.join(''), null, 'latin1');
  await handle.close();
  await writeCheckpoint(path, { ...head, offset });
  const writer = await openAuditWriter(path, { sealing: {} });
  await writer.close();
}

async function timeOpen(path: string, fullCheck: boolean): Promise<number> {
  const started = performance.now();
  const writer = await openAuditWriter(path, { sealing: {}, fullCheck });
  const elapsed = performance.now() - started;
  await writer.close();
  return elapsed;
}

async function emptyOpen(runs: number): Promise<number> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const dir = await mkdtemp(join(tmpdir(), 'leash-open-empty-'));
    samples.push(await timeOpen(join(dir, 'audit.jsonl'), false));
    await rm(dir, { recursive: true, force: true });
  }
  return median(samples);
}

export interface OpenFigure {
  records: number;
  beforeMs: number;
  afterMs: number;
  emptyMs: number;
}

/** Medians of `runs` opens per size and mode, with the empty baseline measured between them. */
export async function benchAuditOpen(sizes = DEFAULT_SIZES, runs = 5): Promise<OpenFigure[]> {
  const figures: OpenFigure[] = [];
  for (const records of sizes) {
    const dir = await mkdtemp(join(tmpdir(), 'leash-open-'));
    try {
      const path = join(dir, 'audit.jsonl');
      await buildSealedLog(path, records);
      const fullRuns = records >= 1_000_000 ? Math.min(3, runs) : runs;
      const before: number[] = [];
      const after: number[] = [];
      for (let run = 0; run < fullRuns; run++) before.push(await timeOpen(path, true));
      for (let run = 0; run < runs; run++) after.push(await timeOpen(path, false));
      figures.push({ records, beforeMs: median(before), afterMs: median(after), emptyMs: await emptyOpen(runs) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return figures;
}

export function formatOpenFigures(figures: readonly OpenFigure[]): string {
  const lines = ['audit open (sealing writer), medians; ratio = against an empty data directory measured in the same run:', '  records     empty      before (full check)        after (incremental)'];
  for (const { records, beforeMs, afterMs, emptyMs } of figures) {
    const cell = (ms: number): string => `${ms.toFixed(1).padStart(9)} ms ${`(${(ms / emptyMs).toFixed(2)}×)`.padStart(10)}`;
    lines.push(`  ${String(records).padStart(9)}  ${emptyMs.toFixed(1).padStart(6)} ms  ${cell(beforeMs)}   ${cell(afterMs)}`);
  }
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sizes = process.env.LEASH_BENCH_OPEN_SIZES?.split(',').map(Number) ?? DEFAULT_SIZES;
  process.stdout.write(formatOpenFigures(await benchAuditOpen(sizes)));
}
