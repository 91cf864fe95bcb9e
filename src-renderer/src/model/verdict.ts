import type { BatchStatus, EntryStatus, Reason, Verdict } from './contract';

/** How a verdict is shown: a colour *and* a word, so it never relies on colour alone. */
export const VERDICT_LABEL: Record<Verdict, 'SAFE' | 'REVIEW' | 'BLOCKED'> = {
  allow: 'SAFE',
  ask: 'REVIEW',
  deny: 'BLOCKED',
};

export const VERDICT_TONE: Record<Verdict, 'ok' | 'warn' | 'danger'> = {
  allow: 'ok',
  ask: 'warn',
  deny: 'danger',
};

export const VERDICT_MEANING: Record<Verdict, string> = {
  allow: 'Allowed by policy: safe to run',
  ask: 'Needs review: a person must decide',
  deny: 'Denied by policy: it can never run',
};

export type Tone = 'neutral' | 'info' | 'ok' | 'warn' | 'danger' | 'running';

export const BATCH_STATUS_TONE: Record<BatchStatus, Tone> = {
  pending: 'info',
  approved: 'info',
  running: 'running',
  completed: 'ok',
  error: 'danger',
  cancelled: 'neutral',
  rejected: 'neutral',
  interrupted: 'warn',
};

export const ENTRY_STATUS_TONE: Record<EntryStatus, Tone> = {
  pending: 'neutral',
  blocked: 'danger',
  running: 'running',
  completed: 'ok',
  error: 'danger',
  timed_out: 'danger',
  cancelled: 'neutral',
  skipped: 'neutral',
  interrupted: 'warn',
};

export function statusLabel(status: BatchStatus | EntryStatus): string {
  return status === 'timed_out' ? 'timed out' : status;
}

/** Entry statuses that mean the entry will not change any more. */
export function isEntryFinished(status: EntryStatus): boolean {
  return status !== 'pending' && status !== 'running';
}

/** Which verdict a reason pushes towards, for its colour: deny rules say so, allow codes start ALLOWED_. */
export function verdictOfReason(reason: Reason): Verdict {
  if (reason.rule?.startsWith('deny:') || reason.code === 'DENIED_BY_RULE') return 'deny';
  if (reason.code.startsWith('ALLOWED_')) return 'allow';
  return 'ask';
}
