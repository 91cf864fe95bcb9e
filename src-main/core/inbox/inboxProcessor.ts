import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BatchError, isTerminal, validateNewBatch, type Batch, type BatchService } from '../batch/index.js';
import { MAX_PAGE_SIZE } from '../batch/summary.js';
import { PatchError } from '../patch/index.js';
import { judgeCommandBytes } from './acceptance.js';
import { commandBatch, type CommandTargets } from './commandBatch.js';
import { MAX_COMMAND_FILE_BYTES, MAX_INBOX_ENTRIES, parseUtcTime, type CommandDocument } from './commandFile.js';
import { readCommandFile } from './commandReader.js';
import { createCompletion, rejectedEvent } from './completion.js';
import { writeDeadLetter } from './deadLetter.js';
import { errnoCode, exists, removeFile, removeFileIfSame, writeFileAtomic, type CommandFileInfo, type InboxLayout } from './folder.js';
import { openInflightStore, type InflightRecord } from './inflightStore.js';
import { deadLetterMessage } from './publishMessages.js';
import { rejection, type InboxReasonCode, type InboxRejection } from './reasons.js';
import { openReplayLedger } from './replayLedger.js';
import type { RetryIndex } from './retryIndex.js';
import { sha256Hex } from './resultFiles.js';
import type { InboxSecretSource } from './secrets.js';
import type { InboxAudit, InboxHooks, InboxStep } from './steps.js';

/**
 * The inbox state machine. A command file goes
 *
 *   commands/<file> ──judge──▶ dead_letter/<id>.json                       (refused)
 *                     └──────▶ in flight ─▶ batch ─(ends)─▶ results/ + archive/<id>.json
 *
 * and every step that cannot be undone is preceded by a durable record of it, so a crash at any
 * point is finished by the next start ({@link InboxProcessor.sweep}) without losing the command
 * or running it twice:
 *
 * 1. `meta/inflight.json` gets the id (batch id still null), then INBOX_ACCEPTED is audited and
 *    the id and nonce go into `meta/seen.json`;
 * 2. the verified bytes are written to `meta/accepted/<id>.json` and the file in commands/ is
 *    removed (a copy of exactly the bytes that were verified, then an unlink that checks the
 *    inode: a file a sender renamed over the old name meanwhile is never touched);
 * 3. the batch is created with source `inbox:<id>`, then its id is recorded in flight. A restart
 *    that finds no batch id looks the batch up by that source, so a crash between the two never
 *    creates a second batch; a recorded batch that has vanished is never re-created;
 * 4. when the batch ends, completion.ts writes the results and archives the original.
 *
 * The inbox never approves anything: its batches wait for a person, or for autonomy, like any other.
 */

export type InboxBatches = Pick<BatchService, 'create' | 'get' | 'list' | 'on'>;

export interface InboxProcessorDeps {
  layout: InboxLayout;
  batches: InboxBatches;
  audit: InboxAudit;
  secrets: InboxSecretSource;
  nowMs(): number;
  /** How far ahead of this clock `issued_at` may be; ledger entries are also kept this long past expiry. */
  skewMs: number;
  /** Targets, deletions, protected directories and the default working directory. */
  targets: CommandTargets;
  /** New results or dead letters of command `id` are on disk; the message is the commit message to publish them under. */
  onOutput?(message: string, id: string): void;
  onProblem(message: string): void;
  /** meta/retries.json: after a step fails, the sweep leaves that command alone until its next attempt is due; a restart retries at once. */
  retries: RetryIndex;
  monotonicMs?: () => number;
  hooks?: InboxHooks;
}

export type FileOutcome =
  | { file: string; outcome: 'accepted'; id: string }
  | { file: string; outcome: 'rejected'; code: InboxReasonCode; deadLetter: string }
  | { file: string; outcome: 'skipped'; why: string };

export interface InboxProcessor {
  /** Judges one settled file from commands/ and dead-letters or accepts it. */
  processFile(info: CommandFileInfo): Promise<FileOutcome>;
  /** Resumes every in-flight command: creates a missing batch, finishes an ended one. */
  sweep(): Promise<void>;
  /** Stops taking work and waits for the step in progress; batches keep waiting for a person. */
  stop(): Promise<void>;
  idle(): Promise<void>;
}

/** Batch errors that mean the command itself is unacceptable (not a passing store failure). */
const BATCH_REFUSALS: Partial<Record<string, InboxReasonCode>> = { BATCH_TOO_LARGE: 'TOO_MANY_ENTRIES', BATCH_EMPTY: 'SCHEMA_INVALID', INVALID_BATCH: 'SCHEMA_INVALID' };

interface ReadFile {
  bytes: Buffer;
  complete: boolean;
  size: number;
  sha256: string;
  ino: number;
}

