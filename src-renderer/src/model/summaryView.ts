import type { BatchSummary, EntryStatus, Verdict } from './contract';
import { plural } from './format';
import type { StatusView } from './statusView';
import { BATCH_STATUS_TONE, VERDICT_TONE, statusLabel, type Tone } from './verdict';

/** What ended differently from "completed", in the order a person looks for trouble (as in statusView). */
const SHORTFALLS: readonly EntryStatus[] = ['error', 'timed_out', 'interrupted', 'blocked', 'cancelled', 'skipped'];
const FINISHED: readonly EntryStatus[] = ['completed', ...SHORTFALLS];

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function shortfall(summary: BatchSummary): string {
  return SHORTFALLS.filter((s) => (summary.entryStatuses[s] ?? 0) > 0)
    .map((s) => `${summary.entryStatuses[s]} ${statusLabel(s)}`)
    .join(', ');
}

/** A listed batch's status in words, like `batchStatusView` but from its summary. */
export function summaryStatusView(summary: BatchSummary): StatusView {
  if (summary.status === 'completed') {
    const short = shortfall(summary);
    if (short) return { label: `Completed with ${short}`, tone: 'warn' };
  }
  return { label: capitalized(statusLabel(summary.status)), tone: BATCH_STATUS_TONE[summary.status] };
}

/**
 * Where a listed batch stands, read with its status: entries of an approved batch have not run
 * yet but are not "pending" any more (they wait for their turn), a running one counts what is
 * done, an ended one says what its entries ended as.
 */
export function summaryProgress(summary: BatchSummary): string {
  const count = summary.entryCount;
  const finished = FINISHED.reduce((sum, s) => sum + (summary.entryStatuses[s] ?? 0), 0);
  switch (summary.status) {
    case 'pending':
      return `${plural(count, 'entry', 'entries')} to review`;
    case 'approved':
      return `approved, ${plural(count - finished, 'entry', 'entries')} waiting to run`;
    case 'running':
      return `${finished} / ${count} done`;
    default: {
      const completed = summary.entryStatuses.completed ?? 0;
      const parts = [completed > 0 ? `${completed} completed` : '', shortfall(summary)].filter(Boolean);
      return parts.length > 0 ? parts.join(', ') : plural(count, 'entry', 'entries');
    }
  }
}

const VERDICT_WORD: Record<Verdict, string> = { allow: 'safe', ask: 'review', deny: 'blocked' };

/** The verdict mix as small counts, e.g. `2 safe`, `1 review`; verdicts with no entry are left out. */
export function verdictMix(summary: BatchSummary): { verdict: Verdict; count: number; text: string; tone: Tone }[] {
  return (['allow', 'ask', 'deny'] as const)
    .filter((verdict) => summary.verdicts[verdict] > 0)
    .map((verdict) => ({ verdict, count: summary.verdicts[verdict], text: `${summary.verdicts[verdict]} ${VERDICT_WORD[verdict]}`, tone: VERDICT_TONE[verdict] }));
}
