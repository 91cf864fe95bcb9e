import { connect as netConnect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Handlers } from '../../src-main/ipc/handlers.js';
import type { BrowserServer } from '../../src-main/server/browserServer.js';
import { ask, get, openPage, startTestServer } from './client.js';

/**
 * Slow clients (slowloris): connections that never finish their request must be closed by the
 * server, and while they hang the server keeps answering everyone else.
 */
let server: BrowserServer;
const handlers = { 'app:info': async () => ({ version: 'test' }) } as unknown as Handlers;

beforeEach(async () => {
  ({ server } = await startTestServer(handlers, { timeouts: { headersMs: 400, requestMs: 800, keepAliveMs: 400, authMs: 400 } }));
});
afterEach(async () => {
  await server.close();
});

/** Opens a connection, writes `first`, then `drip` every 100 ms, and resolves with what came back once the server closes it. */
function slowClient(first: string, drip?: string): { closed: Promise<string>; socket: Socket } {
  const socket = netConnect({ host: '127.0.0.1', port: server.port });
  let received = '';
  let timer: ReturnType<typeof setInterval> | undefined;
  socket.on('connect', () => {
    if (first) socket.write(first);
    if (drip) timer = setInterval(() => socket.writable && socket.write(drip), 100);
  });
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<string>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve(received);
    }),
  );
  return { closed, socket };
}

describe('slow clients', () => {
  it('closes a connection whose headers never end, with 408, and serves others meanwhile', async () => {
    const slow = Array.from({ length: 20 }, () => slowClient(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nX-Slow: `));
    expect((await get(server, '/')).status).toBe(200);
    for (const client of slow) expect(await client.closed).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a connection that drips one header line at a time forever', async () => {
    const client = slowClient(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n`, 'X-Drip: 1\r\n');
    expect(await client.closed).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a connection that never sends a byte', async () => {
    const client = slowClient('');
    expect(await client.closed).toMatch(/^(HTTP\/1\.1 408 .*)?$/s);
  });

  it('closes a WebSocket that never presents the token, and keeps serving pages that do', async () => {
    const page = await openPage(server);
    const silent = slowClient(
      [`GET /ws HTTP/1.1`, `Host: 127.0.0.1:${server.port}`, `Origin: http://127.0.0.1:${server.port}`, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', '', ''].join('\r\n'),
    );
    expect(await silent.closed).toMatch(/^HTTP\/1\.1 101 /);
    expect(await ask(page, { id: 1, channel: 'app:info', payload: {} })).toMatchObject({ result: { ok: true } });
    page.close();
  });
});

describe('pages that stay', () => {
  it('keeps a page\'s WebSocket open long past the request timeouts', async () => {
    const page = await openPage(server);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await ask(page, { id: 1, channel: 'app:info', payload: {} })).toMatchObject({ result: { ok: true } });
    page.close();
  });
});
