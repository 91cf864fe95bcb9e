import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

/**
 * The built renderer, served from one directory. It holds no secret (the per-run token reaches
 * the page only in the URL the person opens), so serving it needs no token; nothing outside the
 * directory is ever read.
 */
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

/** A plain-text answer that is never cached. Safe to call on a response already answered. */
export function refuse(response: ServerResponse, status: number, message: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'close' });
  response.end(`${message}\n`);
}

/**
 * Answers with the file at `path` (already decoded, see `requestPath`) under `root`, or the app's
 * index.html for paths that are the single-page app's own routes. Never rejects.
 */
export async function serveFile(root: string, path: string, response: ServerResponse, port: number): Promise<void> {
  const relative = normalize(path).replace(/^([/\\])+/, '');
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
  if (response.destroyed) return;
  response.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  });
  response.end(body);
}
