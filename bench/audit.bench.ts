/**
 * Audit trail benchmark: append latency with fsync, and verification speed on a large log.
 * Run with `node --import tsx bench/audit.bench.ts`. Numbers depend on the disk; the targets are
 * append p99 of a few ms and verification of at least 50,000 records/s.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { openAuditWriter, readAuditTail, verifyAudit, type AuditEventInput } from '../src-main/core/audit/index.js';
import { writeCheckpoint } from '../src-main/core/audit/checkpoint.js';
import { GENESIS_HASH } from '../src-main/core/audit/events.js';
import { sealRecord } from '../src-main/core/audit/recordLine.js';
import { benchAuditOpen, formatOpenFigures } from './auditOpen.bench.js';

const APPENDS = 2_000;
const WARMUP_APPENDS = 50;
const LARGE_LOG_RECORDS = 200_000;
const VERIFY_RUNS = 3;

/** A record shaped like the most common real one (an entry that finished), about 450 bytes. */
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
    stderrSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    stdoutBytes: 4096 + i,
    stderrBytes: 0,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

function latencySummary(prefix: string, latencies: number[]): Record<string, number> {
  latencies.sort((a, b) => a - b);
  return {
    [`${prefix}P50Ms`]: percentile(latencies, 50),
    [`${prefix}P90Ms`]: percentile(latencies, 90),
    [`${prefix}P99Ms`]: percentile(latencies, 99),
    [`${prefix}MaxMs`]: latencies[latencies.length - 1] ?? Number.NaN,
  };
}

/**
 * Two patterns: `append` starts from an idle queue (the app does real work between records, so
 * the previous checkpoint is done: the caller waits for write + fdatasync), `appendBackToBack`
 * starts right after the previous append resolved (it also waits for that record's checkpoint).
 */
async function measureAppends(dir: string): Promise<Record<string, number>> {
  const writer = await openAuditWriter(join(dir, 'append.jsonl'));
  for (let i = 0; i < WARMUP_APPENDS; i++) await writer.append(entryFinished(i));
  const idle: number[] = [];
  for (let i = 0; i < APPENDS; i++) {
    await writer.flush();
    const started = performance.now();
    await writer.append(entryFinished(i));
    idle.push(performance.now() - started);
  }
  const backToBack: number[] = [];
  for (let i = 0; i < APPENDS; i++) {
    const started = performance.now();
    await writer.append(entryFinished(i));
    backToBack.push(performance.now() - started);
  }
  await writer.close();
  return { ...latencySummary('append', idle), ...latencySummary('appendBackToBack', backToBack) };
}

/** Builds the large log directly (no per-record fsync): it measures reading, not writing. */
async function buildLargeLog(path: string): Promise<number> {
  const lines: string[] = [];
  let head = { seq: 0, hash: GENESIS_HASH, ts: '' };
  const start = Date.parse('2025-01-01T00:00:00.000Z');
  for (let i = 0; i < LARGE_LOG_RECORDS; i++) {
    const { record, line } = sealRecord({ ...entryFinished(i) }, { seq: head.seq + 1, ts: new Date(start + i * 1000).toISOString(), prevHash: head.hash });
    lines.push(line);
    head = { seq: record.seq, hash: record.hash, ts: record.ts };
  }
  const text = lines.join('');
  await writeFile(path, text, 'latin1');
  await writeCheckpoint(path, head);
  return text.length;
}

async function measureLargeLog(dir: string): Promise<Record<string, number>> {
  const path = join(dir, 'large.jsonl');
  const bytes = await buildLargeLog(path);
  const runs: number[] = [];
  for (let run = 0; run < VERIFY_RUNS; run++) {
    const started = performance.now();
    const result = await verifyAudit(path);
    runs.push(performance.now() - started);
    if (!result.ok || result.records !== LARGE_LOG_RECORDS) throw new Error(`the benchmark log did not verify: ${JSON.stringify(result)}`);
  }
  const verifyMs = median(runs);
  let started = performance.now();
  const writer = await openAuditWriter(path, { fullCheck: true });
  const openMs = performance.now() - started;
  await writer.close();
  started = performance.now();
  await readAuditTail(path, 20);
  const tailMs = performance.now() - started;
  return {
    largeLogRecords: LARGE_LOG_RECORDS,
    largeLogMiB: bytes / (1024 * 1024),
    verifyMedianMs: verifyMs,
    verifyRecordsPerSecond: LARGE_LOG_RECORDS / (verifyMs / 1000),
    openLargeLogMs: openMs,
    tail20LargeLogMs: tailMs,
  };
}

/** Runs both measurements in a temporary directory and returns the figures (ms, records/s). */
export async function benchAudit(): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'leash-audit-bench-'));
  try {
    return { ...(await measureAppends(dir)), ...(await measureLargeLog(dir)) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await benchAudit();
  const f = (value: number | undefined, digits = 2): string => (value ?? Number.NaN).toFixed(digits);
  for (const [prefix, title] of [
    ['append', 'append, idle queue (write + fdatasync)'],
    ['appendBackToBack', 'append, back to back (also waits for the previous checkpoint)'],
  ] as const) {
    console.log(`${title}, ${APPENDS} appends after ${WARMUP_APPENDS} warm-up:`);
    console.log(`  p50 ${f(figures[`${prefix}P50Ms`])} ms   p90 ${f(figures[`${prefix}P90Ms`])} ms   p99 ${f(figures[`${prefix}P99Ms`])} ms   max ${f(figures[`${prefix}MaxMs`])} ms`);
  }
  console.log(`verify ${figures.largeLogRecords} records (${f(figures.largeLogMiB, 1)} MiB), median of ${VERIFY_RUNS} runs:`);
  console.log(`  ${f(figures.verifyMedianMs, 0)} ms = ${f(figures.verifyRecordsPerSecond, 0)} records/s`);
  console.log(`open a writer on that log (full verification): ${f(figures.openLargeLogMs, 0)} ms`);
  console.log(`tail -n 20 on that log: ${f(figures.tail20LargeLogMs)} ms`);
  const sizes = process.env.LEASH_BENCH_OPEN_SIZES?.split(',').map(Number);
  process.stdout.write(formatOpenFigures(await benchAuditOpen(sizes)));
}
