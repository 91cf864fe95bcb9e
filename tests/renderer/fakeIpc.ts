import { vi } from 'vitest';
import type { Channel, EventName } from '../../src-main/ipc/channels';
import type { Events, Request, Response } from '../../src-main/ipc/contract';

/**
 * A stand-in for `src-renderer/src/services/ipc` (the IPC boundary is the one thing these tests
 * mock). Tests set a handler per channel and emit events; every call is recorded.
 */
type Handler<C extends Channel> = (request: Request<C>) => Response<C> | Promise<Response<C>>;

export class IpcFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const handlers = new Map<Channel, (request: unknown) => unknown>();
type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'expired' | 'no-session';
const connectionListeners = new Set<(state: ConnectionState) => void>();
const listeners = new Map<EventName, Set<(payload: unknown) => void>>();

export const call = vi.fn(async (channel: Channel, request: unknown) => {
  const handler = handlers.get(channel);
  if (!handler) throw new IpcFailure('NO_FAKE_HANDLER', `the test set no handler for ${channel}`);
  return handler(request);
});

export const on = vi.fn((event: EventName, listener: (payload: unknown) => void) => {
  const set = listeners.get(event) ?? new Set();
  set.add(listener);
  listeners.set(event, set);
  return () => set.delete(listener);
});

export const fakeIpc = {
  handle<C extends Channel>(channel: C, handler: Handler<C>): void {
    handlers.set(channel, handler as (request: unknown) => unknown);
  },
  fail(channel: Channel, code: string, message: string): void {
    handlers.set(channel, () => {
      throw new IpcFailure(code, message);
    });
  },
  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const listener of listeners.get(event) ?? []) listener(payload);
  },
  /** The requests sent on `channel`, in order. */
  requests<C extends Channel>(channel: C): Request<C>[] {
    return call.mock.calls.filter(([c]) => c === channel).map(([, request]) => request as Request<C>);
  },
  /** Browser mode: the socket going down or coming back. */
  setConnected(connected: boolean): void {
    fakeIpc.setConnection(connected ? 'connected' : 'disconnected');
  },
  /** Browser mode: any connection state, `expired` (serve refused the token) included. */
  setConnection(state: ConnectionState): void {
    for (const listener of connectionListeners) listener(state);
  },
  reset(): void {
    handlers.clear();
    listeners.clear();
    connectionListeners.clear();
    call.mockClear();
    on.mockClear();
  },
};

/** The module object `vi.mock` returns in place of the real ipc service. */
export const ipcModule = { call, on, api: {}, isBrowserMode: false, IpcFailure };

/** The same in browser mode, where the API is the socket and reports its connection. */
export const browserIpcModule = {
  ...ipcModule,
  isBrowserMode: true,
  api: {
    onConnection(listener: (state: ConnectionState) => void): () => void {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
  },
};
