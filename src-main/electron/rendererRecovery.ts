import type { BrowserWindow, RenderProcessGoneDetails } from 'electron';

export interface RendererRecoveryOptions {
  /** Called when the renderer keeps failing: the person decides (reload again or quit). */
  onRepeatedFailure(reason: string): void;
  log?: (line: string) => void;
  /** More failures than this within `periodMs` stop the automatic reloads. */
  maxReloads?: number;
  periodMs?: number;
  now?: () => number;
}

export interface RendererRecovery {
  /** Starts counting afresh (after the person chose to reload). */
  reset(): void;
}

/**
 * Keeps the window usable when its renderer crashes (`render-process-gone`) or hangs
 * (`unresponsive`: the hung renderer is killed, then reloaded in a new process). Nothing is lost
 * by a reload: batches, their output and the audit trail live in main, and the renderer reads
 * them again when it loads. A renderer that fails again and again is not reloaded in a loop;
 * `onRepeatedFailure` is called instead.
 */
export function recoverRenderer(window: BrowserWindow, options: RendererRecoveryOptions): RendererRecovery {
  const log = options.log ?? ((line: string) => console.error(`leash: ${line}`));
  const maxReloads = options.maxReloads ?? 3;
  const periodMs = options.periodMs ?? 60_000;
  const now = options.now ?? Date.now;
  const contents = window.webContents;
  let failures: number[] = [];
  // The kill of a hung renderer is reported as gone too; that one is already being reloaded.
  let killedHung = false;

  const reload = (reason: string): void => {
    if (window.isDestroyed()) return;
    const time = now();
    failures = failures.filter((at) => time - at < periodMs);
    failures.push(time);
    if (failures.length > maxReloads) {
      log(`the window's renderer ${reason} again (${failures.length} times in ${Math.round(periodMs / 1000)} s); not reloading automatically`);
      options.onRepeatedFailure(reason);
      return;
    }
    log(`the window's renderer ${reason}; reloading it (batches and their output are kept in the main process)`);
    contents.reload();
  };

  contents.on('render-process-gone', (_event, details: RenderProcessGoneDetails) => {
    if (details.reason === 'clean-exit') return;
    if (killedHung && details.reason === 'killed') {
      killedHung = false;
      return;
    }
    reload(`is gone (${details.reason})`);
  });
  window.on('unresponsive', () => {
    killedHung = true;
    contents.forcefullyCrashRenderer();
    reload('stopped responding');
  });

  return {
    reset() {
      failures = [];
    },
  };
}
