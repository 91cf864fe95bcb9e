import type { Batch, BatchEntry } from '../core/batch/index.js';
import type { CapturedStream } from '../core/runner/types.js';
import { shortBatchId } from '../core/batch/shortId.js';
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
    rejectionMessage: batch.rejectionMessage ?? null,
    queuedBehind: batch.status === 'approved' && batch.queuedBehind ? shortBatchId(batch.queuedBehind) : null,
    entries: batch.entries.map(entryView),
  };
}

const DONE = new Set(['completed', 'error', 'timed_out', 'cancelled', 'skipped', 'blocked', 'interrupted']);

/** Reads another batch (the one a queued batch waits behind); undefined when it is gone. */
export type BatchLookup = (id: string) => Batch | undefined;

/** Where an approved batch stands: waiting for a person's Run, queued (behind which batch), or starting. */
function approvedMessage(batch: Batch, lookup: BatchLookup): string {
  if (!batch.queuedAt) return 'approved in Leash but not started: waiting for a person to run it';
  if (!batch.queuedBehind) return 'approved; starting now';
  const ahead = lookup(batch.queuedBehind);
  const name = `batch ${shortBatchId(batch.queuedBehind)}`;
  if (ahead?.status === 'running') return `approved; queued behind ${name}, which is running`;
  if (ahead?.status === 'approved') return `approved; queued behind ${name}, which is queued to run too`;
  return `approved; queued to run after ${name}`;
}

function runningMessage(batch: Batch, done: number): string {
  const total = batch.entries.length;
  const index = batch.entries.findIndex((e) => e.status === 'running');
  if (batch.stopRequestedAt) return `stopping: a person pressed Stop; ${done} of ${plural(total, 'entry', 'entries')} done, the rest will be skipped`;
  if (index === -1) return `running: ${done} of ${plural(total, 'entry', 'entries')} done`;
  return `running entry ${index + 1} of ${total}`;
}

/**
 * What the agent is told while it waits, in words that say what it waits for: a person's
 * approval, a person's Run, the batch ahead of it in the run queue (named), or the entry that runs.
 */
export function progressOf(batch: Batch, lookup: BatchLookup = () => undefined): ControlProgress {
  const done = batch.entries.filter((e) => DONE.has(e.status)).length;
  const total = batch.entries.length;
  let message: string;
  switch (batch.status) {
    case 'pending':
      message = `waiting for a person to approve the batch in Leash${batch.note ? ` (${batch.note})` : ''}`;
      break;
    case 'approved':
      message = approvedMessage(batch, lookup);
      break;
    case 'running':
      message = runningMessage(batch, done);
      break;
    default:
      message = `done: batch ${batch.status}`;
  }
  return { status: batch.status, done, total, message };
}
