import { GENESIS_HASH, type AuditRecord } from './events.js';
import type { LogLine } from './lineReader.js';
import { inspectRecordLine } from './recordLine.js';

/**
 * Why verification failed, one stable code per kind of damage (FORMAT.md lists them):
 * - `MALFORMED`: a line is not JSON, or lacks a chain field (`seq`, `ts`, `event`, `prevHash`, `hash`).
 * - `EDITED`: a record's content does not match its own hash, or its bytes are not canonical.
 * - `BAD_PREV_HASH`: the seq is the next one but `prevHash` is not the previous record's hash
 *   (the previous record was rewritten and re-hashed, or this link was).
 * - `SEQ_GAP`: the link to the previous record holds but seq skips numbers (seq rewritten).
 * - `DELETED`: seq skips and the skipped records appear nowhere: they were removed.
 * - `REORDERED`: seq skips and the skipped record appears later in the file.
 * - `INSERTED`: a record that belongs to no place in the chain: seq repeats or goes back, or the
 *   record after it continues the chain from the record before it.
 * - `TRUNCATED`: the head checkpoint names a record past the end of the log.
 * - `CHECKPOINT_MISMATCH`: the checkpoint disagrees with the record at its seq, is unreadable,
 *   is missing for a log of more than one record, or lags more than the one record a crash leaves.
 * - `TORN`: the last line has no `\n` (a crash mid-write; the writer cuts it off on open).
 * Seals (sealTracker.ts, FORMAT.md "Seals"):
 * - `BAD_SEAL`: a seal or sealing start is malformed, names the wrong key, or goes back in epoch.
 * - `FORGED_SEAL`: a seal's MAC is not what the verification key gives (sealed records rewritten).
 * - `UNSEALED_TAIL`: records after the last seal although no writer is running and the last one
 *   closed cleanly (a writer seals before it closes): they were added by something else.
 * - `SEALS_CUT`: the sealing key is further ahead than the last seal in the log: seals (and what
 *   they sealed) were cut off the end.
 * - `SEAL_KEY_MISMATCH`: the sealing key file does not belong to the trail (another key id, an
 *   epoch behind the log, or a key your verification key does not derive).
 * - `SEAL_KEY_LOST`: the sealing key was missing or damaged when a writer opened the log, so it
 *   started a new key: the records between the last seal and that point were never sealed.
 * - `MISSING`: the log and its checkpoint are gone while evidence of a trail remains (batches,
 *   the sealing key, other segments): it was deleted, not never written.
 */
export type TamperReason =
  | 'MALFORMED'
  | 'EDITED'
  | 'BAD_PREV_HASH'
  | 'SEQ_GAP'
  | 'DELETED'
  | 'REORDERED'
  | 'INSERTED'
  | 'TRUNCATED'
  | 'CHECKPOINT_MISMATCH'
  | 'TORN'
  | 'BAD_SEAL'
  | 'FORGED_SEAL'
  | 'UNSEALED_TAIL'
  | 'SEALS_CUT'
  | 'SEAL_KEY_MISMATCH'
  | 'SEAL_KEY_LOST'
  | 'MISSING';

export interface FirstBad {
  /** The seq the bad record claims, when it could be read. */
  seq?: number;
  /** 1-based line; one past the last line for problems at the end (truncation, checkpoint). */
  line: number;
  /** In a rotated trail: the file the problem is in (a sealed segment or the active log), by name. */
  segment?: string;
  reason: TamperReason;
  message: string;
}

export interface ChainLink {
  seq: number;
  hash: string;
  prevHash: string;
  ts: string;
  line: number;
}

const START: ChainLink = { seq: 0, hash: GENESIS_HASH, prevHash: GENESIS_HASH, ts: '', line: 0 };

/**
 * Walks records in file order and stops at the first one that does not continue the chain.
 * Feed it lines with `push` while it returns true, then call `finish`.
 *
 * Telling a deletion from a reordering or an insertion needs a look past the bad record (the
 * next record, and whether the missing predecessor turns up later), so after a failure the
 * checker keeps reading, without keeping more than a few links in memory, until it can decide.
 */
export class ChainChecker {
  /** Records that passed, in order, before any failure. */
  records = 0;
  /** The last record that passed and the one before it (the checkpoint is compared with these). */
  head: ChainLink | undefined;
  beforeHead: ChainLink | undefined;
  /** Byte offset just past the last record that passed. */
  goodEnd = 0;
  failure: FirstBad | undefined;
  private diagnosis: LinkDiagnosis | undefined;

  /**
   * `observe` sees every record that continues the chain, in order (the seal tracker). `start`
   * resumes after a record already verified (incremental open): its link and byte end.
   */
  constructor(
    private readonly observe?: (record: AuditRecord, line: number) => void,
    start?: { link: ChainLink; end: number },
  ) {
    if (start) {
      this.head = start.link;
      this.records = start.link.seq;
      this.goodEnd = start.end;
    }
  }

  /**
   * The next lines come from the next file of a rotated trail: the chain goes on (same head),
   * while byte offsets and line numbers start again at that file's beginning.
   */
  startFile(): void {
    this.goodEnd = 0;
    if (this.head) this.head = { ...this.head, line: 0 };
  }

  /** True between a bad link and `finish`: later lines are evidence, not records to check. */
  get isDiagnosing(): boolean {
    return this.diagnosis !== undefined && this.failure === undefined;
  }

