import { randomUUID } from 'node:crypto';
import type { AuditWriter } from '../audit/index.js';
import { createAutonomyControl, type AutonomyControl } from '../autonomy/autonomy.js';
import { createRateLimiter } from '../autonomy/rateLimiter.js';
import type { PolicyEngine } from '../policy/engine.js';
import type { PolicySettings } from '../policy/types.js';
import { filterEnvironment } from '../runner/environmentFilter.js';
import type { EntryHooks, EntryRequest, RunningEntry } from '../runner/types.js';
import type { PreparedEntry } from '../runner/startEntry.js';
import { DEFAULT_SANDBOX_CHOICE, type SandboxChoice } from '../sandbox/entrySandbox.js';
import { isChoosableProfile } from '../sandbox/profiles.js';
import type { SandboxRuntime } from '../sandbox/runtime.js';
import type { SettingsStore } from '../settings/store.js';
import { dryRunBatch, type DryRunReport } from './dryRun.js';
import { BatchError } from './errors.js';
import { ARCHIVABLE_STATUSES, archiveBatches, selectArchivable } from './archive.js';
import { createExecution, leaveQueue, type RecentOutput } from './execution.js';
import { validateNewBatch, type NewBatch } from './input.js';
import { PATCH_CLASSIFICATION, preparePatchEntry } from './patchEntry.js';
import { recoverBatches, withdrawApproval } from './recovery.js';
import { createHeadListing } from './headListing.js';
import { createBatchListingFromIndex } from './listing.js';
import { allowedInAdvance, rejudgePending } from './rejudge.js';
import { validateRejectionMessage } from './rejection.js';
import { createBatchState } from './state.js';
import { describeSetAside, type BatchStore, type SetAsideBatchFile } from './store.js';
import type { BatchListQuery, BatchPage } from './summary.js';
import { assertBatchMove } from './transitions.js';
import { isTerminal, type ApprovedBy, type Batch, type BatchEntry, type BatchEvent } from './types.js';
import { checkWorkingDirectories } from './workingDirectories.js';

export interface BatchServiceDeps {
  store: BatchStore;
  settings: SettingsStore;
  engine: PolicyEngine;
  audit: AuditWriter;
  /** Starts one entry's process tree (the runner's `startEntry`, bound to a registry). */
  start(request: EntryRequest, hooks: EntryHooks): RunningEntry;
  /**
   * Spawns a sandboxed entry held, its sandbox set up while the entry before it runs (the
   * runner's `prepareEntry`, bound to the registry `start` uses). Optional: without it each
   * entry's sandbox is set up at its turn.
   */
  prepare?(request: EntryRequest): PreparedEntry;
  /** Kills every entry the runner started (the registry `start` registers in). */
  killAll(): Promise<unknown>;
  /** The environment commands inherit, before secret-looking variables are withheld. */
  env: NodeJS.ProcessEnv;
  /** Chooses each entry's sandbox profile and wraps the entry in it (see core/sandbox). */
  sandbox: SandboxRuntime;
  now?: () => Date;
  newId?: () => string;
  /**
   * The policy settings for an entry that runs in `cwd`: the settings plus the person's rules
   * for that directory (core/rules). Default: the settings alone.
   */
  policyFor?: (cwd: string) => PolicySettings;
  /**
   * True when entries a rule allowed would run under the approved-entry (workspace) sandbox:
   * only then does autonomy count them as allowed. Default: false (a person approves them).
   */
  workspaceSandbox?: () => boolean;
  /** Where failures of work nobody awaits go (recording autonomy's end from its timer). */
  onBackgroundError?: (error: Error) => void;
}

export interface EmergencyStopReport {
  /** The entry that was running and was killed, if any. */
  killed: { batchId: string; entryId: string; command: string } | null;
  cancelledBatches: string[];
  autonomyWasOn: boolean;
}

