/**
 * The audit writer: the only code that appends to the audit log.
 *
 * ## Format (FORMAT.md beside this file has the full description)
 * JSON Lines. Each line is one record, written as canonical JSON (keys sorted by code point, no
 * spaces, non-ASCII escaped as `\uXXXX`: exactly Python's
 * `json.dumps(record, sort_keys=True, separators=(',', ':'))`) followed by `\n`. Fields:
 * - `seq`: 1, 2, 3, ... with no gaps; `ts`: ISO 8601 UTC with milliseconds; `event`: one of
 *   `AUDIT_EVENTS` (events.ts);
 * - optional `batchId`, `entryId`, `tool`, `command`, `verdict`, `approvedBy`, `exitCode`,
 *   `signal`, `durationMs`, `stdoutSha256`, `stderrSha256`, `stdoutBytes`, `stderrBytes`,
 *   `reason`, `details` (an object); absent rather than null when not set;
 * - `prevHash`: the previous record's `hash` (64 zeros for the first record);
 * - `hash`: SHA-256 (lowercase hex) of the canonical JSON of the record without `hash`.
 * Beside the log: `<log>.head`, the checkpoint `{"hash":…,"seq":…,"ts":…}` of the last record,
 * and `<log>.lock` while a writer has it open. No secret and no raw output is ever recorded.
 *
 * ## Guarantees
 * - One writer per log (the lock file), appends strictly in call order.
 * - `append` resolves only after the line is written whole and fdatasync'd, so a step that
 *   awaits its record cannot happen without the record on disk. The checkpoint is replaced
 *   right after, before the next line is written (so it lags by at most one record).
 * - Opening verifies the whole chain (streaming); crash damage is repaired and recorded in an
 *   `AUDIT_RECOVERED` record; tampering is refused or quarantined (see `TamperedLogPolicy`).
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CanonicalJsonError } from '../json/canonicalJson.js';
import { syncDirectory, writeCheckpoint } from './checkpoint.js';
import { AuditError, errnoCode } from './errors.js';
import { checkAuditEvent } from './eventGuard.js';
import type { AuditEventInput, AuditRecord } from './events.js';
import { acquireLogLock, type HeldLock } from './lockFile.js';
import { prepareForAppend, type TamperedLogPolicy } from './openRecovery.js';
import { sealRecord } from './recordLine.js';
import { scanForVerification } from './verify.js';

export interface AuditWriterOptions {
  /**
   * Source of each record's `ts` (called once per record, in order) and of the name of a
   * quarantined log; tests pass a fixed clock to get exact bytes.
   */
  clock?: () => Date;
  /** What to do if the existing log fails verification. Default `fail`. */
  onTampered?: TamperedLogPolicy;
  /**
   * Receives failures that have no promise to reject: write failures of `appendNoWait`, and
   * checkpoint failures (the record itself was already durable and its `append` resolved).
   */
  onError?: (error: AuditError) => void;
}

export interface AuditWriter {
  readonly path: string;
  /** The last record queued (not necessarily on disk yet); seq 0 and 64 zeros for an empty log. */
  readonly head: { seq: number; hash: string };
  /** The `AUDIT_RECOVERED` record open appended, if it had to repair or quarantine anything. */
  readonly recovery: AuditRecord | undefined;
  /**
   * Queues a record and resolves with it once it is durable (written whole and fdatasync'd;
   * the checkpoint follows before the next record, or use `flush`). Rejects with `AUDIT_FORBIDDEN_FIELD` / `AUDIT_INVALID_EVENT` for a bad
   * event (nothing is queued), `AUDIT_WRITE_FAILED` if this or an earlier write failed,
   * `AUDIT_CLOSED` after close. Order on disk is call order, whether or not callers await.
   */
  append(event: AuditEventInput): Promise<AuditRecord>;
  /**
   * Like `append` for paths that must not wait on the disk (an emergency stop kills first and
   * lets the record follow). The record takes its place in the order now. A bad event (a bug in
   * the caller) throws synchronously; a write failure, or a writer already failed or closed, is
   * reported to `onError` and never thrown, so the caller's next step is not held up.
   */
  appendNoWait(event: AuditEventInput): void;
  /** Resolves when everything queued so far and its checkpoint are durable; rejects with the write failure if any. */
  flush(): Promise<void>;
  /** Waits for queued appends, then closes the file and releases the lock. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens (creating if needed) the audit log at `path` for appending: takes the lock, verifies the
 * existing chain and checkpoint, repairs crash damage (recording it), then returns the writer.
 * Rejects with {@link AuditError} `AUDIT_LOCKED`, `AUDIT_TAMPERED` (policy `fail`),
 * `AUDIT_UNREADABLE` or `AUDIT_OPEN_FAILED`; the lock is released whenever open fails.
 */
export async function openAuditWriter(path: string, options: AuditWriterOptions = {}): Promise<AuditWriter> {
  const clock = options.clock ?? (() => new Date());
  let lock: HeldLock;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    // The lock's time is about this process, not a record: it uses the real clock.
    lock = await acquireLogLock(path, new Date());
  } catch (error) {
    throw asOpenFailure(path, error);
  }
  let handle: FileHandle | undefined;
  try {
    const scan = await scanForVerification(path);
    const start = await prepareForAppend(path, scan, options.onTampered ?? 'fail', clock);
    handle = await open(path, 'a', 0o600);
    // A log that did not exist is only durable once its directory entry is.
    if (!scan.exists || start.head.seq === 0) await syncDirectory(dirname(path));
    const writer = new QueuedAuditWriter(path, handle, lock, start.head, clock, options.onError);
    if (start.recovery) await writer.appendRecovery(start.recovery);
    return writer;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await lock.release();
    throw asOpenFailure(path, error);
  }
}