  push(line: LogLine): boolean {
    if (this.failure) return false;
    if (this.diagnosis) return this.diagnosis.observe(line.text);
    if (line.tooLong) return this.fail({ line: line.number, reason: 'MALFORMED', message: 'the line is longer than any record could be' });
    const inspection = inspectRecordLine(line.text);
    if (!inspection.ok) return this.fail({ seq: inspection.record?.seq, line: line.number, reason: inspection.reason, message: inspection.message });
    const record = inspection.record;
    const previous = this.head ?? START;
    if (record.seq === previous.seq + 1 && record.prevHash === previous.hash) {
      this.beforeHead = this.head;
      this.head = { seq: record.seq, hash: record.hash, prevHash: record.prevHash, ts: record.ts, line: line.number };
      this.records++;
      this.goodEnd = line.end;
      this.observe?.(record, line.number);
      return true;
    }
    this.diagnosis = new LinkDiagnosis(previous, { seq: record.seq, hash: record.hash, prevHash: record.prevHash, ts: record.ts, line: line.number });
    return true;
  }

  /** Call at the end of the input; settles a failure that was waiting for more lines. */
  finish(): void {
    if (!this.diagnosis || this.failure) return;
    const { firstBad, intruderIsHead } = this.diagnosis.conclude();
    if (intruderIsHead) this.records--;
    this.failure = firstBad;
  }

  private fail(firstBad: FirstBad): false {
    this.failure = firstBad;
    return false;
  }
}

/** The evidence about one record (`bad`) that does not link to the last good one (`good`). */
class LinkDiagnosis {
  private next: { seq?: unknown; hash?: unknown; prevHash?: unknown } | null | undefined;
  private predecessorLater = false;
  private readonly needsSearch: boolean;

  constructor(
    private readonly good: ChainLink,
    private readonly bad: ChainLink,
  ) {
    this.needsSearch = bad.seq > good.seq + 1 && bad.prevHash !== good.hash;
  }

  /** Takes the next line; returns whether more lines could still change the verdict. */
  observe(text: string): boolean {
    if (this.next === undefined) this.next = looseParse(text);
    if (this.needsSearch && !this.predecessorLater && text.includes(this.bad.prevHash)) {
      this.predecessorLater = looseParse(text)?.hash === this.bad.prevHash;
    }
    return this.needsSearch && !this.predecessorLater;
  }

  conclude(): { firstBad: FirstBad; intruderIsHead: boolean } {
    const { good, bad, next } = this;
    const at = (reason: FirstBad['reason'], message: string): FirstBad => ({ seq: bad.seq, line: bad.line, reason, message });
    const nextContinuesGood = next?.prevHash === good.hash;
    if (bad.seq <= good.seq) {
      if (bad.hash === good.hash) {
        return { firstBad: at('INSERTED', `an exact copy of record ${good.seq} at line ${good.line}`), intruderIsHead: false };
      }
      // Two records claim one place. If the chain goes on from the later one, the earlier one
      // (accepted a moment ago) is the intruder.
      if (bad.seq === good.seq && bad.prevHash === good.prevHash && next?.prevHash === bad.hash) {
        const message = `record ${good.seq} at line ${good.line} is not part of the chain: line ${bad.line} claims the same place and the chain continues from it`;
        return { firstBad: { seq: good.seq, line: good.line, reason: 'INSERTED', message }, intruderIsHead: true };
      }
      return { firstBad: at('INSERTED', `seq ${bad.seq} comes after seq ${good.seq}: the record does not belong here`), intruderIsHead: false };
    }
    if (bad.seq === good.seq + 1) {
      if (nextContinuesGood && next?.seq === bad.seq) {
        return { firstBad: at('INSERTED', `the record after it continues the chain from record ${good.seq}: this one was inserted`), intruderIsHead: false };
      }
      const previous = good.seq === 0 ? 'the genesis value (64 zeros)' : `the hash of record ${good.seq}`;
      return { firstBad: at('BAD_PREV_HASH', `prevHash is not ${previous}: that record was changed and re-hashed, or this link was`), intruderIsHead: false };
    }
    const missing = bad.seq === good.seq + 2 ? `record ${good.seq + 1} is` : `records ${good.seq + 1}..${bad.seq - 1} are`;
    if (bad.prevHash === good.hash) {
      return { firstBad: at('SEQ_GAP', `seq jumps from ${good.seq} to ${bad.seq} although the record links to record ${good.seq}`), intruderIsHead: false };
    }
    if (this.predecessorLater) {
      return { firstBad: at('REORDERED', `seq jumps from ${good.seq} to ${bad.seq}; the record it links to comes later in the file`), intruderIsHead: false };
    }
    if (nextContinuesGood) {
      return { firstBad: at('INSERTED', `the record after it continues the chain from record ${good.seq}: this one was inserted`), intruderIsHead: false };
    }
    return { firstBad: at('DELETED', `seq jumps from ${good.seq} to ${bad.seq}: ${missing} missing`), intruderIsHead: false };
  }
}

function looseParse(text: string): { seq?: unknown; hash?: unknown; prevHash?: unknown } | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as { seq?: unknown; hash?: unknown; prevHash?: unknown }) : null;
  } catch {
    return null;
  }
}
