import type { AuditEventInput, AuditWriter } from '../audit/index.js';
import { identifyProcess } from '../runner/leftovers.js';
import { ENTRY_MARKER_VARIABLE } from './entryMarker.js';
import type { PreparedEntry } from '../runner/startEntry.js';
import type { EntryHooks, EntryRequest, EntryRunResult, RunningEntry } from '../runner/types.js';
import { runPatchEntry } from './patchEntry.js';
import { explainSandboxDenial } from '../sandbox/denialHint.js';
import { DEFAULT_SANDBOX_CHOICE } from '../sandbox/entrySandbox.js';
import { explainGitOverride, gitDirectories, repositoryGitOverrides, type GitOverride } from '../sandbox/gitDrivers.js';
import { withGitSafety } from '../sandbox/gitSafety.js';
import type { EntrySandbox } from '../sandbox/profiles.js';
import type { SandboxRuntime } from '../sandbox/runtime.js';
import type { BatchState } from './state.js';
import { assertBatchMove, assertEntryMove } from './transitions.js';
import type { Batch, BatchEntry, EntryStatus } from './types.js';

/** Clears what says a batch waits in the run queue (it started, or left the queue). */
export function leaveQueue(batch: Batch): void {
  batch.queuedAt = null;
  batch.queuedBehind = null;
}

/**
 * Runs approved batches: one batch at a time (a FIFO queue), entries strictly in order, each
 * ENTRY_STARTED durable in the audit before its process spawns. Stopping is cooperative between
 * entries (graceful stop) or immediate (emergency stop kills the running tree).
 */
export interface ExecutionDeps {
  state: BatchState;
  audit: AuditWriter;
  start(request: EntryRequest, hooks: EntryHooks): RunningEntry;
  /** Shell and environment for an entry, read when it starts (settings may change meanwhile). */
  environment(): { shell: string; env: Record<string, string | undefined>; withheld: string[] };
  /** Wraps each entry in the sandbox recorded with it. */
  sandbox: SandboxRuntime;
  /**
   * Spawns a sandboxed entry held, its sandbox set up ahead (the runner's `prepareEntry`, bound
   * to the same registry as `start`). Without it every entry's sandbox is set up at its turn.
   */
  prepare?(request: EntryRequest): PreparedEntry;
}

export interface Execution {
  /**
   * Puts an approved batch at the end of the run queue and records on it what it waits behind
   * (`queuedAt`, `queuedBehind`); it starts at once when nothing runs. Resolves once that is
   * stored. Queuing a batch already queued changes nothing.
   */
  enqueue(batchId: string): Promise<void>;
  /** The batch a batch queued now would wait behind (the last queued, else the running one); null when it would start at once. */
  lastInLine(): string | null;
  /** Lets the running entry finish, then skips the rest. Cancels a batch still in the queue. */
  stop(batchId: string, reason: string): Promise<void>;
  /** Kills the running entry now and cancels everything queued. Returns the running batch's id. */
  stopEverything(reason: string): { running: { batchId: string; entryId: string } | undefined; dequeued: string[] };
  /** Resolves once nothing runs. */
  idle(): Promise<void>;
  isQueued(batchId: string): boolean;
  /**
   * Takes a batch out of the run queue; false if it was not queued. The batch itself is left as
   * it is (the caller changes its status and clears its queue fields); the one behind it is told
   * what it waits behind now.
   */
  dequeue(batchId: string): boolean;
  /** The end of the running entry's live output, for a page that (re)connects mid-run. */
  recentOutput(entryId: string): RecentOutput | undefined;
  /**
   * Holds live output: while any hold is taken, the running entry's (and each next entry's)
   * output pipes are not read, so the command blocks on a full pipe. Returns the release
   * (idempotent). A kill reads on regardless, so a stop never waits for a hold.
   */
  holdOutput(): () => void;
}

/** How much live output of the running entry is kept for pages that connect late. */
export const RECENT_OUTPUT_CHARS = 256 * 1024;

export interface RecentOutput {
  chunks: { stream: 'stdout' | 'stderr'; text: string }[];
  /** Earlier output was dropped to stay within RECENT_OUTPUT_CHARS. */
  truncated: boolean;
}

const OUTCOME_STATUS: Record<EntryRunResult['outcome'], EntryStatus> = {
  completed: 'completed',
  error: 'error',
  timed_out: 'timed_out',
  cancelled: 'cancelled',
};