export interface BatchService {
  /** A page of summaries, newest first, filtered by search text and status (see BatchListQuery). Throws INVALID_QUERY. */
  list(query?: BatchListQuery): BatchPage;
  /**
   * The full batch (entries, captures) for an id or a unique id prefix (see resolveBatchId):
   * reading by a short id is safe. Every action below takes whole ids only, so nothing is ever
   * approved, run or stopped because of a guess.
   */
  get(idOrPrefix: string): Batch;
  /** The whole id an id or unique prefix names; throws BATCH_NOT_FOUND, BATCH_ID_TOO_SHORT or BATCH_ID_AMBIGUOUS. */
  resolveId(idOrPrefix: string): string;
  create(input: NewBatch): Promise<Batch>;
  /**
   * Approves the whole batch or the chosen entries; `deny` entries are never approved: they end
   * `blocked`. `sandbox` is the person's choice for the entries the policy did not allow
   * (default: workspace, no network); allowed entries always run read-only. Refused with
   * SANDBOX_REFUSED (nothing approved) when an approved entry's sandbox cannot be applied.
   * With `run`, the batch is queued to run in the same step (Approve & run): no other client can
   * act between the approval and the queuing, and it is marked queued (`queuedAt`, and the batch
   * it waits behind, `queuedBehind`) from its first change. If another client un-approves, rejects
   * or stops it while the approval is being recorded, it stays as they left it.
   */
  approve(id: string, options?: { entryIds?: string[]; by?: ApprovedBy; sandbox?: SandboxChoice; run?: boolean }): Promise<Batch>;
  /** Takes an approved batch that has not started back to awaiting approval (out of the run queue too). */
  unapprove(id: string, reason?: string): Promise<Batch>;
  /**
   * Rejects a pending batch, or an approved one that has not started (out of the run queue too).
   * `reason` is Leash's note on the batch; `message` is what the person tells the agent to do
   * instead: trimmed, stored as `rejectionMessage`, recorded in BATCH_REJECTED
   * (`details.message`) and returned to the agent as its tool error. Throws
   * REJECTION_MESSAGE_TOO_LONG or REJECTION_MESSAGE_INVALID before anything changes.
   */
  reject(id: string, reason?: string, options?: { message?: string }): Promise<Batch>;
  /** Queues an approved batch to run (a batch already queued stays where it is); returns at once. */
  run(id: string): Promise<Batch>;
  /** What would run, and in which sandbox (with `sandbox`, as if approved with that choice). */
  dryRun(id: string, sandbox?: SandboxChoice): Promise<DryRunReport>;
  /**
   * Graceful stop: the running entry finishes, the rest are skipped (the batch records
   * `stopRequestedAt` until then). A pending or approved batch that has not started is cancelled.
   */
  stop(id: string): Promise<Batch>;
  /**
   * Kills the running entry's tree, cancels everything queued and turns autonomy off. `reason`
   * (default "emergency stop") is what the audit, the cancelled entries and agents are told: a
   * shutdown says so, rather than passing for a person's stop.
   */
  emergencyStop(options?: { reason?: string }): Promise<EmergencyStopReport>;
  whenSettled(id: string): Promise<Batch>;
  /** The end of a running entry's live output (nothing once it finished: its capture is stored). */
  recentOutput(id: string, entryId: string): RecentOutput;
  /**
   * Backpressure for a consumer of `entry-output` that cannot keep up (a CLI piped into a slow
   * reader): until the returned release is called, running entries' output is not read and the
   * commands block on their full pipes. Holds nest; a stop still kills at once.
   */
  holdOutput(): () => void;
  on(listener: (event: BatchEvent) => void): () => void;
  readonly autonomy: AutonomyControl;
  /** Waits for running work and pending writes (used on quit after a stop). */
  idle(): Promise<void>;
  /**
   * Classifies the pending batches again (the rules changed) and lets autonomy take those that
   * are now allowed. Returns the batches whose classifications changed.
   */
  rejudgePending(): Promise<Batch[]>;
  /**
   * Deletes a finished batch from the store and the list (its audit records stay).
   * Refused with ILLEGAL_TRANSITION for a batch that has not finished. Emits no event.
   */
  remove(id: string): Promise<void>;
  /**
   * Retention: moves finished batches settled more than `olderThanDays` days ago (archive.ts says
   * which statuses) out of the list into the archive, recorded as one `BATCHES_ARCHIVED`.
   * Resolves with the ids moved (none: nothing recorded).
   */
  archiveFinished(olderThanDays: number): Promise<string[]>;
  /** Problems found while loading, one line each (batch files set aside, the index rebuilt), and since (a file found bad when read). */
  readonly problems: readonly string[];
  /** The batch files that did not load and were set aside (this start or an earlier one). */
  readonly setAside: readonly SetAsideBatchFile[];
}

