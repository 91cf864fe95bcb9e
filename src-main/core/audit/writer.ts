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
import { access, chmod, mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { CanonicalJsonError } from '../json/canonicalJson.js';
import type { FirstBad } from './chainChecker.js';
import { syncDirectory, writeCheckpoint } from './checkpoint.js';
import { GENESIS_HASH } from './events.js';
import { AuditError, errnoCode } from './errors.js';
import { checkAuditEvent } from './eventGuard.js';
import type { AuditEventInput, AuditRecord } from './events.js';
import { acquireLogLock, type HeldLock } from './lockFile.js';
import { prepareForAppend, type TamperedLogPolicy } from './openRecovery.js';
import { sealRecord } from './recordLine.js';
import { createSealingKey, DEFAULT_SEAL_INTERVAL_MS, SEAL_AFTER, type SealingOptions } from './sealer.js';
import { formatVerificationKey } from './sealKey.js';
import { openSealing, type SealingStart } from './sealingStart.js';
import type { SealKeyState } from './sealKeyFile.js';
import type { Sealer } from './sealer.js';
import type { SealingResolution } from './sealingStart.js';
import { SEALED, SEALING_STARTED, type SealPosition } from './sealTracker.js';
import type { LogScan } from './scanLog.js';
import { evidenceOfTrail, type TrailHistory } from './trailEvidence.js';
import { listSegments, segmentPathFor } from './segments.js';
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
  /**
   * Seal the trail forward-securely (FORMAT.md "Seals"): at each batch's end, at an interval and
   * on close. Off when not given (tests of the bare chain); every Leash process turns it on.
   */
  sealing?: SealingOptions;
  /** Where else the trail's existence shows, so a deleted log is not taken for a fresh start. */
  history?: TrailHistory;
  /**
   * Check the whole chain at open instead of resuming from the checkpoint's verified record.
   * Default false: open costs the same at any history; `verifyAudit` is the full check.
   */
  fullCheck?: boolean;
  /**
   * Rotate the active log into a sealed segment (FORMAT.md "Rotation") once it holds at least
   * this many bytes: read before each record, so a settings change applies at once. 0, negative
   * or absent: never.
   */
  rotateAfterBytes?: () => number;
}

export interface AuditWriter {
  readonly path: string;
  /** The last record queued (not necessarily on disk yet); seq 0 and 64 zeros for an empty log. */
  readonly head: { seq: number; hash: string };
  /** The `AUDIT_RECOVERED` record open appended, if it had to repair or quarantine anything. */
  readonly recovery: AuditRecord | undefined;
  /** The sealing key in use (undefined when sealing is off), and whether its verification key still waits on this machine. */
  readonly sealing: { keyId: string; started: boolean } | undefined;
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
  /**
   * Replaces the sealing key with a new one (recorded as `AUDIT_SEALING_STARTED` naming the old
   * key, then sealed) and resolves with the new verification key as a person copies it. The
   * trail is sealed with the old key up to here first. Rejects with `AUDIT_INVALID_EVENT` when
   * sealing is off.
   */
  newSealingKey(): Promise<{ keyId: string; verificationKey: string }>;
  /**
   * Sets the current log aside as tampered (a verification found `firstBad` while this writer
   * had it open) and goes on in a new segment: the log is moved unchanged to
   * `<log>.tampered-<time>` and the new chain starts with an `AUDIT_RECOVERED` naming it, so
   * nothing more is appended to a chain that failed verification. Appends made meanwhile wait
   * and land in the new segment, in order. Resolves with that record (undefined if a quarantine
   * is already under way).
   */
  quarantine(firstBad: FirstBad, verifiedRecords: number): Promise<AuditRecord | undefined>;
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
    const scan = await scanForVerification(path, { incremental: !options.fullCheck });
    const missing = await missingTrail(path, scan, options.history);
    const sealing = options.sealing ? await openSealing(path, scan, lock.tookOver !== undefined) : undefined;
    const judged: LogScan = { ...scan, firstBad: scan.firstBad ?? missing ?? sealing?.tampered };
    const policy = options.onTampered ?? 'fail';
    const start = await prepareForAppend(path, judged, policy, clock);
    handle = await open(path, 'a', 0o600);
    // A log that did not exist is only durable once its directory entry is.
    if (!scan.exists || start.head.seq === 0) await syncDirectory(dirname(path));
    const fresh = start.head.seq === 0;
    const position: SealPosition = fresh ? { keyId: undefined, epoch: -1, sealSeq: 0 } : scan.seals.position;
    // A rotation that crashed after its rename left no active log: open just created it.
    if (!scan.activeExists) await syncDirectory(dirname(path));
    const segments = fresh ? [] : await listSegments(path);
    const rotation = { afterBytes: options.rotateAfterBytes ?? (() => 0), next: (segments[segments.length - 1]?.number ?? 0) + 1 };
    const writer = new QueuedAuditWriter(path, handle, lock, { ...start.head, offset: fresh ? 0 : scan.goodEnd, position }, clock, options.onError, rotation);
    if (start.recovery) await writer.appendRecovery(start.recovery);
    if (options.sealing) await writer.startSealing(await (sealing as SealingStart).resolve(fresh, clock()), options.sealing.intervalMs ?? DEFAULT_SEAL_INTERVAL_MS);
    return writer;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await lock.release();
    throw asOpenFailure(path, error);
  }
}

