import { globalShortcut, Menu } from 'electron';
import type { EmergencyStopReport } from '../core/batch/index.js';
import type { Leash } from '../core/leash.js';
import { applicationMenuTemplate, type ControlActions, type ControlState } from './menus.js';
import { notify } from './notifications.js';
import { isWaylandSession, registerEmergencyShortcut } from './shortcut.js';
import { createTray, type LeashTray } from './tray.js';

export interface ControlsDeps {
  leash: Pick<Leash, 'batches' | 'problems'>;
  trayIconPath: string;
  development: boolean;
  showWindow(): void;
  quit(): void;
  log?: (line: string) => void;
}

export interface Controls {
  /** The core's emergency stop (audited by the core); concurrent presses share one stop. */
  emergencyStop(): Promise<EmergencyStopReport | undefined>;
  readonly state: ControlState;
  /** Whether a tray icon exists (some Linux desktops have no status area). */
  hasTray(): boolean;
  dispose(): void;
}

/** What the person is told after an emergency stop from the tray, the menu or the shortcut. */
export function stopNotice(report: EmergencyStopReport): { title: string; body: string } {
  const parts = [report.killed ? `Killed: ${report.killed.command.slice(0, 80)}` : 'Nothing was running.'];
  if (report.cancelledBatches.length > 0) parts.push(`${report.cancelledBatches.length} queued batch(es) cancelled.`);
  parts.push('Autonomy is off.');
  return { title: 'Leash: emergency stop', body: parts.join(' ') };
}

/**
 * The emergency stop's three ways in (global shortcut, tray, application menu) plus the show and
 * quit items and the autonomy status line, kept current from the core's autonomy events. A
 * shortcut the system refuses is added to the app's problems (shown by the renderer through
 * `app:info`) and announced once.
 */
export function installControls(deps: ControlsDeps): Controls {
  const log = deps.log ?? ((line: string) => console.error(`leash: ${line}`));
  let inFlight: Promise<EmergencyStopReport | undefined> | undefined;
  const emergencyStop = (): Promise<EmergencyStopReport | undefined> => {
    inFlight ??= deps.leash.batches
      .emergencyStop()
      .then(
        (report) => {
          notify(stopNotice(report), deps.showWindow);
          return report;
        },
        (error: unknown) => {
          log(`emergency stop failed: ${(error as Error).message}`);
          return undefined;
        },
      )
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
  const actions: ControlActions = {
    emergencyStop: () => void emergencyStop(),
    showWindow: deps.showWindow,
    quit: deps.quit,
  };

  const shortcut = registerEmergencyShortcut(actions.emergencyStop, undefined, { wayland: process.platform === 'linux' && isWaylandSession() });
  if (shortcut.problems.length > 0) {
    deps.leash.problems.push(...shortcut.problems);
    notify({ title: 'Leash: emergency stop shortcut', body: shortcut.problems.join('; ') }, deps.showWindow);
  }
  const state: ControlState = { autonomy: deps.leash.batches.autonomy.status(), emergencyShortcut: shortcut.ok ? shortcut.accelerator : null };

  let tray: LeashTray | undefined;
  try {
    tray = createTray(deps.trayIconPath, actions, state);
  } catch (error) {
    // Some Linux desktops have no status area; the menu and the shortcut remain.
    const problem = `no tray icon could be created (${(error as Error).message}); use the Leash menu or the shortcut for the emergency stop`;
    deps.leash.problems.push(problem);
    log(problem);
  }
  const refresh = (): void => {
    tray?.update(state);
    Menu.setApplicationMenu(Menu.buildFromTemplate(applicationMenuTemplate(actions, state, { development: deps.development })));
  };
  refresh();

  const off = deps.leash.batches.on((event) => {
    if (event.type !== 'autonomy-changed') return;
    state.autonomy = event.status;
    refresh();
  });

  return {
    emergencyStop,
    state,
    hasTray: () => tray !== undefined,
    dispose() {
      off();
      if (shortcut.ok) globalShortcut.unregister(shortcut.accelerator);
      tray?.destroy();
      tray = undefined;
    },
  };
}
