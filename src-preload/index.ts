import { contextBridge, ipcRenderer } from 'electron';
import { CHANNELS, EVENTS, functionName, type EventName } from '../src-main/ipc/channels.js';
import type { Events, LeashApi } from '../src-main/ipc/contract.js';

/**
 * The renderer's whole reach into main: one named function per contract channel (nothing else
 * can be invoked) and `on` for the contract's events. No ipcRenderer, no Node.
 */
export function buildApi(invoke: (channel: string, request: unknown) => Promise<unknown>, subscribe: typeof ipcRenderer.on, unsubscribe: typeof ipcRenderer.removeListener): LeashApi {
  const api: Record<string, unknown> = {};
  for (const channel of CHANNELS) api[functionName(channel)] = (request: unknown) => invoke(channel, request ?? {});
  api.on = <E extends EventName>(event: E, listener: (payload: Events[E]) => void): (() => void) => {
    if (!(EVENTS as readonly string[]).includes(event)) throw new Error(`unknown event ${String(event)}`);
    const handler = (_event: unknown, payload: Events[E]): void => listener(payload);
    subscribe.call(ipcRenderer, event, handler);
    return () => void unsubscribe.call(ipcRenderer, event, handler);
  };
  return api as LeashApi;
}

const api = buildApi((channel, request) => ipcRenderer.invoke(channel, request), ipcRenderer.on, ipcRenderer.removeListener);

export type { LeashApi };

contextBridge.exposeInMainWorld('leash', api);
