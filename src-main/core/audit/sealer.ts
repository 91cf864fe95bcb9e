import type { AuditEventInput, AuditEventName } from './events.js';
import { evolveKey, firstEpochKey, keyIdOf, newVerificationKey, sealMac } from './sealKey.js';
import { createSealKey, overwriteSealKey, storePendingKey, type SealKeyState } from './sealKeyFile.js';
import { SEALED, SEALING_STARTED } from './sealTracker.js';

export interface SealingOptions {
  /**
   * Seal when the oldest unsealed record is this old (default 60 s). Seals are also made at each
   * batch's end, at an emergency stop and when the writer closes.
   */
  intervalMs?: number;
}

export const DEFAULT_SEAL_INTERVAL_MS = 60_000;

/** After these the trail is sealed at once: a batch's end is where a person looks back. */
export const SEAL_AFTER: ReadonlySet<AuditEventName> = new Set<AuditEventName>(['BATCH_FINISHED', 'BATCH_CANCELLED', 'BATCH_REJECTED', 'EMERGENCY_STOP', 'APP_STOPPED', 'AUDIT_RECOVERED']);

/** Why a new key replaces the one the trail was sealed with (`details.previousKeyProblem`). */
export type PreviousKeyProblem = 'missing' | 'damaged' | 'different' | 'behind';

/**
 * The writer's side of sealing: holds the next epoch's key (the same one the key file holds) and
 * makes seal records. Making a seal is: compute the MAC with the current key, write the seal
 * (durably), then overwrite the key file with the next key (`commit`). In that order every epoch
 * gets its seal, so epochs are consecutive and a removed seal leaves a gap nothing can fill; the
 * price is the moment between the seal's fsync and the key's, when the used key is still on disk
 * (a writer that dies there leaves it until the next open evolves it, which verify reports).
 */
export class Sealer {
  constructor(
    private readonly logPath: string,
    private state: SealKeyState,
  ) {}

  get keyId(): string {
    return this.state.keyId;
  }

  /** The seal of the record `sealed` (the chain head) and the key state that must be committed first. */
  sealOf(sealed: { seq: number; hash: string }): { event: AuditEventInput; next: SealKeyState } {
    const { keyId, epoch, key } = this.state;
    const mac = sealMac(key, keyId, epoch, sealed.seq, sealed.hash);
    const next = { keyId, epoch: epoch + 1, key: evolveKey(key) };
    this.state = next;
    return { event: { event: SEALED, details: { keyId, epoch, mac } }, next };
  }

  /** Overwrites the key file with `next`, erasing the key the seal was made with. */
  commit(next: SealKeyState): Promise<void> {
    return overwriteSealKey(this.logPath, next);
  }

  /** Brings an older key file up to `epoch` (only ever forward). */
  async advanceTo(epoch: number): Promise<void> {
    if (this.state.epoch >= epoch) return;
    let { key } = this.state;
    for (let at = this.state.epoch; at < epoch; at++) key = evolveKey(key);
    this.state = { keyId: this.state.keyId, epoch, key };
    await overwriteSealKey(this.logPath, this.state);
  }
}

/**
 * Sets up a new sealing key for the log: a random verification key, whose epoch-0 key goes into
 * the key file. The verification key itself is returned for the person, and also stored in
 * `<log>.verify-key` (owner-only) until a person takes it (`leash audit setup-keys`, or the
 * Audit screen), because the writer may be opened where nobody is watching (`leash run`).
 */
export async function createSealingKey(
  logPath: string,
  now: Date,
  previous?: { keyId?: string; problem?: PreviousKeyProblem },
): Promise<{ sealer: Sealer; verificationKey: Buffer; start: AuditEventInput }> {
  const verificationKey = newVerificationKey();
  const keyId = keyIdOf(verificationKey);
  const state = { keyId, epoch: 0, key: firstEpochKey(verificationKey) };
  await createSealKey(logPath, state);
  await storePendingKey(logPath, verificationKey, keyId, now);
  const reason = previous?.problem
    ? `the sealing key of ${previous.keyId ?? 'the trail'} was ${previous.problem === 'behind' ? 'older than the trail' : previous.problem === 'different' ? 'replaced by another key' : previous.problem} when the trail was opened; records from here are sealed with a new key`
    : previous?.keyId
      ? `a new sealing key replaces ${previous.keyId}`
      : 'sealing starts: records up to here were written before the trail was sealed';
  const details: Record<string, string> = { keyId };
  if (previous?.keyId) details.previousKeyId = previous.keyId;
  if (previous?.problem) details.previousKeyProblem = previous.problem;
  return { sealer: new Sealer(logPath, state), verificationKey, start: { event: SEALING_STARTED, reason, details } };
}
