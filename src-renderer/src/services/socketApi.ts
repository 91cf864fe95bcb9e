import { CHANNELS, functionName, type Channel, type EventName } from '../../../src-main/ipc/channels';
import type { Events, IpcResult, LeashApi } from '../../../src-main/ipc/contract';
import { CLOSE_TOKEN_REJECTED, MAX_MESSAGE_BYTES, SOCKET_PATH, type AuthRequest } from '../../../src-main/ipc/socketProtocol';
import { takeSessionToken } from './sessionToken';

/**
 * Browser mode's LeashApi: the same `invoke` / `on` as the desktop preload, carried over the
 * WebSocket that `leash serve` opens. The page presents its per-run token as its first message
 * (the protocol: ipc/socketProtocol.ts). While the socket is down every call fails at once with
 * DISCONNECTED (only the very first connection is waited for), so no button can wait silently;
 * the connection state says why: `disconnected` (serve unreachable: reconnecting with backoff),
 * `expired` (serve refused the token: it was restarted, and this page needs its new URL) or
 * `no-session` (the page was opened without a token).
 */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'expired' | 'no-session';

export interface SocketApi extends LeashApi {
  onConnection(listener: (state: ConnectionState) => void): () => void;
  connectionState(): ConnectionState;
}

const REFUSALS: Record<Exclude<ConnectionState, 'connected' | 'connecting'>, { code: string; message: string }> = {
  disconnected: { code: 'DISCONNECTED', message: 'not connected to Leash (`leash serve` is not reachable)' },
  expired: { code: 'SESSION_EXPIRED', message: 'this page belongs to an earlier run of `leash serve`: open the URL it printed' },
  'no-session': { code: 'NO_SESSION', message: 'this page was opened without its token: open the URL that `leash serve` printed' },
};
const MAX_RETRY_MS = 5000;

function byteLength(text: string): number {
  // Every UTF-16 unit is at most 3 UTF-8 bytes: count exactly only when it could matter.
  return text.length * 3 <= MAX_MESSAGE_BYTES ? text.length : new TextEncoder().encode(text).length;
}

export function createSocketApi(url = `ws://${location.host}${SOCKET_PATH}`, token: string | null = takeSessionToken()): SocketApi {
  let socket: WebSocket | undefined;
  let state: ConnectionState = token === null ? 'no-session' : 'connecting';
  let nextId = 1;
  let retry = 250;
  const pending = new Map<number, (result: IpcResult<unknown>) => void>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  /** Calls made before the first connection settles wait for it. */
  let firstSettled: () => void = () => undefined;
  const settledOnce = new Promise<void>((resolve) => (firstSettled = resolve));

  const become = (next: ConnectionState): void => {
    if (next !== 'connecting') firstSettled();
    if (next === state) return;
    state = next;
    for (const listener of connectionListeners) listener(next);
  };

  const receive = (raw: unknown): void => {
    let data: { id?: unknown; result?: IpcResult<unknown>; event?: EventName; payload?: unknown; auth?: unknown };
    try {
      data = JSON.parse(String(raw)) as typeof data;
    } catch {
      return;
    }
    if (data.auth === 'ok') {
      retry = 250;
      become('connected');
    } else if (data.event) {
      for (const listener of listeners.get(data.event) ?? []) listener(data.payload);
    } else if (typeof data.id === 'number' && data.result) {
      pending.get(data.id)?.(data.result);
      pending.delete(data.id);
    }
  };

  const connect = (): void => {
    if (token === null) return;
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => ws.send(JSON.stringify({ auth: token } satisfies AuthRequest));
    ws.onmessage = (message) => receive(message.data);
    ws.onclose = (event) => {
      if (socket !== ws) return;
      const rejected = event.code === CLOSE_TOKEN_REJECTED;
      for (const [, settle] of pending) settle({ ok: false, error: rejected ? REFUSALS.expired : { code: 'DISCONNECTED', message: 'the connection to Leash was lost before it answered' } });
      pending.clear();
      // A refused token never becomes valid again: stop knocking and say how to get a new one.
      if (rejected) return become('expired');
      become('disconnected');
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, MAX_RETRY_MS);
    };
  };
  connect();

  const invoke = async (channel: Channel, request: unknown): Promise<IpcResult<unknown>> => {
    if (state === 'connecting') await settledOnce;
    const ws = socket;
    if (state !== 'connected' || !ws || ws.readyState !== WebSocket.OPEN) {
      return { ok: false, error: REFUSALS[state === 'connected' || state === 'connecting' ? 'disconnected' : state] };
    }
    const id = nextId++;
    const text = JSON.stringify({ id, channel, payload: request ?? {} });
    const bytes = byteLength(text);
    if (bytes > MAX_MESSAGE_BYTES) {
      const size = (bytes / (1024 * 1024)).toFixed(1);
      return { ok: false, error: { code: 'MESSAGE_TOO_LARGE', message: `this request is ${size} MiB; browser mode carries at most ${MAX_MESSAGE_BYTES / (1024 * 1024)} MiB at a time` } };
    }
    return new Promise((resolve) => {
      pending.set(id, resolve);
      ws.send(text);
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
  api.onConnection = (listener: (state: ConnectionState) => void) => {
    connectionListeners.add(listener);
    return () => connectionListeners.delete(listener);
  };
  api.connectionState = () => state;
  return api as unknown as SocketApi;
}