export async function createInboxProcessor(deps: InboxProcessorDeps): Promise<InboxProcessor> {
  const { layout, batches, audit } = deps;
  const inflight = await openInflightStore(layout.inflight);
  const ledger = await openReplayLedger(layout.ledger, { nowMs: deps.nowMs, retainMs: deps.skewMs });
  const step = async (name: InboxStep, id: string): Promise<void> => deps.hooks?.afterStep?.(name, id);
  const completion = createCompletion({ layout, audit, inflight, step, onOutput: deps.onOutput, onProblem: deps.onProblem });
  const lanes = new Map<string, Promise<boolean>>();
  /** Commands whose last step failed, with the monotonic time before which the sweep skips them. */
  const parked = new Map<string, number>();
  const monotonicMs = deps.monotonicMs ?? (() => performance.now());
  let stopped = false;

  const iso = (): string => new Date(deps.nowMs()).toISOString();
  const acceptedPath = (id: string): string => join(layout.accepted, `${id}.json`);

  /** Work on one command id runs in order; a failure is reported, recorded in meta/retries.json, and the command waits for its backoff (or a restart). */
  const inLane = (id: string, task: () => Promise<void>): Promise<boolean> => {
    const previous = lanes.get(id) ?? Promise.resolve(true);
    const next = previous.then(async () => {
      if (stopped) return false;
      try {
        await task();
        if (deps.retries.get(id)?.step === 'process') await deps.retries.succeeded(id);
        return true;
      } catch (error) {
        deps.onProblem(`inbox command ${id}: ${describe(error)}`);
        parked.set(id, Number.POSITIVE_INFINITY);
        const record = await deps.retries.failed(id, 'process', describe(error)).catch(() => null);
        const waitMs = record?.next_at ? Math.max(0, Date.parse(record.next_at) - deps.nowMs()) : Number.POSITIVE_INFINITY;
        if (record && record.next_at === null) deps.onProblem(`inbox command ${id}: gave up after ${record.attempts} attempts; it is tried again when Leash starts`);
        parked.set(id, monotonicMs() + waitMs);
        return false;
      }
    });
    lanes.set(id, next);
    void next.then(() => {
      if (lanes.get(id) === next) lanes.delete(id);
    });
    return next;
  };


  const findBatch = (id: string, record: InflightRecord): Batch | 'lost' | null => {
    if (record.batchId !== null) {
      try {
        return batches.get(record.batchId);
      } catch (error) {
        if (!(error instanceof BatchError && error.code === 'BATCH_NOT_FOUND')) throw error;
        return 'lost';
      }
    }
    // The search is a substring match: the exact source picks the one (there is at most one).
    const found = batches.list({ search: `inbox:${id}`, limit: MAX_PAGE_SIZE }).items.find((b) => b.source === `inbox:${id}`);
    return found ? batches.get(found.id) : null;
  };

  const reject = async (file: string, read: ReadFile, reason: InboxRejection, document?: unknown, id?: string): Promise<FileOutcome> => {
    const deadLetter = await writeDeadLetter(layout.deadLetter, { rejection: reason, file, receivedAt: iso(), size: read.size, inputSha256: read.sha256, bytes: read.bytes, complete: read.complete, document, id });
    await audit.append(rejectedEvent(reason, { commandId: id, file, deadLetter, inputSha256: read.sha256 }));
    await removeFileIfSame(join(layout.commands, file), read.ino);
    const name = id ?? deadLetter.slice('dead_letter/'.length, -'.json'.length);
    deps.onOutput?.(deadLetterMessage(reason.code, name, file), name);
    return { file, outcome: 'rejected', code: reason.code, deadLetter };
  };

  const replayed = async (id: string, nonce: string): Promise<'REPLAYED_ID' | 'REPLAYED_NONCE' | null> => {
    if (inflight.has(id) || (await exists(join(layout.archive, `${id}.json`))) || (await exists(join(layout.results, `${id}.json`)))) return 'REPLAYED_ID';
    return ledger.check(id, nonce);
  };

  const startBatch = async (id: string, command: CommandDocument, record: InflightRecord): Promise<void> => {
    // Planned again from the original: the target may have changed since the file was judged (a restart, a racing writer).
    const planned = commandBatch(id, command, deps.targets);
    if (!planned.ok) return completion.refuseAccepted(id, record, planned.rejection);
    let batch: Batch;
    try {
      batch = await batches.create(planned.batch);
    } catch (error) {
      if (error instanceof PatchError) return completion.refuseAccepted(id, record, rejection(error.code, error.message));
      const code = error instanceof BatchError ? BATCH_REFUSALS[error.code] : undefined;
      if (code === undefined) throw error;
      return completion.refuseAccepted(id, record, rejection(code, (error as Error).message));
    }
    await step('batch-created', id);
    await inflight.put(id, { ...record, batchId: batch.id });
    await step('batch-recorded', id);
  };

  const accept = async (id: string, command: CommandDocument, file: string, read: ReadFile, verifiedWith: string): Promise<void> => {
    const record: InflightRecord = { batchId: null, file, acceptedAt: iso(), inputSha256: read.sha256, verifiedWith };
    await inflight.put(id, record);
    await step('inflight-recorded', id);
    await audit.append({
      event: 'INBOX_ACCEPTED',
      details: {
        commandId: id,
        file,
        action: command.action,
        inputSha256: read.sha256,
        verifiedWith,
        issuedAt: command.issued_at,
        expiresAt: command.expires_at,
        ...(command.action === 'runBatch' ? { entries: command.payload.entries.length } : { target: command.target, ops: command.payload.inline.ops.length }),
      },
    });
    await ledger.record(id, command.nonce, parseUtcTime(command.expires_at) as number);
    await writeFileAtomic(acceptedPath(id), read.bytes);
    await removeFileIfSame(join(layout.commands, file), read.ino);
    await step('moved-to-accepted', id);
    await startBatch(id, command, record);
  };

  /** A command in flight without a batch: a crash came between acceptance and the batch. */
  const resume = async (id: string, record: InflightRecord): Promise<void> => {
    const leftover = join(layout.commands, record.file);
    const left = await readFile(leftover).catch((error: unknown) => {
      if (errnoCode(error) === 'ENOENT') return null;
      throw error;
    });
    const leftIsOurs = left !== null && sha256Hex(left) === record.inputSha256;
    if (!(await exists(acceptedPath(id)))) {
      if (!leftIsOurs) {
        const reason = rejection('INTERRUPTED', 'Leash stopped after accepting the command and its file was gone when it started again; send it again with a new id');
        return completion.refuseAccepted(id, record, reason);
      }
      await writeFileAtomic(acceptedPath(id), left);
    }
    if (leftIsOurs) await removeFile(leftover);
    const original = await completion.loadAccepted(id, record);
    if (!original) throw new Error('the accepted original disappeared');
    await ledger.record(id, original.command.nonce, parseUtcTime(original.command.expires_at) as number);
    await startBatch(id, original.command, record);
  };

  /** Finishes a command whose batch has ended; anything else is left for later. */
  const finishIfEnded = async (id: string): Promise<void> => {
    const record = inflight.get(id);
    if (!record) return;
    const batch = findBatch(id, record);
    if (batch !== null && batch !== 'lost' && isTerminal(batch.status)) await completion.finish(id, record, batch);
  };

  const offBatches = batches.on((event) => {
    if (event.type !== 'batch-updated' || !isTerminal(event.batch.status) || !event.batch.source.startsWith('inbox:')) return;
    const id = event.batch.source.slice('inbox:'.length);
    if (inflight.get(id)) void inLane(id, () => finishIfEnded(id));
  });

  return {
    async processFile(info) {
      const skipped = (why: string): FileOutcome => ({ file: info.name, outcome: 'skipped', why });
      if (stopped) return skipped('the inbox is stopping');
      if (inflight.holdsFile(info.name)) return skipped('it belongs to an accepted command that is being resumed');
      const read = await readCommandFile(join(layout.commands, info.name), info);
      if (read.kind !== 'read') return skipped(read.kind === 'changed' ? 'it is still being written' : 'it is gone');
      if (!read.complete) return reject(info.name, read, rejection('TOO_LARGE', `the file has ${read.size} bytes; the limit is ${MAX_COMMAND_FILE_BYTES}`));
      const loaded = await deps.secrets.load();
      for (const problem of loaded.problems) deps.onProblem(problem);
      const judgement = await judgeCommandBytes(read.bytes, { keys: loaded.keys, nowMs: deps.nowMs(), skewMs: deps.skewMs, replayed });
      if (!judgement.ok) return reject(info.name, read, judgement.rejection, judgement.document, judgement.id);
      const { command, verifiedWith } = judgement;
      const document = JSON.parse(read.bytes.toString('utf8')) as unknown;
      const planned = commandBatch(command.id, command, deps.targets);
      if (!planned.ok) return reject(info.name, read, planned.rejection, document, command.id);
      try {
        validateNewBatch(planned.batch, MAX_INBOX_ENTRIES);
      } catch (error) {
        const code = error instanceof BatchError ? BATCH_REFUSALS[error.code] : undefined;
        if (code === undefined) throw error;
        return reject(info.name, read, rejection(code, (error as Error).message), document, command.id);
      }
      const done = await inLane(command.id, () => accept(command.id, command, info.name, read, verifiedWith));
      return done ? { file: info.name, outcome: 'accepted', id: command.id } : skipped('accepting it did not finish; it resumes later');
    },
    async sweep() {
      const now = monotonicMs();
      const due = inflight.all().filter(([id]) => (parked.get(id) ?? 0) <= now);
      const work = due.map(([id]) =>
        inLane(id, async () => {
          parked.delete(id);
          const record = inflight.get(id);
          if (!record) return;
          const batch = findBatch(id, record);
          if (batch === null) return resume(id, record);
          if (batch === 'lost') {
            const reason = rejection('INTERRUPTED', `its batch ${record.batchId ?? ''} is no longer in the batch store; it is not run again`);
            return completion.refuseAccepted(id, record, reason, record.batchId ?? undefined);
          }
          if (record.batchId !== batch.id) await inflight.put(id, { ...record, batchId: batch.id });
          if (isTerminal(batch.status)) await finishIfEnded(id);
        }),
      );
      await Promise.all(work);
    },
    async stop() {
      stopped = true;
      offBatches();
      await Promise.all(lanes.values());
    },
    async idle() {
      while (lanes.size > 0) await Promise.all(lanes.values());
    },
  };
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}
