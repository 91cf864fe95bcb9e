import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Handlers } from '../../src-main/ipc/handlers.js';
import type { BrowserServer } from '../../src-main/server/browserServer.js';
import { CLOSE_TOKEN_REJECTED } from '../../src-main/ipc/socketProtocol.js';
import { TOKEN, ask, get, nextMessage, openPage, openSocket, ownOrigin, startTestServer } from './client.js';

let server: BrowserServer;

const handlers = {
  'app:info': async () => ({ version: 'test', mode: 'browser', platform: 'linux', dataDir: '/x', homeDir: '/home/x', problems: [] }),
  'batch:get': async ({ id }: { id: string }) => ({ id }),
} as unknown as Handlers;

beforeEach(async () => {
  ({ server } = await startTestServer(handlers));
});
afterEach(async () => {
  await server.close();
});

describe('browser mode access', () => {
  it('prints a loopback URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${TOKEN}`);
  });

  it('serves the page, which holds no secret, without the token and never sets a cookie', async () => {
    for (const path of ['/', `/?token=${TOKEN}`, '/app.js', '/batches/some-route']) {
      const reply = await get(server, path);
      expect(reply.status).toBe(200);
      expect(reply.headers['set-cookie']).toBeUndefined();
      expect(reply.body).not.toContain(TOKEN);
    }
  });

  it('refuses another Host (DNS rebinding)', async () => {
    expect((await get(server, `/?token=${TOKEN}`, { host: `evil.example:${server.port}` })).status).toBe(421);
    expect((await get(server, '/', { host: `127.0.0.1:${server.port + 1}` })).status).toBe(421);
  });

  it('refuses a cross-origin request', async () => {
    expect((await get(server, '/', { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(server, '/', { origin: `http://127.0.0.1:${server.port + 1}` })).status).toBe(403);
  });

  it('serves the renderer with a strict Content Security Policy', async () => {
    const reply = await get(server, '/');
    expect(reply.body).toContain('<title>Leash</title>');
    expect(reply.headers['content-security-policy']).toContain("script-src 'self'");
    expect(reply.headers['content-security-policy']).not.toContain('unsafe');
    expect(reply.headers['referrer-policy']).toBe('no-referrer');
    expect((await get(server, '/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('never serves files outside the renderer directory', async () => {
    for (const path of ['/..%2f..%2f..%2fetc%2fpasswd', '/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd']) {
      expect((await get(server, path)).body).not.toContain('root:');
    }
  });

  it('refuses POST and other methods', async () => {
    expect((await get(server, '/', {}, 'POST')).status).toBe(405);
    expect((await get(server, '/', {}, 'PUT')).status).toBe(405);
  });
});

describe('the WebSocket transport', () => {
  it('refuses a socket from another origin', async () => {
    await expect(openSocket(server, { origin: 'http://evil.example' })).rejects.toThrow(/403/);
  });

  it('refuses a socket without an Origin header', async () => {
    await expect(openSocket(server, {})).rejects.toThrow(/403/);
  });

  it('refuses a socket on another path', async () => {
    await expect(openSocket(server, ownOrigin(server), '/other')).rejects.toThrow(/404/);
    await expect(openSocket(server, ownOrigin(server), '/ws/')).rejects.toThrow(/404/);
  });

  it('answers nothing before the token and closes on a request sent instead of it', async () => {
    const ws = await openSocket(server, ownOrigin(server));
    const reply = nextMessage(ws);
    ws.send(JSON.stringify({ id: 1, channel: 'app:info', payload: {} }));
    expect(await reply).toEqual({ closed: CLOSE_TOKEN_REJECTED });
  });

  it('closes a socket that presents a wrong token with the code a page reads as "session ended"', async () => {
    await expect(openPage(server, 'guess')).rejects.toThrow(`close ${CLOSE_TOKEN_REJECTED}`);
    await expect(openPage(server, `${TOKEN}x`)).rejects.toThrow(`close ${CLOSE_TOKEN_REJECTED}`);
  });

  it('closes a socket that never presents the token', async () => {
    const { server: quick } = await startTestServer(handlers, { timeouts: { authMs: 200 } });
    const ws = await openSocket(quick, ownOrigin(quick));
    expect(await nextMessage(ws)).toEqual({ closed: 4408 });
    await quick.close();
  });

  it('answers requests with the handler table results, by id, once the token is presented', async () => {
    const ws = await openPage(server);
    expect(await ask(ws, { id: 7, channel: 'app:info', payload: {} })).toMatchObject({ id: 7, result: { ok: true, value: { mode: 'browser' } } });
    ws.close();
  });

  it.each([
    ['not json', 'INVALID_MESSAGE'],
    [JSON.stringify([1, 2]), 'INVALID_MESSAGE'],
    [JSON.stringify(null), 'INVALID_MESSAGE'],
    [JSON.stringify({ id: 1, channel: 'shell:exec', payload: {} }), 'UNKNOWN_CHANNEL'],
    [JSON.stringify({ id: 1, channel: 'batch:get', payload: { id: '../../etc' } }), 'INVALID_PAYLOAD'],
    [JSON.stringify({ id: 1, channel: 'batch:get', payload: { id: 'x', extra: 1 } }), 'INVALID_PAYLOAD'],
  ])('answers a bad message %j with %s', async (message, code) => {
    const ws = await openPage(server);
    expect(await ask(ws, message)).toMatchObject({ result: { ok: false, error: { code } } });
    ws.close();
  });

  it('broadcasts events to pages that presented the token, and to no other socket', async () => {
    const stranger = await openSocket(server, ownOrigin(server));
    const strangerHeard: unknown[] = [];
    stranger.on('message', (data) => strangerHeard.push(String(data)));
    const ws = await openPage(server);
    const received = nextMessage(ws);
    server.broadcast('autonomy:changed', { enabled: false, fingerprint: null });
    expect((await received).message).toEqual({ event: 'autonomy:changed', payload: { enabled: false, fingerprint: null } });
    // The page's own answer round-trips after the broadcast, so the stranger would have it by now.
    await ask(ws, { id: 1, channel: 'app:info', payload: {} });
    expect(strangerHeard).toEqual([]);
    ws.close();
    stranger.close();
  });
});
