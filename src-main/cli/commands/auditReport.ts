import type { AuditVerification, SealReport } from '../../core/audit/index.js';
import { plural } from '../../shared/plural.js';

/**
 * What `leash audit verify` prints: the verdict first (one line a person can act on, the first
 * bad record with its seq, line and reason code), then what the seals cover, what they do not,
 * and whether they were checked.
 */
export function formatVerification(result: AuditVerification): string {
  const lines: string[] = [];
  if (result.ok) {
    lines.push(`intact: ${plural(result.records, 'record')}, head ${result.headHash}`);
    if (result.segments.length > 0) lines.push(`segments: ${plural(result.segments.length, 'sealed segment')} (${result.segments[0]}..${result.segments[result.segments.length - 1]}) and the active log, checked in order as one chain`);
    if (result.checkpointLag > 0) lines.push('note: the last record is not in the head checkpoint yet (a crash between append and checkpoint, or a write in progress); the writer repairs this when it next opens the log');
  } else {
    const { firstBad } = result;
    const at = firstBad.seq === undefined ? `line ${firstBad.line}` : `record ${firstBad.seq} (line ${firstBad.line})`;
    const where = firstBad.segment === undefined ? at : `${firstBad.segment}, ${at}`;
    // A torn tail is what a crash leaves, not what an attacker does; say so.
    const label = firstBad.reason === 'TORN' ? 'DAMAGED' : 'TAMPERED';
    lines.push(`${label}: ${where}: ${firstBad.reason} — ${firstBad.message}`, `${plural(result.records, 'record')} verified before it`);
  }
  lines.push(...describeSeals(result.sealing));
  return `${lines.join('\n')}\n`;
}

function describeSeals(sealing: SealReport): string[] {
  if (sealing.keys.length === 0) return ['seals: none (this trail is not sealed; any Leash process seals it from its next start)'];
  const lines = sealing.keys.map((range) => {
    const covered = range.sealedThrough === 0 ? 'no seal yet' : `seals records 1..${range.sealedThrough} (${plural(range.seals, 'seal')}, epochs 0..${range.lastEpoch})`;
    const checked = range.checked ? 'checked with your verification key' : sealing.verifyKey === 'not-given' ? 'MACs not checked: no --verify-key given' : 'not checked: not the key you gave';
    return `sealed: key ${range.keyId}, started at seq ${range.startedSeq}, ${covered}; ${checked}`;
  });
  if (sealing.unsealed) {
    const { fromSeq, toSeq } = sealing.unsealed;
    const who = sealing.writer === 'running' ? ' (Leash is writing the trail now)' : sealing.writer === 'crashed' ? ' (left by a Leash process that died)' : '';
    lines.push(`unsealed tail: records ${fromSeq}..${toSeq}${who}`);
  } else {
    lines.push('unsealed tail: none');
  }
  for (const late of sealing.lateSealed) lines.push(`sealed late: records ${late.fromSeq}..${late.toSeq}, sealed only after the writer that wrote them died (record ${late.seq})`);
  for (const note of sealing.notes) lines.push(`note: ${note}`);
  if (sealing.verifyKey === 'not-given') lines.push('seals were not checked: give the verification key with --verify-key (or --verify-key-file) to check them');
  if (sealing.keyOnMachine) lines.push('warning: the verification key is still stored on this machine; run `leash audit setup-keys` to take it and keep it elsewhere. Until then the seals prove nothing against someone who can read these files.');
  return lines;
}