/** A log and checkpoint that are both gone while the trail's traces remain: deleted, not new. */
async function missingTrail(path: string, scan: LogScan, history: TrailHistory | undefined): Promise<FirstBad | undefined> {
  if (scan.exists || scan.checkpoint.kind !== 'missing') return undefined;
  const evidence = await evidenceOfTrail(path, history);
  if (evidence.length === 0) return undefined;
  return {
    line: 1,
    reason: 'MISSING',
    message: `the audit log and its checkpoint are gone, but ${evidence.join('; ')}. The trail was deleted or moved; Leash does not start a new one silently. Put it back, or start a new trail deliberately with \`leash audit new-trail\` (which records that the old one was lost)`,
  };
}

function asOpenFailure(path: string, error: unknown): AuditError {
  if (error instanceof AuditError) return error;
  const errno = errnoCode(error);
  return new AuditError('AUDIT_OPEN_FAILED', `cannot open the audit log ${path} for writing: ${errno ?? (error as Error).message}`, { path, errno });
}

interface Tip {
  seq: number;
  hash: string;
  /** Byte length of the log once this record is written. */
  offset: number;
  position: SealPosition;
}

interface Queued {
  record: AuditRecord;
  line: string;
  /** The checkpoint to write once the line is durable (taken when the record got its place). */
  checkpoint: { seq: number; hash: string; ts: string; offset: number; sealKeyId?: string; sealEpoch?: number; sealSeq?: number };
  /** This record ends the active log: once durable it becomes this sealed segment. */
  rotateTo?: string;
}

class QueuedAuditWriter implements AuditWriter {
  recovery: AuditRecord | undefined;
  private queue: Promise<void> = Promise.resolve();
  private failure: AuditError | undefined;
  private closing: Promise<void> | undefined;
  private sealer: Sealer | undefined;
  private newKey = false;
  private sealTimer: NodeJS.Timeout | undefined;
  private intervalMs = DEFAULT_SEAL_INTERVAL_MS;
  /** While a quarantine moves the log aside, new appends wait on this (in call order). */
  private gate: Promise<void> | undefined;

  constructor(
    readonly path: string,
    private handle: FileHandle,
    private readonly lock: HeldLock,
    private tip: Tip,
    private readonly clock: () => Date,
    private readonly onError: ((error: AuditError) => void) | undefined,
    private readonly rotation: { afterBytes: () => number; next: number } = { afterBytes: () => 0, next: 1 },
  ) {}

  get head(): { seq: number; hash: string } {
    return { seq: this.tip.seq, hash: this.tip.hash };
  }

  get sealing(): { keyId: string; started: boolean } | undefined {
    return this.sealer ? { keyId: this.sealer.keyId, started: this.newKey } : undefined;
  }

  async appendRecovery(event: AuditEventInput): Promise<void> {
    this.recovery = await this.append(event);
  }

  /** Takes over sealing after open: the records open decided on, then a seal of everything so far. */
  async startSealing(resolution: SealingResolution, intervalMs: number): Promise<void> {
    this.sealer = resolution.sealer;
    this.newKey = resolution.newKey;
    this.intervalMs = intervalMs;
    for (const event of resolution.records) {
      const record = await this.append(event);
      if (event.event === 'AUDIT_RECOVERED') this.recovery ??= record;
    }
    this.sealNow();
    await this.flush();
  }

  append(event: AuditEventInput): Promise<AuditRecord> {
    if (this.gate) return this.gate.then(() => this.append(event));
    return this.appendNow(event);
  }

  private appendNow(event: AuditEventInput): Promise<AuditRecord> {
    let sealed: Queued;
    try {
      sealed = this.place(event);
    } catch (error) {
      return Promise.reject(error);
    }
    const durable = this.enqueue(sealed);
    this.afterPlaced(event);
    return durable;
  }

