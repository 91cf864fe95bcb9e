import type { App, BrowserWindow, Dialog, MessageBoxOptions } from 'electron';
import type { Leash } from '../core/leash.js';
import { hasWorkInFlight, shutdownReason } from '../core/shutdown.js';

export interface QuitGuardDeps {
  app: Pick<App, 'on' | 'quit' | 'exit'>;
  dialog: Pick<Dialog, 'showMessageBox'>;
  leash: Pick<Leash, 'batches' | 'close'>;
  getWindow: () => BrowserWindow | undefined;
  /** How long closing may take before the app exits anyway (a stuck close must not hang quit). */
  closeTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface QuitGuard {
  /** Quits without asking (a signal, the OS): stops a running batch first, then closes. */
  quitWithoutAsking(reason: string): void;
  /** Resolves once Leash is closed (the audit lock released). */
  readonly closed: Promise<void>;
  /** True once the way out is decided (closing or closed): windows may close without asking. */
  readonly quitting: boolean;
}

export const QUIT_QUESTION: MessageBoxOptions = {
  type: 'warning',
  title: 'Quit Leash',
  message: 'A batch is running. Stop it and quit?',
  detail: 'Stopping kills the running command, cancels the queued batches and turns autonomy off (an emergency stop, recorded in the audit trail).',
  buttons: ['Stop and quit', 'Cancel'],
  defaultId: 1,
  cancelId: 1,
  noLink: true,
};

/**
 * A batch is at work while one runs or is approved and queued (it is about to run): quitting
 * then needs the emergency stop first, or its command would outlive the app.
 */
export function batchAtWork(leash: Pick<Leash, 'batches'>): boolean {
  return hasWorkInFlight(leash.batches);
}

/**
 * Owns the way out. Every quit (menu, tray, last window closed, OS, signal) passes `before-quit`,
 * which is held until Leash is closed: if a batch is running the person is asked first (yes →
 * emergency stop, audited; no → the quit is cancelled), and `leash.close()` always runs before
 * the app exits, which releases the audit lock.
 */
export function installQuitGuard(deps: QuitGuardDeps): QuitGuard {
  const log = deps.log ?? ((line: string) => console.error(`leash: ${line}`));
  const timeoutMs = deps.closeTimeoutMs ?? 15_000;
  let state: 'open' | 'asking' | 'closing' | 'closed' = 'open';
  let forced: string | undefined;
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));

  const close = async (stopFirst: boolean): Promise<void> => {
    state = 'closing';
    // What the audit and agents are told: the app ended (by a signal, or on the person's "Stop and quit").
    const reason = shutdownReason(forced ?? 'the app quit: the person chose Stop and quit');
    const watchdog = setTimeout(() => {
      log(`closing took longer than ${timeoutMs} ms; exiting anyway`);
      deps.app.exit(1);
    }, timeoutMs);
    try {
      if (stopFirst) await deps.leash.batches.emergencyStop({ reason });
    } catch (error) {
      log(`emergency stop on quit failed: ${(error as Error).message}`);
    }
    try {
      await deps.leash.close();
    } catch (error) {
      log(`closing failed: ${(error as Error).message}`);
    }
    clearTimeout(watchdog);
    state = 'closed';
    markClosed();
    deps.app.quit();
  };

  const ask = async (): Promise<boolean> => {
    state = 'asking';
    const window = deps.getWindow();
    const answer = window && !window.isDestroyed() ? await deps.dialog.showMessageBox(window, QUIT_QUESTION) : await deps.dialog.showMessageBox(QUIT_QUESTION);
    return answer.response === 0;
  };

  deps.app.on('before-quit', (event) => {
    if (state === 'closed') return;
    event.preventDefault();
    if (state === 'closing') return;
    if (forced !== undefined) {
      log(`quitting: ${forced}`);
      void close(batchAtWork(deps.leash));
      return;
    }
    if (state === 'asking') return;
    if (!batchAtWork(deps.leash)) {
      void close(false);
      return;
    }
    ask().then(
      (stop) => {
        // A signal may have taken over while the dialog was open.
        if (state !== 'asking') return;
        if (stop) void close(true);
        else state = 'open';
      },
      (error: unknown) => {
        log(`the quit dialog failed: ${(error as Error).message}`);
        if (state === 'asking') state = 'open';
      },
    );
  });

  return {
    closed,
    get quitting() {
      return state === 'closing' || state === 'closed';
    },
    quitWithoutAsking(reason) {
      if (state === 'closing' || state === 'closed') return;
      forced = reason;
      if (state === 'asking') {
        log(`quitting: ${reason}`);
        void close(batchAtWork(deps.leash));
      } else {
        deps.app.quit();
      }
    },
  };
}

export const QUIT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Routes termination signals into the quit path (no dialog: a signal is not a person at the
 * screen). The listeners stay installed (`on`, not `once`) for the app's whole life: without a
 * listener of ours, electron-store's writer (when-exit) re-raises a signal onto the default
 * action and main dies before Leash is closed. Returns a function that removes them.
 */
export function routeSignalsToQuit(target: NodeJS.EventEmitter, guard: Pick<QuitGuard, 'quitWithoutAsking'>): () => void {
  const listeners = QUIT_SIGNALS.map((signal) => {
    const listener = (): void => guard.quitWithoutAsking(`received ${signal}`);
    target.on(signal, listener);
    return [signal, listener] as const;
  });
  return () => {
    for (const [signal, listener] of listeners) target.off(signal, listener);
  };
}
