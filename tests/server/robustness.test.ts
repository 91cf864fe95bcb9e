import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serve, type Served } from '../e2e/harness.js';
import { ask, get, nextMessage, openPage, openSocket, ownOrigin, raw, rawConnection, statusLine, type Target } from './client.js';
import { frame, rawWebSocket, text } from './frames.js';

/**
 * The real `leash serve` (the built CLI, as a person starts it) under malformed and hostile input
 * from any local process, no token needed: every case gets an answer or a closed connection, and
 * afterwards serve is still running and still serves the page and its WebSocket.
 */
let served: Served;
let target: Target;

beforeAll(async () => {
  served = await serve();
  const url = new URL(served.url);
  target = { port: Number(url.port), token: url.searchParams.get('token') ?? '' };
});
afterAll(async () => {
  await served?.stop();
});

afterEach(async () => {
  expect(served.process.exitCode, 'leash serve exited').toBeNull();
  expect(served.process.signalCode, 'leash serve was killed').toBeNull();
  const page = await get(target, '/');
  expect(page.status).toBe(200);
  expect(page.body).toContain('<div id="app">');
  const ws = await openPage(target);
  expect(await ask(ws, { id: 'alive', channel: 'app:info', payload: {} })).toMatchObject({ id: 'alive', result: { ok: true, value: { mode: 'browser' } } });
  ws.close();
});

const host = (): string => `Host: 127.0.0.1:${target.port}\r\n`;
const request = (line: string, headers = ''): string => `${line}\r\n${host()}${headers}Connection: close\r\n\r\n`;