  appendNoWait(event: AuditEventInput): void {
    if (this.gate) {
      void this.gate.then(() => this.appendNoWait(event));
      return;
    }
    let sealed: Queued;
    try {
      sealed = this.place(event);
    } catch (error) {
      const code = (error as AuditError).code;
      if (code !== 'AUDIT_WRITE_FAILED' && code !== 'AUDIT_CLOSED') throw error;
      this.onError?.(error as AuditError);
      return;
    }
    this.enqueue(sealed).catch((error: unknown) => this.onError?.(error as AuditError));
    this.afterPlaced(event);
  }

  async flush(): Promise<void> {
    await this.queue;
    if (this.failure) throw this.failure;
  }

  async quarantine(firstBad: FirstBad, verifiedRecords: number): Promise<AuditRecord | undefined> {
    if (this.gate || this.closing) return undefined;
    let open_!: () => void;
    this.gate = new Promise<void>((resolve) => (open_ = resolve));
    try {
      clearTimeout(this.sealTimer);
      this.sealTimer = undefined;
      await this.queue;
      if (this.failure) throw this.failure;
      await this.handle.close();
      const aside = { exists: true, records: verifiedRecords, firstBad } as LogScan;
      const start = await prepareForAppend(this.path, aside, 'quarantine', this.clock);
      this.handle = await open(this.path, 'a', 0o600);
      await syncDirectory(dirname(this.path));
      this.tip = { seq: 0, hash: GENESIS_HASH, offset: 0, position: { keyId: undefined, epoch: -1, sealSeq: 0 } };
      this.rotation.next = 1; // the segments went aside with the log
      const recovery = await this.appendNow(start.recovery as AuditEventInput);
      this.recovery = recovery;
      if (this.sealer) {
        const made = await createSealingKey(this.path, this.clock(), { keyId: this.sealer.keyId });
        this.sealer = made.sealer;
        this.newKey = true;
        await this.appendNow(made.start);
        this.sealNow();
      }
      await this.queue;
      if (this.failure) throw this.failure;
      return recovery;
    } finally {
      this.gate = undefined;
      open_();
    }
  }

  async newSealingKey(): Promise<{ keyId: string; verificationKey: string }> {
    if (!this.sealer) throw new AuditError('AUDIT_INVALID_EVENT', 'this audit writer does not seal');
    this.sealNow();
    await this.flush();
    const made = await createSealingKey(this.path, this.clock(), { keyId: this.sealer.keyId });
    this.sealer = made.sealer;
    this.newKey = true;
    await this.append(made.start);
    this.sealNow();
    await this.flush();
    return { keyId: made.sealer.keyId, verificationKey: formatVerificationKey(made.verificationKey) };
  }

  close(): Promise<void> {
    if (!this.closing) {
      // A writer seals what it wrote before it lets go: an unsealed tail with no writer running
      // and none that died is then something Leash did not write.
      if (!this.failure) this.sealNow();
      clearTimeout(this.sealTimer);
    }
    this.closing ??= (async () => {
      await this.queue;
      await this.handle.close().catch(() => undefined);
      await this.lock.release();
    })();
    return this.closing;
  }

  /**
   * Seals the chain head now, unless it is a seal already: the MAC is computed with the current
   * key, the seal is written, then the key file is overwritten with the next key (all in the
   * queue's order, so the seal covers exactly the records placed before it).
   */
  private sealNow(): void {
    clearTimeout(this.sealTimer);
    this.sealTimer = undefined;
    if (!this.sealer || this.closing || this.failure) return;
    if (this.tip.position.sealSeq === this.tip.seq && this.tip.seq > 0) return;
    const { event, next } = this.sealer.sealOf({ seq: this.tip.seq, hash: this.tip.hash });
    let sealed: Queued;
    try {
      sealed = this.place(event);
    } catch (error) {
      this.onError?.(error as AuditError);
      return;
    }
    const sealer = this.sealer;
    this.enqueue(sealed, () => this.commitKey(sealer, next, sealed.record)).catch((error: unknown) => this.onError?.(error as AuditError));
  }

  private async commitKey(sealer: Sealer, next: SealKeyState, record: AuditRecord): Promise<void> {
    try {
      await sealer.commit(next);
    } catch (error) {
      // The used key is still on disk: stop here, so nothing more is sealed with it; the next
      // open evolves it (verification reports the key as not evolved meanwhile).
      throw this.fail(record, 'evolve the sealing key after', error);
    }
  }