function asOpenFailure(path: string, error: unknown): AuditError {
  if (error instanceof AuditError) return error;
  const errno = errnoCode(error);
  return new AuditError('AUDIT_OPEN_FAILED', `cannot open the audit log ${path} for writing: ${errno ?? (error as Error).message}`, { path, errno });
}

class QueuedAuditWriter implements AuditWriter {
  recovery: AuditRecord | undefined;
  private queue: Promise<void> = Promise.resolve();
  private failure: AuditError | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly lock: HeldLock,
    private tip: { seq: number; hash: string },
    private readonly clock: () => Date,
    private readonly onError: ((error: AuditError) => void) | undefined,
  ) {}

  get head(): { seq: number; hash: string } {
    return { ...this.tip };
  }

  async appendRecovery(event: AuditEventInput): Promise<void> {
    this.recovery = await this.append(event);
  }

  append(event: AuditEventInput): Promise<AuditRecord> {
    let sealed: { record: AuditRecord; line: string };
    try {
      sealed = this.seal(event);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.enqueue(sealed);
  }

  appendNoWait(event: AuditEventInput): void {
    let sealed: { record: AuditRecord; line: string };
    try {
      sealed = this.seal(event);
    } catch (error) {
      const code = (error as AuditError).code;
      if (code !== 'AUDIT_WRITE_FAILED' && code !== 'AUDIT_CLOSED') throw error;
      this.onError?.(error as AuditError);
      return;
    }
    this.enqueue(sealed).catch((error: unknown) => this.onError?.(error as AuditError));
  }

  async flush(): Promise<void> {
    await this.queue;
    if (this.failure) throw this.failure;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.queue;
      await this.handle.close().catch(() => undefined);
      await this.lock.release();
    })();
    return this.closing;
  }

  /** Assigns seq, ts and prevHash now, so the order of records is the order of calls. */
  private seal(event: AuditEventInput): { record: AuditRecord; line: string } {
    if (this.closing) throw new AuditError('AUDIT_CLOSED', `the audit writer for ${this.path} is closed`);
    if (this.failure) throw this.failure;
    const fields = checkAuditEvent(event);
    let sealed: { record: AuditRecord; line: string };
    try {
      sealed = sealRecord(fields, { seq: this.tip.seq + 1, ts: this.clock().toISOString(), prevHash: this.tip.hash });
    } catch (error) {
      if (error instanceof CanonicalJsonError) throw new AuditError('AUDIT_INVALID_EVENT', `the event cannot be recorded: ${error.message}`, { path: error.path });
      throw error;
    }
    this.tip = { seq: sealed.record.seq, hash: sealed.record.hash };
    return sealed;
  }

  /**
   * The queue runs, per record: write the line, fdatasync, resolve the caller, replace the
   * checkpoint. The checkpoint is off the caller's path (its two fsyncs would triple the
   * latency of every step the app waits on) but still inside the queue, so it is durable before
   * the next line is written: a crash leaves it at most one record behind.
   */
  private enqueue(sealed: { record: AuditRecord; line: string }): Promise<AuditRecord> {
    const durable = this.queue.then(() => this.writeLine(sealed));
    const checkpointed = durable.then(() => this.checkpoint(sealed.record));
    this.queue = checkpointed.catch(() => undefined);
    // A checkpoint failure has no caller left to reject (the record itself is safe); it fails
    // the writer for later appends and is reported to onError now.
    durable.then(
      () => checkpointed.catch((error: unknown) => this.onError?.(error as AuditError)),
      () => undefined,
    );
    return durable.then(() => sealed.record);
  }

  private async writeLine({ record, line }: { record: AuditRecord; line: string }): Promise<void> {
    // After a failed write the file may end in a partial line and later records chain to one
    // that is not on disk: nothing more may be appended until the log is reopened (and repaired).
    if (this.failure) throw this.failure;
    try {
      await writeWhole(this.handle, Buffer.from(line, 'latin1'));
      // fdatasync suffices for an append: it flushes the data and the new file length.
      await this.handle.datasync();
    } catch (error) {
      throw this.fail(record, 'append', error);
    }
  }

  private async checkpoint(record: AuditRecord): Promise<void> {
    try {
      await writeCheckpoint(this.path, { seq: record.seq, hash: record.hash, ts: record.ts });
    } catch (error) {
      throw this.fail(record, 'update the head checkpoint for', error);
    }
  }

  private fail(record: AuditRecord, action: string, error: unknown): AuditError {
    this.failure = new AuditError('AUDIT_WRITE_FAILED', `could not ${action} record ${record.seq} in ${this.path}: ${errnoCode(error) ?? (error as Error).message}`, {
      seq: record.seq,
      errno: errnoCode(error),
    });
    return this.failure;
  }
}

async function writeWhole(handle: FileHandle, bytes: Buffer): Promise<void> {
  for (let offset = 0; offset < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}