describe('malformed HTTP requests', () => {
  it.each([
    ['an unparsable absolute URL', () => request('GET http://[ HTTP/1.1')],
    ['an unparsable absolute URL on the WebSocket path', () => request('GET http://[/ws HTTP/1.1', 'Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n')],
    ['a malformed percent-escape', () => request('GET /%zz HTTP/1.1')],
    ['a truncated UTF-8 percent-escape', () => request('GET /%E0%A4%A HTTP/1.1')],
    ['an invalid UTF-8 percent-escape', () => request('GET /%C0%AF HTTP/1.1')],
    ['an escaped NUL', () => request('GET /%00 HTTP/1.1')],
    ['an escaped backslash', () => request('GET /..%5c..%5cetc%5cpasswd HTTP/1.1')],
    ['a malformed escape on the WebSocket path', () => request('GET /ws%zz HTTP/1.1', `Origin: http://127.0.0.1:${target.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n`)],
  ])('answers 400 to %s', async (_name, bytes) => {
    const { response } = await raw(target, bytes());
    expect(statusLine(response)).toMatch(/^HTTP\/1\.1 400 /);
  });

  it.each([
    ['a malformed session cookie', () => request('GET / HTTP/1.1', 'Cookie: leash_session=%zz\r\n')],
    ['a cookie header of garbage', () => request('GET / HTTP/1.1', 'Cookie: =;;=%;%%%; a=%E0%A4%A\r\n')],
    ['a query of garbage', () => request('GET /?%zz=%zz&token=%E0 HTTP/1.1')],
    ['an absolute-form URL for our own host', () => request(`GET http://127.0.0.1:${target.port}/ HTTP/1.1`)],
  ])('ignores %s and serves the page', async (_name, bytes) => {
    const { response } = await raw(target, bytes());
    expect(statusLine(response)).toMatch(/^HTTP\/1\.1 200 /);
  });

  it.each([
    ['no Host header', () => 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n'],
    ['two Host headers', () => request('GET / HTTP/1.1', 'Host: evil.example\r\n')],
    ['a control character in a header', () => request('GET / HTTP/1.1', 'X-Bad: a\u0001b\r\n')],
    ['a header line without a colon', () => request('GET / HTTP/1.1', 'Garbage\r\n')],
    ['a header block over the size limit', () => request('GET / HTTP/1.1', `X-Big: ${'a'.repeat(70_000)}\r\n`)],
    ['thousands of headers', () => request('GET / HTTP/1.1', 'X-A: b\r\n'.repeat(5_000))],
    ['a bad Content-Length', () => request('GET / HTTP/1.1', 'Content-Length: abc\r\n')],
    ['both Content-Length and chunked', () => request('GET / HTTP/1.1', 'Content-Length: 5\r\nTransfer-Encoding: chunked\r\n')],
    ['a bad chunk', () => `POST / HTTP/1.1\r\n${host()}Transfer-Encoding: chunked\r\n\r\nzz\r\n`],
    ['an unknown HTTP version', () => request('GET / HTTP/9.9')],
    ['a method of symbols', () => request('G@T / HTTP/1.1')],
    ['a request line with no target', () => request('GET HTTP/1.1')],
    ['a TLS hello on the plain port', () => Buffer.from('160301020001000100fc0303', 'hex')],
    ['a request line of spaces', () => '   \r\n\r\n'],
    ['NUL bytes', () => Buffer.alloc(1024)],
    ['a forged Origin', () => request('GET / HTTP/1.1', 'Origin: http://evil.example\r\n')],
    ['a WebSocket upgrade without a key', () => request('GET /ws HTTP/1.1', `Origin: http://127.0.0.1:${target.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n`)],
    ['a WebSocket upgrade of an unknown version', () => request('GET /ws HTTP/1.1', `Origin: http://127.0.0.1:${target.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n`)],
    ['a WebSocket upgrade by POST', () => request('POST /ws HTTP/1.1', `Origin: http://127.0.0.1:${target.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n`)],
    ['an upgrade to another protocol', () => request('GET /ws HTTP/1.1', `Origin: http://127.0.0.1:${target.port}\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n`)],
  ])('refuses %s with a 4xx or a closed connection', async (_name, bytes) => {
    const { response } = await raw(target, bytes(), { end: false });
    expect(statusLine(response)).toMatch(/^(HTTP\/1\.1 4\d\d .*)?$/);
  });

  it('serves others while many clients hang with unfinished headers', async () => {
    const slow = Array.from({ length: 30 }, () => rawConnection(target, `GET / HTTP/1.1\r\n${host()}X-Slow: `));
    expect((await get(target, '/')).status).toBe(200);
    const page = await openPage(target);
    expect(await ask(page, { id: 1, channel: 'app:info', payload: {} })).toMatchObject({ result: { ok: true } });
    page.close();
    // Their end is the server's headers timeout (proved in slowClients.test.ts); here, ours.
    for (const client of slow) client.socket.destroy();
  });
});

describe('hostile WebSocket frames', () => {
  const MiB = 1024 * 1024;

  it('closes, with 1009, the socket of a page whose message is over 2 MiB', async () => {
    const ws = await openPage(target);
    const closed = nextMessage(ws);
    ws.send('x'.repeat(2 * MiB + 1));
    expect(await closed).toEqual({ closed: 1009 });
  });

  it('closes, with 1009, a socket that sends an oversized message before any token', async () => {
    const ws = await openSocket(target, ownOrigin(target));
    const closed = nextMessage(ws);
    ws.send(Buffer.alloc(3 * MiB, 0x61));
    expect(await closed).toEqual({ closed: 1009 });
  });

  it('answers a binary message with INVALID_MESSAGE and keeps the socket', async () => {
    const ws = await openPage(target);
    expect(await ask(ws, Buffer.from([0, 1, 2, 255]))).toMatchObject({ result: { ok: false, error: { code: 'INVALID_MESSAGE' } } });
    expect(await ask(ws, { id: 2, channel: 'app:info', payload: {} })).toMatchObject({ id: 2, result: { ok: true } });
    ws.close();
  });

  it.each([
    ['a channel that is an object with a toString', '{"id":1,"channel":{"toString":1},"payload":{}}', 'UNKNOWN_CHANNEL'],
    ['a payload nested 100,000 deep', `{"id":1,"channel":"app:info","payload":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 'INVALID_PAYLOAD'],
    ['JSON nested 1,000,000 deep', '['.repeat(1_000_000), 'INVALID_MESSAGE'],
    ['a proto-polluting payload', '{"id":1,"channel":"batch:get","payload":{"__proto__":{"id":"x"}}}', 'INVALID_PAYLOAD'],
  ])('answers %s with an error', async (_name, message, code) => {
    const ws = await openPage(target);
    expect(await ask(ws, message)).toMatchObject({ result: { ok: false, error: { code } } });
    ws.close();
  });

  it('answers a burst of 2,000 messages, each by its id', async () => {
    const ws = await openPage(target);
    const answers = new Set<unknown>();
    const all = new Promise<void>((resolve) =>
      ws.on('message', (data) => {
        answers.add((JSON.parse(String(data)) as { id: unknown }).id);
        if (answers.size === 2000) resolve();
      }),
    );
    for (let id = 0; id < 2000; id++) ws.send(JSON.stringify({ id, channel: id % 2 ? 'app:info' : 'nope', payload: {} }));
    await all;
    ws.close();
  });

  const authenticated = async (): Promise<Awaited<ReturnType<typeof rawWebSocket>>> => {
    const socket = await rawWebSocket(target);
    socket.socket.write(text(JSON.stringify({ auth: target.token })));
    return socket;
  };

  it.each([
    ['an unmasked frame', () => frame({ opcode: 1, payload: Buffer.from('{}'), mask: false }), 1002],
    ['a reserved opcode', () => frame({ opcode: 3, payload: Buffer.from('x') }), 1002],
    ['reserved bits set', () => frame({ opcode: 1, payload: Buffer.from('{}'), rsv: 7 }), 1002],
    ['a fragmented control frame', () => frame({ opcode: 9, payload: Buffer.from('x'), fin: false }), 1002],
    ['a continuation with nothing to continue', () => frame({ opcode: 0, payload: Buffer.from('x') }), 1002],
    ['invalid UTF-8 in a text frame', () => frame({ opcode: 1, payload: Buffer.from([0xc3, 0x28, 0xff]) }), 1007],
    ['a length of 2^63 - 1', () => frame({ opcode: 1, declaredLength: 2n ** 63n - 1n }), 1009],
    ['a length over the limit, body never sent', () => frame({ opcode: 1, declaredLength: BigInt(3 * MiB) }), 1009],
    ['fragments adding up past the limit', () => Buffer.concat([frame({ opcode: 1, payload: Buffer.alloc(MiB + 10, 0x61), fin: false }), frame({ opcode: 0, payload: Buffer.alloc(MiB + 10, 0x61) })]), 1009],
    ['a close frame with an invalid code', () => frame({ opcode: 8, payload: Buffer.from([0x03, 0xe7]) }), 1002],
  ])('closes the socket on %s', async (_name, bytes, code) => {
    for (const socket of [await rawWebSocket(target), await authenticated()]) {
      socket.socket.write(bytes());
      await socket.closed;
      expect(socket.frames.find((f) => f.opcode === 8)?.code).toBe(code);
    }
  });

  it('closes a raw socket whose first frame is garbage instead of a token', async () => {
    const socket = await rawWebSocket(target);
    socket.socket.write(frame({ opcode: 2, payload: Buffer.from([1, 2, 3]) }));
    await socket.closed;
    expect(socket.frames.find((f) => f.opcode === 8)?.code).toBe(4401);
  });

  it('survives a page that vanishes mid-answer', async () => {
    const ws = await openPage(target);
    for (let i = 0; i < 50; i++) ws.send(JSON.stringify({ id: i, channel: 'batch:list', payload: {} }));
    ws.terminate();
    await new Promise((resolve) => setTimeout(resolve, 200));
  });

  it('ignores a second token message as a bad request, not a second login', async () => {
    const ws = await openPage(target);
    expect(await ask(ws, { auth: 'anything' })).toMatchObject({ result: { ok: false, error: { code: 'UNKNOWN_CHANNEL' } } });
    ws.close();
  });
});