  private afterPlaced(event: AuditEventInput): void {
    if (!this.sealer || event.event === SEALED) return;
    // A segment ends with a seal: when the log is due to rotate, seal now (the seal rotates it).
    if (SEAL_AFTER.has(event.event) || this.rotationDue()) return this.sealNow();
    if (this.sealTimer === undefined && !this.closing) {
      this.sealTimer = setTimeout(() => this.sealNow(), this.intervalMs);
      // A pending seal must not keep a CLI process alive; close seals whatever is left.
      this.sealTimer.unref();
    }
  }

  /** Assigns seq, ts and prevHash now, so the order of records is the order of calls. */
  private place(event: AuditEventInput): Queued {
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
    const { record } = sealed;
    let position = this.tip.position;
    if (record.event === SEALING_STARTED) position = { keyId: String(record.details?.keyId), epoch: -1, sealSeq: position.sealSeq };
    if (record.event === SEALED) position = { keyId: position.keyId, epoch: Number(record.details?.epoch), sealSeq: record.seq };
    this.tip = { seq: record.seq, hash: record.hash, offset: this.tip.offset + sealed.line.length, position };
    const checkpoint: Queued['checkpoint'] = { seq: record.seq, hash: record.hash, ts: record.ts, offset: this.tip.offset };
    if (position.keyId !== undefined) Object.assign(checkpoint, { sealKeyId: position.keyId, sealEpoch: position.epoch, sealSeq: position.sealSeq });
    // Decided now, in call order: every record placed after this one goes into the new active log.
    if (this.rotationDue() && (!this.sealer || record.event === SEALED)) {
      const rotateTo = basename(segmentPathFor(this.path, this.rotation.next++));
      this.tip = { ...this.tip, offset: 0 };
      return { ...sealed, checkpoint, rotateTo };
    }
    return { ...sealed, checkpoint };
  }

  private rotationDue(): boolean {
    const limit = this.rotation.afterBytes();
    return Number.isFinite(limit) && limit > 0 && this.tip.offset >= limit;
  }

  /**
   * Turns the active log into a sealed segment and starts a new, empty one; the chain goes on.
   * Each step leaves a trail that opens and verifies (tests/core/audit/rotation.test.ts):
   * 1. the segment is made read-only; 2. renamed (`audit.jsonl` → `audit.000007.jsonl`) and the
   * directory synced — a crash here leaves no active log and a checkpoint naming the segment's
   * last record, which open finds at the end of the newest segment; 3. the checkpoint names the
   * segment; 4. the new active log is created and the directory synced.
   */
  private async rotate({ record, checkpoint, rotateTo }: Queued): Promise<void> {
    const directory = dirname(this.path);
    const target = `${directory}/${rotateTo as string}`;
    try {
      await this.handle.close();
      // Never over another file: a segment of that number would be a trail we did not write.
      if (await access(target).then(() => true, () => false)) throw Object.assign(new Error(`${rotateTo} already exists`), { code: 'EEXIST' });
      await chmod(this.path, 0o400);
      await rename(this.path, target);
      await syncDirectory(directory);
      await writeCheckpoint(this.path, { ...checkpoint, segment: rotateTo });
      this.handle = await open(this.path, 'a', 0o600);
      await syncDirectory(directory);
    } catch (error) {
      throw this.fail(record, `rotate the log into ${rotateTo} after`, error);
    }
  }

  /**
   * The queue runs, per record: write the line, fdatasync, (for a seal, evolve the key file),
   * resolve the caller, replace the checkpoint. The checkpoint is off the caller's path (its two
   * fsyncs would triple the latency of every step the app waits on) but still inside the queue,
   * so it is durable before the next line is written: a crash leaves it at most one record behind.
   */
  private enqueue(sealed: Queued, after?: () => Promise<void>): Promise<AuditRecord> {
    const durable = this.queue.then(async () => {
      await this.writeLine(sealed);
      await after?.();
    });
    const checkpointed = durable.then(() => this.checkpoint(sealed)).then(() => (sealed.rotateTo ? this.rotate(sealed) : undefined));
    this.queue = checkpointed.catch(() => undefined);
    // A checkpoint failure has no caller left to reject (the record itself is safe); it fails
    // the writer for later appends and is reported to onError now.
    durable.then(
      () => checkpointed.catch((error: unknown) => this.onError?.(error as AuditError)),
      () => undefined,
    );
    return durable.then(() => sealed.record);
  }

  private async writeLine({ record, line }: Queued): Promise<void> {
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

  private async checkpoint({ record, checkpoint }: Queued): Promise<void> {
    try {
      await writeCheckpoint(this.path, checkpoint);
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
