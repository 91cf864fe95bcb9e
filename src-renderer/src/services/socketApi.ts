import { CHANNELS, functionName, type Channel, type EventName } from '../../../src-main/ipc/channels';
import type { Events, IpcResult, LeashApi } from '../../../src-main/ipc/contract';

/**
 * Browser mode's LeashApi: the same `invoke` / `on` as the desktop preload, carried over the
 * WebSocket that `leash serve` opens (authenticated by its cookie). Reconnects with backoff;
 * calls made while disconnected fail fast with DISCONNECTED instead of hanging.
 */
export interface SocketApi extends LeashApi {
  onConnection(listener: (connected: boolean) => void): () => void;
}

export function createSocketApi(url = `ws://${location.host}/ws`): SocketApi {
  let socket: WebSocket | undefined;
  let nextId = 1;
  let retry = 250;
  const pending = new Map<number, (result: IpcResult<unknown>) => void>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<(connected: boolean) => void>();
  let opened: Promise<void>;

  const connect = (): Promise<void> => {
    opened = new Promise((resolve) => {
      const ws = new WebSocket(url);
      socket = ws;
      ws.onopen = () => {
        retry = 250;
        for (const l of connectionListeners) l(true);
        resolve();
      };
      ws.onmessage = (message) => {
        const data = JSON.parse(String(message.data)) as { id?: number; result?: IpcResult<unknown>; event?: EventName; payload?: unknown };
        if (data.event) {
          for (const listener of listeners.get(data.event) ?? []) listener(data.payload);
        } else if (typeof data.id === 'number' && data.result) {
          pending.get(data.id)?.(data.result);
          pending.delete(data.id);
        }
      };
      ws.onclose = () => {
        for (const [, settle] of pending) settle({ ok: false, error: { code: 'DISCONNECTED', message: 'the connection to Leash was lost' } });
        pending.clear();
        for (const l of connectionListeners) l(false);
        resolve();
        setTimeout(() => void connect(), retry);
        retry = Math.min(retry * 2, 5000);
      };
    });
    return opened;
  };
  void connect();

  const invoke = async (channel: Channel, request: unknown): Promise<IpcResult<unknown>> => {
    await opened;
    const ws = socket;
    if (!ws || ws.readyState !== WebSocket.OPEN) return { ok: false, error: { code: 'DISCONNECTED', message: 'not connected to Leash' } };
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, channel, payload: request ?? {} }));
    });
  };
  const api: Record<string, unknown> = {};
  for (const channel of CHANNELS) api[functionName(channel)] = (request: unknown) => invoke(channel, request);
  api.on = <E extends EventName>(event: E, listener: (payload: Events[E]) => void) => {
    const set = listeners.get(event) ?? new Set();
    set.add(listener as (payload: unknown) => void);
    listeners.set(event, set);
    return () => set.delete(listener as (payload: unknown) => void);
  };
  api.onConnection = (listener: (connected: boolean) => void) => {
    connectionListeners.add(listener);
    return () => connectionListeners.delete(listener);
  };
  return api as unknown as SocketApi;
}
