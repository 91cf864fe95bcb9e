import type { BrowserWindow } from 'electron';

export interface WindowCloseDeps {
  /** A batch is running (closing the last window would otherwise quit in the middle of it). */
  atWork(): boolean;
  /** The quit is already decided; the window closes as part of it. */
  quitting(): boolean;
  hasTray(): boolean;
  /** The app's quit path: the quit guard asks the person before anything stops. */
  quit(): void;
  notify(notice: { title: string; body: string }): void;
}

export const KEPT_RUNNING_NOTICE = {
  title: 'Leash is still running',
  body: 'A batch is running, so Leash stays in the tray. Use the tray icon to show the window, stop everything or quit.',
};

/**
 * Closing the window while a batch runs never quits first and asks afterwards: the close is
 * held, and the window goes to the tray (the batch keeps running, the emergency stop stays one
 * click away) or, where there is no tray to come back to, the person is asked by the quit guard
 * before anything is stopped. With nothing running the window closes as usual.
 */
export function holdCloseWhileRunning(window: BrowserWindow, deps: WindowCloseDeps): void {
  window.on('close', (event) => {
    if (deps.quitting() || !deps.atWork()) return;
    event.preventDefault();
    if (deps.hasTray()) {
      window.hide();
      deps.notify(KEPT_RUNNING_NOTICE);
      return;
    }
    deps.quit();
  });
}
