import { summarize } from '../core/batch/summary.js';
import type { Leash } from '../core/leash.js';
import { createDeltaTracker } from './batchDeltas.js';
import type { EventName } from './channels.js';
import type { Events } from './contract.js';
import { ruleList } from './ruleHandlers.js';

export type EventSink = <E extends EventName>(event: E, payload: Events[E]) => void;

/**
 * Forwards the core's events to a transport under their contract names. A changed batch goes out
 * as its summary (for lists) and a delta (for a window showing it), never whole with its
 * captures, so what one change costs does not depend on what the batch printed. Returns an
 * unsubscribe.
 */
export function forwardEvents(leash: Leash, send: EventSink): () => void {
  const deltas = createDeltaTracker();
  const offBatches = leash.batches.on((event) => {
    if (event.type === 'batch-updated') {
      send('batch:summary', summarize(event.batch));
      send('batch:delta', deltas.next(event.batch));
    }
    else if (event.type === 'entry-output') send('entry:output', { batchId: event.batchId, entryId: event.entryId, stream: event.stream, text: event.text });
    else if (event.type === 'autonomy-changed') send('autonomy:changed', event.status);
    else send('app:emergencyStopped', event.report);
  });
  const offAudit = leash.onAudit((record) => send('audit:appended', record));
  const offRules = leash.rules.on(() => send('rules:changed', ruleList(leash.rules)));
  return () => {
    offBatches();
    offAudit();
    offRules();
  };
}
