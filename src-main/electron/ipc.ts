import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { CHANNELS } from '../ipc/channels.js';
import type { IpcResult } from '../ipc/contract.js';
import type { EventSink } from '../ipc/events.js';
import { dispatch, type Handlers } from '../ipc/handlers.js';
import type { RendererSource } from './renderer.js';

export interface IpcRegistrationDeps {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  handlers: Handlers;
  /** The main window, if one is open; read on every call (the window can be re-created). */
  getWindow: () => BrowserWindow | undefined;
  renderer: Pick<RendererSource, 'owns'>;
}

/**
 * Registers every contract channel on ipcMain. Each call first checks its sender, then goes
 * through `dispatch` (payload validation, `{ok, value | error}`). A refused sender gets
 * `FORBIDDEN_SENDER` and no handler runs. Returns a function that removes the handlers.
 */
export function registerIpc({ ipcMain, handlers, getWindow, renderer }: IpcRegistrationDeps): () => void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, async (event, payload: unknown): Promise<IpcResult<unknown>> => {
      const refusal = senderRefusal(event, getWindow(), renderer);
      if (refusal) return { ok: false, error: { code: 'FORBIDDEN_SENDER', message: `${channel}: ${refusal}` } };
      return dispatch(handlers, channel, payload);
    });
  }
  return () => {
    for (const channel of CHANNELS) ipcMain.removeHandler(channel);
  };
}

/**
 * Why a sender is refused, or undefined when it is our window's main frame showing our
 * renderer. A subframe, another window, a frame that navigated away or a page from anywhere
 * else is refused.
 */
export function senderRefusal(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  window: BrowserWindow | undefined,
  renderer: Pick<RendererSource, 'owns'>,
): string | undefined {
  if (!window || window.isDestroyed()) return 'no Leash window is open';
  const frame = event.senderFrame;
  if (!frame) return 'the sending frame no longer exists';
  if (event.sender.id !== window.webContents.id) return 'the sender is not the Leash window';
  const main = window.webContents.mainFrame;
  if (frame.processId !== main.processId || frame.routingId !== main.routingId) return "the sender is not the Leash window's main frame";
  if (!renderer.owns(frame.url)) return 'the sending page is not the Leash renderer';
  return undefined;
}

/** Sends core events to the window's renderer; nothing is sent to a closed or destroyed window. */
export function windowEventSink(getWindow: () => BrowserWindow | undefined): EventSink {
  return (event, payload) => {
    const window = getWindow();
    if (!window || window.isDestroyed() || window.webContents.isDestroyed()) return;
    window.webContents.send(event, payload);
  };
}
