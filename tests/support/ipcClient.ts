import { WebSocket } from 'ws';
import type { Channel } from '../../src-main/ipc/channels.js';
import { AUTH_ACCEPTED, SOCKET_PATH, type AuthRequest } from '../../src-main/ipc/socketProtocol.js';
import type { IpcResult, Request, Response } from '../../src-main/ipc/contract.js';

/** The app's IPC over browser mode's WebSocket, as a page would use it (Origin, then the token as the first message). */
export interface IpcClient {
  call<C extends Channel>(channel: C, request: Request<C>): Promise<IpcResult<Response<C>>>;
  events: { event: string; payload: unknown }[];
  close(): void;
}

export async function connectIpc(url: string): Promise<IpcClient> {
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token') ?? '';
  const ws = new WebSocket(`ws://${parsed.host}${SOCKET_PATH}`, { headers: { origin: parsed.origin } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ auth: token } satisfies AuthRequest));
  await new Promise<void>((resolve, reject) => {
    ws.once('message', (data) => {
      const answer = JSON.parse(String(data)) as { auth?: string };
      if (answer.auth === AUTH_ACCEPTED.auth) resolve();
      else reject(new Error(`serve did not accept the token: ${String(data)}`));
    });
    ws.once('close', (code) => reject(new Error(`serve closed the socket (${code}) before accepting the token`)));
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

/** Every stored batch in full, newest first: the first page of summaries, each read with `batch:get`. */
export async function fullBatches(ipc: IpcClient): Promise<Response<'batch:get'>[]> {
  const page = await ipc.call('batch:list', { limit: 200 });
  if (!page.ok) throw new Error(`batch:list failed: ${page.error.code}: ${page.error.message}`);
  const batches: Response<'batch:get'>[] = [];
  for (const summary of page.value.items) {
    const got = await ipc.call('batch:get', { id: summary.id });
    if (got.ok) batches.push(got.value);
  }
  return batches;
}
