import { Notification, type BrowserWindow } from 'electron';
import type { BatchService } from '../core/batch/index.js';
import type { Batch } from '../core/batch/types.js';

export interface PendingNotifierDeps {
  batches: Pick<BatchService, 'on' | 'get'>;
  getWindow: () => BrowserWindow | undefined;
  showWindow: () => void;
  /**
   * How long a new batch must stay `pending` before anyone is told. With autonomy on, a batch
   * of allowed commands is approved moments after it is created; that one needs nobody.
   */
  settleMs?: number;
  /** Runs `run` after `ms`; returns a cancel. Defaults to setTimeout (tests pass their own clock). */
  schedule?: (run: () => void, ms: number) => () => void;
}

const scheduleWithTimer = (run: () => void, ms: number): (() => void) => {
  const timer = setTimeout(run, ms);
  return () => clearTimeout(timer);
};

/** Text of the notification; the commands themselves stay in the window (they may hold secrets). */
export function pendingNotice(batch: Batch): { title: string; body: string } {
  const count = batch.entries.length;
  return {
    title: 'Leash: approval needed',
    body: `${count} ${count === 1 ? 'command' : 'commands'} from ${batch.source} ${count === 1 ? 'waits' : 'wait'} for your approval.`,
  };
}

/**
 * Tells the person when a batch waits for approval and the window is not focused. Each batch is
 * announced once; clicking the notification brings the window forward. Returns an unsubscribe.
 */
export function notifyPendingBatches({ batches, getWindow, showWindow, settleMs = 400, schedule = scheduleWithTimer }: PendingNotifierDeps): () => void {
  const announced = new Set<string>();
  const cancels = new Set<() => void>();

  const announce = (id: string): void => {
    let batch: Batch;
    try {
      batch = batches.get(id);
    } catch {
      return;
    }
    if (batch.status !== 'pending') return;
    const window = getWindow();
    if (window && !window.isDestroyed() && window.isFocused()) return;
    notify(pendingNotice(batch), showWindow);
  };

  const off = batches.on((event) => {
    if (event.type !== 'batch-updated' || event.batch.status !== 'pending' || announced.has(event.batch.id)) return;
    announced.add(event.batch.id);
    const cancel = schedule(() => {
      cancels.delete(cancel);
      announce(event.batch.id);
    }, settleMs);
    cancels.add(cancel);
  });
  return () => {
    off();
    for (const cancel of cancels) cancel();
    cancels.clear();
  };
}

// Electron drops a notification's click handler once the object is collected: keep it until used.
const retained = new Set<Notification>();

/** Shows a desktop notification; skipped silently where the system has none. */
export function notify(notice: { title: string; body: string }, onClick?: () => void): void {
  if (!Notification.isSupported()) return;
  const notification = new Notification(notice);
  retained.add(notification);
  notification.on('click', () => {
    retained.delete(notification);
    onClick?.();
  });
  notification.on('close', () => retained.delete(notification));
  notification.show();
}