/** True when two requests would start the same process: same command, place, limits, environment and sandbox. */
export function sameRequest(a: EntryRequest, b: EntryRequest): boolean {
  if (a.command !== b.command || a.cwd !== b.cwd || a.timeoutMs !== b.timeoutMs || a.shell !== b.shell) return false;
  if (a.wrapper?.file !== b.wrapper?.file || (a.wrapper?.args ?? []).join('\0') !== (b.wrapper?.args ?? []).join('\0')) return false;
  if ((a.wrapper === undefined) !== (b.wrapper === undefined)) return false;
  const names = (env: Record<string, string | undefined>): string[] => Object.keys(env).filter((name) => env[name] !== undefined).sort();
  const left = names(a.env);
  const right = names(b.env);
  return left.length === right.length && left.every((name, index) => name === right[index] && a.env[name] === b.env[name]);
}

/** A sandbox set up ahead for the entry that runs next (see `ExecutionDeps.prepare`). */
interface Ahead {
  batchId: string;
  entryId: string;
  /** Settles once it is spawned (or not: the wrap failed, the entry no longer runs). */
  ready: Promise<{ held: PreparedEntry; fence: string[] } | null>;
}

export function createExecution(deps: ExecutionDeps): Execution {
  const { state, audit } = deps;
  const queue: string[] = [];
  const stopRequests = new Map<string, string>();
  let current: { batchId: string; entryId: string; process: RunningEntry } | undefined;
  /** The batch `drain` is executing, from the moment it leaves the queue until it has ended. */
  let executing: string | undefined;
  let emergency: string | undefined;
  let loop: Promise<void> = Promise.resolve();
  let running = false;
  let holds = 0;

  const setEntry = (batchId: string, entryId: string, status: EntryStatus, patch: Partial<BatchEntry> = {}): Promise<Batch> =>
    state.change(batchId, (batch) => {
      const entry = batch.entries.find((e) => e.id === entryId) as BatchEntry;
      assertEntryMove(entryId, entry.status, status);
      Object.assign(entry, patch, { status });
    });

  const entryAudit = (batch: Batch, entry: BatchEntry): Pick<AuditEventInput, 'batchId' | 'entryId' | 'tool' | 'command' | 'verdict'> => ({
    batchId: batch.id,
    entryId: entry.id,
    tool: entry.tool,
    command: entry.command,
    verdict: entry.classification.verdict,
  });

  /** Marks every entry that has not run yet; returns nothing, audits each one. */
  const finishRemaining = async (batch: Batch, from: number, status: 'skipped' | 'cancelled', note: string): Promise<void> => {
    for (const entry of batch.entries.slice(from)) {
      if (entry.status !== 'pending') continue;
      await setEntry(batch.id, entry.id, status, { note });
      const event: AuditEventInput = { event: 'ENTRY_SKIPPED', ...entryAudit(batch, entry), reason: note };
      if (status === 'cancelled') audit.appendNoWait(event);
      else await audit.append(event);
    }
  };

  let recent: { entryId: string; output: RecentOutput; chars: number } | undefined;
  const keepRecent = (stream: 'stdout' | 'stderr', text: string): void => {
    if (!recent) return;
    const kept = text.slice(-RECENT_OUTPUT_CHARS);
    recent.output.chunks.push({ stream, text: kept });
    recent.chars += kept.length;
    if (kept.length < text.length) recent.output.truncated = true;
    while (recent.chars > RECENT_OUTPUT_CHARS && recent.output.chunks.length > 1) {
      recent.chars -= (recent.output.chunks.shift() as { text: string }).text.length;
      recent.output.truncated = true;
    }
  };

  const patchDetails = (entry: BatchEntry): AuditEventInput['details'] =>
    entry.patch ? { target: entry.patch.request.target, root: entry.patch.request.root, diffSha256: entry.patch.diffSha256, filesChanged: entry.patch.filesChanged, files: entry.patch.files.map((f) => f.path) } : {};

  /** A patch entry runs in this process: the application is bounded by its own deadline and rolls back on any failure. */
  const runPatch = async (batch: Batch, entry: BatchEntry): Promise<boolean> => {
    await Promise.all([
      setEntry(batch.id, entry.id, 'running', { startedAt: new Date().toISOString() }),
      audit.append({ event: 'ENTRY_STARTED', ...entryAudit(batch, entry), approvedBy: batch.approvedBy ?? undefined, details: patchDetails(entry) }),
    ]);
    const run = runPatchEntry(entry, () => emergency !== undefined);
    const status: EntryStatus = run.outcome.ok ? 'completed' : run.outcome.code === 'PATCH_CANCELLED' ? 'cancelled' : 'error';
    const note = run.outcome.ok ? null : `${run.outcome.code}: ${run.outcome.message}`;
    const stored = setEntry(batch.id, entry.id, status, {
      exitCode: run.outcome.ok ? 0 : 1,
      startedAt: run.startedAt,
      endedAt: run.endedAt,
      durationMs: run.durationMs,
      stdout: run.stdout,
      stderr: run.stderr,
      error: run.outcome.ok ? null : { code: 'PATCH_FAILED', message: note as string },
      note,
      patch: { ...(entry.patch as NonNullable<BatchEntry['patch']>), outcome: run.outcome },
    });
    await Promise.all([
      stored,
      audit.append({
        event: 'ENTRY_FINISHED',
        ...entryAudit(batch, entry),
        exitCode: run.outcome.ok ? 0 : 1,
        durationMs: Math.round(run.durationMs),
        stdoutSha256: run.stdout.sha256,
        stderrSha256: run.stderr.sha256,
        stdoutBytes: run.stdout.bytes,
        stderrBytes: run.stderr.bytes,
        reason: `${status}${note ? `: ${note}` : ''}`,
        details: patchDetails(entry),
      }),
    ]);
    return status === 'completed';
  };

  /** What the sandbox hid, for explaining a failure (read only when an entry failed). */
  const hiddenPaths = (): { hidden: string[] } => {
    const context = deps.sandbox.context();
    return { hidden: [...context.statePaths, ...context.credentialPaths] };
  };

  type Refusal = { code: 'SANDBOX_UNAVAILABLE' | 'SANDBOX_REFUSED'; message: string };
  type Planned =
    | { ok: false; sandbox: EntrySandbox; refusal: Refusal }
    | { ok: true; sandbox: EntrySandbox; request: EntryRequest; fence: string[] | null; withheld: string[]; repositoryOverrides: GitOverride[] };

  /** Everything an entry's process needs, read now: shell and environment, the sandbox's wrapper, git's overrides. */
  const planEntry = async (entry: BatchEntry): Promise<Planned> => {
    const { shell, env: inherited, withheld } = deps.environment();
    // Batch files from before sandboxes existed get what they would get today.
    const sandbox: EntrySandbox = entry.sandbox ?? deps.sandbox.choose(entry, DEFAULT_SANDBOX_CHOICE);
    // Fail closed: an entry never runs with less protection than it was approved with.
    const wrapped = deps.sandbox.wrap(sandbox, entry.cwd);
    if (!wrapped.ok) return { ok: false, sandbox, refusal: { code: wrapped.code, message: wrapped.message } };
    // Git on the policy's allow: the programs this repository's configuration names are read now
    // (an earlier entry may have changed them since approval) and forced off by name.
    const git = sandbox.gitConfig.length > 0 ? await repositoryGitOverrides(gitDirectories(entry.cwd, entry.classification.commands ?? []), inherited) : null;
    if (git?.ok === false) return { ok: false, sandbox, refusal: { code: 'SANDBOX_REFUSED', message: git.message } };
    const repositoryOverrides = git?.ok ? git.overrides : [];
    const env = git ? withGitSafety(inherited, repositoryOverrides) : inherited;
    const request: EntryRequest = {
      command: entry.command,
      cwd: entry.cwd,
      timeoutMs: entry.timeoutMs,
      shell,
      env: { ...env, [ENTRY_MARKER_VARIABLE]: entry.id },
      wrapper: wrapped.wrapper ?? undefined,
    };
    return { ok: true, sandbox, request, fence: wrapped.fence, withheld, repositoryOverrides };
  };

  /**
   * The sandbox of the entry that runs next, set up while the current one runs (bubblewrap's
   * namespaces and mounts cost more than the rest of an entry's start). It is used only if, at
   * that entry's turn, everything is read again and comes out the same: the same request
   * (environment, git's overrides, the whole bubblewrap command line, so the same hidden paths,
   * binds and network) and the same mount fence (every covered path still the same file, so no
   * mount of the prepared sandbox was detached by a rename or replacement meanwhile). Otherwise
   * it is killed and the entry gets a fresh sandbox. A stop, an emergency stop or the end of the
   * batch kills it; it never runs anything of its command before its turn.
   */
  let ahead: Ahead | undefined;
  const dropAhead = async (): Promise<void> => {
    const slot = ahead;
    ahead = undefined;
    const ready = await slot?.ready;
    await ready?.held.discard();
  };
  const nextToRun = (batchId: string, after: number): BatchEntry | undefined => {
    for (const entry of state.get(batchId).entries.slice(after)) {
      if (entry.status !== 'pending' || !entry.approved || entry.classification.verdict === 'deny') continue;
      return entry.tool === 'shell' ? entry : undefined;
    }
    return undefined;
  };
  /** Prepares the entry after `index` while the entry `runningId` (at `index`) still runs; nothing once it has ended. */
  const prepareAhead = (batchId: string, runningId: string, index: number): void => {
    const prepare = deps.prepare;
    if (!prepare || ahead !== undefined || emergency !== undefined || stopRequests.has(batchId)) return;
    if (current?.batchId !== batchId || current.entryId !== runningId) return;
    const next = nextToRun(batchId, index + 1);
    if (!next) return;
    const slot: Ahead = {
      batchId,
      entryId: next.id,
      ready: planEntry(next)
        .then((planned) => {
          // Dropped meanwhile (a stop, the end of the batch): nothing is spawned.
          if (ahead !== slot || emergency !== undefined || stopRequests.has(batchId)) return null;
          if (!planned.ok || !planned.request.wrapper || planned.fence === null) return null;
          return { held: prepare(planned.request), fence: planned.fence };
        })
        .catch(() => null),
    };
    ahead = slot;
  };
  /** The prepared sandbox, if it was made for this entry and is what a fresh one would be now; else it is killed. */
  const claimAhead = async (batchId: string, entryId: string, planned: Planned): Promise<PreparedEntry | undefined> => {
    const slot = ahead;
    ahead = undefined;
    const ready = await slot?.ready;
    if (!slot || !ready) return undefined;
    const same =
      planned.ok &&
      slot.batchId === batchId &&
      slot.entryId === entryId &&
      planned.fence !== null &&
      ready.held.usable() &&
      sameRequest(ready.held.request, planned.request) &&
      ready.fence.join('\n') === planned.fence.join('\n');
    if (same) return ready.held;
    await ready.held.discard();
    return undefined;
  };

  const runEntry = async (batch: Batch, entry: BatchEntry, index: number): Promise<boolean> => {
    // A patch is applied by Leash itself (no shell, no process): it has no sandbox to wrap.
    if (entry.tool === 'patch') return runPatch(batch, entry);
    const planned = await planEntry(entry);
    const { sandbox } = planned;
    const held = await claimAhead(batch.id, entry.id, planned);
    if (!planned.ok) {
      const { refusal } = planned;
      const note = `not run: ${refusal.message}`;
      await setEntry(batch.id, entry.id, 'skipped', { note, error: { code: refusal.code, message: refusal.message } });
      await audit.append({ event: 'ENTRY_SKIPPED', ...entryAudit(batch, entry), reason: note, details: { sandbox: sandbox.profile } });
      return false;
    }
    const { request, withheld, repositoryOverrides } = planned;
    recent = { entryId: entry.id, output: { chunks: [], truncated: false }, chars: 0 };
    assertEntryMove(entry.id, state.get(batch.id).entries.find((e) => e.id === entry.id)?.status ?? 'pending', 'running');
    // Both are durable before the process spawns; they are different files, so their fsyncs overlap.
    await Promise.all([
      setEntry(batch.id, entry.id, 'running', { startedAt: new Date().toISOString(), sandbox }),
      audit.append({
        event: 'ENTRY_STARTED',
        ...entryAudit(batch, entry),
        approvedBy: batch.approvedBy ?? undefined,
        details: {
          cwd: entry.cwd,
          timeoutMs: entry.timeoutMs,
          withheldEnv: withheld,
          sandbox: {
            profile: sandbox.profile,
            network: sandbox.network,
            writable: sandbox.writable,
            gitSafeConfig: sandbox.gitConfig.length > 0,
            ...(repositoryOverrides.length > 0 ? { gitRepositoryOverrides: repositoryOverrides.map(([key, value]) => `${key}=${value}`) } : {}),
            // Set up while the previous entry ran, then found identical to a fresh one (see prepareAhead).
            ...(held ? { preparedAhead: true } : {}),
          },
        },
      }),
    ]);
    const hooks: EntryHooks = {
      onOutput: (stream, text) => {
        keepRecent(stream, text);
        state.emit({ type: 'entry-output', batchId: batch.id, entryId: entry.id, stream, text });
      },
      onStart: async (pid) => {
        // The next entry's sandbox is set up once this command runs: the runner opens the gate
        // as this hook settles, before any immediate, so the spawn (which holds the event loop)
        // does not delay this entry's start.
        try {
          const identity = identifyProcess(pid);
          if (!identity) return;
          // Durable before the command runs (the runner holds it until this settles): a crash
          // of Leash at any point after this leaves a process the next start can find and kill.
          await state.change(batch.id, (b) => {
            const stored = b.entries.find((e) => e.id === entry.id);
            if (stored?.status === 'running') stored.process = identity;
          });
        } finally {
          setImmediate(() => prepareAhead(batch.id, entry.id, index));
        }
      },
    };
    const process = held ? held.start(hooks) : deps.start(request, hooks);
    current = { batchId: batch.id, entryId: entry.id, process };
    if (holds > 0) process.pause();
    if (emergency !== undefined) void process.kill('cancelled');
    const result = await process.result;
    current = undefined;
    recent = undefined;
    const status = OUTCOME_STATUS[result.outcome];
    const note = status === 'timed_out' ? `killed after ${entry.timeoutMs} ms` : status === 'cancelled' ? (emergency ?? 'stopped') : result.error?.message ?? null;
    const stderrText = `${result.stderr.head}\n${result.stderr.tail}`;
    const sandboxHint = status === 'error' ? (explainGitOverride(repositoryOverrides, stderrText) ?? explainSandboxDenial(sandbox, stderrText, hiddenPaths())) : null;
    const stored = setEntry(batch.id, entry.id, status, {
      sandboxHint,
      exitCode: result.exitCode,
      signal: result.signal,
      startedAt: result.startedAt,
      endedAt: result.endedAt,
      durationMs: result.durationMs,
      stdout: result.stdout,
      stderr: result.stderr,
      error: result.error ?? null,
      note,
      process: null,
    });
    const finished: AuditEventInput = {
      event: 'ENTRY_FINISHED',
      ...entryAudit(batch, entry),
      exitCode: result.exitCode ?? undefined,
      signal: result.signal ?? undefined,
      durationMs: Math.round(result.durationMs),
      stdoutSha256: result.stdout.sha256,
      stderrSha256: result.stderr.sha256,
      stdoutBytes: result.stdout.bytes,
      stderrBytes: result.stderr.bytes,
      reason: `${status}${note ? `: ${note}` : ''}`,
      details: sandboxHint ? { sandboxHint } : undefined,
    };
    // After an emergency stop the record follows the kill; it never holds anything up.
    if (emergency !== undefined) {
      audit.appendNoWait(finished);
      await stored;
    } else {
      await Promise.all([stored, audit.append(finished)]);
    }
    return status === 'completed';
  };

  const execute = async (batchId: string): Promise<void> => {
    let batch = state.get(batchId);
    assertBatchMove(batchId, batch.status, 'running');
    batch = await state.change(batchId, (b) => {
      b.status = 'running';
      b.startedAt = new Date().toISOString();
      leaveQueue(b);
    });
    let failed = false;
    try {
      for (let index = 0; index < batch.entries.length; index++) {
        const entry = state.get(batchId).entries[index] as BatchEntry;
        if (emergency !== undefined) {
          await finishRemaining(batch, index, 'cancelled', emergency);
          break;
        }
        const stopReason = stopRequests.get(batchId);
        if (stopReason !== undefined) {
          await finishRemaining(batch, index, 'skipped', stopReason);
          break;
        }
        if (entry.status !== 'pending') continue;
        if (!entry.approved || entry.classification.verdict === 'deny') {
          await finishRemaining({ ...batch, entries: [entry] }, 0, 'skipped', 'not approved');
          continue;
        }
        if (failed && batch.stopOnFailure) {
          await finishRemaining(batch, index, 'skipped', 'an earlier entry failed (stop on failure)');
          break;
        }
        if (!(await runEntry(batch, entry, index))) failed = true;
      }
    } finally {
      // Whatever ended the batch, a sandbox set up for an entry that will not run now goes.
      await dropAhead();
    }
    const stopped = emergency ?? stopRequests.get(batchId);
    const final = stopped !== undefined ? 'cancelled' : failed ? 'error' : 'completed';
    // The record comes first: whoever sees the batch finished can also find it in the audit.
    const record: AuditEventInput = { event: final === 'cancelled' ? 'BATCH_CANCELLED' : 'BATCH_FINISHED', batchId, reason: stopped ?? final };
    if (emergency !== undefined) audit.appendNoWait(record);
    else await audit.append(record);
    stopRequests.delete(batchId);
    await state.change(batchId, (b) => {
      b.status = final;
      b.finishedAt = new Date().toISOString();
      if (stopped !== undefined) b.note = stopped;
    });
  };

  const cancelQueued = async (batchId: string, reason: string): Promise<void> => {
    assertBatchMove(batchId, state.get(batchId).status, 'cancelled');
    audit.appendNoWait({ event: 'BATCH_CANCELLED', batchId, reason });
    await state.change(batchId, (b) => {
      b.status = 'cancelled';
      b.finishedAt = new Date().toISOString();
      b.note = reason;
      leaveQueue(b);
      for (const entry of b.entries) if (entry.status === 'pending') Object.assign(entry, { status: 'cancelled', note: reason });
    });
  };

  /**
   * Takes a batch out of the queue and re-points the one that waited behind it. The new
   * `queuedBehind` is in memory at once (every reader sees it); its write is not awaited: the
   * field is advice for people and agents, and a restart clears it anyway (recovery).
   */
  const takeOut = (batchId: string): boolean => {
    const index = queue.indexOf(batchId);
    if (index === -1) return false;
    queue.splice(index, 1);
    const follower = queue[index];
    if (follower !== undefined) {
      const ahead = queue[index - 1] ?? executing ?? null;
      void state.change(follower, (b) => {
        b.queuedBehind = ahead;
      }).catch(() => undefined);
    }
    return true;
  };

  const lastInLine = (): string | null => queue.at(-1) ?? executing ?? null;

  const drain = async (): Promise<void> => {
    running = true;
    try {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        emergency = undefined;
        executing = next;
        try {
          await execute(next);
        } catch (error) {
          // A store or audit failure ends this batch; the queue goes on with the next one.
          await state
            .change(next, (b) => {
              b.note = `stopped by an internal error: ${(error as Error).message}`;
              if (b.status === 'running') b.status = 'error';
            })
            .catch(() => undefined);
        } finally {
          executing = undefined;
        }
      }
    } finally {
      running = false;
      emergency = undefined;
    }
  };

  return {
    async enqueue(batchId) {
      if (queue.includes(batchId) || executing === batchId) return;
      const ahead = lastInLine();
      queue.push(batchId);
      // Recorded before the queue moves (the mutation is synchronous): a batch that starts at once
      // never shows a stale "queued".
      const marked = ahead === null ? undefined : state.change(batchId, (b) => {
        b.queuedAt ??= new Date().toISOString();
        b.queuedBehind = ahead;
      });
      if (!running) loop = drain();
      await marked;
    },
    lastInLine,
    async stop(batchId, reason) {
      if (takeOut(batchId)) {
        await cancelQueued(batchId, reason);
        return;
      }
      if (current?.batchId === batchId || state.get(batchId).status === 'running') {
        stopRequests.set(batchId, reason);
        if (ahead?.batchId === batchId) await dropAhead();
      }
    },
    stopEverything(reason) {
      emergency = reason;
      // Between ENTRY_STARTED and the spawn there is no process yet; runEntry kills it as soon as
      // it exists (it checks `emergency`), and the report still names the entry.
      const starting = state.active().flatMap((b) => (b.status === 'running' ? b.entries.filter((e) => e.status === 'running').map((e) => ({ batchId: b.id, entryId: e.id })) : []))[0];
      const running = current ? { batchId: current.batchId, entryId: current.entryId } : starting;
      if (current) void current.process.kill('cancelled');
      void dropAhead();
      // Every queued batch is cancelled: none is left waiting behind another, so none is re-pointed.
      const dequeued = queue.splice(0, queue.length);
      for (const id of dequeued) void cancelQueued(id, reason).catch(() => undefined);
      return { running, dequeued };
    },
    idle: () => loop,
    isQueued: (batchId) => queue.includes(batchId),
    dequeue: takeOut,
    holdOutput() {
      holds++;
      if (holds === 1) current?.process.pause();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holds--;
        if (holds === 0) current?.process.resume();
      };
    },
    recentOutput: (entryId) => (recent?.entryId === entryId ? structuredClone(recent.output) : undefined),
  };
}
