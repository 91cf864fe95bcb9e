import { createHash } from 'node:crypto';
import { constants } from 'node:os';
import type { Batch, BatchEntry } from '../batch/index.js';
import type { CommandDocument } from './commandFile.js';
import type { InflightRecord } from './inflightStore.js';

/**
 * The two files written when a command's batch ends, built from the batch and the command only
 * (no clock reads), so writing them again after a crash gives the same bytes.
 *
 * `results/<id>.json`: what happened, entry by entry, with output as captured (head and tail,
 * full length and SHA-256). `results/<id>.integrity.json`: the hashes that tie the original
 * command to its results, the times, and whether the run kept to its constraints.
 */

export const RESULTS_SCHEMA_VERSION = 1;

export function sha256Hex(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * One exit code for the batch, as a shell would report it: the first entry that failed gives its
 * exit code (128 + signal number when a signal ended it, 1 when it never started or has no code);
 * 0 when every entry that ran succeeded; null when nothing ran (rejected, cancelled before a start).
 */
export function batchExitCode(batch: Batch): number | null {
  let ran = false;
  for (const entry of batch.entries) {
    if (entry.status === 'completed') ran = true;
    if (!FAILED.has(entry.status)) continue;
    if (entry.status === 'cancelled' && entry.startedAt === null) continue;
    if (entry.exitCode !== null && entry.exitCode !== 0) return entry.exitCode;
    const signal = entry.signal === null ? undefined : (constants.signals as Record<string, number | undefined>)[entry.signal];
    return signal === undefined ? 1 : 128 + signal;
  }
  return ran ? 0 : null;
}

const FAILED = new Set<BatchEntry['status']>(['error', 'timed_out', 'cancelled', 'interrupted']);

/** Whole milliseconds the batch's commands ran, summed; null if none ran. */
export function runDurationMs(batch: Batch): number | null {
  const durations = batch.entries.map((e) => e.durationMs).filter((d): d is number => d !== null);
  return durations.length === 0 ? null : Math.round(durations.reduce((sum, d) => sum + d, 0));
}

export function resultsDocument(commandId: string, batch: Batch): Record<string, unknown> {
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    id: commandId,
    batch_id: batch.id,
    source: batch.source,
    status: batch.status,
    note: batch.note,
    // What the person told the agent to do instead, when they rejected it with a message.
    rejection_message: batch.rejectionMessage ?? null,
    exit_code: batchExitCode(batch),
    approved_by: batch.approvedBy,
    created_at: batch.createdAt,
    approved_at: batch.approvedAt,
    started_at: batch.startedAt,
    finished_at: batch.finishedAt,
    entries: batch.entries.map((entry, index) => ({
      index: index + 1,
      entry_id: entry.id,
      tool: entry.tool,
      command: entry.command,
      ...(entry.patch
        ? {
            patch: {
              target: entry.patch.request.target,
              diff_sha256: entry.patch.diffSha256,
              files_changed: entry.patch.filesChanged,
              files: entry.patch.files,
              outcome: entry.patch.outcome,
            },
          }
        : {}),
      cwd: entry.cwd,
      timeout_ms: entry.timeoutMs,
      verdict: entry.classification.verdict,
      status: entry.status,
      exit_code: entry.exitCode,
      signal: entry.signal,
      started_at: entry.startedAt,
      ended_at: entry.endedAt,
      duration_ms: entry.durationMs === null ? null : Math.round(entry.durationMs),
      stdout: entry.stdout,
      stderr: entry.stderr,
      error: entry.error,
      note: entry.note,
    })),
  };
}

export interface IntegrityInput {
  commandId: string;
  command: CommandDocument;
  batch: Batch;
  inflight: InflightRecord;
  /** SHA-256 of the exact bytes of results/<id>.json. */
  resultSha256: string;
  /** SHA-256 of diffs/<id>.patch and the files it changes (applyPatch); null for runBatch. */
  diff: { sha256: string; filesChanged: number } | null;
}

/** The patch entry of an applyPatch batch (always the first entry), if any. */
export function patchEntryOf(batch: Batch): BatchEntry | undefined {
  return batch.entries.find((entry) => entry.tool === 'patch');
}

export function integrityDocument(input: IntegrityInput): Record<string, unknown> {
  const { command, batch, inflight } = input;
  const duration = runDurationMs(batch);
  const maxFiles = 'maxFilesChanged' in command.constraints ? command.constraints.maxFilesChanged : null;
  const filesOk = input.diff === null || maxFiles === null || input.diff.filesChanged <= maxFiles;
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    id: input.commandId,
    batch_id: batch.id,
    status: batch.status,
    input_sha256: inflight.inputSha256,
    result_sha256: input.resultSha256,
    diff_sha256: input.diff?.sha256 ?? null,
    files_changed: input.diff?.filesChanged ?? null,
    action: command.action,
    issued_at: command.issued_at,
    expires_at: command.expires_at,
    accepted_at: inflight.acceptedAt,
    executed_at: batch.startedAt,
    finished_at: batch.finishedAt,
    duration_ms: duration,
    constraints: command.constraints,
    limits_ok: (duration === null || duration <= command.constraints.maxRuntimeMs) && filesOk,
    hmac_ok: true,
    verified_with: inflight.verifiedWith,
    exit_code: batchExitCode(batch),
  };
}
