import { mkdtemp, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { Handlers } from '../../src-main/ipc/handlers.js';
import { startBrowserServer, type BrowserServer, type BrowserServerOptions } from '../../src-main/server/browserServer.js';

/** Clients of a real browser-mode server on 127.0.0.1, speaking HTTP, WebSocket or raw bytes. */
export const TOKEN = 'secret-token';

export async function startTestServer(handlers: Handlers, options: Partial<BrowserServerOptions> = {}): Promise<{ server: BrowserServer; log: string[] }> {
  const rendererDir = await mkdtemp(join(tmpdir(), 'leash-renderer-'));
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Leash</title>');
  await writeFile(join(rendererDir, 'app.js'), 'console.log(1)');
  const log: string[] = [];
  const server = await startBrowserServer({ handlers, rendererDir, token: TOKEN, log: (line) => log.push(line), ...options });
  return { server, log };
}

/** What a client needs to reach a server: an in-process one or a real `leash serve`. */
export interface Target {
  port: number;
  token: string;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function get(server: Target, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path, method, headers: { host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export const ownOrigin = (server: Target): Record<string, string> => ({ origin: `http://127.0.0.1:${server.port}` });

/** Opens the WebSocket (no token yet); rejects with the refused status. */
export function openSocket(server: Target, headers: Record<string, string>, path = '/ws'): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
  });
}

/** The next message as JSON, or the close code if the socket closes first. */
export function nextMessage(ws: WebSocket): Promise<{ message?: Record<string, unknown>; closed?: number }> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) return resolve({ closed: -1 });
    const onMessage = (data: Buffer): void => {
      ws.off('close', onClose);
      resolve({ message: JSON.parse(String(data)) as Record<string, unknown> });
    };
    const onClose = (code: number): void => {
      ws.off('message', onMessage);
      resolve({ closed: code });
    };
    ws.once('message', onMessage);
    ws.once('close', onClose);
  });
}

/** A page's socket: opened from our origin, token presented, acceptance received. */
export async function openPage(server: Target, token = server.token): Promise<WebSocket> {
  const ws = await openSocket(server, ownOrigin(server));
  const reply = nextMessage(ws);
  ws.send(JSON.stringify({ auth: token }));
  const { message, closed } = await reply;
  if (!message || message.auth !== 'ok') throw new Error(`token refused (close ${closed})`);
  return ws;
}

export async function ask(ws: WebSocket, message: unknown): Promise<Record<string, unknown>> {
  const reply = nextMessage(ws);
  ws.send(typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message));
  const { message: answer, closed } = await reply;
  if (!answer) throw new Error(`socket closed (${closed}) instead of answering`);
  return answer;
}

/**
 * Sends raw bytes on a fresh TCP connection; `closed` has everything received once the server
 * closes it. `end: false` leaves our side open (a slow client), so only the server can end it.
 */
export function rawConnection(server: Target, bytes: string | Buffer, options: { end?: boolean } = {}): { socket: Socket; closed: Promise<string> } {
  const socket = netConnect({ host: '127.0.0.1', port: server.port });
  let response = '';
  socket.on('data', (d: Buffer) => (response += d.toString('latin1')));
  socket.on('error', () => undefined);
  socket.on('connect', () => {
    socket.write(bytes);
    if (options.end ?? false) socket.end();
  });
  return { socket, closed: new Promise((resolve) => socket.on('close', () => resolve(response))) };
}

/** `rawConnection`, awaited: the server's whole answer. */
export async function raw(server: Target, bytes: string | Buffer, options: { end?: boolean } = {}): Promise<{ response: string }> {
  return { response: await rawConnection(server, bytes, options).closed };
}

/** The first line of a raw HTTP response (`HTTP/1.1 400 Bad Request`), or '' if none came. */
export function statusLine(response: string): string {
  return response.split('\r\n')[0] ?? '';
}
