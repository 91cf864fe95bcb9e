import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from '../../src-main/core/batch/index.js';
import { openLeash, type Leash } from '../../src-main/core/leash.js';
import { createHandlers, dispatch, type Handlers } from '../../src-main/ipc/handlers.js';
import { projectDirectory } from '../core/batch/harness.js';

/** `batch:approve` with `run` and `batch:reject` with `message`, through the real handler table over a real Leash. */
let leash: Leash;
let handlers: Handlers;
const cwd = projectDirectory();

beforeAll(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'leash-ipc-approve-'));
  leash = await openLeash({ dataDir, env: { PATH: process.env.PATH }, mode: 'test' });
  handlers = createHandlers({ leash, mode: 'browser', version: 'test' });
});
afterAll(async () => {
  await leash.close();
});

async function created(command = 'echo via-ipc'): Promise<Batch> {
  const result = await dispatch(handlers, 'batch:create', { entries: [{ command }], cwd });
  if (!result.ok) throw new Error(result.error.message);
  return result.value as Batch;
}

describe('batch:approve with run', () => {
  it('approves and runs in one call, keeping the sandbox choice', async () => {
    const batch = await created();
    const answer = await dispatch(handlers, 'batch:approve', { id: batch.id, run: true, sandbox: 'workspace', network: false });
    expect(answer.ok).toBe(true);
    const done = await leash.batches.whenSettled(batch.id);
    expect(done.status).toBe('completed');
    expect(done.entries[0]?.stdout?.head).toBe('via-ipc\n');
    expect(done.sandboxChoice).toEqual({ profile: 'workspace', network: false });
  });

  it('approves only without run', async () => {
    const batch = await created();
    const answer = await dispatch(handlers, 'batch:approve', { id: batch.id });
    expect(answer).toMatchObject({ ok: true, value: { status: 'approved', queuedAt: null } });
    await dispatch(handlers, 'batch:reject', { id: batch.id });
  });

  it.each([['yes'], [1], [null]])('refuses run: %j with INVALID_PAYLOAD, approving nothing', async (run) => {
    const batch = await created();
    const answer = await dispatch(handlers, 'batch:approve', { id: batch.id, run });
    expect(answer).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.stringContaining('run') } });
    expect(leash.batches.get(batch.id).status).toBe('pending');
  });
});

describe('batch:reject with message', () => {
  it('stores the trimmed message and records it in the audit', async () => {
    const batch = await created();
    const answer = await dispatch(handlers, 'batch:reject', { id: batch.id, message: '  list the files with ls -la instead  ' });
    expect(answer).toMatchObject({ ok: true, value: { status: 'rejected', rejectionMessage: 'list the files with ls -la instead' } });
    await leash.audit.flush();
    const records = (await readFile(leash.audit.path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { event: string; batchId?: string; details?: unknown });
    expect(records.find((r) => r.event === 'BATCH_REJECTED' && r.batchId === batch.id)?.details).toEqual({ message: 'list the files with ls -la instead' });
  });

  it.each<[string, unknown, string]>([
    ['too long for main', 'x'.repeat(2001), 'REJECTION_MESSAGE_TOO_LONG'],
    ['holding a control character', 'stop\u0007', 'REJECTION_MESSAGE_INVALID'],
    ['far too long for a payload', 'x'.repeat(16_001), 'INVALID_PAYLOAD'],
    ['not text', 42, 'INVALID_PAYLOAD'],
  ])('refuses a message %s with %s, and the batch stays pending', async (_name, message, code) => {
    const batch = await created();
    const answer = await dispatch(handlers, 'batch:reject', { id: batch.id, message });
    expect(answer).toMatchObject({ ok: false, error: { code } });
    expect(leash.batches.get(batch.id)).toMatchObject({ status: 'pending', rejectionMessage: null });
  });
});
