import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Who may talk to browser mode. Every request must be addressed to the loopback host and port we
 * listen on (a DNS-rebinding page has another Host) and, when it has an Origin, come from our own
 * origin. The built page holds no secret, so it is served on those two checks alone; what it can
 * do is guarded by the per-run token, which the page presents over the WebSocket itself (see
 * socketSession.ts). No cookie is ever set or read: browsers attach cookies by themselves, to every
 * port of 127.0.0.1, so a cookie can never be what authorizes anything.
 *
 * Nothing here throws on any input: a malformed request is a refusal with a status, not a crash.
 */
export type AccessDecision = { ok: true } | { ok: false; status: number; reason: string };

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
}

export function allowedOrigins(port: number): string[] {
  return allowedHosts(port).map((host) => `http://${host}`);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Whether `presented` is the token, compared in constant time: both sides are hashed first, so
 * neither the content nor the length of the token leaks through timing. Anything but a string
 * is false.
 */
export function sameToken(presented: unknown, token: string): boolean {
  if (typeof presented !== 'string' || token.length === 0) return false;
  return timingSafeEqual(digest(presented), digest(token));
}

/** Shown in the log without letting a hostile header write control characters to the terminal. */
function quoted(value: string | undefined): string {
  return value === undefined ? 'none' : JSON.stringify(value.slice(0, 100));
}

/** The Host header must name our own loopback address and port, once (Node keeps the first of two). */
export function checkHost(request: IncomingMessage, port: number): AccessDecision {
  const hosts = request.rawHeaders.filter((_value, i) => i % 2 === 0 && request.rawHeaders[i]?.toLowerCase() === 'host').length;
  if (hosts > 1) return { ok: false, status: 400, reason: 'more than one Host header' };
  const host = request.headers.host;
  if (host === undefined || !allowedHosts(port).includes(host)) return { ok: false, status: 421, reason: `wrong host ${quoted(host)}` };
  return { ok: true };
}

/** A request with an Origin must come from our own; `required` refuses one without (WebSockets). */
export function checkOrigin(request: IncomingMessage, port: number, options: { required: boolean }): AccessDecision {
  const origin = request.headers.origin;
  if (origin === undefined && !options.required) return { ok: true };
  if (origin === undefined || !allowedOrigins(port).includes(origin)) return { ok: false, status: 403, reason: `wrong origin ${quoted(origin)}` };
  return { ok: true };
}

/**
 * The decoded path of a request target (`/assets/x.js?v=1` → `/assets/x.js`), or a 400 for
 * targets no browser sends: an unparsable URL (`http://[`), a malformed percent-escape (`/%zz`),
 * a NUL or a backslash.
 */
export function requestPath(target: string | undefined): { ok: true; path: string } | { ok: false; status: 400; reason: string } {
  let pathname: string;
  try {
    pathname = new URL(target ?? '/', 'http://127.0.0.1').pathname;
  } catch {
    return { ok: false, status: 400, reason: `malformed request target ${quoted(target)}` };
  }
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return { ok: false, status: 400, reason: `malformed percent-escape in ${quoted(pathname)}` };
  }
  if (/[\0\\]/.test(path)) return { ok: false, status: 400, reason: `forbidden character in ${quoted(pathname)}` };
  return { ok: true, path };
}
