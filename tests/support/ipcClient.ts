import { WebSocket } from 'ws';
import type { Channel } from '../../src-main/ipc/channels.js';
import type { IpcResult, Request, Response } from '../../src-main/ipc/contract.js';

/** The app's IPC over browser mode's WebSocket, as a page would use it (token cookie + Origin). */
export interface IpcClient {
  call<C extends Channel>(channel: C, request: Request<C>): Promise<IpcResult<Response<C>>>;
  events: { event: string; payload: unknown }[];
  close(): void;
}

export async function connectIpc(url: string): Promise<IpcClient> {
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token') ?? '';
  const ws = new WebSocket(`ws://${parsed.host}/ws`, { headers: { origin: parsed.origin, cookie: `leash_session=${token}` } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const waiting = new Map<number, (result: IpcResult<unknown>) => void>();
  const events: { event: string; payload: unknown }[] = [];
  let nextId = 1;
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: IpcResult<unknown>; event?: string; payload?: unknown };
    if (message.event) events.push({ event: message.event, payload: message.payload });
    else if (typeof message.id === 'number') {
      waiting.get(message.id)?.(message.result as IpcResult<unknown>);
      waiting.delete(message.id);
    }
  });
  return {
    events,
    call(channel, request) {
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, resolve as (result: IpcResult<unknown>) => void);
        ws.send(JSON.stringify({ id, channel, payload: request }));
      });
    },
    close: () => ws.close(),
  };
}
