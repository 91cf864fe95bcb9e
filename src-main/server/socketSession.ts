import type { RawData, WebSocket } from 'ws';
import { dispatch, type Handlers } from '../ipc/handlers.js';
import { AUTH_ACCEPTED, CLOSE_AUTH_TIMEOUT, CLOSE_TOKEN_REJECTED } from '../ipc/socketProtocol.js';
import { sameToken } from './access.js';

/**
 * One page's WebSocket (the protocol: ipc/socketProtocol.ts). The page proves it holds the
 * per-run token in its first message, `{"auth": "<token>"}`, compared in constant time; until
 * then nothing is dispatched and no event is sent to it. A wrong or
 * missing token closes the socket with `CLOSE_TOKEN_REJECTED`, which the page shows as "this
 * page's session has ended" (serve was restarted, so its token is stale). After that, each text
 * message `{id, channel, payload}` gets exactly one answer `{id, result}`; whatever else arrives
 * (binary frames, bad JSON, a failing handler) gets an error answer, never an exception.
 */
export interface SessionOptions {
  token: string;
  handlers: Handlers;
  authTimeoutMs: number;
  /** Called once the token checked out: from then on the socket receives broadcasts. */
  onAuthenticated(ws: WebSocket): void;
  log(line: string): void;
}

type Reply = { id: string | number | null; result: { ok: false; error: { code: string; message: string } } | { ok: true; value: unknown } };

function failure(id: Reply['id'], code: string, message: string): Reply {
  return { id, result: { ok: false, error: { code, message } } };
}

/** Sends `value` as JSON if the socket is still open; a value that cannot be encoded is a bug, reported to the page. */
export function sendJson(ws: WebSocket, value: unknown, log: (line: string) => void): void {
  if (ws.readyState !== ws.OPEN) return;
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    log(`internal error: an answer could not be encoded: ${(error as Error).message}`);
    text = JSON.stringify(failure(null, 'INTERNAL_ERROR', 'the answer could not be encoded (a bug in Leash: see the serve terminal)'));
  }
  ws.send(text, (error) => {
    if (error) log(`send failed: ${error.message}`);
  });
}

/** How long a refused page has to answer our close frame before its connection is cut. */
const CLOSE_GRACE_MS = 1000;

/** Closes with `code`, and cuts the connection if the peer never completes the closing handshake. */
function closeFirmly(ws: WebSocket, code: number, reason: string): void {
  ws.close(code, reason);
  setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
}

function asText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

/** Attaches the handshake and the request loop to a socket that passed the Host and Origin checks. */
export function attachSession(ws: WebSocket, options: SessionOptions): void {
  const { log } = options;
  let authenticated = false;
  const timer = setTimeout(() => {
    if (!authenticated) closeFirmly(ws, CLOSE_AUTH_TIMEOUT, 'no token presented');
  }, options.authTimeoutMs);
  timer.unref();

  // Without a listener an 'error' (a frame over maxPayload, an invalid frame) would be thrown and end the process.
  ws.on('error', (error) => log(`WebSocket closed: ${error.message}`));
  ws.on('close', () => clearTimeout(timer));

  const authenticate = (data: RawData, isBinary: boolean): void => {
    let presented: unknown;
    try {
      presented = isBinary ? undefined : (JSON.parse(asText(data)) as { auth?: unknown } | null)?.auth;
    } catch {
      presented = undefined;
    }
    if (!sameToken(presented, options.token)) {
      log('refused WebSocket: missing or wrong token (a page from an earlier `leash serve`?)');
      closeFirmly(ws, CLOSE_TOKEN_REJECTED, 'token rejected: open the URL that leash serve printed');
      return;
    }
    authenticated = true;
    clearTimeout(timer);
    sendJson(ws, AUTH_ACCEPTED, log);
    options.onAuthenticated(ws);
  };

  const answer = async (data: RawData, isBinary: boolean): Promise<void> => {
    if (isBinary) return sendJson(ws, failure(null, 'INVALID_MESSAGE', 'binary messages are not accepted: send JSON text {id, channel, payload}'), log);
    let message: { id?: unknown; channel?: unknown; payload?: unknown };
    try {
      message = JSON.parse(asText(data)) as typeof message;
      if (!message || typeof message !== 'object' || Array.isArray(message)) throw new Error('not an object');
    } catch {
      return sendJson(ws, failure(null, 'INVALID_MESSAGE', 'messages are JSON objects {id, channel, payload}'), log);
    }
    const id = typeof message.id === 'number' || typeof message.id === 'string' ? message.id : null;
    let result: Reply['result'];
    try {
      result = (await dispatch(options.handlers, message.channel, message.payload)) as Reply['result'];
    } catch (error) {
      log(`internal error in ${typeof message.channel === 'string' ? message.channel.slice(0, 80) : 'a request'}: ${(error as Error).stack ?? String(error)}`);
      result = failure(id, 'INTERNAL_ERROR', 'the request failed inside Leash (a bug: see the serve terminal)').result;
    }
    sendJson(ws, { id, result }, log);
  };

  ws.on('message', (data, isBinary) => {
    if (!authenticated) return authenticate(data, isBinary);
    void answer(data, isBinary);
  });
}
