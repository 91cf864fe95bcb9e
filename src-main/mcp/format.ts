import type { AgentBatchView } from '../control/protocol.js';
import { isShutdownReason } from '../core/shutdown.js';

const ENDED_BADLY: Record<string, string> = {
  rejected: 'A person rejected this batch in Leash; none of its commands ran. Do not retry it unchanged: ask the person or propose something else.',
  cancelled: 'A person stopped the batch in Leash (stop or emergency stop) before it finished.',
  interrupted: 'Leash stopped while the batch was running; its results are incomplete.',
};

/** A rejection with the person's words: they say what to do instead, so no generic advice competes with them. */
const REJECTED_WITH_MESSAGE = 'A person rejected this batch in Leash; none of its commands ran. They said what to do instead:';

/** A stop that came from Leash ending (a signal, the app quitting), not from a person's decision. */
const SHUT_DOWN = 'Leash shut down before the batch finished, which stopped it; no person decided against it. Commands that had not run did not run; propose them again once Leash is running.';

/** A person-readable (and model-readable) account of a batch, tails of output included. */
export function describeBatch(view: AgentBatchView): string {
  const lines = [`Leash batch ${view.batchId}: ${view.status}${view.approvedBy ? ` (approved by ${view.approvedBy})` : ''}${view.note ? ` — ${view.note}` : ''}`];
  if (view.status === 'cancelled' && isShutdownReason(view.note)) lines.push(SHUT_DOWN);
  else if (view.status === 'rejected' && view.rejectionMessage) lines.push(REJECTED_WITH_MESSAGE, '', `Rejected by the person: ${view.rejectionMessage}`);
  else if (ENDED_BADLY[view.status]) lines.push(ENDED_BADLY[view.status] as string);
  if (view.queuedBehind) lines.push(`Approved and queued behind batch ${view.queuedBehind}; it has not started.`);
  for (const entry of view.entries) {
    const outcome = entry.exitCode !== null ? `exit ${entry.exitCode}` : entry.signal ? `signal ${entry.signal}` : entry.note ?? '';
    const time = entry.durationMs !== null ? `, ${entry.durationMs} ms` : '';
    lines.push('', `${entry.index}. [${entry.verdict}] ${entry.command}`, `   status: ${entry.status}${outcome ? ` (${outcome}${time})` : ''}`);
    for (const reason of entry.reasons) lines.push(`   policy: ${reason.code}: ${reason.message}`);
    if (entry.sandbox) lines.push(`   sandbox: ${entry.sandbox}`);
    if (entry.sandboxHint) lines.push(`   ${entry.sandboxHint}`);
    if (entry.stdoutTail) lines.push(`   stdout${entry.outputTruncated ? ' (end)' : ''}:`, indent(entry.stdoutTail));
    if (entry.stderrTail) lines.push(`   stderr${entry.outputTruncated ? ' (end)' : ''}:`, indent(entry.stderrTail));
  }
  return lines.join('\n');
}

function indent(text: string): string {
  return text.replace(/\n$/, '').split('\n').map((line) => `     ${line}`).join('\n');
}

export function endedBadly(view: AgentBatchView): boolean {
  return view.status in ENDED_BADLY;
}
