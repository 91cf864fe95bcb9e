import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectControl } from '../../src-main/control/client.js';
import { controlSecretPath } from '../../src-main/control/paths.js';
import { startControlServer, type ControlServer } from '../../src-main/control/server.js';
import { openLeash, type Leash } from '../../src-main/core/leash.js';

let leash: Leash;
let server: ControlServer;
const SESSION_A = 'a'.repeat(32);
const SESSION_B = 'b'.repeat(32);

beforeEach(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'leash-control-'));
  leash = await openLeash({ dataDir, env: { PATH: process.env.PATH }, mode: 'test' });
  server = await startControlServer(leash);
});
afterEach(async () => {
  await server.close();
  await leash.close();
});

function raw(): Promise<{ socket: Socket; next(): Promise<Record<string, unknown>> }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(server.path);
    socket.setEncoding('utf8');
    let buffer = '';
    const waiting: ((line: Record<string, unknown>) => void)[] = [];
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let i = buffer.indexOf('\n'); i !== -1; i = buffer.indexOf('\n')) {
        const line = JSON.parse(buffer.slice(0, i)) as Record<string, unknown>;
        buffer = buffer.slice(i + 1);
        waiting.shift()?.(line);
      }
    });
    socket.once('connect', () => resolve({ socket, next: () => new Promise((r) => waiting.push(r)) }));
    socket.once('error', reject);
  });
}

describe('the control socket', () => {
  it('is owner-only, and so is its secret', async () => {
    expect((await stat(server.path)).mode & 0o777).toBe(0o600);
    expect((await stat(controlSecretPath(leash.dataDir))).mode & 0o777).toBe(0o600);
  });

  it('refuses a wrong secret, closes the connection and audits AUTH_FAILURE', async () => {
    const { socket, next } = await raw();
    socket.write(`${JSON.stringify({ auth: 'x'.repeat(40) })}\n`);
    expect(await next()).toEqual({ id: null, error: { code: 'AUTH_FAILED', message: 'wrong control secret' } });
    await new Promise((r) => socket.once('close', r));
    await leash.audit.flush();
    expect(await readFile(leash.audit.path, 'utf8')).toContain('"event":"AUTH_FAILURE"');
  });

  it('records a flood of failed logins as one record at once and one aggregate with the count, not one each', async () => {
    const attempts = 60;
    for (let i = 0; i < attempts; i++) {
      const { socket, next } = await raw();
      socket.write(`${JSON.stringify({ auth: 'x'.repeat(40) })}\n`);
      await next();
      await new Promise((r) => socket.once('close', r));
    }
    // Closing the server ends the window: its aggregate is written then.
    await server.close();
    await leash.audit.flush();
    const failures = (await readFile(leash.audit.path, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; details?: { count?: number; firstAt?: string; lastAt?: string } })
      .filter((record) => record.event === 'AUTH_FAILURE');
    expect(failures).toHaveLength(2);
    expect(failures.map((record) => record.details?.count)).toEqual([1, attempts - 1]);
    expect(Date.parse(failures[1]?.details?.lastAt ?? '')).toBeGreaterThanOrEqual(Date.parse(failures[1]?.details?.firstAt ?? ''));
  });

  it('offers no way to approve, run, change settings or read the audit', async () => {
    const { socket, next } = await raw();
    const secret = (await readFile(controlSecretPath(leash.dataDir), 'utf8')).trim();
    socket.write(`${JSON.stringify({ auth: secret })}\n`);
    expect(await next()).toMatchObject({ result: { authenticated: true } });
    for (const method of ['approve', 'run', 'settings', 'audit', 'emergencyStop']) {
      socket.write(`${JSON.stringify({ id: 1, method, params: { batchId: 'x' } })}\n`);
      expect(await next()).toMatchObject({ id: 1, error: { code: 'INVALID_REQUEST' } });
    }
    socket.write('not json\n');
    expect(await next()).toMatchObject({ id: null, error: { code: 'INVALID_REQUEST' } });
    socket.end();
  });

  it('lets an agent propose a batch that waits for a person, and read it back', async () => {
    const client = await connectControl(leash.dataDir);
    const view = (await client.request('propose', { commands: ['echo hi', 'sudo ls'], client: 'tester', wait: false, session: SESSION_A })) as { batchId: string; status: string; source: string; entries: { verdict: string }[] };
    expect(view).toMatchObject({ status: 'pending', source: 'mcp:tester' });
    expect(view.entries.map((e) => e.verdict)).toEqual(['allow', 'deny']);
    expect(await client.request('get', { batchId: view.batchId, session: SESSION_A })).toMatchObject({ batchId: view.batchId, status: 'pending' });
    await expect(client.request('propose', { commands: Array.from({ length: 11 }, () => 'ls'), client: 'tester' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(client.request('get', { batchId: 'nope', session: SESSION_A })).rejects.toMatchObject({ code: 'BATCH_NOT_YOURS' });
    client.close();
  });

  it("lets an agent read only the batches its own session proposed, unless the person allows more", async () => {
    const client = await connectControl(leash.dataDir);
    const mine = (await client.request('propose', { commands: ['echo mine'], client: 'a', wait: false, session: SESSION_A })) as { batchId: string };
    const theirs = (await client.request('propose', { commands: ['echo theirs'], client: 'a', wait: false, session: SESSION_B })) as { batchId: string };
    const persons = await leash.batches.create({ entries: [{ command: 'echo private' }], cwd: tmpdir(), source: 'paste' });
    for (const [batchId, session] of [[theirs.batchId, SESSION_A], [persons.id, SESSION_A], [mine.batchId, undefined], [mine.batchId, SESSION_B]] as const) {
      for (const method of ['get', 'wait'] as const) {
        await expect(client.request(method, session ? { batchId, session } : { batchId })).rejects.toMatchObject({ code: 'BATCH_NOT_YOURS' });
      }
    }
    // Another client cannot claim a session by name: the name an MCP client gives is not it.
    expect(await client.request('get', { batchId: mine.batchId, session: SESSION_A })).toMatchObject({ batchId: mine.batchId });
    // Ownership outlives a restart of the control server.
    await server.close();
    server = await startControlServer(leash);
    const again = await connectControl(leash.dataDir);
    expect(await again.request('get', { batchId: mine.batchId, session: SESSION_A })).toMatchObject({ batchId: mine.batchId });
    leash.settings.update({ agentsReadAllBatches: true });
    expect(await again.request('get', { batchId: persons.id, session: SESSION_B })).toMatchObject({ batchId: persons.id });
    again.close();
    client.close();
  });

  it('says Leash is not running when nothing listens', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'leash-control-none-'));
    await expect(connectControl(empty)).rejects.toMatchObject({ code: 'LEASH_NOT_RUNNING' });
  });
});
