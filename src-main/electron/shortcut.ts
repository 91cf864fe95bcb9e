import { globalShortcut } from 'electron';

/**
 * Accelerators tried for the global emergency stop, in order. The second exists because the
 * first is taken on some systems (Windows reserves Ctrl+Shift+Esc for the Task Manager, and
 * another app may hold it anywhere).
 */
export const EMERGENCY_STOP_ACCELERATORS = ['CommandOrControl+Shift+Escape', 'CommandOrControl+Alt+Shift+Escape'] as const;

export type ShortcutRegistration = { ok: true; accelerator: string; problems: string[] } | { ok: false; problems: string[] };

/**
 * Registers the emergency stop under the first accelerator the system grants. A refusal (taken
 * by another app, reserved by the OS, unsupported on this desktop) is not fatal: it comes back as
 * a problem for the person to see, and the tray and menu items still work.
 */
export function registerEmergencyShortcut(
  onPress: () => void,
  accelerators: readonly string[] = EMERGENCY_STOP_ACCELERATORS,
  options: { wayland?: boolean } = {},
): ShortcutRegistration {
  const problems: string[] = [];
  for (const accelerator of accelerators) {
    let registered = false;
    try {
      registered = globalShortcut.register(accelerator, onPress);
    } catch (error) {
      problems.push(`the emergency stop shortcut ${accelerator} is not valid here: ${(error as Error).message}`);
      continue;
    }
    if (registered) return { ok: true, accelerator, problems };
    problems.push(`the emergency stop shortcut ${accelerator} is taken by the system or another application`);
  }
  // On Wayland every accelerator fails for the same reason: one line says it.
  if (options.wayland) {
    const wayland =
      'no global emergency stop shortcut: this Wayland session does not let applications register one. In the Leash window press Ctrl+Shift+. (the in-window shortcut), or use the tray icon or the Leash menu to stop everything';
    return { ok: false, problems: [wayland] };
  }
  problems.push('no global emergency stop shortcut could be registered; in the Leash window press Ctrl+Shift+. (the in-window shortcut), or use the tray icon or the Leash menu to stop everything');
  return { ok: false, problems };
}

/** A Wayland session, where global shortcuts depend on the compositor (often not granted). */
export function isWaylandSession(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.XDG_SESSION_TYPE === 'wayland' || Boolean(env.WAYLAND_DISPLAY);
}
