import type { AuditWriter } from '../audit/index.js';
import { approvedInAdvance } from '../rules/approvedInAdvance.js';
import type { PolicyEngine } from '../policy/engine.js';
import type { Classification, PolicySettings } from '../policy/types.js';
import type { BatchState } from './state.js';
import type { EntrySandbox } from '../sandbox/profiles.js';
import type { Batch, BatchEntry } from './types.js';

export interface RejudgeDeps {
  state: BatchState;
  engine: PolicyEngine;
  audit: Pick<AuditWriter, 'append'>;
  policyFor(cwd: string): PolicySettings;
  /** The ids of every pending batch (the list knows them; most are not in memory). */
  pendingIds(): string[];
  /** The sandbox an entry would get if approved as proposed (shown before approval), for its new verdict. */
  preview(entry: BatchEntry): EntrySandbox;
}

/** A rule or pattern allowed it: approval given in advance, not a finding that it only reads. */
export function allowedInAdvance(classification: Classification): boolean {
  return approvedInAdvance(classification) !== undefined;
}

/**
 * Classifies every shell entry of every pending batch again (the person's rules changed), so
 * what the card shows, what autonomy sees and what `approve` blocks follow the rules in force.
 * Batches already approved keep the verdicts the person approved. Each batch whose verdicts
 * changed is stored and audited (`BATCH_REJUDGED`, with each entry's verdict before and after),
 * with the sandbox each re-judged entry would now get.
 */
export async function rejudgePending(deps: RejudgeDeps): Promise<Batch[]> {
  const changed: Batch[] = [];
  for (const id of deps.pendingIds()) {
    const batch = deps.state.get(id);
    if (batch.status !== 'pending') continue;
    const next = new Map<string, Classification>();
    for (const entry of batch.entries) {
      if (entry.tool !== 'shell' || entry.status !== 'pending') continue;
      const classification = deps.engine.classify({ tool: 'shell', command: entry.command }, deps.policyFor(entry.cwd));
      if (JSON.stringify(classification) !== JSON.stringify(entry.classification)) next.set(entry.id, classification);
    }
    if (next.size === 0) continue;
    const verdicts = batch.entries
      .filter((e) => next.has(e.id))
      .map((e: BatchEntry) => ({ entryId: e.id, before: e.classification.verdict, after: (next.get(e.id) as Classification).verdict }));
    // Recorded before anyone is shown the new verdicts (the audit leads, as everywhere).
    const moved = verdicts.filter((v) => v.before !== v.after);
    if (moved.length > 0) await deps.audit.append({ event: 'BATCH_REJUDGED', batchId: batch.id, reason: 'the rules changed', details: { entries: moved } });
    const updated = await deps.state.change(batch.id, (b) => {
      if (b.status !== 'pending') return;
      for (const entry of b.entries) {
        const classification = next.get(entry.id);
        if (!classification || entry.status !== 'pending') continue;
        entry.classification = classification;
        // A rule that now allows it changes the sandbox it would run in: the card shows the new one.
        entry.sandbox = deps.preview(entry);
      }
    });
    changed.push(updated);
  }
  return changed;
}
