import type { Batch, BatchEntry } from '../core/batch/index.js';
import type { CapturedStream } from '../core/runner/types.js';
import { describeSandbox } from '../core/sandbox/profiles.js';
import type { AgentBatchView, ControlProgress } from './protocol.js';
import { plural } from '../shared/plural.js';

/** Agents get the end of each stream, bounded: enough to act on, never a flood. */
export const AGENT_TAIL_CHARS = 4000;

function tailOf(stream: CapturedStream | null): { text: string; truncated: boolean } {
  if (!stream) return { text: '', truncated: false };
  const whole = stream.truncated ? stream.tail : stream.head;
  const truncated = stream.truncated || whole.length > AGENT_TAIL_CHARS;
  return { text: whole.slice(-AGENT_TAIL_CHARS), truncated };
}

function entryView(entry: BatchEntry, index: number): AgentBatchView['entries'][number] {
  const stdout = tailOf(entry.stdout);
  const stderr = tailOf(entry.stderr);
  return {
    index: index + 1,
    command: entry.command,
    verdict: entry.classification.verdict,
    reasons: entry.classification.reasons.filter((r) => !r.code.startsWith('ALLOWED')).map(({ code, message }) => ({ code, message })),
    status: entry.status,
    exitCode: entry.exitCode,
    signal: entry.signal,
    durationMs: entry.durationMs === null ? null : Math.round(entry.durationMs),
    stdoutTail: stdout.text,
    stderrTail: stderr.text,
    outputTruncated: stdout.truncated || stderr.truncated,
    note: entry.note,
    sandbox: entry.sandbox && entry.status !== 'blocked' ? describeSandbox(entry.sandbox) : null,
    sandboxHint: entry.sandboxHint ?? null,
  };
}

export function agentView(batch: Batch): AgentBatchView {
  return {
    batchId: batch.id,
    status: batch.status,
    source: batch.source,
    approvedBy: batch.approvedBy,
    note: batch.note,
    entries: batch.entries.map(entryView),
  };
}

const DONE = new Set(['completed', 'error', 'timed_out', 'cancelled', 'skipped', 'blocked', 'interrupted']);

export function progressOf(batch: Batch): ControlProgress {
  const done = batch.entries.filter((e) => DONE.has(e.status)).length;
  const total = batch.entries.length;
  const message =
    batch.status === 'pending'
      ? 'waiting for a person to approve the batch in Leash'
      : batch.status === 'approved'
        ? 'approved; waiting for its turn to run'
        : batch.status === 'running'
          ? `running: ${done} of ${plural(total, 'entry', 'entries')} done`
          : `batch ${batch.status}`;
  return { status: batch.status, done, total, message };
}
