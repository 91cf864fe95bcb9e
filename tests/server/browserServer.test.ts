import { mkdtemp, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Handlers } from '../../src-main/ipc/handlers.js';
import { startBrowserServer, type BrowserServer } from '../../src-main/server/browserServer.js';

let server: BrowserServer;
let rendererDir: string;

const handlers = {
  'app:info': async () => ({ version: 'test', mode: 'browser', platform: 'linux', dataDir: '/x', homeDir: '/home/x', problems: [] }),
  'batch:get': async ({ id }: { id: string }) => ({ id }),
} as unknown as Handlers;

beforeEach(async () => {
  rendererDir = await mkdtemp(join(tmpdir(), 'leash-renderer-'));
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Leash</title>');
  await writeFile(join(rendererDir, 'app.js'), 'console.log(1)');
  server = await startBrowserServer({ handlers, rendererDir, token: 'secret-token' });
});
afterEach(async () => {
  await server.close();
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path, headers: { host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const cookie = () => ({ cookie: `leash_session=secret-token` });

function connect(headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
  });
}

function ask(ws: WebSocket, message: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>));
    ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  });
}

describe('browser mode access', () => {
  it('prints a loopback URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=secret-token`);
  });

  it('refuses a request without the token', async () => {
    const reply = await get('/');
    expect(reply.status).toBe(403);
    expect(reply.body).toMatch(/open the URL that `leash serve` printed/);
  });

  it('refuses a wrong token', async () => {
    expect((await get('/?token=guess')).status).toBe(403);
    expect((await get('/', { cookie: 'leash_session=guess' })).status).toBe(403);
  });

  it('refuses another Host (DNS rebinding) even with the token', async () => {
    expect((await get('/?token=secret-token', { host: `evil.example:${server.port}` })).status).toBe(421);
    expect((await get('/', { ...cookie(), host: `evil.example:${server.port}` })).status).toBe(421);
  });

  it('refuses a cross-origin request', async () => {
    expect((await get('/', { ...cookie(), origin: 'http://evil.example' })).status).toBe(403);
  });

  it('trades the token in the URL for an HttpOnly, SameSite=Strict cookie', async () => {
    const reply = await get('/?token=secret-token');
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/');
    expect(reply.headers['set-cookie']).toEqual(['leash_session=secret-token; HttpOnly; SameSite=Strict; Path=/']);
  });

  it('serves the renderer with a strict Content Security Policy', async () => {
    const reply = await get('/', cookie());
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('<title>Leash</title>');
    expect(reply.headers['content-security-policy']).toContain("script-src 'self'");
    expect(reply.headers['content-security-policy']).not.toContain('unsafe');
    expect((await get('/app.js', cookie())).headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('never serves files outside the renderer directory', async () => {
    const reply = await get('/..%2f..%2f..%2fetc%2fpasswd', cookie());
    expect(reply.body).not.toContain('root:');
  });

  it('refuses POST and other methods', async () => {
    const reply = await new Promise<number>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port: server.port, path: '/', method: 'POST', headers: { host: `127.0.0.1:${server.port}`, ...cookie() } }, (res) => resolve(res.statusCode ?? 0));
      req.end();
    });
    expect(reply).toBe(405);
  });
});

describe('the WebSocket transport', () => {
  const origin = () => ({ origin: `http://127.0.0.1:${server.port}` });

  it('refuses a socket without the session cookie', async () => {
    await expect(connect(origin())).rejects.toThrow(/403/);
  });

  it('refuses a socket from another origin', async () => {
    await expect(connect({ ...cookie(), origin: 'http://evil.example' })).rejects.toThrow(/403/);
  });

  it('refuses a socket without an Origin header', async () => {
    await expect(connect(cookie())).rejects.toThrow(/403/);
  });

  it('answers requests with the handler table results, by id', async () => {
    const ws = await connect({ ...cookie(), ...origin() });
    expect(await ask(ws, { id: 7, channel: 'app:info', payload: {} })).toMatchObject({ id: 7, result: { ok: true, value: { mode: 'browser' } } });
    ws.close();
  });

  it.each([
    ['not json', 'INVALID_MESSAGE'],
    [JSON.stringify([1, 2]), 'INVALID_MESSAGE'],
    [JSON.stringify({ id: 1, channel: 'shell:exec', payload: {} }), 'UNKNOWN_CHANNEL'],
    [JSON.stringify({ id: 1, channel: 'batch:get', payload: { id: '../../etc' } }), 'INVALID_PAYLOAD'],
    [JSON.stringify({ id: 1, channel: 'batch:get', payload: { id: 'x', extra: 1 } }), 'INVALID_PAYLOAD'],
  ])('answers a bad message %j with %s', async (message, code) => {
    const ws = await connect({ ...cookie(), ...origin() });
    const reply = await ask(ws, message);
    expect(reply).toMatchObject({ result: { ok: false, error: { code } } });
    ws.close();
  });

  it('broadcasts events to connected pages', async () => {
    const ws = await connect({ ...cookie(), ...origin() });
    const received = new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));
    server.broadcast('autonomy:changed', { enabled: false, fingerprint: null });
    expect(await received).toEqual({ event: 'autonomy:changed', payload: { enabled: false, fingerprint: null } });
    ws.close();
  });
});
