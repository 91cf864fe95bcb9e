import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventName } from '../ipc/channels.js';
import type { Events } from '../ipc/contract.js';
import { dispatch, type Handlers } from '../ipc/handlers.js';
import { SESSION_COOKIE, checkRequest, type AccessPolicy } from './access.js';

/**
 * Browser mode: serves the built renderer on 127.0.0.1 and carries the IPC handler table over a
 * WebSocket, guarded by a random per-run token, a Host check and an Origin check. The same
 * handlers as the desktop app, so the UI behaves the same.
 */
export interface BrowserServer {
  url: string;
  port: number;
  token: string;
  /** Sends an event to every connected page. */
  broadcast<E extends EventName>(event: E, payload: Events[E]): void;
  close(): Promise<void>;
}

export interface BrowserServerOptions {
  handlers: Handlers;
  rendererDir: string;
  port?: number;
  token?: string;
  log?: (line: string) => void;
}

const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;
/** Beyond this much unsent data a slow page stops getting live output (it can still fetch results). */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function refuse(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(`${message}\n`);
}

async function serveFile(root: string, pathname: string, response: ServerResponse, port: number): Promise<void> {
  const relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  const target = join(root, relative === '' ? 'index.html' : relative);
  if (target !== root && !target.startsWith(root + sep)) return refuse(response, 404, 'Not found');
  let file = target;
  try {
    if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
  } catch {
    // Unknown paths are the single-page app's own routes.
    file = join(root, 'index.html');
  }
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return refuse(response, 404, 'Not found: the renderer is not built (run `npm run build`)');
  }
  response.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  });
  response.end(body);
}

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const log = options.log ?? (() => undefined);
  const sockets = new Set<WebSocket>();
  const policy: AccessPolicy = { port: 0, token };

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(response, 405, 'Method not allowed');
    const access = checkRequest(request, policy, { requireOrigin: false });
    if (!access.ok) {
      log(`refused ${request.method} ${request.url?.split('?')[0]}: ${access.reason}`);
      return refuse(response, access.status, 'Forbidden: open the URL that `leash serve` printed.');
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (access.viaQuery) {
      // Trade the token in the URL for a cookie, so it leaves the address bar and history.
      response.writeHead(303, {
        'Set-Cookie': `${SESSION_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        Location: url.pathname,
        'Cache-Control': 'no-store',
      });
      return response.end();
    }
    void serveFile(options.rendererDir, url.pathname, response, policy.port);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (request, socket, head) => {
    const access = checkRequest(request, policy, { requireOrigin: true });
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (!access.ok || path !== '/ws') {
      log(`refused WebSocket: ${access.ok ? `wrong path ${path}` : access.reason}`);
      socket.end(`HTTP/1.1 ${access.ok ? 404 : access.status} Forbidden\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws));
  });
  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data, isBinary) => {
      void answer(ws, isBinary ? undefined : data.toString());
    });
  });

  const answer = async (ws: WebSocket, text: string | undefined): Promise<void> => {
    let message: { id?: unknown; channel?: unknown; payload?: unknown };
    try {
      message = JSON.parse(text ?? '') as typeof message;
      if (!message || typeof message !== 'object' || Array.isArray(message)) throw new Error('not an object');
    } catch {
      send(ws, { id: null, result: { ok: false, error: { code: 'INVALID_MESSAGE', message: 'messages are JSON objects {id, channel, payload}' } } });
      return;
    }
    const id = typeof message.id === 'number' || typeof message.id === 'string' ? message.id : null;
    const result = await dispatch(options.handlers, message.channel, message.payload);
    send(ws, { id, result });
  };

  const send = (ws: WebSocket, value: unknown): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(value));
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  policy.port = port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    broadcast(event, payload) {
      const text = JSON.stringify({ event, payload });
      for (const ws of sockets) {
        if (event === 'entry:output' && ws.bufferedAmount > MAX_BUFFERED_BYTES) continue;
        if (ws.readyState === ws.OPEN) ws.send(text);
      }
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
