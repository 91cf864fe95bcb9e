import { functionName, type Channel, type EventName } from '../../../src-main/ipc/channels';
import type { Events, IpcResult, LeashApi, Request, Response } from '../../../src-main/ipc/contract';
import { createSocketApi } from './socketApi';

declare global {
  interface Window {
    /** Set by the desktop app's preload; absent in browser mode. */
    leash?: LeashApi;
  }
}

/** The only module that touches `window.leash`: the desktop preload, or browser mode's socket. */
export const api: LeashApi = window.leash ?? createSocketApi();

export const isBrowserMode = window.leash === undefined;

export class IpcFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Calls main and unwraps the result; a refusal becomes an IpcFailure with its stable code. */
export async function call<C extends Channel>(channel: C, request: Request<C>): Promise<Response<C>> {
  const fn = (api as unknown as Record<string, (request: unknown) => Promise<IpcResult<Response<C>>>>)[functionName(channel)];
  if (!fn) throw new IpcFailure('UNKNOWN_CHANNEL', `no such channel: ${channel}`);
  const result = await fn(request);
  if (!result.ok) throw new IpcFailure(result.error.code, result.error.message);
  return result.value;
}

export function on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
  return api.on(event, listener);
}
