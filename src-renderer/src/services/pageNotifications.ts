/**
 * The browser's Notification API and where Leash remembers what the person said about it. The
 * only module that touches `Notification` and that key, so tests and the desktop app (which
 * notifies natively and never asks) go through one door.
 */
export type NotificationChoice = 'not-now' | 'granted' | 'denied';

const STORAGE_KEY = 'leash.notifications';

export function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

/** The browser's permission for this origin: `default` (not asked), `granted` or `denied`. */
export function notificationPermission(): NotificationPermission | 'unsupported' {
  return notificationsSupported() ? Notification.permission : 'unsupported';
}

/** What the person chose in Leash's own offer, if they ever did (per origin, like the permission). */
export function rememberedChoice(): NotificationChoice | null {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return value === 'not-now' || value === 'granted' || value === 'denied' ? value : null;
  } catch {
    return null; // storage blocked: the offer shows, and "Not now" holds for this page only
  }
}

export function rememberChoice(choice: NotificationChoice): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, choice);
  } catch {
    // Storage blocked: nothing to keep it in.
  }
}

/** Asks the browser; only ever called from a person's click on "Enable". */
export async function requestPermission(): Promise<NotificationPermission> {
  if (!notificationsSupported()) return 'denied';
  return Notification.requestPermission();
}

/** Shows one notification; `onClick` runs when the person clicks it. Nothing happens without permission. */
export function showNotification(title: string, options: { body: string; tag: string }, onClick: () => void): void {
  if (notificationPermission() !== 'granted') return;
  const notification = new Notification(title, { body: options.body, tag: options.tag });
  notification.onclick = () => {
    window.focus();
    onClick();
    notification.close();
  };
}