/**
 * The batch service: everything the UI, the CLI and agents can do with batches. Batches that
 * were running when the process died come back `interrupted`, never `running`.
 */
export async function createBatchService(deps: BatchServiceDeps): Promise<BatchService> {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? (() => randomUUID());
  const { audit, settings, engine } = deps;
  const policyFor = deps.policyFor ?? (() => settings.get());
  const workspaceSandbox = deps.workspaceSandbox ?? (() => deps.sandbox.available);
  // From the index's head when it can be trusted (the newest summaries and, in full, only what
  // recovery needs: approved and running batches); else from the whole index and directory.
  const fromHead = await deps.store.loadHead();
  const loaded = fromHead ? { ...fromHead, problems: [] } : await deps.store.load();
  const problems = [...loaded.setAside.map((file) => describeSetAside(file, deps.store.dir)), ...loaded.problems];
  const setAside = [...loaded.setAside];
  const state = createBatchState(deps.store, loaded.active, now);
  // Registered before anyone else listens: a listener told of a change finds it listed already.
  const listing = fromHead
    ? createHeadListing(fromHead, () => deps.store.readListing(), (files) => {
        for (const file of files) {
          if (setAside.some((known) => known.file === file.file)) continue;
          setAside.push(file);
          problems.push(describeSetAside(file, deps.store.dir));
        }
      })
    : createBatchListingFromIndex((loaded as Awaited<ReturnType<BatchStore['load']>>).listed);
  state.on((event) => {
    if (event.type === 'batch-updated') listing.put(event.batch);
  });
  await recoverBatches(state, audit, now);
  /** A batch whose file no longer loads drops out of the list (the store set the file aside). */
  const read = (id: string): Batch => {
    try {
      return state.get(id);
    } catch (error) {
      if (error instanceof BatchError && error.code === 'BATCH_UNREADABLE') {
        listing.remove(id);
        problems.push(error.message);
      }
      throw error;
    }
  };

  const environment = (): { shell: string; env: Record<string, string | undefined>; withheld: string[] } => {
    const current = settings.get();
    const filtered = filterEnvironment(deps.env, current.allowedSecretEnv);
    return { shell: current.shell, env: filtered.env, withheld: filtered.withheld };
  };
  const execution = createExecution({ state, audit, start: deps.start, prepare: deps.prepare, environment, sandbox: deps.sandbox });
  const autonomy = createAutonomyControl({
    settings,
    audit,
    now,
    // Unattended runs rest on the sandbox: without one, autonomy cannot be switched on.
    blockedBecause: () => (deps.sandbox.available ? null : `no sandbox works on this machine, so nothing may run unattended: ${deps.sandbox.context().unavailableReason}`),
    onChange: (status) => state.emit({ type: 'autonomy-changed', status }),
    onError: deps.onBackgroundError,
  });
  // Before anything can be approved: an autonomy that ended while Leash was not running is over.
  await autonomy.resume();
  const limiter = createRateLimiter(() => settings.get().autonomyRateLimitPerMinute, () => now().getTime());

  const approve: BatchService['approve'] = async (id, options = {}) => {
    const by = options.by ?? 'manual';
    const choice = options.sandbox ?? DEFAULT_SANDBOX_CHOICE;
    if (!isChoosableProfile(choice.profile) || typeof choice.network !== 'boolean') {
      throw new BatchError('INVALID_SANDBOX_CHOICE', 'the sandbox must be read-only, workspace or full, with network on or off');
    }
    const batch = state.get(id);
    assertBatchMove(id, batch.status, 'approved');
    if (by !== 'manual' && batch.entries.some((e) => e.tool === 'patch')) {
      throw new BatchError('PATCH_NEEDS_PERSON', 'file changes are approved by a person, never by autonomy');
    }
    const chosen = new Set(options.entryIds ?? batch.entries.map((e) => e.id));
    for (const entryId of chosen) {
      if (!batch.entries.some((e) => e.id === entryId)) throw new BatchError('ENTRY_NOT_FOUND', `batch ${id} has no entry ${entryId}`);
    }
    const approvable = batch.entries.filter((e) => chosen.has(e.id) && e.classification.verdict !== 'deny');
    if (approvable.length === 0) throw new BatchError('NOTHING_APPROVED', 'none of the chosen entries can be approved (blocked entries never run)');
    const blocked = batch.entries.filter((e) => e.classification.verdict === 'deny');
    // Fixed now, with the person's choice, and shown as it will be enforced.
    const sandboxes = new Map(approvable.filter((e) => e.tool === 'shell').map((e) => [e.id, deps.sandbox.choose(e, choice)]));
    const refused = approvable.find((e) => sandboxes.get(e.id)?.problem);
    if (refused) throw new BatchError('SANDBOX_REFUSED', `entry ${batch.entries.indexOf(refused) + 1}: ${sandboxes.get(refused.id)?.problem}`);
    const stamp = now().toISOString();
    const updated = await state.change(id, (b) => {
      b.status = 'approved';
      b.approvedBy = by;
      b.approvedAt = stamp;
      // A note about why it waited (rate limit, a restart) is stale once a person approves.
      b.note = null;
      b.sandboxChoice = { ...choice };
      if (options.run) {
        b.queuedAt = stamp;
        b.queuedBehind = execution.lastInLine();
      }
      for (const entry of b.entries) {
        if (entry.classification.verdict === 'deny') Object.assign(entry, { status: 'blocked', approved: false, note: 'denied by policy; it can never run' });
        else entry.approved = chosen.has(entry.id);
        const sandbox = sandboxes.get(entry.id);
        if (sandbox) entry.sandbox = sandbox;
      }
    });
    for (const entry of blocked) {
      await audit.append({
        event: 'COMMAND_BLOCKED',
        batchId: id,
        entryId: entry.id,
        tool: entry.tool,
        command: entry.command,
        verdict: 'deny',
        reason: entry.classification.reasons[0]?.message ?? 'denied by policy',
      });
    }
    await audit.append({
      event: 'BATCH_APPROVED',
      batchId: id,
      approvedBy: by,
      details: {
        entries: approvable.map((e) => e.id),
        sandbox: { profile: choice.profile, network: choice.network },
        profiles: approvable.map((e) => (e.tool === 'patch' ? 'applied by Leash' : sandboxes.get(e.id)?.profile ?? 'unsandboxed')),
        ...(options.run ? { run: true } : {}),
      },
    });
    if (!options.run) return updated;
    // The approval is on record; queue it unless another client changed it meanwhile.
    const after = state.get(id);
    if (after.status !== 'approved' || after.approvedAt !== stamp || after.queuedAt !== stamp) return after;
    await execution.enqueue(id);
    return state.get(id);
  };

  const run = async (id: string): Promise<Batch> => {
    const batch = state.get(id);
    assertBatchMove(id, batch.status, 'running');
    await execution.enqueue(id);
    return state.get(id);
  };

  /** With autonomy on, a batch of only allowed entries runs without a click, within the rate limit. */
  const maybeRunAutonomously = async (batch: Batch): Promise<Batch> => {
    // Checked now, against the clock: a late timer never lets an ended autonomy approve.
    await autonomy.endIfExpired();
    const status = autonomy.status();
    // A rule is approval given in advance: its entries count only where the workspace sandbox holds them.
    const counts = (e: BatchEntry): boolean => e.tool === 'shell' && e.classification.verdict === 'allow' && (!allowedInAdvance(e.classification) || workspaceSandbox());
    if (!status.enabled || !batch.entries.every(counts)) return batch;
    if (!deps.sandbox.available) {
      return state.change(batch.id, (b) => {
        b.note = 'autonomy is on but no sandbox works on this machine, so nothing runs unattended: waiting for a person';
      });
    }
    if (!limiter.tryTake()) {
      return state.change(batch.id, (b) => {
        const limit = settings.get().autonomyRateLimitPerMinute;
        b.note = `autonomy rate limit reached (${limit} ${limit === 1 ? 'batch' : 'batches'} per minute): waiting for a person`;
      });
    }
    return approve(batch.id, { by: `autonomy:${status.fingerprint}`, run: true });
  };

  const whenSettled = (id: string): Promise<Batch> =>
    new Promise((resolve) => {
      const current = state.get(id);
      if (isTerminal(current.status)) return resolve(current);
      const off = state.on((event) => {
        if (event.type === 'batch-updated' && event.batch.id === id && isTerminal(event.batch.status)) {
          off();
          resolve(event.batch);
        }
      });
    });

  return {
    get problems() {
      return [...problems, ...deps.store.problems];
    },
    setAside,
    autonomy,
    list: (query) => listing.list(query),
    get: (idOrPrefix) => read(listing.resolve(idOrPrefix)),
    resolveId: (idOrPrefix) => listing.resolve(idOrPrefix),
    on: (listener) => state.on(listener),
    whenSettled,
    holdOutput: () => execution.holdOutput(),
    async archiveFinished(olderThanDays) {
      const due = selectArchivable(listing.summaries(ARCHIVABLE_STATUSES), olderThanDays, now());
      if (due.length === 0) return [];
      // A write still queued for one of them would land after the move and bring it back.
      await state.flush();
      const moved = await archiveBatches(deps.store, due, audit, { olderThanDays });
      for (const id of moved) {
        state.forget(id);
        listing.remove(id);
      }
      return moved;
    },
    recentOutput(id, entryId) {
      if (!state.get(id).entries.some((e) => e.id === entryId)) throw new BatchError('ENTRY_NOT_FOUND', `batch ${id} has no entry ${entryId}`);
      return execution.recentOutput(entryId) ?? { chunks: [], truncated: false };
    },
    async create(input) {
      const current = settings.get();
      const valid = validateNewBatch(input, current.maxBatchSize);
      await checkWorkingDirectories(valid);
      const id = newId();
      const created = now().toISOString();
      const entries: BatchEntry[] = valid.entries.map((entry, index) => {
        const common = {
          id: `${id}-${index + 1}`,
          timeoutMs: entry.timeoutMs ?? current.defaultTimeoutMs,
          status: 'pending' as const,
          approved: false,
          exitCode: null,
          signal: null,
          startedAt: null,
          endedAt: null,
          durationMs: null,
          stdout: null,
          stderr: null,
          error: null,
          note: null,
        };
        if (entry.tool === 'patch') return { ...common, ...preparePatchEntry(entry, valid.source), classification: structuredClone(PATCH_CLASSIFICATION) };
        return {
          ...common,
          tool: 'shell' as const,
          command: entry.command,
          cwd: entry.cwd ?? valid.cwd,
          classification: engine.classify({ tool: 'shell', command: entry.command }, policyFor(entry.cwd ?? valid.cwd)),
        };
      });
      // What each command would get if approved as proposed, shown before anyone approves it.
      // A patch gets none: Leash applies it itself, no command runs.
      for (const entry of entries) if (entry.tool === 'shell') entry.sandbox = deps.sandbox.choose(entry, DEFAULT_SANDBOX_CHOICE);
      const batch = await state.add({
        id,
        createdAt: created,
        updatedAt: created,
        source: valid.source,
        reason: valid.reason ?? null,
        cwd: valid.cwd,
        status: 'pending',
        stopOnFailure: valid.stopOnFailure ?? current.stopOnFailure,
        entries,
        approvedBy: null,
        approvedAt: null,
        sandboxChoice: null,
        startedAt: null,
        finishedAt: null,
        note: null,
        queuedAt: null,
        queuedBehind: null,
        rejectionMessage: null,
      });
      await audit.append({
        event: 'BATCH_CREATED',
        batchId: id,
        reason: valid.reason,
        details: {
          source: valid.source,
          cwd: valid.cwd,
          entries: entries.map((e) => ({
            entryId: e.id,
            tool: e.tool,
            command: e.command,
            verdict: e.classification.verdict,
            ...(e.patch ? { diffSha256: e.patch.diffSha256, filesChanged: e.patch.filesChanged, files: e.patch.files.map((f) => f.path) } : {}),
          })),
        },
      });
      return maybeRunAutonomously(batch);
    },
    approve,
    async rejudgePending() {
      const changed = await rejudgePending({ state, engine, audit, policyFor, pendingIds: () => listing.ids(['pending']), preview: (entry) => deps.sandbox.choose(entry, DEFAULT_SANDBOX_CHOICE) });
      const after: Batch[] = [];
      for (const batch of changed) after.push(await maybeRunAutonomously(batch));
      return after;
    },
    async unapprove(id, reason = 'approval withdrawn by a person') {
      execution.dequeue(id);
      return withdrawApproval(state, audit, id, reason);
    },
    async reject(id, reason = 'rejected by a person', options = {}) {
      const message = validateRejectionMessage(options.message);
      assertBatchMove(id, state.get(id).status, 'rejected');
      execution.dequeue(id);
      await audit.append({ event: 'BATCH_REJECTED', batchId: id, reason, details: message === null ? undefined : { message } });
      return state.change(id, (b) => {
        b.status = 'rejected';
        b.finishedAt = now().toISOString();
        b.note = reason;
        b.rejectionMessage = message;
        leaveQueue(b);
        for (const entry of b.entries) if (entry.status === 'pending') Object.assign(entry, { status: 'skipped', note: 'batch rejected' });
      });
    },
    run,
    async dryRun(id, choice) {
      const report = await dryRunBatch(state.get(id), environment(), (entry) => (choice ? deps.sandbox.choose(entry, choice) : entry.sandbox));
      await audit.append({ event: 'DRY_RUN', batchId: id, details: { entries: report.entries.map((e) => ({ entryId: e.entryId, verdict: e.verdict, ok: e.ok, sandbox: e.sandbox?.profile })) } });
      return report;
    },
    async stop(id) {
      const batch = state.get(id);
      if (batch.status === 'pending' || batch.status === 'approved') {
        execution.dequeue(id);
        const note = batch.status === 'pending' ? 'stopped by a person before it was approved' : 'stopped by a person before it started';
        assertBatchMove(id, batch.status, 'cancelled');
        await audit.append({ event: 'BATCH_CANCELLED', batchId: id, reason: note });
        return state.change(id, (b) => {
          b.status = 'cancelled';
          b.finishedAt = now().toISOString();
          b.note = note;
          leaveQueue(b);
          for (const entry of b.entries) if (entry.status === 'pending') Object.assign(entry, { status: 'cancelled', note });
        });
      }
      if (isTerminal(batch.status)) throw new BatchError('ILLEGAL_TRANSITION', `batch ${id} is already ${batch.status}`);
      if (batch.stopRequestedAt) return batch;
      await execution.stop(id, 'stopped by a person: the running entry finished, the rest were skipped');
      // Shown as "Stopping…" until the running entry ends (unless it already has).
      const after = state.get(id);
      if (after.status !== 'running') return after;
      return state.change(id, (b) => {
        b.stopRequestedAt = now().toISOString();
      });
    },
    async emergencyStop(options = {}) {
      const reason = options.reason ?? 'emergency stop';
      // Kill first; every record follows without holding anything up.
      const stopped = execution.stopEverything(reason);
      const killing = deps.killAll().catch(() => undefined);
      const running = stopped.running;
      const killedEntry = running ? state.get(running.batchId).entries.find((e) => e.id === running.entryId) : undefined;
      const autonomyWasOn = autonomy.status().enabled;
      audit.appendNoWait({
        event: 'EMERGENCY_STOP',
        batchId: running?.batchId,
        entryId: running?.entryId,
        command: killedEntry?.command,
        reason,
        details: { cancelledBatches: stopped.dequeued },
      });
      await autonomy.disable(reason, { wait: false, cause: 'emergency-stop' });
      await killing;
      if (running) await whenSettled(running.batchId);
      await audit.flush().catch(() => undefined);
      const report: EmergencyStopReport = {
        killed: running && killedEntry ? { batchId: running.batchId, entryId: running.entryId, command: killedEntry.command } : null,
        cancelledBatches: stopped.dequeued,
        autonomyWasOn,
      };
      state.emit({ type: 'emergency-stopped', report });
      return report;
    },
    async idle() {
      await execution.idle();
      await state.flush();
      // Releases the index file; a later write opens it again.
      await deps.store.close();
    },
    async remove(id) {
      const batch = read(id);
      if (!isTerminal(batch.status)) throw new BatchError('ILLEGAL_TRANSITION', `batch ${id} is ${batch.status}; only a finished batch can be removed`);
      await state.flush();
      await deps.store.remove(id);
      state.forget(id);
      listing.remove(id);
    },
  };
}
