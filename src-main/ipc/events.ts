import type { Leash } from '../core/leash.js';
import type { EventName } from './channels.js';
import type { Events } from './contract.js';
import { ruleList } from './ruleHandlers.js';

export type EventSink = <E extends EventName>(event: E, payload: Events[E]) => void;

/** Forwards the core's events to a transport under their contract names. Returns an unsubscribe. */
export function forwardEvents(leash: Leash, send: EventSink): () => void {
  const offBatches = leash.batches.on((event) => {
    if (event.type === 'batch-updated') send('batch:updated', event.batch);
    else if (event.type === 'entry-output') send('entry:output', { batchId: event.batchId, entryId: event.entryId, stream: event.stream, text: event.text });
    else if (event.type === 'autonomy-changed') send('autonomy:changed', { enabled: event.enabled, fingerprint: event.fingerprint });
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
