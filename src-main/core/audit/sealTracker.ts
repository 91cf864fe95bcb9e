import type { FirstBad } from './chainChecker.js';
import type { AuditRecord } from './events.js';
import { evolveKey, firstEpochKey, macsEqual, sealMac } from './sealKey.js';

/** Where sealing stands at one record: what the writer needs to go on and the verifier to judge. */
export interface SealPosition {
  /** The key seals are made with from here (the last `AUDIT_SEALING_STARTED`); undefined before any. */
  keyId: string | undefined;
  /** Epoch of the last seal made with that key; -1 when it has none yet. */
  epoch: number;
  /** Seq of the last seal of any key (0 when none): records up to it are sealed. */
  sealSeq: number;
}

/** One key's stretch of the trail, as the verifier reports it. */
export interface SealedRange {
  keyId: string;
  /** Seq of the `AUDIT_SEALING_STARTED` record that began this key. */
  startedSeq: number;
  /** Seq of the last seal made with this key (0 if none): records 1..sealedThrough are sealed. */
  sealedThrough: number;
  seals: number;
  lastEpoch: number;
  /** Whether the seals were checked against a verification key (only the key the person gave). */
  checked: boolean;
  /** Why the key before this one ended, when it did not end on purpose (`missing`, `damaged`, `different`). */
  previousKeyProblem?: string;
}

export const SEALING_STARTED = 'AUDIT_SEALING_STARTED';
export const SEALED = 'AUDIT_SEALED';

const KEY_ID = /^[0-9a-f]{16}$/;
const MAC = /^[0-9a-f]{64}$/;

/**
 * Follows the seal records of a chain, in order, after the chain checker accepted each record.
 * Checks their structure always (epochs are consecutive from 0 for each key, a seal names the
 * active key and seals the record just before it) and, given the verification key of one key id, their MACs.
 */
export class SealTracker {
  position: SealPosition;
  readonly ranges: SealedRange[] = [];
  failure: FirstBad | undefined;
  /** Records an `AUDIT_RECOVERED` said were sealed late, after a writer died before sealing them. */
  readonly lateSealed: { fromSeq: number; toSeq: number; seq: number }[] = [];
  private epochKey: { epoch: number; key: Buffer } | undefined;
  private lastSeq = 0;

  constructor(
    private readonly verification?: { key: Buffer; keyId: string },
    start: SealPosition = { keyId: undefined, epoch: -1, sealSeq: 0 },
  ) {
    this.position = { ...start };
  }

  /** Whether `seq` is the last record and is a seal (a writer that closed cleanly leaves one). */
  get tailIsSealed(): boolean {
    return this.position.sealSeq !== 0 && this.position.sealSeq === this.lastSeq;
  }

  /** For an incremental scan: the position given to the constructor is the one after record `seq`. */
  resumeAfter(seq: number): void {
    this.lastSeq = seq;
  }

  observe(record: AuditRecord, line: number): void {
    this.lastSeq = record.seq;
    if (this.failure) return;
    if (record.event === 'AUDIT_RECOVERED') this.noteLateSeal(record);
    if (record.event === SEALING_STARTED) return this.start(record, line);
    if (record.event === SEALED) this.seal(record, line);
  }

  private start(record: AuditRecord, line: number): void {
    const keyId = record.details?.keyId;
    if (typeof keyId !== 'string' || !KEY_ID.test(keyId)) return this.fail(record, line, 'the sealing start names no valid key id');
    if (this.ranges.some((range) => range.keyId === keyId) || keyId === this.position.keyId) return this.fail(record, line, `key ${keyId} was started before: a key is never reused`);
    const problem = record.details?.previousKeyProblem;
    this.ranges.push({ keyId, startedSeq: record.seq, sealedThrough: 0, seals: 0, lastEpoch: -1, checked: false, ...(typeof problem === 'string' ? { previousKeyProblem: problem } : {}) });
    this.position = { keyId, epoch: -1, sealSeq: this.position.sealSeq };
    this.epochKey = this.verification?.keyId === keyId ? { epoch: 0, key: firstEpochKey(this.verification.key) } : undefined;
  }

  private seal(record: AuditRecord, line: number): void {
    const { keyId, epoch, mac } = record.details ?? {};
    if (typeof keyId !== 'string' || !Number.isSafeInteger(epoch) || typeof mac !== 'string' || !MAC.test(mac)) {
      return this.fail(record, line, 'the seal lacks a valid keyId, epoch or mac');
    }
    if (keyId !== this.position.keyId) return this.fail(record, line, `the seal names key ${keyId}, but the active key is ${this.position.keyId ?? 'none'}`);
    const at = epoch as number;
    // Epochs are consecutive: a seal can only be removed by leaving a gap, because the key of
    // the removed epoch is gone and a later one cannot take its place.
    if (at !== this.position.epoch + 1) {
      const expected = this.position.epoch + 1;
      const message = at > expected ? `seal epoch ${at} follows epoch ${this.position.epoch}: the seal${at - expected > 1 ? 's' : ''} of epoch ${expected}${at - expected > 1 ? `..${at - 1}` : ''} ${at - expected > 1 ? 'were' : 'was'} removed` : `seal epoch ${at} does not come after epoch ${this.position.epoch}`;
      return this.fail(record, line, message);
    }
    const range = this.ranges.find((candidate) => candidate.keyId === keyId);
    if (this.epochKey && range) {
      while (this.epochKey.epoch < at) this.epochKey = { epoch: this.epochKey.epoch + 1, key: evolveKey(this.epochKey.key) };
      const expected = sealMac(this.epochKey.key, keyId, at, record.seq - 1, record.prevHash);
      if (!macsEqual(expected, mac)) {
        this.failure = { seq: record.seq, line, reason: 'FORGED_SEAL', message: `the seal's MAC is not what your verification key gives for epoch ${at}: records up to seq ${record.seq - 1} were rewritten after they were sealed, or the seal was forged` };
        return;
      }
      range.checked = true;
    }
    this.position = { keyId, epoch: at, sealSeq: record.seq };
    if (range) Object.assign(range, { sealedThrough: record.seq, seals: range.seals + 1, lastEpoch: at });
  }

  private noteLateSeal(record: AuditRecord): void {
    const from = record.details?.unsealedFromSeq;
    const to = record.details?.unsealedToSeq;
    if (Number.isSafeInteger(from) && Number.isSafeInteger(to)) this.lateSealed.push({ fromSeq: from as number, toSeq: to as number, seq: record.seq });
  }

  private fail(record: AuditRecord, line: number, message: string): void {
    this.failure = { seq: record.seq, line, reason: 'BAD_SEAL', message };
  }
}
