import type { AutonomyStatus } from '../autonomy/autonomy.js';
import type { Classification } from '../policy/types.js';
import type { PatchErrorCode, PatchFile, PatchRequest } from '../patch/types.js';
import type { CapturedStream, EntryError } from '../runner/types.js';
import type { SandboxChoice } from '../sandbox/entrySandbox.js';
import type { EntrySandbox } from '../sandbox/profiles.js';

export const BATCH_STATUSES = ['pending', 'approved', 'running', 'completed', 'error', 'cancelled', 'rejected', 'interrupted'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export const ENTRY_STATUSES = ['pending', 'blocked', 'running', 'completed', 'error', 'timed_out', 'cancelled', 'skipped', 'interrupted'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

/** `manual`, or `autonomy:<token fingerprint>`. */
export type ApprovedBy = 'manual' | `autonomy:${string}`;

/**
 * File changes from a signed inbox command (`applyPatch`): the request, and the diff computed
 * from it when the batch was created, which is what the person approves. Applying it repeats the
 * dry run and refuses (`PATCH_STALE`) unless it gives exactly this diff again.
 */
export interface PatchEntryData {
  request: PatchRequest;
  /** Git-style unified diff; empty for a patch that changes nothing. */
  diff: string;
  diffSha256: string;
  files: PatchFile[];
  filesChanged: number;
  /** How applying it went; null until it ran. */
  outcome: { ok: true; log: string[] } | { ok: false; code: PatchErrorCode; message: string } | null;
}

/** One tool call in a batch: a `shell` command, or a `patch` (file changes shown as a diff; never allowed automatically). */
export interface BatchEntry {
  id: string;
  tool: 'shell' | 'patch';
  /** The exact text that runs; stored when the batch is created and never changed. For a patch, a one-line summary of it. */
  command: string;
  /** Present exactly when `tool` is `patch`. */
  patch?: PatchEntryData;
  cwd: string;
  timeoutMs: number;
  classification: Classification;
  status: EntryStatus;
  /** Chosen by the approver; unapproved entries are skipped when the batch runs. */
  approved: boolean;
  exitCode: number | null;
  signal: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  stdout: CapturedStream | null;
  stderr: CapturedStream | null;
  error: EntryError | null;
  /** Why the entry is blocked, skipped, cancelled or interrupted. */
  note: string | null;
  /** The running process group (Linux), so leftovers can be killed if Leash dies mid-run. */
  process?: { pid: number; startTime: number } | null;
  /**
   * The sandbox it runs in: planned when the batch is created (what a person sees before
   * approving), fixed at approval with the person's choice. Absent only in batch files written
   * before sandboxes existed.
   */
  sandbox?: EntrySandbox;
  /** Set when the entry failed and its error output suggests the sandbox stopped it, in words. */
  sandboxHint?: string | null;
}

export interface Batch {
  id: string;
  createdAt: string;
  updatedAt: string;
  /** Where the batch came from: `paste`, `cli`, `agent:<name>`, `mcp:<client>`, `inbox:<id>`. */
  source: string;
  /** Why the agent proposed it, if it said. */
  reason: string | null;
  cwd: string;
  status: BatchStatus;
  stopOnFailure: boolean;
  entries: BatchEntry[];
  approvedBy: ApprovedBy | null;
  approvedAt: string | null;
  /** What the approver chose for the entries a person approved (profile, network); null until approved. */
  sandboxChoice?: SandboxChoice | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Why the batch was rejected, cancelled or interrupted, or why it waits (e.g. rate limit). */
  note: string | null;
  /** When a person asked for a graceful stop of the running batch: it is stopping, not yet stopped. */
  stopRequestedAt?: string | null;
  /**
   * Set while the approved batch waits in the run queue (approved and run, not started yet);
   * null once it starts or leaves the queue. An approved batch without it waits for a person to run it.
   */
  queuedAt?: string | null;
  /** The batch it waits behind in the run queue (running, or queued ahead of it); null when it is next. */
  queuedBehind?: string | null;
  /** What the person told the agent to do instead, given with the rejection (trimmed; see rejection.ts). */
  rejectionMessage?: string | null;
}

export const TERMINAL_BATCH_STATUSES: readonly BatchStatus[] = ['completed', 'error', 'cancelled', 'rejected', 'interrupted'];

export function isTerminal(status: BatchStatus): boolean {
  return TERMINAL_BATCH_STATUSES.includes(status);
}

/** Events the batch service emits to the UI, the CLI and agents waiting on a batch. */
export type BatchEvent =
  | { type: 'batch-updated'; batch: Batch }
  | { type: 'entry-output'; batchId: string; entryId: string; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'autonomy-changed'; status: AutonomyStatus }
  /** Whoever pressed it (tray, global shortcut, a page, Ctrl+C in `leash serve`), every UI learns what was stopped. */
  | { type: 'emergency-stopped'; report: { killed: { batchId: string; entryId: string; command: string } | null; cancelledBatches: string[]; autonomyWasOn: boolean } };
