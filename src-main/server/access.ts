import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Who may talk to browser mode: requests addressed to the loopback host and port we listen on
 * (a DNS-rebinding page has another Host), from our own origin, carrying the per-run token
 * (first in the URL, then in an HttpOnly SameSite=Strict cookie).
 */
export const SESSION_COOKIE = 'leash_session';

export interface AccessPolicy {
  port: number;
  token: string;
}

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
}

export function allowedOrigins(port: number): string[] {
  return allowedHosts(port).map((host) => `http://${host}`);
}

export function sameToken(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function cookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

export type AccessDecision = { ok: true; viaQuery: boolean } | { ok: false; status: number; reason: string };

export function checkRequest(request: IncomingMessage, policy: AccessPolicy, options: { requireOrigin: boolean }): AccessDecision {
  const host = request.headers.host ?? '';
  if (!allowedHosts(policy.port).includes(host)) return { ok: false, status: 421, reason: `wrong host ${JSON.stringify(host)}` };
  const origin = request.headers.origin;
  if (options.requireOrigin && (origin === undefined || !allowedOrigins(policy.port).includes(origin))) {
    return { ok: false, status: 403, reason: `wrong origin ${JSON.stringify(origin ?? null)}` };
  }
  if (origin !== undefined && !allowedOrigins(policy.port).includes(origin)) {
    return { ok: false, status: 403, reason: `wrong origin ${JSON.stringify(origin)}` };
  }
  const url = new URL(request.url ?? '/', `http://${host}`);
  const queryToken = url.searchParams.get('token') ?? undefined;
  if (sameToken(queryToken, policy.token)) return { ok: true, viaQuery: true };
  if (sameToken(cookie(request, SESSION_COOKIE), policy.token)) return { ok: true, viaQuery: false };
  return { ok: false, status: 403, reason: 'missing or wrong token' };
}
