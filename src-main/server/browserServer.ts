import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventName } from '../ipc/channels.js';
import type { Events } from '../ipc/contract.js';
import type { Handlers } from '../ipc/handlers.js';
import { MAX_MESSAGE_BYTES, SOCKET_PATH } from '../ipc/socketProtocol.js';
import { checkHost, checkOrigin, requestPath, type AccessDecision } from './access.js';
import { attachSession } from './socketSession.js';
import { refuse, serveFile } from './staticFiles.js';

/**
 * Browser mode: serves the built renderer on 127.0.0.1 and carries the IPC handler table over a
 * WebSocket, guarded by a Host check, an Origin check and the random per-run token the page
 * presents on the socket (socketSession.ts). The same handlers as the desktop app, so the UI
 * behaves the same.
 *
 * Serve is the only stop button in browser mode, so no request may end it: every path through
 * the handlers below answers (4xx) or closes the connection, whatever arrives (malformed request
 * lines, bad escapes, oversized or binary frames, clients that never finish their headers).
 */
export interface BrowserServer {
  url: string;
  port: number;
  token: string;
  /** Sends an event to every page that presented the token. */
  broadcast<E extends EventName>(event: E, payload: Events[E]): void;
  close(): Promise<void>;
}

export interface Timeouts {
  /** A client must finish sending its request headers within this (slowloris). */
  headersMs: number;
  /** …and its whole request within this. */
  requestMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: number;
  /** A page must present the token within this after its WebSocket opens. */
  authMs: number;
}

export interface BrowserServerOptions {
  handlers: Handlers;
  rendererDir: string;
  port?: number;
  token?: string;
  log?: (line: string) => void;
  timeouts?: Partial<Timeouts>;
}

/** Beyond this much unsent data a slow page stops getting live output (it can still fetch results). */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const DEFAULT_TIMEOUTS: Timeouts = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000, authMs: 10_000 };

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 408: 'Request Timeout', 421: 'Misdirected Request', 431: 'Request Header Fields Too Large',
};

function first(...decisions: (() => AccessDecision)[]): AccessDecision {
  for (const decide of decisions) {
    const decision = decide();
    if (!decision.ok) return decision;
  }
  return { ok: true };
}

/** Ends a connection that is no longer HTTP's to answer (a refused upgrade, a parse error). */
function endRaw(socket: Duplex, status: number): void {
  if (!socket.writable) return void socket.destroy();
  // Destroyed once the answer is flushed: a client that never reads or closes cannot keep it.
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
}

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const log = options.log ?? (() => undefined);
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const sockets = new Set<WebSocket>();
  let port = 0;

  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(response, 405, 'Method not allowed');
    const target = requestPath(request.url);
    const access = first(() => checkHost(request, port), () => checkOrigin(request, port, { required: false }), () => target);
    if (!access.ok || !target.ok) {
      const reason = access.ok ? 'malformed request' : access.reason;
      log(`refused ${request.method}: ${reason}`);
      const status = access.ok ? 400 : access.status;
      return refuse(response, status, status === 400 ? 'Bad request' : 'Forbidden: open the URL that `leash serve` printed.');
    }
    serveFile(options.rendererDir, target.path, response, port).catch((error: unknown) => {
      log(`internal error serving ${JSON.stringify(target.path.slice(0, 100))}: ${(error as Error).stack ?? String(error)}`);
      refuse(response, 500, 'Internal error (see the `leash serve` terminal)');
    });
  };

  const server: Server = createServer(
    // Node checks the timeouts below on this interval; its default (30 s) would let a slow client hold a socket far longer.
    { connectionsCheckingInterval: Math.max(100, Math.min(1000, timeouts.headersMs / 2)), requestTimeout: timeouts.requestMs, headersTimeout: timeouts.headersMs },
    (request, response) => {
      try {
        onRequest(request, response);
      } catch (error) {
        log(`internal error answering a request: ${(error as Error).stack ?? String(error)}`);
        refuse(response, 500, 'Internal error (see the `leash serve` terminal)');
      }
    },
  );
  server.keepAliveTimeout = timeouts.keepAliveMs;
  // A malformed request line or header, an oversized header block, a timeout: answer 400/408/431 or close, never throw.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    log(`closed a connection: ${error.code ?? error.message}`);
    if (error.code === 'ECONNRESET') return void socket.destroy();
    endRaw(socket, error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400);
  });
  server.on('connection', (socket: Socket) => {
    // Errors on a connection are that connection's end, never the server's.
    socket.on('error', () => undefined);
  });

  // A larger message closes that socket (1009) and nothing else.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  wss.on('error', (error) => log(`WebSocket server error: ${error.message}`));
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    try {
      const target = requestPath(request.url);
      const access = first(() => checkHost(request, port), () => checkOrigin(request, port, { required: true }), () => target);
      if (!access.ok || !target.ok || target.path !== SOCKET_PATH) {
        log(`refused WebSocket: ${access.ok ? 'wrong path' : access.reason}`);
        return endRaw(socket, access.ok ? 404 : access.status);
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        ws.on('close', () => sockets.delete(ws));
        attachSession(ws, { token, handlers: options.handlers, authTimeoutMs: timeouts.authMs, log, onAuthenticated: (page) => sockets.add(page) });
      });
    } catch (error) {
      log(`internal error on a WebSocket upgrade: ${(error as Error).stack ?? String(error)}`);
      endRaw(socket, 400);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After listening, an error (EMFILE on accept, say) is logged: it must not end the process.
  server.on('error', (error) => log(`server error: ${error.message}`));
  port = (server.address() as AddressInfo).port;

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
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
