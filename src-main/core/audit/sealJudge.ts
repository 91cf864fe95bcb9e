import type { FirstBad } from './chainChecker.js';
import type { WriterState } from './lockFile.js';
import { epochKeyOf } from './sealKey.js';
import type { SealKeyRead } from './sealKeyFile.js';
import type { SealPosition } from './sealTracker.js';

export interface SealJudgement {
  /** A problem that makes the trail fail verification. */
  firstBad?: FirstBad;
  /** What the key file says is wrong with it, when a writer must start a new key instead. */
  keyProblem?: 'missing' | 'damaged' | 'different' | 'behind';
  /** Records after the last seal (undefined when the last record is a seal or nothing is sealed). */
  unsealed?: { fromSeq: number; toSeq: number };
  notes: string[];
}

/**
 * Judges the end of a sealed trail against the sealing key file and the lock: the checks that
 * need no verification key, and with one, that the key file still derives from it.
 *
 * - The key file is an odometer that cannot be wound back: after seal `e` it holds epoch `e+1`
 *   (still `e` only while a writer seals, or if one died between writing a seal and evolving
 *   the key). Further ahead means seals were cut off the end (`SEALS_CUT`); and an older key
 *   cannot be recomputed, so only a person with the verification key can tell a replaced file.
 * - A writer seals before it closes, so records after the last seal while no writer runs and
 *   none died are records nobody sealed (`UNSEALED_TAIL`).
 */
export function judgeSealing(input: {
  headSeq: number;
  position: SealPosition;
  key: SealKeyRead;
  writer: WriterState;
  verification?: { key: Buffer; keyId: string };
}): SealJudgement {
  const { headSeq, position, key, writer, verification } = input;
  const notes: string[] = [];
  if (position.keyId === undefined) return { notes };
  const unsealed = position.sealSeq < headSeq ? { fromSeq: position.sealSeq + 1, toSeq: headSeq } : undefined;
  const end = headSeq + 1;
  const bad = (reason: FirstBad['reason'], message: string, seq = end): FirstBad => ({ seq, line: seq, reason, message });
  const keyProblem = problemOf(key, position.keyId);
  if (keyProblem) {
    const message = keyProblem === 'missing' ? 'the sealing key file is missing' : keyProblem === 'damaged' ? 'the sealing key file is damaged' : `the sealing key file belongs to another key, not the trail's key ${position.keyId}`;
    return { firstBad: bad('SEAL_KEY_MISMATCH', `${message}: Leash cannot seal this trail any more (a writer opening it starts a new key, and says so in the trail)`), keyProblem, unsealed, notes };
  }
  const state = (key as Extract<SealKeyRead, { kind: 'ok' }>).state;
  const ahead = state.epoch - position.epoch;
  if (ahead < 0 || (ahead === 0 && writer.kind === 'closed')) {
    const what = ahead < 0 ? 'behind' : 'at';
    return { firstBad: bad('SEAL_KEY_MISMATCH', `the sealing key file is at epoch ${state.epoch}, ${what} the trail's last seal (epoch ${position.epoch}), although the last writer closed cleanly (it evolves the key after every seal): it was restored from an older copy or rewritten`), keyProblem: 'behind', unsealed, notes };
  }
  if (ahead > 1) {
    const cut = ahead - 1;
    const message = `the sealing key is at epoch ${state.epoch} but the last seal in the trail is epoch ${position.epoch}${position.sealSeq ? ` (seq ${position.sealSeq})` : ''}: ${cut} seal${cut === 1 ? ' was' : 's were'} cut off the end, with the records ${cut === 1 ? 'it' : 'they'} sealed`;
    return { firstBad: bad('SEALS_CUT', message), unsealed, notes };
  }
  if (ahead === 0) notes.push('the sealing key was not yet evolved after the last seal (a writer is sealing now, or died right after a seal; the next writer evolves it)');
  if (verification && verification.keyId === position.keyId && !epochKeyOf(verification.key, state.epoch).equals(state.key)) {
    return { firstBad: bad('SEAL_KEY_MISMATCH', `the sealing key file at epoch ${state.epoch} does not derive from your verification key: it was replaced`), unsealed, notes };
  }
  if (unsealed) {
    const range = unsealed.fromSeq === unsealed.toSeq ? `record ${unsealed.fromSeq}` : `records ${unsealed.fromSeq}..${unsealed.toSeq}`;
    const after = position.sealSeq ? `the last seal (seq ${position.sealSeq})` : 'the sealing start';
    if (writer.kind === 'closed') {
      return {
        firstBad: bad('UNSEALED_TAIL', `${range} come after ${after}, yet no Leash process has the trail open and the last one closed cleanly (a writer seals before it closes): they were added by something other than Leash`, unsealed.fromSeq),
        unsealed,
        notes,
      };
    }
    notes.push(writer.kind === 'running' ? `${range} are not sealed yet: Leash (pid ${writer.pid}) is writing the trail and seals at each batch's end and at an interval` : `${range} were left unsealed by a Leash process (pid ${writer.pid}) that died; the next writer seals them and records that they were sealed late`);
  }
  return { unsealed, notes };
}

function problemOf(key: SealKeyRead, keyId: string): SealJudgement['keyProblem'] {
  if (key.kind === 'missing') return 'missing';
  if (key.kind === 'invalid') return 'damaged';
  return key.state.keyId === keyId ? undefined : 'different';
}
