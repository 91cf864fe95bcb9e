/**
 * Messages between the stand-in `electron` (inside the child process that runs the built
 * out/main/index.js) and its host (the test process, which owns Chromium). They travel over the
 * child's Node IPC channel as JSON.
 */

/** A menu item as the host sees it: what a person would see, and an id to click it by. */
export interface MenuItemView {
  id?: string;
  label?: string;
  role?: string;
  type?: string;
  accelerator?: string;
  enabled: boolean;
  submenu?: MenuItemView[];
}

/** From the child to the host. `call` is the journal: every stand-in API call the host may check. */
export type ChildMessage =
  | { kind: 'ready'; pid: number }
  | { kind: 'call'; target: string; method: string; args: unknown[] }
  | { kind: 'load'; windowId: number; url: string; preload: string | null }
  | { kind: 'send'; windowId: number; channel: string; payload: unknown }
  | { kind: 'close-page'; windowId: number }
  | { kind: 'crash-renderer'; windowId: number }
  | { kind: 'invoke-result'; requestId: number; result: { value?: unknown; error?: string } }
  | { kind: 'dialog'; requestId: number; method: string; options: unknown }
  | { kind: 'exit'; code: number };

/** From the host to the child: what Chromium or a person did. */
export type HostMessage =
  | { kind: 'loaded'; windowId: number; url: string; processId: number }
  | { kind: 'invoke'; requestId: number; windowId: number; frame: { main: boolean; url: string; processId: number }; channel: string; args: unknown[] }
  | { kind: 'render-process-gone'; windowId: number; reason: string }
  | { kind: 'unresponsive'; windowId: number }
  | { kind: 'user-close'; windowId: number }
  | { kind: 'user-minimize'; windowId: number }
  | { kind: 'click-menu'; where: 'tray' | 'application'; id?: string; role?: string }
  | { kind: 'click-tray' }
  | { kind: 'press-shortcut'; accelerator: string }
  | { kind: 'click-notification'; index: number }
  | { kind: 'dialog-answer'; requestId: number; value: unknown }
  | { kind: 'os-quit' };
